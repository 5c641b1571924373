//! Every call the benches make into `mvm_integrations`, so that an API change is adapted
//! here and nowhere else. Inputs are valid: a failure is a broken bench, hence `expect`.

use std::path::Path;

pub use mvm_integrations::{
    IntegrationEntry as Entry, IntegrationManifest as Manifest, IntegrationStateReport as Report,
};

/// Parses one drop-in entry.
pub fn parse_entry(json: &str) -> Entry {
    Entry::from_json(json).expect("the crate parses the entry")
}

/// Emits one entry, compact.
pub fn emit_entry(entry: &Entry) -> String {
    entry.to_json_compact()
}

/// Parses a manifest.
pub fn parse_manifest(json: &str) -> Manifest {
    Manifest::from_json(json).expect("the crate parses the manifest")
}

/// Emits a manifest, pretty, as the host writes it.
pub fn emit_manifest(manifest: &Manifest) -> String {
    manifest.to_json()
}

/// Parses a compact JSON list of reports, as a host receives them.
pub fn parse_reports(json: &str) -> Vec<Report> {
    serde_json::from_str(json).expect("the crate parses the reports")
}

/// Emits a list of reports, compact.
pub fn emit_reports(reports: &[Report]) -> String {
    Report::list_to_json_compact(reports)
}

/// Loads the drop-ins of `dir` with the default limits; returns how many entries loaded.
pub fn load(dir: &Path) -> usize {
    mvm_integrations::DropinLoader::with_dirs([dir])
        .load()
        .entries()
        .count()
}

/// Loads `dir` and returns the number of entries, warnings and problems, to check that the
/// bench's drop-ins are clean.
pub fn load_counts(dir: &Path) -> (usize, usize, usize) {
    let outcome = mvm_integrations::DropinLoader::with_dirs([dir]).load();
    let warnings = outcome.entries().map(|e| e.warnings.len()).sum();
    (
        outcome.entries().count(),
        warnings,
        outcome.problems().count(),
    )
}
