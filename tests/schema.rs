#![cfg(feature = "schema")]
//! The JSON Schema files in `schema/`: they are current, valid draft 2020-12, and they agree
//! with the Rust parser on every document of a corpus (wire vectors, snapshots, a table of
//! edge cases), except for the deliberate differences listed in the README.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use jsonschema::Validator;
use mvm_integrations::{
    IntegrationEntry, IntegrationHealthResult, IntegrationManifest, IntegrationName,
    IntegrationStateReport, IntegrationStatus, MAX_HEALTH_INTERVAL_SECS, MAX_HEALTH_TIMEOUT_SECS,
    MAX_NAME_LEN, MAX_STARTUP_GRACE_SECS, SchemaDocument,
};
use serde_json::{Value, json};

const REGENERATE: &str = "MVM_UPDATE_SCHEMA=1 cargo test --features schema --test schema";

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema_path(doc: SchemaDocument) -> PathBuf {
    crate_dir().join("schema").join(doc.file_name())
}

/// The committed schema file, as a consumer in another language reads it.
#[track_caller]
fn committed(doc: SchemaDocument) -> Value {
    let path = schema_path(doc);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; regenerate with `{REGENERATE}`",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

#[test]
fn committed_schema_files_match_the_generated_schemas() {
    let update = std::env::var_os("MVM_UPDATE_SCHEMA").is_some();
    let mut stale = Vec::new();
    for doc in SchemaDocument::ALL {
        let path = schema_path(doc);
        let generated = doc.to_json();
        if update {
            // Written aside and renamed, so that tests reading the files meanwhile never see
            // half of one.
            let dir = path.parent().unwrap();
            fs::create_dir_all(dir).unwrap();
            let mut file = tempfile::NamedTempFile::new_in(dir).unwrap();
            std::io::Write::write_all(&mut file, generated.as_bytes()).unwrap();
            file.persist(&path).unwrap();
        }
        if fs::read_to_string(&path).ok().as_deref() != Some(generated.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "these schema files differ from what the crate generates: {stale:?}\n\
         regenerate them with `{REGENERATE}` (or `cargo run --features cli -- schema <document>`), \
         then review and commit the diff"
    );
}

#[test]
fn generated_schemas_are_the_same_on_every_call() {
    for doc in SchemaDocument::ALL {
        assert_eq!(doc.to_json(), doc.to_json(), "{doc}");
    }
}

#[test]
fn committed_schemas_are_valid_draft_2020_12() {
    for doc in SchemaDocument::ALL {
        let schema = committed(doc);
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{doc}"
        );
        if let Err(e) = jsonschema::meta::validate(&schema) {
            panic!(
                "{} breaks the draft 2020-12 meta-schema: {e}",
                doc.file_name()
            );
        }
    }
}

#[test]
fn schema_document_names_parse_and_display() {
    for (input, doc, file) in [
        ("manifest", SchemaDocument::Manifest, "manifest.schema.json"),
        ("entry", SchemaDocument::Entry, "entry.schema.json"),
        ("report", SchemaDocument::Report, "report.schema.json"),
        ("reports", SchemaDocument::Reports, "reports.schema.json"),
    ] {
        assert_eq!(input.parse::<SchemaDocument>(), Ok(doc));
        assert_eq!(doc.to_string(), input);
        assert_eq!(doc.name(), input);
        assert_eq!(doc.file_name(), file);
    }
}

#[test]
fn unknown_schema_document_names_are_rejected_with_a_message() {
    let expected = "`: expected `manifest`, `entry`, `report` or `reports`";
    for (input, message) in [
        (
            "repots",
            format!("unknown schema document `repots{expected}"),
        ),
        ("", format!("unknown schema document `{expected}")),
        (
            "Manifest",
            format!("unknown schema document `Manifest{expected}"),
        ),
        (
            "entry ",
            format!("unknown schema document `entry {expected}"),
        ),
        ("a\nb", format!("unknown schema document `a\\nb{expected}")),
    ] {
        let err = input.parse::<SchemaDocument>().unwrap_err();
        assert_eq!(err.to_string(), message, "input {input:?}");
        assert_eq!(err.name(), input);
    }
}

// ---------------------------------------------------------------------------------------
// The constraints the issue names are in the schema, and agree with the crate.

#[test]
fn entry_schema_defaults_are_what_the_parser_fills_in() {
    let schema = committed(SchemaDocument::Entry);
    let parsed =
        serde_json::to_value(IntegrationEntry::from_json(r#"{"name":"a"}"#).unwrap()).unwrap();
    let properties = schema["properties"].as_object().unwrap();
    assert_eq!(properties.len(), parsed.as_object().unwrap().len());
    for (field, property) in properties {
        match property.get("default") {
            Some(default) => assert_eq!(&parsed[field], default, "default of `{field}`"),
            None => assert_eq!(field, "name", "`{field}` has no default"),
        }
    }
    assert_eq!(schema["required"], json!(["name"]));
}

#[test]
fn report_schema_defaults_are_what_the_parser_fills_in() {
    let schema = committed(SchemaDocument::Report);
    let report: IntegrationStateReport =
        serde_json::from_str(r#"{"name":"a","status":"active"}"#).unwrap();
    let parsed = serde_json::to_value(report).unwrap();
    for (field, property) in schema["properties"].as_object().unwrap() {
        if let Some(default) = property.get("default") {
            assert_eq!(&parsed[field], default, "default of `{field}`");
        }
    }
    assert_eq!(schema["required"], json!(["name", "status"]));
}

#[test]
fn entry_schema_ranges_are_the_crate_bounds() {
    let schema = committed(SchemaDocument::Entry);
    for (field, min, max) in [
        ("health_interval_secs", 1, MAX_HEALTH_INTERVAL_SECS),
        ("health_timeout_secs", 1, MAX_HEALTH_TIMEOUT_SECS),
        ("startup_grace_secs", 0, MAX_STARTUP_GRACE_SECS),
    ] {
        let property = &schema["properties"][field];
        assert_eq!(property["type"], "integer", "{field}");
        assert_eq!(property["minimum"], min, "{field}");
        assert_eq!(property["maximum"], max, "{field}");
    }
}

#[test]
fn name_schema_has_the_name_rule() {
    let schema = committed(SchemaDocument::Entry);
    let name = &schema["$defs"]["IntegrationName"];
    assert_eq!(name["type"], "string");
    assert_eq!(name["minLength"], 1);
    assert_eq!(name["maxLength"], MAX_NAME_LEN);
    assert_eq!(name["pattern"], "^[A-Za-z0-9][A-Za-z0-9._-]*$");
}

#[test]
fn status_schema_names_exactly_the_known_statuses() {
    let schema = committed(SchemaDocument::Report);
    let branches = schema["$defs"]["IntegrationStatus"]["oneOf"]
        .as_array()
        .unwrap();
    let consts: Vec<&str> = branches
        .iter()
        .filter_map(|b| b["const"].as_str())
        .collect();
    assert_eq!(consts, ["active", "paused", "pending", "starting"]);
    for name in &consts {
        let status: IntegrationStatus = serde_json::from_str(&format!("\"{name}\"")).unwrap();
        assert!(status.is_known(), "{name}");
        assert_eq!(status.name(), *name);
    }
    // The names that unknown statuses must avoid are the known ones plus `error`.
    let unknown_string = branches
        .iter()
        .find(|b| b["type"] == "string" && b.get("not").is_some())
        .unwrap();
    let mut reserved: Vec<&str> = unknown_string["not"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    reserved.sort_unstable();
    assert_eq!(
        reserved,
        ["active", "error", "paused", "pending", "starting"]
    );
}

#[test]
fn schemas_carry_descriptions_from_the_doc_comments() {
    let entry = committed(SchemaDocument::Entry);
    assert!(
        entry["description"]
            .as_str()
            .unwrap()
            .starts_with("One integration the guest agent manages.")
    );
    for (field, property) in entry["properties"].as_object().unwrap() {
        let description = property["description"].as_str().unwrap_or_default();
        assert!(!description.is_empty(), "`{field}` has no description");
        assert!(
            !description.contains("]("),
            "`{field}` keeps rustdoc link syntax: {description}"
        );
    }
    // Links to path constants become the paths, which mean something outside Rust.
    assert!(
        entry["description"]
            .as_str()
            .unwrap()
            .contains("`/etc/mvm/integrations.d`")
    );
    let report = committed(SchemaDocument::Report);
    assert_eq!(
        report["properties"]["state_size_bytes"]["description"],
        "Bytes of state data on disk."
    );
}

// ---------------------------------------------------------------------------------------
// Agreement: the parser and the schema give the same verdict on every document.

/// What a document is, which decides the parser and the schema that judge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Manifest,
    Entry,
    Report,
    Reports,
    /// A bare status, judged by `$defs/IntegrationStatus` of the report schema.
    Status,
    /// A bare health result, judged by `$defs/IntegrationHealthResult` of the report schema.
    Health,
    /// A bare name, judged by `$defs/IntegrationName` of the entry schema.
    Name,
}

impl Kind {
    /// The kind of a wire vector or snapshot, from the word its name starts with (`entry.full.json`,
    /// `snapshots__report_full_pretty.snap`); `None` when it starts with none.
    fn from_file_name(name: &str) -> Option<Kind> {
        // An insta snapshot is named `<test file>__<snapshot>.snap`: only the snapshot's own
        // name says what it holds.
        let name = name.rsplit("__").next().unwrap_or(name);
        // Most specific first: `reports` starts with `report`.
        [
            ("manifest", Kind::Manifest),
            ("entry", Kind::Entry),
            ("reports", Kind::Reports),
            ("report", Kind::Report),
            ("status", Kind::Status),
            ("health", Kind::Health),
            ("name", Kind::Name),
        ]
        .into_iter()
        .find(|(word, _)| name.starts_with(word))
        .map(|(_, kind)| kind)
    }

    fn parser_accepts(self, text: &str) -> bool {
        match self {
            Kind::Manifest => IntegrationManifest::from_json(text).is_ok(),
            Kind::Entry => IntegrationEntry::from_json(text).is_ok(),
            Kind::Report => serde_json::from_str::<IntegrationStateReport>(text).is_ok(),
            Kind::Reports => IntegrationStateReport::parse_list(text)
                .is_ok_and(|reports| reports.iter().all(Result::is_ok)),
            Kind::Status => serde_json::from_str::<IntegrationStatus>(text).is_ok(),
            Kind::Health => serde_json::from_str::<IntegrationHealthResult>(text).is_ok(),
            Kind::Name => serde_json::from_str::<IntegrationName>(text).is_ok(),
        }
    }
}

/// Compiled validators for the committed schema files.
struct Judge {
    validators: BTreeMap<Kind, Validator>,
}

impl Judge {
    fn new() -> Judge {
        let compile = |schema: &Value| jsonschema::draft202012::new(schema).unwrap();
        let report = committed(SchemaDocument::Report);
        let entry = committed(SchemaDocument::Entry);
        let definition = |document: &Value, name: &str| {
            compile(&json!({
                "$schema": document["$schema"],
                "$ref": format!("#/$defs/{name}"),
                "$defs": document["$defs"],
            }))
        };
        let validators = BTreeMap::from([
            (
                Kind::Manifest,
                compile(&committed(SchemaDocument::Manifest)),
            ),
            (Kind::Entry, compile(&entry)),
            (Kind::Report, compile(&report)),
            (Kind::Reports, compile(&committed(SchemaDocument::Reports))),
            (Kind::Status, definition(&report, "IntegrationStatus")),
            (Kind::Health, definition(&report, "IntegrationHealthResult")),
            (Kind::Name, definition(&entry, "IntegrationName")),
        ]);
        Judge { validators }
    }

    /// The schema's verdict: text that is not JSON has none to give, and counts as rejected.
    fn schema_accepts(&self, kind: Kind, text: &str) -> bool {
        serde_json::from_str::<Value>(text)
            .is_ok_and(|value| self.validators[&kind].is_valid(&value))
    }

    /// Both verdicts, or a line describing the disagreement.
    fn verdicts(&self, kind: Kind, text: &str) -> (bool, bool) {
        (kind.parser_accepts(text), self.schema_accepts(kind, text))
    }
}

/// Documents on which the parser and the schema disagree on purpose: the parser rejects them
/// and the schema accepts them, because JSON Schema cannot express the rule. Each label is a
/// bullet of "Deliberate differences" in the README.
const DIFFERENCES: &[(&str, Kind, &str)] = &[
    (
        "duplicate names",
        Kind::Manifest,
        r#"{"integrations":[{"name":"a"},{"name":"a","critical":true}]}"#,
    ),
    ("duplicate keys", Kind::Entry, r#"{"name":"a","name":"b"}"#),
    (
        "duplicate keys",
        Kind::Entry,
        r#"{"name":"a","critical":true,"critical":false}"#,
    ),
    (
        "duplicate keys",
        Kind::Report,
        r#"{"name":"a","status":"active","status":"paused"}"#,
    ),
    (
        "duplicate keys",
        Kind::Status,
        r#"{"error":"a","error":"b"}"#,
    ),
    (
        "duplicate keys",
        Kind::Manifest,
        r#"{"integrations":[],"integrations":[]}"#,
    ),
    (
        "integral numbers written as floats",
        Kind::Entry,
        r#"{"name":"a","health_interval_secs":30.0}"#,
    ),
    (
        "integral numbers written as floats",
        Kind::Entry,
        r#"{"name":"a","startup_grace_secs":1e2}"#,
    ),
    (
        "integral numbers written as floats",
        Kind::Report,
        r#"{"name":"a","status":"active","state_size_bytes":5.0}"#,
    ),
];

/// The edge-case table: each document with the verdict both sides must give.
fn table() -> Vec<(Kind, String, bool)> {
    use Kind::*;
    let mut rows: Vec<(Kind, String, bool)> = [
        // Entries: names.
        (Entry, r#"{"name":"a"}"#, true),
        (Entry, r#"{"name":"0"}"#, true),
        (Entry, r#"{"name":"A0._-z"}"#, true),
        (Entry, r#"{"name":"openclaw-worker.v2_x"}"#, true),
        (Entry, r#"{"name":"\u0061"}"#, true),
        (Entry, r#"{}"#, false),
        (Entry, r#"{"name":""}"#, false),
        (Entry, r#"{"name":"my app"}"#, false),
        (Entry, r#"{"name":"a/b"}"#, false),
        (Entry, r#"{"name":"../etc"}"#, false),
        (Entry, r#"{"name":"."}"#, false),
        (Entry, r#"{"name":".."}"#, false),
        (Entry, r#"{"name":".hidden"}"#, false),
        (Entry, r#"{"name":"-x"}"#, false),
        (Entry, r#"{"name":"_x"}"#, false),
        (Entry, r#"{"name":"é"}"#, false),
        (Entry, r#"{"name":"a\n"}"#, false),
        (Entry, r#"{"name":"a\u0000"}"#, false),
        (Entry, r#"{"name":"a\\b"}"#, false),
        (Entry, r#"{"name":null}"#, false),
        (Entry, r#"{"name":5}"#, false),
        (Entry, r#"{"name":["a"]}"#, false),
        // Entries: other fields, types, unknown fields.
        (
            Entry,
            r#"{"name":"a","checkpoint_cmd":null,"restore_cmd":null,"health_cmd":null}"#,
            true,
        ),
        (
            Entry,
            r#"{"name":"a","checkpoint_cmd":"","critical":true}"#,
            true,
        ),
        (
            Entry,
            r#"{"name":"a","future_field":{"nested":[1,2]},"another":null}"#,
            true,
        ),
        (Entry, r#"{"name":"a","checkpoint_cmd":5}"#, false),
        (Entry, r#"{"name":"a","restore_cmd":["x"]}"#, false),
        (Entry, r#"{"name":"a","health_cmd":false}"#, false),
        (Entry, r#"{"name":"a","critical":"yes"}"#, false),
        (Entry, r#"{"name":"a","critical":null}"#, false),
        (Entry, r#"{"name":"a","critical":1}"#, false),
        (Entry, r#"{"name":"a","health_interval_secs":"30"}"#, false),
        (Entry, r#"{"name":"a","health_interval_secs":null}"#, false),
        (Entry, r#"{"name":"a","health_interval_secs":1.5}"#, false),
        (Entry, r#"{"name":"a","health_timeout_secs":-5}"#, false),
        (
            Entry,
            r#"{"name":"a","startup_grace_secs":18446744073709551615}"#,
            false,
        ),
        (
            Entry,
            r#"{"name":"a","startup_grace_secs":18446744073709551616}"#,
            false,
        ),
        (
            Entry,
            r#"{"name":"a","health_interval_secs":-9223372036854775809}"#,
            false,
        ),
        (Entry, r#"[]"#, false),
        (Entry, r#""a""#, false),
        (Entry, r#"null"#, false),
        // Manifests.
        (Manifest, r#"{"integrations":[]}"#, true),
        (
            Manifest,
            r#"{"integrations":[{"name":"a"},{"name":"b","critical":true}]}"#,
            true,
        ),
        (Manifest, r#"{"integrations":[],"version":2}"#, true),
        (Manifest, r#"{}"#, false),
        (Manifest, r#"{"integrations":null}"#, false),
        (Manifest, r#"{"integrations":{}}"#, false),
        (Manifest, r#"{"integrations":[null]}"#, false),
        (Manifest, r#"{"integrations":[{"name":"a b"}]}"#, false),
        (
            Manifest,
            r#"{"integrations":[{"name":"a","health_timeout_secs":0}]}"#,
            false,
        ),
        (Manifest, r#"{"integrations":[{}]}"#, false),
        (Manifest, r#"[]"#, false),
        // Statuses: known, unknown (valid: forward compatibility), malformed.
        (Status, r#""active""#, true),
        (Status, r#""paused""#, true),
        (Status, r#""pending""#, true),
        (Status, r#""starting""#, true),
        (Status, r#"{"error":"boom"}"#, true),
        (Status, r#"{"error":""}"#, true),
        (Status, r#"{"active":null}"#, true),
        (Status, r#"{"starting":null}"#, true),
        (Status, r#""degraded""#, true),
        (Status, r#""""#, true),
        (Status, r#""Active""#, true),
        (Status, r#"{"degraded":{"since":3}}"#, true),
        (Status, r#"{"degraded":null}"#, true),
        (Status, r#"{"degraded":[1,"x",null]}"#, true),
        (Status, r#"{"Error":5}"#, true),
        (Status, r#""error""#, false),
        (Status, r#"{"error":5}"#, false),
        (Status, r#"{"error":null}"#, false),
        (Status, r#"{"error":{"detail":"x"}}"#, false),
        (Status, r#"{}"#, false),
        (Status, r#"{"active":5}"#, false),
        (Status, r#"{"active":{}}"#, false),
        (Status, r#"{"paused":"now"}"#, false),
        (Status, r#"{"error":"a","active":null}"#, false),
        (Status, r#"{"degraded":1,"other":2}"#, false),
        (Status, r#"{"active":null,"paused":null}"#, false),
        (Status, r#"5"#, false),
        (Status, r#"true"#, false),
        (Status, r#"null"#, false),
        (Status, r#"["active"]"#, false),
        // Bare names.
        (Name, r#""openclaw-worker""#, true),
        (Name, r#""a b""#, false),
        (Name, r#"5"#, false),
        // Health results.
        (
            Health,
            r#"{"healthy":true,"detail":"ok","checked_at":"2025-06-01T12:00:00Z"}"#,
            true,
        ),
        (
            Health,
            r#"{"healthy":true,"detail":"ok","checked_at":"not a date","extra":1}"#,
            true,
        ),
        (Health, r#"{"healthy":true,"detail":"ok"}"#, false),
        (
            Health,
            r#"{"healthy":"true","detail":"ok","checked_at":""}"#,
            false,
        ),
        (
            Health,
            r#"{"healthy":true,"detail":null,"checked_at":""}"#,
            false,
        ),
        // Reports.
        (Report, r#"{"name":"a","status":"active"}"#, true),
        (
            Report,
            r#"{"name":"legacy name/../é","status":"pending"}"#,
            true,
        ),
        (
            Report,
            r#"{"name":"","status":{"degraded":{"since":3}}}"#,
            true,
        ),
        (
            Report,
            r#"{"name":"a","status":"active","last_checkpoint_at":null,"health":null}"#,
            true,
        ),
        (
            Report,
            r#"{"name":"a","status":"active","state_size_bytes":0}"#,
            true,
        ),
        (
            Report,
            r#"{"name":"a","status":"active","state_size_bytes":18446744073709551615}"#,
            true,
        ),
        (
            Report,
            r#"{"name":"a","status":"active","from_the_future":true}"#,
            true,
        ),
        (Report, r#"{"name":"a"}"#, false),
        (Report, r#"{"status":"active"}"#, false),
        (Report, r#"{"name":5,"status":"active"}"#, false),
        (Report, r#"{"name":"a","status":null}"#, false),
        (Report, r#"{"name":"a","status":{"error":5}}"#, false),
        (Report, r#"{"name":"a","status":"error"}"#, false),
        (Report, r#"{"name":"a","status":{}}"#, false),
        (
            Report,
            r#"{"name":"a","status":"active","state_size_bytes":-1}"#,
            false,
        ),
        (
            Report,
            r#"{"name":"a","status":"active","state_size_bytes":1.5}"#,
            false,
        ),
        (
            Report,
            r#"{"name":"a","status":"active","state_size_bytes":18446744073709551616}"#,
            false,
        ),
        (
            Report,
            r#"{"name":"a","status":"active","state_size_bytes":"5"}"#,
            false,
        ),
        (
            Report,
            r#"{"name":"a","status":"active","state_size_bytes":null}"#,
            false,
        ),
        (
            Report,
            r#"{"name":"a","status":"active","last_checkpoint_at":5}"#,
            false,
        ),
        (
            Report,
            r#"{"name":"a","status":"active","health":"ok"}"#,
            false,
        ),
        (
            Report,
            r#"{"name":"a","status":"active","health":{"healthy":true}}"#,
            false,
        ),
        (Report, r#"[]"#, false),
        // Lists of reports.
        (Reports, r#"[]"#, true),
        (
            Reports,
            r#"[{"name":"a","status":"active"},{"name":"b","status":"x"}]"#,
            true,
        ),
        (
            Reports,
            r#"[{"name":"a","status":"active"},{"name":"b","status":{"error":5}}]"#,
            false,
        ),
        (Reports, r#"[null]"#, false),
        (Reports, r#"{"name":"a","status":"active"}"#, false),
        (Reports, r#""[]""#, false),
    ]
    .into_iter()
    .map(|(kind, text, valid)| (kind, text.to_owned(), valid))
    .collect();

    // Name lengths around the bound.
    for (len, valid) in [(1, true), (MAX_NAME_LEN, true), (MAX_NAME_LEN + 1, false)] {
        rows.push((Entry, json!({ "name": "n".repeat(len) }).to_string(), valid));
    }
    // Each ranged field around both of its bounds.
    for (field, min, max) in [
        ("health_interval_secs", 1, MAX_HEALTH_INTERVAL_SECS),
        ("health_timeout_secs", 1, MAX_HEALTH_TIMEOUT_SECS),
        ("startup_grace_secs", 0, MAX_STARTUP_GRACE_SECS),
    ] {
        let (min, max) = (i128::from(min), i128::from(max));
        for (value, valid) in [(min - 1, false), (min, true), (max, true), (max + 1, false)] {
            rows.push((Entry, format!(r#"{{"name":"a","{field}":{value}}}"#), valid));
        }
    }
    rows
}

#[track_caller]
fn assert_agree(judge: &Judge, origin: &str, kind: Kind, text: &str) -> bool {
    let (parser, schema) = judge.verdicts(kind, text);
    assert_eq!(
        parser,
        schema,
        "{origin}: the parser {} and the schema {} this {kind:?} document:\n{text}",
        if parser { "accepts" } else { "rejects" },
        if schema { "accepts" } else { "rejects" },
    );
    parser
}

#[test]
fn parser_and_schema_agree_on_every_wire_vector() {
    let judge = Judge::new();
    let dir = crate_dir().join("tests/fixtures/wire-vectors");
    let mut checked = 0;
    for release in sorted_dir(&dir).into_iter().filter(|p| p.is_dir()) {
        for file in sorted_dir(&release) {
            let name = file_name(&file);
            if !name.ends_with(".json") {
                continue;
            }
            let kind = Kind::from_file_name(&name).unwrap_or_else(|| {
                panic!(
                    "{}: say which document this is in `Kind::from_file_name`",
                    file.display()
                )
            });
            let text = fs::read_to_string(&file).unwrap();
            // Wire vectors are what the published crates emit: both sides must accept them.
            assert!(
                assert_agree(&judge, &file.display().to_string(), kind, &text),
                "{}",
                file.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 27,
        "only {checked} wire vectors found in {}",
        dir.display()
    );
}

#[test]
fn parser_and_schema_agree_on_every_json_snapshot() {
    let judge = Judge::new();
    let dir = crate_dir().join("tests/snapshots");
    let Ok(entries) = fs::read_dir(&dir) else {
        return; // No snapshots yet: nothing to compare.
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut checked = 0;
    for file in files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "snap"))
    {
        let name = file_name(&file);
        let text = fs::read_to_string(&file).unwrap();
        let body = snapshot_body(&text).unwrap_or_else(|| panic!("{name}: no insta header"));
        // Skipped on purpose: a snapshot whose name does not start with a document kind
        // (CLI text output, error messages, loader results), and one that is not JSON.
        let Some(kind) = Kind::from_file_name(&name) else {
            continue;
        };
        if serde_json::from_str::<Value>(body).is_err() {
            continue;
        }
        // A snapshot holds what the crate emits, so both sides must accept it.
        assert!(assert_agree(&judge, &name, kind, body), "{name}");
        checked += 1;
    }
    assert!(
        checked > 0,
        "no wire-document snapshots found in {}",
        dir.display()
    );
}

#[test]
fn parser_and_schema_agree_on_the_edge_case_table() {
    let judge = Judge::new();
    for (i, (kind, text, valid)) in table().iter().enumerate() {
        let verdict = assert_agree(&judge, &format!("table row {i}"), *kind, text);
        assert_eq!(verdict, *valid, "table row {i} ({kind:?}): {text}");
    }
}

#[test]
fn deliberate_differences_are_the_listed_ones_and_in_the_readme() {
    let judge = Judge::new();
    let readme = fs::read_to_string(crate_dir().join("docs/schema.md")).unwrap();
    for (label, kind, text) in DIFFERENCES {
        assert_eq!(
            judge.verdicts(*kind, text),
            (false, true),
            "{label}: expected the parser to reject and the schema to accept this {kind:?} document:\n{text}"
        );
        assert!(
            readme.contains(&format!("**{label}**")),
            "docs/schema.md does not explain `{label}`"
        );
    }
}

/// The body of an insta snapshot: what follows the `---` header block.
fn snapshot_body(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some(rest[end + 5..].trim_end_matches('\n'))
}

fn sorted_dir(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// Validators in strict mode (ajv's default) refuse formats they do not know; schemars
/// writes `uint64` and `uint` for Rust integers. The committed files have none.
#[test]
fn committed_schemas_use_only_standard_formats() {
    fn formats(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(object) => {
                if let Some(format) = object.get("format") {
                    found.push(format.to_string());
                }
                object.values().for_each(|v| formats(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| formats(v, found)),
            _ => {}
        }
    }
    for doc in SchemaDocument::ALL {
        let mut found = Vec::new();
        formats(&committed(doc), &mut found);
        assert_eq!(found, Vec::<String>::new(), "{doc}");
    }
}

/// The schema's ranges and defaults of the `*_secs` fields come from `SecsField::ALL`.
#[test]
fn secs_ranges_in_the_schema_are_the_table() {
    let entry = committed(SchemaDocument::Entry);
    for secs in mvm_integrations::SecsField::ALL {
        let property = &entry["properties"][secs.field().as_str()];
        assert_eq!(property["minimum"], secs.min(), "{}", secs.field());
        assert_eq!(property["maximum"], secs.max(), "{}", secs.field());
        assert_eq!(property["default"], secs.default(), "{}", secs.field());
        assert_eq!(property["type"], "integer", "{}", secs.field());
    }
}

/// The documents of the agreement corpus that other validators can load whole: wire vectors,
/// snapshots, the edge-case table and the deliberate differences, for the four schema files.
/// Each comes with the verdict a draft 2020-12 validator must give: the `jsonschema` crate's,
/// which the tests above prove is the parser's except for the listed differences.
fn agreement_corpus(judge: &Judge) -> Vec<(SchemaDocument, String, Value, bool)> {
    let document = |kind: Kind| match kind {
        Kind::Manifest => Some(SchemaDocument::Manifest),
        Kind::Entry => Some(SchemaDocument::Entry),
        Kind::Report => Some(SchemaDocument::Report),
        Kind::Reports => Some(SchemaDocument::Reports),
        Kind::Status | Kind::Health | Kind::Name => None,
    };
    let mut texts: Vec<(String, Kind, String)> = Vec::new();
    let vectors = crate_dir().join("tests/fixtures/wire-vectors");
    for release in sorted_dir(&vectors).into_iter().filter(|p| p.is_dir()) {
        for file in sorted_dir(&release) {
            let name = format!("{}-{}", file_name(&release), file_name(&file));
            if let Some(kind) = Kind::from_file_name(&file_name(&file)) {
                texts.push((name, kind, fs::read_to_string(&file).unwrap()));
            }
        }
    }
    for file in sorted_dir(&crate_dir().join("tests/snapshots")) {
        let name = file_name(&file);
        let text = fs::read_to_string(&file).unwrap();
        if let (Some(kind), Some(body)) = (Kind::from_file_name(&name), snapshot_body(&text)) {
            texts.push((name.replace(".snap", ".json"), kind, body.to_owned()));
        }
    }
    for (i, (kind, text, _)) in table().into_iter().enumerate() {
        texts.push((format!("table-{i:03}.json"), kind, text));
    }
    for (i, (_, kind, text)) in DIFFERENCES.iter().enumerate() {
        texts.push((format!("difference-{i}.json"), *kind, (*text).to_owned()));
    }
    texts
        .into_iter()
        .filter_map(|(name, kind, text)| {
            let doc = document(kind)?;
            let value = serde_json::from_str::<Value>(&text).ok()?;
            Some((doc, name, value, judge.schema_accepts(kind, &text)))
        })
        .collect()
}

/// Whether `value` holds an integer that a 64-bit float cannot represent exactly.
fn has_inexact_number(value: &Value) -> bool {
    const EXACT: u64 = 1 << 53;
    match value {
        Value::Number(n) => {
            n.as_u64().is_some_and(|n| n > EXACT)
                || n.as_i64().is_some_and(|n| n < -(1 << 53))
                || n.as_f64().is_some_and(|f| f.abs() > EXACT as f64)
        }
        Value::Array(items) => items.iter().any(has_inexact_number),
        Value::Object(map) => map.values().any(has_inexact_number),
        _ => false,
    }
}

/// Writes the agreement corpus for `.ci/schema-check`, which runs Python's `jsonschema` and
/// ajv over it: `<dir>/<document>/<case>.json` and `<dir>/expected.json`. The directory is
/// `MVM_SCHEMA_CORPUS`, or a temporary one that the test then checks.
#[test]
fn export_the_agreement_corpus() {
    let temp;
    let dir = match std::env::var_os("MVM_SCHEMA_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => {
            temp = tempfile::tempdir().unwrap();
            temp.path().to_path_buf()
        }
    };
    let judge = Judge::new();
    let mut expected: BTreeMap<&str, BTreeMap<String, Value>> = BTreeMap::new();
    for (doc, name, value, accept) in agreement_corpus(&judge) {
        let folder = dir.join(doc.name());
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join(&name), serde_json::to_vec(&value).unwrap()).unwrap();
        let mut verdict = json!({ "accept": accept });
        if has_inexact_number(&value) {
            verdict["js_inexact"] = json!(true);
        }
        let previous = expected
            .entry(doc.name())
            .or_default()
            .insert(name.clone(), verdict);
        assert!(previous.is_none(), "two corpus documents named {name}");
    }
    fs::write(
        dir.join("expected.json"),
        serde_json::to_vec_pretty(&expected).unwrap(),
    )
    .unwrap();

    // Every schema file gets documents it must accept and documents it must reject.
    for doc in SchemaDocument::ALL {
        let cases = &expected[doc.name()];
        let accepted = cases.values().filter(|v| v["accept"] == true).count();
        assert!(
            accepted > 0 && accepted < cases.len(),
            "{}: {accepted} of {} accepted",
            doc.name(),
            cases.len()
        );
    }
    let written: usize = expected.values().map(BTreeMap::len).sum();
    assert!(written >= 100, "only {written} documents exported");
}
