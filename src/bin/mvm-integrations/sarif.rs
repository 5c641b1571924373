//! `check --format sarif`: one SARIF 2.1.0 log, for code-scanning dashboards.
//!
//! ```json
//! {
//!   "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
//!   "version": "2.1.0",
//!   "runs": [
//!     {
//!       "tool": {
//!         "driver": {
//!           "name": "mvm-integrations",
//!           "version": "0.1.0",
//!           "informationUri": "https://docs.rs/mvm-integrations",
//!           "rules": [
//!             { "id": "parse", "shortDescription": { "text": "The file is not a valid drop-in entry" } }
//!           ]
//!         }
//!       },
//!       "results": [
//!         {
//!           "ruleId": "parse",
//!           "ruleIndex": 0,
//!           "level": "error",
//!           "message": { "text": "invalid `health_interval_secs` value `0`: must be between 1 and 86400" },
//!           "locations": [
//!             {
//!               "physicalLocation": {
//!                 "artifactLocation": { "uri": "drop-ins/a.json" },
//!                 "region": { "startLine": 2, "startColumn": 26 }
//!               }
//!             }
//!           ]
//!         }
//!       ]
//!     }
//!   ]
//! }
//! ```
//!
//! - `rules` holds one rule per code that a result uses, sorted by id; each result names its
//!   rule by `ruleId` and `ruleIndex`. Results keep the order given.
//! - `level` is `error`, `warning` or `note`, the finding's severity.
//! - `region` is there when the finding has a position. Its columns are the library's, in
//!   bytes; SARIF counts UTF-16 code units, the same on lines of ASCII text.
//! - `uri` is the path as given, as a URI reference: `/` between components (also on
//!   Windows), every byte but `A-Z a-z 0-9 - . _ ~ / ! $ & ' ( ) * + , ; = @ :` written as `%XX`
//!   (so a byte that is not UTF-8 is kept), and `:` as `%3A` in the first segment of a
//!   relative path, where it would read as a scheme. An absolute path is a `file://` URI
//!   (`file:///etc/mvm/integrations.d/a.json`).
//! - The message and the path keep their exact values: JSON escaping makes them safe. So that
//!   the log is also safe to show in a terminal, every character the crate's rule
//!   (`Escaped`) escapes, controls, bidi and invisible characters, is written as a JSON
//!   `\uXXXX` escape, never raw.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::findings::{Finding, Severity, slashed};

/// Where the log says to read about the tool: the crate's repository when `Cargo.toml`
/// names one, its docs otherwise.
const INFORMATION_URI: &str = if env!("CARGO_PKG_REPOSITORY").is_empty() {
    "https://docs.rs/mvm-integrations"
} else {
    env!("CARGO_PKG_REPOSITORY")
};

/// Writes the SARIF log of `findings`, pretty-printed, then a newline.
pub(crate) fn write(out: &mut impl Write, findings: &[Finding]) -> io::Result<()> {
    let text = serde_json::to_string_pretty(&log(findings))?;
    out.write_all(crate::json::terminal_safe(&text).as_bytes())?;
    writeln!(out)
}

fn log(findings: &[Finding]) -> Log<'_> {
    let codes: BTreeMap<&'static str, usize> = findings
        .iter()
        .map(|f| f.code)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .enumerate()
        .map(|(index, code)| (code, index))
        .collect();
    Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "mvm-integrations",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules: codes
                        .keys()
                        .map(|&id| Rule {
                            id,
                            short_description: Text {
                                text: Cow::Borrowed(describe(id)),
                            },
                        })
                        .collect(),
                },
            },
            results: findings
                .iter()
                .map(|f| SarifResult {
                    rule_id: f.code,
                    rule_index: codes[f.code],
                    level: match f.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                        Severity::Note => "note",
                    },
                    message: Text {
                        text: String::from_utf8_lossy(&f.message),
                    },
                    locations: [Location {
                        physical_location: PhysicalLocation {
                            artifact_location: ArtifactLocation { uri: uri(&f.path) },
                            region: f.position.map(|p| Region {
                                start_line: p.line,
                                start_column: p.column,
                            }),
                        },
                    }],
                })
                .collect(),
        }],
    }
}

