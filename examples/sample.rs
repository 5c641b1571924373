//! Prints a sample manifest (as the host writes it to the config drive) and a sample list
//! of state reports (as a guest agent sends them over vsock).
//!
//! Run with `cargo run --example sample`.

use mvm_integrations::{
    IntegrationEntry, IntegrationHealthResult, IntegrationManifest, IntegrationName,
    IntegrationStateReport, IntegrationStatus,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let whatsapp = IntegrationEntry::builder(IntegrationName::new("whatsapp")?)
        .checkpoint_cmd("/opt/openclaw/bin/whatsapp-checkpoint")
        .restore_cmd("/opt/openclaw/bin/whatsapp-restore")
        .critical(true)
        .health_cmd("/opt/openclaw/bin/whatsapp-health")
        .health_interval_secs(15)
        .health_timeout_secs(5)
        .startup_grace_secs(45)
        .build()?;
    let slack = IntegrationEntry::new(IntegrationName::new("slack")?);
    let manifest = IntegrationManifest::new(vec![whatsapp, slack])?;
    println!("# manifest (config drive)");
    println!("{}", manifest.to_json());

    let health = IntegrationHealthResult::new(false, "exit code 1", "2025-06-01T12:00:00Z");
    let mut telegram = IntegrationStateReport::new(
        "telegram",
        IntegrationStatus::from_health(Some(&health), false),
    );
    telegram.last_checkpoint_at = Some("2025-06-01T11:59:00Z".to_owned());
    telegram.state_size_bytes = 4096;
    telegram.health = Some(health);
    let reports = vec![
        telegram,
        IntegrationStateReport::new("old", IntegrationStatus::from_health(None, false)),
    ];
    println!("# state reports (vsock)");
    println!("{}", serde_json::to_string_pretty(&reports)?);
    Ok(())
}
