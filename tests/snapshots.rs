//! The exact JSON of every type and every status variant, compact (`serde_json::to_string`)
//! and pretty (`serde_json::to_string_pretty`), pinned as insta string snapshots in
//! `tests/snapshots/`.
//!
//! The snapshots hold the `serde_json` output itself, not insta's own serialization, so a
//! change to any byte the crate emits shows up here.

use mvm_integrations::{
    IntegrationEntry, IntegrationHealthResult, IntegrationManifest, IntegrationName,
    IntegrationStateReport, IntegrationStatus,
};
use serde::Serialize;

/// Snapshots `value` as `<name>_compact` and `<name>_pretty`.
#[track_caller]
fn snap<T: Serialize>(name: &str, value: &T) {
    insta::assert_snapshot!(
        format!("{name}_compact"),
        serde_json::to_string(value).unwrap()
    );
    insta::assert_snapshot!(
        format!("{name}_pretty"),
        serde_json::to_string_pretty(value).unwrap()
    );
}

#[track_caller]
fn name(s: &str) -> IntegrationName {
    IntegrationName::new(s).unwrap()
}

fn full_entry() -> IntegrationEntry {
    IntegrationEntry::builder(name("whatsapp"))
        .checkpoint_cmd("/opt/openclaw/bin/whatsapp-checkpoint")
        .restore_cmd("/opt/openclaw/bin/whatsapp-restore")
        .critical(true)
        .health_cmd("/opt/openclaw/bin/whatsapp-health")
        .health_interval_secs(15)
        .health_timeout_secs(5)
        .startup_grace_secs(45)
        .build()
        .unwrap()
}

fn unhealthy() -> IntegrationHealthResult {
    IntegrationHealthResult::new(false, "exit code 1", "2025-06-01T12:00:00Z")
}

#[track_caller]
fn parsed_status(json: &str) -> IntegrationStatus {
    serde_json::from_str(json).unwrap()
}

#[test]
fn integration_name() {
    snap("name", &name("openclaw-worker"));
}

#[test]
fn entry() {
    snap("entry_full", &full_entry());
    snap("entry_defaults", &IntegrationEntry::new(name("slack")));
    snap(
        "entry_escaped_commands",
        &IntegrationEntry::builder(name("q"))
            .health_cmd("sh -c 'echo \"ok\" && printf \\\\n' \u{1}\té ☃")
            .build()
            .unwrap(),
    );
}

#[test]
fn manifest() {
    let manifest =
        IntegrationManifest::new(vec![full_entry(), IntegrationEntry::new(name("slack"))]).unwrap();
    snap("manifest", &manifest);
    snap("manifest_empty", &IntegrationManifest::default());
    // `to_json` is the pretty form, `to_json_compact` the compact one.
    insta::assert_snapshot!("manifest_to_json", manifest.to_json());
    insta::assert_snapshot!("manifest_to_json_compact", manifest.to_json_compact());
}

#[test]
fn status_every_variant() {
    snap("status_active", &IntegrationStatus::Active);
    snap("status_paused", &IntegrationStatus::Paused);
    snap("status_pending", &IntegrationStatus::Pending);
    snap("status_starting", &IntegrationStatus::Starting);
    snap(
        "status_error",
        &IntegrationStatus::Error("conn lost: \"quoted\" é\n".into()),
    );
    snap("status_unknown_string", &parsed_status(r#""degraded""#));
    snap(
        "status_unknown_object",
        &parsed_status(r#"{"degraded":{"since":"2025-06-01T12:00:00Z","checks":[1,2]}}"#),
    );
    snap(
        "status_unknown_null",
        &parsed_status(r#"{"degraded":null}"#),
    );
}

#[test]
fn health_result() {
    snap("health_unhealthy", &unhealthy());
    snap(
        "health_healthy",
        &IntegrationHealthResult::new(true, "ok", "2025-06-01T12:00:05Z"),
    );
}

#[test]
fn state_report() {
    let mut full = IntegrationStateReport::new(
        "telegram",
        IntegrationStatus::from_health(Some(&unhealthy()), false),
    );
    full.last_checkpoint_at = Some("2025-06-01T11:59:00Z".into());
    full.state_size_bytes = u64::MAX;
    full.health = Some(unhealthy());
    snap("report_full", &full);
    let minimal = IntegrationStateReport::new("old", IntegrationStatus::Pending);
    snap("report_minimal", &minimal);
    let newer = IntegrationStateReport::new("signal", parsed_status(r#"{"draining":{"left":3}}"#));
    snap("report_unknown_status", &newer);
    snap("reports_list", &vec![full, minimal, newer]);
}