/// A short description of each code the loader and `check` use.
fn describe(code: &str) -> &'static str {
    match code {
        "read-dir" => "A drop-in directory cannot be listed",
        "not-a-directory" => "A drop-in directory is not a directory",
        "too-many-files" => "A directory holds more drop-ins than the limit",
        "non-utf8-file-name" => "A drop-in's file name is not UTF-8",
        "not-a-regular-file" => "A drop-in is not a regular file",
        "symlink-target" => "A drop-in links to something other than a regular file",
        "dangling-symlink" => "A drop-in links to nothing",
        "symlink-loop" => "A drop-in is a symlink loop",
        "metadata" => "A drop-in's metadata cannot be read",
        "open" => "A drop-in cannot be opened",
        "read" => "A drop-in cannot be read",
        "too-large" => "A drop-in is larger than the limit",
        "invalid-utf8" => "A drop-in is not UTF-8",
        "parse" => "A drop-in is not a valid integration entry",
        "duplicate-name" => "Two drop-ins declare the same integration",
        "unknown-field" => "A drop-in has a field the entry does not have",
        "entry" => "An entry's values are valid but likely wrong",
        "byte-order-mark" => "A drop-in starts with a byte-order mark",
        "masked" => "An empty drop-in or a link to /dev/null hides a name",
        "missing-directory" => "A drop-in directory does not exist",
        _ => "A finding of mvm-integrations check",
    }
}

