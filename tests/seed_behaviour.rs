//! The behaviours the published `mvm-guest` 0.3.2 module checks in its own tests, written
//! afresh against this crate's API. Where this crate is stricter or richer (validated
//! names, `starting`, reports instead of printing), the test says so.

use std::fs;

use mvm_integrations::{
    INTEGRATIONS_DROPIN_DIR, IntegrationEntry, IntegrationHealthResult, IntegrationManifest,
    IntegrationName, IntegrationStateReport, IntegrationStatus, integration_checkpoint_path,
    integration_state_dir, load_dropin_dir,
};

#[track_caller]
fn name(s: &str) -> IntegrationName {
    IntegrationName::new(s).unwrap()
}

#[test]
fn manifest_round_trips_through_pretty_json() {
    let manifest = IntegrationManifest::new(vec![
        IntegrationEntry::builder(name("whatsapp"))
            .checkpoint_cmd("/opt/openclaw/bin/whatsapp-checkpoint")
            .restore_cmd("/opt/openclaw/bin/whatsapp-restore")
            .critical(true)
            .health_cmd("/opt/openclaw/bin/whatsapp-health")
            .health_interval_secs(15)
            .health_timeout_secs(5)
            .build()
            .unwrap(),
        IntegrationEntry::new(name("slack")),
    ])
    .unwrap();
    let parsed = IntegrationManifest::from_json(&manifest.to_json()).unwrap();
    assert_eq!(parsed.len(), 2);
    let [whatsapp, slack] = parsed.entries() else {
        panic!("two entries")
    };
    assert_eq!(whatsapp.name(), "whatsapp");
    assert!(whatsapp.critical());
    assert_eq!(
        whatsapp.checkpoint_cmd(),
        Some("/opt/openclaw/bin/whatsapp-checkpoint")
    );
    assert_eq!(whatsapp.health_interval_secs(), 15);
    assert_eq!(slack.name(), "slack");
    assert!(!slack.critical());
    assert_eq!(slack.health_cmd(), None);
    assert_eq!(parsed, manifest);
}

#[test]
fn empty_manifest_round_trips() {
    let json = IntegrationManifest::default().to_json();
    let parsed = IntegrationManifest::from_json(&json).unwrap();
    assert!(parsed.is_empty());
}

