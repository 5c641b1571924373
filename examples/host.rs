//! A host orchestrator in small: write a manifest for a VM, read manifests and report lists
//! from VMs of any version without losing the good parts, and speak an old peer's version.
//!
//! ```text
//! cargo run --example host
//! ```
//!
//! The data is under `examples/host/`: a manifest a 0.13.0-era host wrote, with two legacy
//! entries this crate refuses, and report lists as a 0.3.2 agent, a 0.13.0 agent and a newer
//! agent send them. The output is deterministic: ages are measured against a fixed host
//! clock, [`HOST_CLOCK`].

use std::error::Error;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::SystemTime;

use mvm_integrations::{
    DocumentKind, Escaped, IntegrationEntry, IntegrationManifest, IntegrationName,
    IntegrationStateReport, IntegrationStatus, PeerVersion, Timestamp,
};

/// The host's clock for this run, so that the output does not depend on the day.
const HOST_CLOCK: &str = "2025-06-01T12:05:00Z";

/// The report lists received, as `(file under examples/host/, the agent that sent it)`.
const REPORT_LISTS: [(&str, &str); 3] = [
    ("reports-0.3.2.json", "mvm-guest 0.3.2"),
    ("reports-0.13.0.json", "mvm-guest 0.13.0"),
    ("reports-newer.json", "a newer agent"),
];

fn main() -> ExitCode {
    match run(&mut io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("host: {e}");
            ExitCode::FAILURE
        }
    }
}

pub fn run(out: &mut dyn Write) -> Result<(), Box<dyn Error>> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/host");
    let now = HOST_CLOCK.parse::<Timestamp>()?.to_system_time();

    // 1. Write a manifest. Names are validated once, when they are made; the builder checks
    //    every range in `build`.
    let whatsapp = IntegrationEntry::builder(IntegrationName::new("whatsapp")?)
        .checkpoint_cmd("/opt/openclaw/bin/whatsapp-checkpoint")
        .restore_cmd("/opt/openclaw/bin/whatsapp-restore")
        .critical(true)
        .health_cmd("/opt/openclaw/bin/whatsapp-health")
        .health_interval_secs(15)
        .health_timeout_secs(5)
        .startup_grace_secs(60)
        .build()?;
    let signal = IntegrationEntry::builder_for("signal")
        .health_cmd("systemctl is-active --quiet signal-bridge")
        .startup_grace_secs(30)
        .build()?;
    let metrics = IntegrationEntry::new("metrics".parse()?);
    let manifest = IntegrationManifest::new(vec![whatsapp, signal, metrics])?;
    let json = manifest.to_json();
    writeln!(out, "# manifest written to the config drive")?;
    writeln!(out, "{json}")?;

    // 2. Read manifests back leniently: a bad entry costs only itself.
    let parsed = IntegrationManifest::parse_lenient(&json)?;
    writeln!(out, "\n# read back: complete = {}", parsed.is_complete())?;
    let legacy = std::fs::read_to_string(data.join("manifest-legacy.json"))?;
    let (legacy, problems) = IntegrationManifest::parse_lenient(&legacy)?.into_parts();
    let kept: Vec<&str> = legacy.iter().map(|e| e.name().as_str()).collect();
    writeln!(out, "\n# manifest-legacy.json: kept {}", kept.join(", "))?;
    for problem in &problems {
        // `{:#}` adds the typed cause: which value, and what was expected.
        writeln!(out, "entry {}: {problem:#}", index(problem.index()))?;
    }

    // 3. Look an entry up by name.
    if let Some(entry) = legacy.get("whatsapp") {
        writeln!(
            out,
            "whatsapp: checked every {:?}, timeout {:?}, startup grace {:?}",
            entry.health_interval(),
            entry.health_timeout(),
            entry.startup_grace()
        )?;
    }

    // 4. Ingest report lists from agents of every version. One malformed report costs only
    //    itself; an unknown status is kept.
    let mut received = Vec::new();
    for (file, agent) in REPORT_LISTS {
        let text = std::fs::read_to_string(data.join(file))?;
        writeln!(out, "\n# {file}, from {agent}")?;
        for item in IntegrationStateReport::parse_list(&text)? {
            match item {
                Ok(report) => {
                    writeln!(out, "{}", summary(&report, now))?;
                    received.push(report);
                }
                Err(problem) => writeln!(
                    out,
                    "element {}: dropped: {problem}",
                    index(problem.index())
                )?,
            }
        }
    }

    // 5. Forward the reports to a dashboard still on mvm-guest 0.3.2: as they are, it would
    //    reject the whole list (it knows neither `starting` nor `draining`); for_peer maps
    //    each status to the nearest one it knows.
    let old = PeerVersion::V0_3_2;
    let as_is = IntegrationStateReport::list_to_json_compact(&received);
    let for_old: Vec<IntegrationStateReport> = received.iter().map(|r| r.for_peer(old)).collect();
    let for_old = IntegrationStateReport::list_to_json_compact(&for_old);
    writeln!(out, "\n# for {}", old.describe())?;
    writeln!(
        out,
        "as received: {}",
        old.assess(DocumentKind::Reports, &as_is).verdict().as_str()
    )?;
    writeln!(
        out,
        "after for_peer: {}",
        old.assess(DocumentKind::Reports, &for_old)
            .verdict()
            .as_str()
    )?;
    writeln!(out, "{for_old}")?;
    Ok(())
}

/// One line about a report: its name, what the host makes of its status, and its times.
fn summary(report: &IntegrationStateReport, now: SystemTime) -> String {
    // Reports may come from guests older than this crate: the name is not validated.
    let name = match report.validated_name() {
        Ok(name) => name.to_string(),
        Err(_) => format!("{} (legacy name)", Escaped::quoted(report.name())),
    };
    let mut line = format!("{name}: {}", describe(report.status()));
    if let Some(at) = report.last_checkpoint_at() {
        line += &format!(", checkpoint {}", age(at, now));
    }
    if let Some(health) = report.health() {
        line += &format!(", health checked {}", age(health.checked_at(), now));
    }
    line += &format!(", {} bytes", report.state_size_bytes());
    line
}

/// What the host makes of a status: the recommended match, with one catch-all arm.
fn describe(status: &IntegrationStatus) -> String {
    match status {
        IntegrationStatus::Active => "up".to_owned(),
        IntegrationStatus::Starting | IntegrationStatus::Pending => "not ready yet".to_owned(),
        IntegrationStatus::Paused => "paused".to_owned(),
        IntegrationStatus::Error(detail) => format!("down ({})", Escaped::quoted(detail)),
        // `Unknown` from a newer guest, or a variant a later version of this crate adds:
        // shown by name, which is the same whichever variant holds it.
        other => format!(
            "unhandled status `{}` (known to this crate: {})",
            Escaped::quoted(other.name()),
            other.is_known()
        ),
    }
}

/// How long before `now` the timestamp `at` is, when it parses; else the string as it came.
fn age(at: &str, now: SystemTime) -> String {
    match at.parse::<Timestamp>() {
        Ok(stamp) => match now.duration_since(stamp.to_system_time()) {
            Ok(ago) => format!("{}s ago", ago.as_secs()),
            Err(ahead) => format!("{}s ahead of the host clock", ahead.duration().as_secs()),
        },
        Err(_) => format!(
            "at `{}` (not a timestamp, kept as text)",
            Escaped::quoted(at)
        ),
    }
}

/// An element index for a message (`parse_list` and `parse_lenient` always set one).
fn index(index: Option<usize>) -> String {
    index.map_or_else(|| "?".to_owned(), |i| i.to_string())
}
