//! The baselines, written from the behaviour of the published `mvm-guest` crate: plain
//! serde derives with `String` fields and no validation, and its drop-in loader.
//!
//! The types have 0.13.0's fields (0.3.2 lacks `startup_grace_secs` and the `starting`
//! status), so that both sides read and write the same bytes.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// `IntegrationManifest` as published.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IntegrationManifest {
    pub integrations: Vec<IntegrationEntry>,
}

/// `IntegrationEntry` as published.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IntegrationEntry {
    pub name: String,
    #[serde(default)]
    pub checkpoint_cmd: Option<String>,
    #[serde(default)]
    pub restore_cmd: Option<String>,
    #[serde(default)]
    pub critical: bool,
    #[serde(default)]
    pub health_cmd: Option<String>,
    #[serde(default = "default_health_interval")]
    pub health_interval_secs: u64,
    #[serde(default = "default_health_timeout")]
    pub health_timeout_secs: u64,
    #[serde(default)]
    pub startup_grace_secs: u64,
}

fn default_health_interval() -> u64 {
    30
}

fn default_health_timeout() -> u64 {
    10
}

/// `IntegrationStatus` as published.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrationStatus {
    Active,
    Paused,
    Error(String),
    #[default]
    Pending,
    Starting,
}

/// `IntegrationHealthResult` as published.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IntegrationHealthResult {
    pub healthy: bool,
    pub detail: String,
    pub checked_at: String,
}

/// `IntegrationStateReport` as published.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IntegrationStateReport {
    pub name: String,
    pub status: IntegrationStatus,
    #[serde(default)]
    pub last_checkpoint_at: Option<String>,
    #[serde(default)]
    pub state_size_bytes: u64,
    #[serde(default)]
    pub health: Option<IntegrationHealthResult>,
}

/// Whether a listed path is a drop-in the way the published loader decides it: the
/// extension is exactly `json`.
fn is_json(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()) == Some("json")
}

/// The least any loader must do: list `dir` and read every `*.json` file, parsing nothing.
pub fn read_only(dir: &Path) -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list the directory") {
        let path = entry.expect("a directory entry").path();
        if is_json(&path) {
            files.push(std::fs::read(&path).expect("read a drop-in"));
        }
    }
    files
}

/// List, read and parse with no checks: no file type, no size cap, no order, no duplicate
/// names, no warnings, and a file that does not parse is skipped.
pub fn no_checks(dir: &Path) -> Vec<IntegrationEntry> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list the directory") {
        let path = entry.expect("a directory entry").path();
        if is_json(&path) {
            let bytes = std::fs::read(&path).expect("read a drop-in");
            if let Ok(entry) = serde_json::from_slice(&bytes) {
                entries.push(entry);
            }
        }
    }
    entries
}

/// What `mvm-guest` 0.3.2's `load_dropin_dir` does, rewritten from its behaviour: list the
/// directory (skipping entries that fail), read each `*.json` file to a `String`, parse it,
/// and print a line per file. It prints to stderr, which is unbuffered: `log` should be
/// unbuffered too (a `File` on `/dev/null`), so each message costs the same writes (one
/// per piece of the format string, as with `eprintln!`).
pub fn v0_3_2(dir: &Path, mut log: &File) -> Vec<IntegrationEntry> {
    let Ok(listing) = std::fs::read_dir(dir) else {
        let _ = writeln!(
            log,
            "mvm-guest-agent: integrations dir {} not found, no integrations",
            dir.display()
        );
        return Vec::new();
    };
    let mut result = Vec::new();
    for entry in listing.flatten() {
        let path = entry.path();
        if !is_json(&path) {
            continue;
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                let _ = writeln!(log, "mvm-guest-agent: failed to read {path:?}: {e}");
                continue;
            }
        };
        match serde_json::from_str::<IntegrationEntry>(&text) {
            Ok(entry) => {
                let _ = writeln!(log, "mvm-guest-agent: loaded integration '{}'", entry.name);
                result.push(entry);
            }
            Err(e) => {
                let _ = writeln!(log, "mvm-guest-agent: failed to parse {path:?}: {e}");
            }
        }
    }
    result
}