#[test]
fn status_variants_have_their_wire_form() {
    for (status, json) in [
        (IntegrationStatus::Active, r#""active""#),
        (IntegrationStatus::Paused, r#""paused""#),
        (IntegrationStatus::Pending, r#""pending""#),
        // New in 0.13.0, absent from the seed.
        (IntegrationStatus::Starting, r#""starting""#),
        (
            IntegrationStatus::Error("conn lost".to_owned()),
            r#"{"error":"conn lost"}"#,
        ),
    ] {
        assert_eq!(serde_json::to_string(&status).unwrap(), json);
        assert_eq!(
            serde_json::from_str::<IntegrationStatus>(json).unwrap(),
            status
        );
    }
}

#[test]
fn state_report_round_trips_with_health() {
    let report = IntegrationStateReport::new("telegram", IntegrationStatus::Active)
        .with_last_checkpoint_at("2025-06-01T12:00:00Z".to_owned())
        .with_state_size_bytes(4096)
        .with_health(IntegrationHealthResult::new(
            true,
            "ok",
            "2025-06-01T12:00:05Z",
        ));
    let json = serde_json::to_string(&report).unwrap();
    let parsed: IntegrationStateReport = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed.name(), "telegram");
    assert_eq!(*parsed.status(), IntegrationStatus::Active);
    assert_eq!(parsed.state_size_bytes(), 4096);
    assert!(parsed.health().unwrap().healthy());
    assert_eq!(parsed, report);
}

#[test]
fn state_paths() {
    assert_eq!(
        integration_state_dir(&name("whatsapp")).to_str(),
        Some("/data/integrations/whatsapp/state")
    );
    assert_eq!(
        integration_checkpoint_path(&name("telegram")).to_str(),
        Some("/data/integrations/telegram/checkpoint")
    );
}

#[test]
fn status_default_is_pending() {
    assert_eq!(IntegrationStatus::default(), IntegrationStatus::Pending);
}

#[test]
fn manifest_without_optional_fields_gets_defaults() {
    let parsed =
        IntegrationManifest::from_json(r#"{"integrations": [{"name": "signal"}]}"#).unwrap();
    assert_eq!(parsed.len(), 1);
    let signal = &parsed.entries()[0];
    assert_eq!(signal.name(), "signal");
    assert_eq!(signal.checkpoint_cmd(), None);
    assert!(!signal.critical());
    assert_eq!(signal.health_cmd(), None);
    assert_eq!(signal.health_interval_secs(), 30);
    assert_eq!(signal.health_timeout_secs(), 10);
    // New in 0.13.0.
    assert_eq!(signal.startup_grace_secs(), 0);
}

#[test]
fn entry_health_fields_round_trip() {
    let entry = IntegrationEntry::builder(name("myapp"))
        .health_cmd("systemctl is-active myapp")
        .health_interval_secs(15)
        .health_timeout_secs(5)
        .build()
        .unwrap();
    let json = serde_json::to_string(&entry).unwrap();
    let parsed: IntegrationEntry = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed.health_cmd(), Some("systemctl is-active myapp"));
    assert_eq!(parsed.health_interval_secs(), 15);
    assert_eq!(parsed.health_timeout_secs(), 5);
}

#[test]
fn health_result_round_trips() {
    let result = IntegrationHealthResult::new(false, "exit code 1", "2025-06-01T12:00:00Z");
    let json = serde_json::to_string(&result).unwrap();
    let parsed: IntegrationHealthResult = serde_json::from_str(&json).unwrap();
    assert!(!parsed.healthy());
    assert_eq!(parsed.detail(), "exit code 1");
    assert_eq!(parsed.checked_at(), "2025-06-01T12:00:00Z");
}

#[test]
fn report_from_an_old_agent_without_health_parses() {
    let parsed: IntegrationStateReport =
        serde_json::from_str(r#"{"name":"old","status":"active","state_size_bytes":0}"#).unwrap();
    assert_eq!(parsed.name(), "old");
    assert_eq!(*parsed.status(), IntegrationStatus::Active);
    assert!(parsed.health().is_none());
    assert!(parsed.last_checkpoint_at().is_none());
}

#[test]
fn loading_a_missing_dropin_dir_gives_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let report = load_dropin_dir(tmp.path().join("does-not-exist"));
    assert!(report.entries().next().is_none());
    // Unlike the seed, which printed to stderr, a missing directory is not a problem.
    assert!(!report.has_problems());
}

#[test]
fn loading_a_dropin_dir_keeps_valid_json_files_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(
        dir.join("myapp.json"),
        r#"{"name":"myapp","health_cmd":"echo ok","health_interval_secs":10}"#,
    )
    .unwrap();
    fs::write(dir.join("readme.txt"), "ignore me").unwrap();
    fs::write(dir.join("bad.json"), "not json").unwrap();

    let report = load_dropin_dir(dir);
    let entries: Vec<_> = report.entries().collect();
    assert_eq!(entries.len(), 1);
    let myapp = &entries[0].entry;
    assert_eq!(myapp.name(), "myapp");
    assert_eq!(myapp.health_cmd(), Some("echo ok"));
    assert_eq!(myapp.health_interval_secs(), 10);
    assert_eq!(myapp.health_timeout_secs(), 10, "the default");

    // The seed printed the bad file to stderr and went on; this crate reports it.
    let problems: Vec<_> = report.problems().collect();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].path(), dir.join("bad.json"));
    // The `.txt` file is neither an entry nor a problem.
    assert!(problems.iter().all(|p| p.path() != dir.join("readme.txt")));
}

#[test]
fn dropin_dir_constant() {
    assert_eq!(INTEGRATIONS_DROPIN_DIR, "/etc/mvm/integrations.d");
}
