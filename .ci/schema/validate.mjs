// Compiles every committed schema with ajv (draft 2020-12, default options, so strict
// mode) and checks its verdict on every document of the exported corpus.
//
//   node validate.mjs <schema-dir> <corpus-dir>
//
// The corpus (written by `tests/schema.rs`, see .ci/schema-check) holds
// `<document>/<case>.json` and `expected.json`: for each case, whether a draft 2020-12
// validator must accept it. Exits 1 on any disagreement.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";

const [schemaDir, corpusDir] = process.argv.slice(2);
const expected = JSON.parse(readFileSync(join(corpusDir, "expected.json"), "utf8"));
const ajv = new Ajv2020(); // the defaults: strict mode on
const validators = {};
let failures = 0;
let checked = 0;
for (const [file, cases] of Object.entries(expected)) {
  const schema = JSON.parse(readFileSync(join(schemaDir, `${file}.schema.json`), "utf8"));
  validators[file] = ajv.compile(schema); // throws on anything strict mode refuses
  for (const [name, want] of Object.entries(cases)) {
    if (want.js_inexact) continue; // numbers past 2^53: JavaScript cannot read them exactly
    const doc = JSON.parse(readFileSync(join(corpusDir, file, name), "utf8"));
    const got = validators[file](doc);
    checked += 1;
    if (got !== want.accept) {
      failures += 1;
      console.log(`ajv disagrees on ${file}/${name}: accepts=${got}, expected ${want.accept}`);
    }
  }
}
console.log(`ajv: ${checked} documents checked against ${Object.keys(validators).length} schemas, ${failures} disagreements`);
process.exit(failures === 0 ? 0 : 1);