/// `path` as a URI reference (see the module docs).
fn uri(path: &Path) -> String {
    let bytes = slashed(path);
    let mut out = String::with_capacity(bytes.len() + 8);
    let relative = if bytes.first() == Some(&b'/') {
        out.push_str("file://");
        false
    } else if path.is_absolute() {
        // `C:/x` on Windows.
        out.push_str("file:///");
        false
    } else {
        true
    };
    let mut first_segment = relative;
    for &byte in bytes.iter() {
        match byte {
            b'/' => {
                first_segment = false;
                out.push('/');
            }
            b':' if first_segment => out.push_str("%3A"),
            b if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@:".contains(&b) => {
                out.push(char::from(b));
            }
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    short_description: Text<'static>,
}

#[derive(Serialize)]
struct Text<'a> {
    text: Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text<'a>,
    locations: [Location; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::tests::hostile;
    use crate::json::{is_shown_as_is, terminal_safe};
    use serde_json::{Value, json};

    fn sarif(findings: &[Finding]) -> String {
        let mut out = Vec::new();
        write(&mut out, findings).unwrap();
        String::from_utf8(out).expect("SARIF is UTF-8")
    }

    /// The requirements of the SARIF 2.1.0 schema (OASIS, `sarif-schema-2.1.0.json`) on the
    /// objects this log uses, transcribed: required properties, the `version` and `level`
    /// enums, `startLine`/`startColumn` at least 1, `uri` a URI reference.
    fn sarif_requirements() -> Value {
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "required": ["version", "runs"],
            "properties": {
                "$schema": { "type": "string", "format": "uri" },
                "version": { "enum": ["2.1.0"] },
                "runs": { "type": "array", "items": { "$ref": "#/$defs/run" } }
            },
            "$defs": {
                "run": {
                    "type": "object",
                    "required": ["tool"],
                    "properties": {
                        "tool": {
                            "type": "object",
                            "required": ["driver"],
                            "properties": { "driver": { "$ref": "#/$defs/toolComponent" } }
                        },
                        "results": { "type": "array", "items": { "$ref": "#/$defs/result" } }
                    }
                },
                "toolComponent": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": { "type": "string" },
                        "version": { "type": "string" },
                        "informationUri": { "type": "string", "format": "uri" },
                        "rules": {
                            "type": "array",
                            "uniqueItems": true,
                            "items": { "$ref": "#/$defs/reportingDescriptor" }
                        }
                    }
                },
                "reportingDescriptor": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {
                        "id": { "type": "string" },
                        "shortDescription": { "$ref": "#/$defs/multiformatMessageString" }
                    }
                },
                "multiformatMessageString": {
                    "type": "object",
                    "required": ["text"],
                    "properties": { "text": { "type": "string" } }
                },
                "result": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {
                        "ruleId": { "type": "string" },
                        "ruleIndex": { "type": "integer", "minimum": -1 },
                        "level": { "enum": ["none", "note", "warning", "error"] },
                        "message": {
                            "type": "object",
                            "anyOf": [{ "required": ["text"] }, { "required": ["id"] }],
                            "properties": { "text": { "type": "string" } }
                        },
                        "locations": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "physicalLocation": { "$ref": "#/$defs/physicalLocation" }
                                }
                            }
                        }
                    }
                },
                "physicalLocation": {
                    "type": "object",
                    "anyOf": [{ "required": ["address"] }, { "required": ["artifactLocation"] }],
                    "properties": {
                        "artifactLocation": {
                            "type": "object",
                            "properties": { "uri": { "type": "string", "format": "uri-reference" } }
                        },
                        "region": {
                            "type": "object",
                            "properties": {
                                "startLine": { "type": "integer", "minimum": 1 },
                                "startColumn": { "type": "integer", "minimum": 1 }
                            }
                        }
                    }
                }
            }
        })
    }

    #[track_caller]
    fn assert_valid_sarif(text: &str) -> Value {
        let log: Value = serde_json::from_str(text).expect("SARIF is one JSON document");
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&sarif_requirements())
            .expect("the requirements compile");
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}\n{text}");
        // What the schema cannot say: each result names an existing rule, by id and index;
        // rules are sorted by id; every result has exactly one location with a uri.
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted, "rules sorted by id, once each");
        for result in run["results"].as_array().unwrap() {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(result["ruleId"], rules[index]["id"]);
            assert!(result["level"].is_string());
            let locations = result["locations"].as_array().unwrap();
            assert_eq!(locations.len(), 1);
            assert!(
                locations[0]["physicalLocation"]["artifactLocation"]["uri"].is_string(),
                "{result}"
            );
        }
        assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
        log
    }

    /// The requirements check can fail: each broken log is rejected.
    #[test]
    fn requirements_reject_broken_logs() {
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&sarif_requirements())
            .unwrap();
        let good: Value = serde_json::from_str(&sarif(&hostile())).unwrap();
        assert!(validator.is_valid(&good));
        type Breakage = (&'static str, fn(&mut Value));
        let breakages: [Breakage; 7] = [
            ("version", |log| log["version"] = json!("2.0.0")),
            ("runs", |log| {
                log.as_object_mut().unwrap().remove("runs");
            }),
            ("driver name", |log| {
                log["runs"][0]["tool"]["driver"]
                    .as_object_mut()
                    .unwrap()
                    .remove("name");
            }),
            ("level", |log| {
                log["runs"][0]["results"][0]["level"] = json!("fatal")
            }),
            ("startLine", |log| {
                log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
                    json!(0)
            }),
            ("message", |log| {
                log["runs"][0]["results"][0]["message"] = json!({ "markdown": "x" })
            }),
            ("uri", |log| {
                log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
                    ["uri"] = json!("a b\\c.json")
            }),
        ];
        for (what, breaks) in breakages {
            let mut log = good.clone();
            breaks(&mut log);
            assert!(!validator.is_valid(&log), "a log with a bad {what} passed");
        }
    }

    #[test]
    fn clean_run() {
        let out = sarif(&[]);
        let log = assert_valid_sarif(&out);
        assert_eq!(log["runs"][0]["results"], json!([]));
        assert_eq!(log["runs"][0]["tool"]["driver"]["rules"], json!([]));
        insta::assert_snapshot!("sarif_clean", out);
    }

    #[test]
    fn every_kind_of_finding() {
        let findings = hostile();
        let out = sarif(&findings);
        let log = assert_valid_sarif(&out);
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), findings.len());
        for (result, finding) in results.iter().zip(&findings) {
            // Exact values: the message as given, whatever it holds.
            assert_eq!(
                result["message"]["text"],
                String::from_utf8_lossy(&finding.message).as_ref()
            );
            assert_eq!(result["ruleId"], finding.code);
            let region = &result["locations"][0]["physicalLocation"]["region"];
            match finding.position {
                Some(p) => {
                    assert_eq!(region["startLine"], p.line);
                    assert_eq!(region["startColumn"], p.column);
                }
                None => assert!(region.is_null()),
            }
        }
        assert_eq!(
            results
                .iter()
                .map(|r| r["level"].as_str().unwrap())
                .collect::<Vec<_>>(),
            ["error", "error", "warning", "warning", "note", "note"]
        );
        insta::assert_snapshot!("sarif_findings", out);
    }

    #[test]
    fn deterministic_and_rules_sorted_whatever_the_order_of_findings() {
        let findings = hostile();
        let mut reversed = findings.clone();
        reversed.reverse();
        assert_eq!(sarif(&findings), sarif(&findings));
        let rules = |text: &str| {
            let log: Value = serde_json::from_str(text).unwrap();
            log["runs"][0]["tool"]["driver"]["rules"].clone()
        };
        assert_eq!(rules(&sarif(&findings)), rules(&sarif(&reversed)));
        assert_valid_sarif(&sarif(&reversed));
    }

    #[test]
    fn no_raw_control_bidi_or_invisible_character() {
        let out = sarif(&hostile());
        for c in out.chars() {
            assert!(
                c == '\n' || c == '\\' || is_shown_as_is(c),
                "raw {c:?} in the SARIF log"
            );
        }
        assert!(out.contains(r"\u202e"), "{out}");
        assert!(out.contains(r"\u001b"), "{out}");
        assert!(out.contains(r"\u009b"), "{out}");
        assert!(out.contains("café"), "printable text stays as it is");
    }

    #[test]
    fn terminal_safe_keeps_the_value() {
        let value = json!({
            "a": "\u{1b}[0m \u{7f} \u{9b} \u{202e} \u{200b} \u{feff} \u{e0041} é ∑ \\ \" \n\t%",
            "\u{2066}key": [1, "x"],
        });
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let safe = terminal_safe(&pretty);
        assert!(safe.contains(r"\udb40\udc41"), "{safe}");
        assert_eq!(serde_json::from_str::<Value>(&safe).unwrap(), value);
    }

    #[test]
    fn uri_references() {
        let table = [
            ("drop-ins/a.json", "drop-ins/a.json"),
            ("./a.json", "./a.json"),
            ("../up/a.json", "../up/a.json"),
            ("a b#c?d%e.json", "a%20b%23c%3Fd%25e.json"),
            ("c:odd/x:y.json", "c%3Aodd/x:y.json"),
            ("x,y;z=1@h.json", "x,y;z=1@h.json"),
            ("café.json", "caf%C3%A9.json"),
            (
                "/etc/mvm/integrations.d/a.json",
                "file:///etc/mvm/integrations.d/a.json",
            ),
            ("/tmp/a b.json", "file:///tmp/a%20b.json"),
            ("\u{202e}\n.json", "%E2%80%AE%0A.json"),
        ];
        for (path, expected) in table {
            assert_eq!(uri(Path::new(path)), expected, "{path:?}");
        }
    }

    #[test]
    #[cfg(unix)]
    fn non_utf8_path() {
        let out = sarif(&[crate::findings::tests::non_utf8()]);
        let log = assert_valid_sarif(&out);
        assert_eq!(
            log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "drop-ins/bad%FF%FE.json"
        );
        insta::assert_snapshot!("sarif_non_utf8_path", out);
    }

    #[test]
    fn every_code_has_its_own_description() {
        let codes = [
            "read-dir",
            "not-a-directory",
            "too-many-files",
            "non-utf8-file-name",
            "not-a-regular-file",
            "symlink-target",
            "dangling-symlink",
            "symlink-loop",
            "metadata",
            "open",
            "read",
            "too-large",
            "invalid-utf8",
            "parse",
            "duplicate-name",
            "unknown-field",
            "entry",
            "byte-order-mark",
            "masked",
            "missing-directory",
        ];
        let mut seen = std::collections::BTreeSet::new();
        for code in codes {
            let description = describe(code);
            assert_ne!(description, describe("no-such-code"), "{code}");
            assert!(seen.insert(description), "{code}: {description} used twice");
        }
    }

    #[test]
    fn write_errors_are_returned() {
        let error = write(&mut crate::findings::tests::Full, &hostile()).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
    }
}
