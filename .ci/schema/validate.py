"""Checks every committed schema with Python's jsonschema (draft 2020-12, default settings)
on every document of the exported corpus.

    python3 validate.py <schema-dir> <corpus-dir>

The corpus (written by `tests/schema.rs`, see .ci/schema-check) holds
`<document>/<case>.json` and `expected.json`: for each case, whether a draft 2020-12
validator must accept it. Exits 1 on any disagreement.
"""
import json
import pathlib
import sys

import jsonschema

schema_dir, corpus_dir = map(pathlib.Path, sys.argv[1:3])
expected = json.loads((corpus_dir / "expected.json").read_text())
failures = checked = 0
for file, cases in expected.items():
    schema = json.loads((schema_dir / f"{file}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name, want in cases.items():
        doc = json.loads((corpus_dir / file / name).read_text())
        got = validator.is_valid(doc)
        checked += 1
        if got != want["accept"]:
            failures += 1
            print(f"jsonschema disagrees on {file}/{name}: accepts={got}, expected {want['accept']}")
print(f"python jsonschema: {checked} documents checked against {len(expected)} schemas, {failures} disagreements")
sys.exit(0 if failures == 0 else 1)
