//! The inputs, built as JSON text so that both sides read the same bytes.

use std::path::Path;

use super::published::{
    IntegrationEntry, IntegrationHealthResult, IntegrationManifest, IntegrationStateReport,
    IntegrationStatus,
};

/// Entry `i`: even entries set every field, odd ones only the name.
fn entry(i: usize) -> IntegrationEntry {
    let name = format!("integration-{i:04}");
    if i % 2 == 1 {
        return IntegrationEntry {
            name,
            checkpoint_cmd: None,
            restore_cmd: None,
            critical: false,
            health_cmd: None,
            health_interval_secs: 30,
            health_timeout_secs: 10,
            startup_grace_secs: 0,
        };
    }
    IntegrationEntry {
        name,
        checkpoint_cmd: Some(format!("/opt/openclaw/bin/worker-{i}-checkpoint")),
        restore_cmd: Some(format!("/opt/openclaw/bin/worker-{i}-restore")),
        critical: i % 4 == 0,
        health_cmd: Some(format!("/opt/openclaw/bin/worker-{i}-health --quiet")),
        health_interval_secs: 15,
        health_timeout_secs: 5,
        startup_grace_secs: 45,
    }
}

/// A manifest of `n` entries, pretty, as the host writes it.
pub fn manifest_json(n: usize) -> String {
    let manifest = IntegrationManifest {
        integrations: (0..n).map(entry).collect(),
    };
    serde_json::to_string_pretty(&manifest).expect("emit the manifest")
}

/// Report `i`: every status, with and without a checkpoint time and a health result.
fn report(i: usize) -> IntegrationStateReport {
    let status = match i % 5 {
        0 => IntegrationStatus::Active,
        1 => IntegrationStatus::Error(format!("exit code {}: connection reset by peer", i % 7)),
        2 => IntegrationStatus::Pending,
        3 => IntegrationStatus::Starting,
        _ => IntegrationStatus::Paused,
    };
    IntegrationStateReport {
        name: format!("integration-{:04}", i % 64),
        status,
        last_checkpoint_at: (i % 3 != 0)
            .then(|| format!("2025-06-01T12:{:02}:{:02}Z", i % 60, i % 59)),
        state_size_bytes: (i as u64) * 4096 + 17,
        health: (i % 2 == 0).then(|| IntegrationHealthResult {
            healthy: i % 5 == 0,
            detail: if i % 5 == 0 { "ok" } else { "exit code 1" }.to_owned(),
            checked_at: "2025-06-01T12:00:00Z".to_owned(),
        }),
    }
}

/// A compact JSON list of `n` reports, as a host receives them.
pub fn reports_json(n: usize) -> String {
    let reports: Vec<_> = (0..n).map(report).collect();
    serde_json::to_string(&reports).expect("emit the reports")
}

/// A typical drop-in: every field set, as an image build writes it (about 300 bytes).
pub fn dropin(i: usize) -> String {
    format!(
        r#"{{
  "name": "integration-{i:04}",
  "checkpoint_cmd": "/opt/integrations/integration-{i:04}/bin/checkpoint",
  "restore_cmd": "/opt/integrations/integration-{i:04}/bin/restore",
  "critical": {critical},
  "health_cmd": "systemctl is-active integration-{i:04}",
  "health_interval_secs": 30,
  "health_timeout_secs": 5,
  "startup_grace_secs": 10
}}
"#,
        critical = i % 3 == 0
    )
}

/// Writes `n` typical drop-ins into `dir`, in reverse name order (so that the listing order
/// is not already the byte order); returns their total size in bytes.
pub fn write_dropins(dir: &Path, n: usize) -> u64 {
    let mut bytes = 0;
    for i in (0..n).rev() {
        let text = dropin(i);
        bytes += text.len() as u64;
        std::fs::write(dir.join(format!("{i:04}-integration.json")), text)
            .expect("write a drop-in");
    }
    bytes
}
