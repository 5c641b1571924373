//! The JSON that the published `mvm-guest` 0.3.2 and 0.13.0 emit parses with its values
//! kept, and for everything 0.13.0 can represent this crate emits the same bytes.

use std::fs;
use std::path::{Path, PathBuf};

use mvm_integrations::{
    IntegrationEntry, IntegrationHealthResult, IntegrationManifest, IntegrationStateReport,
    IntegrationStatus,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn vectors(version: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/wire-vectors")
        .join(format!("mvm-guest-{version}"))
}

/// Reads a vector without the one newline that ends each file.
#[track_caller]
fn read(version: &str, file: &str) -> String {
    let text = fs::read_to_string(vectors(version).join(file)).unwrap();
    text.strip_suffix('\n')
        .expect("vector ends with a newline")
        .to_owned()
}

/// Parses `file` and checks that emitting it again, compact, gives the same bytes.
#[track_caller]
fn compact_identity<T: Serialize + DeserializeOwned>(version: &str, file: &str) -> T {
    let text = read(version, file);
    let value: T = serde_json::from_str(&text).unwrap();
    assert_eq!(
        serde_json::to_string(&value).unwrap(),
        text,
        "{version}/{file}"
    );
    value
}

#[test]
fn every_vector_file_is_covered() {
    for version in ["0.3.2", "0.13.0"] {
        for entry in fs::read_dir(vectors(version)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let text = read(version, &name);
            let parsed = match name.split('.').next().unwrap() {
                "entry" => IntegrationEntry::from_json(&text)
                    .map(drop)
                    .map_err(|e| e.to_string()),
                "manifest" => IntegrationManifest::from_json(&text)
                    .map(drop)
                    .map_err(|e| e.to_string()),
                "status" => serde_json::from_str::<IntegrationStatus>(&text)
                    .map(drop)
                    .map_err(|e| e.to_string()),
                "health" => serde_json::from_str::<IntegrationHealthResult>(&text)
                    .map(drop)
                    .map_err(|e| e.to_string()),
                "report" => serde_json::from_str::<IntegrationStateReport>(&text)
                    .map(drop)
                    .map_err(|e| e.to_string()),
                "reports" => serde_json::from_str::<Vec<IntegrationStateReport>>(&text)
                    .map(drop)
                    .map_err(|e| e.to_string()),
                other => panic!("vector {version}/{name} has an unexpected type `{other}`"),
            };
            parsed.unwrap_or_else(|e| panic!("{version}/{name}: {e}"));
        }
    }
}

#[test]
fn v0_13_vectors_are_emitted_byte_identical() {
    let v = "0.13.0";
    let full: IntegrationEntry = compact_identity(v, "entry.full.json");
    assert_eq!(full.name(), "whatsapp");
    assert_eq!(
        full.checkpoint_cmd(),
        Some("/opt/openclaw/bin/whatsapp-checkpoint")
    );
    assert_eq!(
        full.restore_cmd(),
        Some("/opt/openclaw/bin/whatsapp-restore")
    );
    assert!(full.critical());
    assert_eq!(full.health_cmd(), Some("/opt/openclaw/bin/whatsapp-health"));
    assert_eq!(full.health_interval_secs(), 15);
    assert_eq!(full.health_timeout_secs(), 5);
    assert_eq!(full.startup_grace_secs(), 45);

    let defaults: IntegrationEntry = compact_identity(v, "entry.defaults.json");
    assert_eq!(defaults, IntegrationEntry::new("slack".parse().unwrap()));

    let manifest: IntegrationManifest = compact_identity(v, "manifest.compact.json");
    assert_eq!(manifest.entries(), [full, defaults]);
    assert_eq!(manifest.to_json(), read(v, "manifest.pretty.json"));
    assert_eq!(
        IntegrationManifest::default().to_json(),
        read(v, "manifest.empty.json")
    );

    let report: IntegrationStateReport = compact_identity(v, "report.full.json");
    assert_eq!(report.state_size_bytes, u64::MAX);
    assert_eq!(
        report.status,
        IntegrationStatus::Error("exit code 1".into())
    );
    let minimal: IntegrationStateReport = compact_identity(v, "report.minimal.json");
    assert_eq!(
        minimal,
        IntegrationStateReport::new("old", IntegrationStatus::Pending)
    );
    let list: Vec<IntegrationStateReport> = compact_identity(v, "reports.list.json");
    assert_eq!(list, vec![report, minimal]);

    let health: IntegrationHealthResult = compact_identity(v, "health.unhealthy.json");
    assert_eq!(
        health,
        IntegrationHealthResult::new(false, "exit code 1", "2025-06-01T12:00:00Z")
    );

    for (file, status) in [
        ("status.active.json", IntegrationStatus::Active),
        ("status.paused.json", IntegrationStatus::Paused),
        ("status.pending.json", IntegrationStatus::Pending),
        ("status.starting.json", IntegrationStatus::Starting),
        (
            "status.error.json",
            IntegrationStatus::Error("conn lost: \"quoted\" é\n".into()),
        ),
    ] {
        assert_eq!(
            compact_identity::<IntegrationStatus>(v, file),
            status,
            "{file}"
        );
    }
}

#[test]
fn v0_3_vectors_parse_with_values_and_defaults() {
    let v = "0.3.2";
    let manifest = IntegrationManifest::from_json(&read(v, "manifest.pretty.json")).unwrap();
    let compact = IntegrationManifest::from_json(&read(v, "manifest.compact.json")).unwrap();
    assert_eq!(manifest, compact);
    let [full, defaults] = manifest.entries() else {
        panic!("two entries")
    };
    assert_eq!(full.health_interval_secs(), 15);
    assert_eq!(full.health_timeout_secs(), 5);
    assert_eq!(
        full.startup_grace_secs(),
        0,
        "0.3.2 has no grace: the default applies"
    );
    assert_eq!(defaults, &IntegrationEntry::new("slack".parse().unwrap()));

    // Everything 0.3.2 emits for reports and statuses is also what this crate emits.
    for file in [
        "report.full.json",
        "report.minimal.json",
        "health.unhealthy.json",
    ] {
        let text = read(v, file);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let emitted = if file.starts_with("health") {
            serde_json::to_string(&serde_json::from_str::<IntegrationHealthResult>(&text).unwrap())
        } else {
            serde_json::to_string(&serde_json::from_str::<IntegrationStateReport>(&text).unwrap())
        };
        assert_eq!(emitted.unwrap(), text, "{file} ({value})");
    }
}

/// Every 0.3.2 vector holds the same values as its 0.13.0 counterpart; a 0.3.2 entry has
/// no `startup_grace_secs` and reads with the default, 0.
#[test]
fn v0_3_vectors_hold_the_values_of_their_v0_13_counterparts() {
    let mut files: Vec<String> = fs::read_dir(vectors("0.3.2"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files.len(), 13, "{files:?}");
    for file in &files {
        let old = read("0.3.2", file);
        let new = read("0.13.0", file);
        match file.split('.').next().unwrap() {
            "entry" => {
                let old: IntegrationEntry = serde_json::from_str(&old).unwrap();
                let new: IntegrationEntry = serde_json::from_str(&new).unwrap();
                assert_eq!(old.startup_grace_secs(), 0, "{file}");
                assert_eq!(old, new.to_builder().startup_grace_secs(0).build().unwrap());
            }
            "manifest" => {
                let old = IntegrationManifest::from_json(&old).unwrap();
                let new = IntegrationManifest::from_json(&new).unwrap();
                let without_grace: Vec<IntegrationEntry> = new
                    .iter()
                    .map(|e| e.to_builder().startup_grace_secs(0).build().unwrap())
                    .collect();
                assert_eq!(old.entries(), without_grace, "{file}");
            }
            "status" => assert_eq!(
                serde_json::from_str::<IntegrationStatus>(&old).unwrap(),
                serde_json::from_str::<IntegrationStatus>(&new).unwrap(),
                "{file}"
            ),
            "health" => assert_eq!(
                serde_json::from_str::<IntegrationHealthResult>(&old).unwrap(),
                serde_json::from_str::<IntegrationHealthResult>(&new).unwrap(),
                "{file}"
            ),
            "report" => assert_eq!(
                serde_json::from_str::<IntegrationStateReport>(&old).unwrap(),
                serde_json::from_str::<IntegrationStateReport>(&new).unwrap(),
                "{file}"
            ),
            "reports" => assert_eq!(
                serde_json::from_str::<Vec<IntegrationStateReport>>(&old).unwrap(),
                serde_json::from_str::<Vec<IntegrationStateReport>>(&new).unwrap(),
                "{file}"
            ),
            other => panic!("unexpected vector type `{other}`"),
        }
    }
}

/// A 0.3.2 entry re-emitted is the 0.13.0 form: the same bytes plus
/// `"startup_grace_secs":0` at the end.
#[test]
fn v0_3_entries_re_emit_as_v0_13_with_the_grace_field_added() {
    for file in ["entry.full.json", "entry.defaults.json"] {
        let old = read("0.3.2", file);
        let entry: IntegrationEntry = serde_json::from_str(&old).unwrap();
        let expected = format!(
            "{},\"startup_grace_secs\":0}}",
            old.strip_suffix('}').unwrap()
        );
        assert_eq!(entry.to_json_compact(), expected, "{file}");
    }
}

/// The list a 0.13.0 guest sends with a `starting` status, and a newer guest's unknown
/// status, parse whole; the published 0.3.2 host rejects the whole list at the first one.
#[test]
fn v0_13_report_lists_with_starting_and_unknown_statuses_parse() {
    let list = read("0.13.0", "reports.list.json");
    let starting = read("0.13.0", "status.starting.json");
    let mut values: Vec<serde_json::Value> = serde_json::from_str(&list).unwrap();
    values[1]["status"] = serde_json::from_str(&starting).unwrap();
    values.push(serde_json::json!({"name": "newer", "status": {"degraded": {"since": 3}}}));
    let json = serde_json::to_string(&values).unwrap();

    let reports: Vec<IntegrationStateReport> = serde_json::from_str(&json).unwrap();
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[1].status, IntegrationStatus::Starting);
    assert_eq!(reports[2].status.name(), "degraded");
    assert!(!reports[2].status.is_known());
    assert_eq!(
        serde_json::to_string(&reports[2].status).unwrap(),
        r#"{"degraded":{"since":3}}"#
    );
    assert!(
        IntegrationStateReport::parse_list(&json)
            .unwrap()
            .iter()
            .all(Result::is_ok)
    );
}
