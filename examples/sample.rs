//! Prints a sample manifest (as the host writes it to the config drive) and a sample list
//! of state reports (as a guest agent sends them over vsock).
//!
//! Run with `cargo run --example sample`.

use mvm_integrations::{
    HealthOutcome, IntegrationEntry, IntegrationManifest, IntegrationName, IntegrationStateReport,
    IntegrationStatus, Timestamp,
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

    let checked_at: Timestamp = "2025-06-01T12:00:00Z".parse()?;
    let failed = HealthOutcome::Failed {
        code: 1,
        stderr: Vec::new(),
    };
    let health = failed.to_health_result(checked_at);
    let telegram = IntegrationStateReport::new(
        "telegram",
        IntegrationStatus::from_health(Some(&health), false),
    )
    .with_last_checkpoint_at("2025-06-01T11:59:00Z".to_owned())
    .with_state_size_bytes(4096)
    .with_health(health);
    let reports = vec![
        telegram,
        IntegrationStateReport::new("old", IntegrationStatus::from_health(None, false)),
    ];
    println!("# state reports (vsock)");
    println!("{}", IntegrationStateReport::list_to_json(&reports));
    Ok(())
}
