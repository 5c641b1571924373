//! Parse and emit speed of the wire types, each next to a baseline in the same group.
//!
//! The baseline is what the published `mvm-guest` crate does: plain serde-derived structs with
//! `String` fields, no validation (module `baseline` below, with 0.13.0's fields so that both
//! sides read and write the same bytes). Every group runs `mvm_integrations` and `baseline` on
//! the same input in the same run, so their ratio holds even on a noisy machine.
//!
//! | group | input | target |
//! |---|---|---|
//! | `manifest_parse/{1,100}` | pretty manifest JSON, half full entries, half defaults | at most 1.2x |
//! | `manifest_emit/{1,100}` | the same manifest, emitted pretty | at most 1.05x |
//! | `reports_parse/1000` | a compact JSON list of 1,000 reports, as a host receives it | at most 1.05x |
//! | `reports_emit/1000` | the same list, emitted compact | at most 1.05x |
//!
//! `cargo bench --bench wire` runs the groups and then prints the ratio of the medians per
//! group. `cargo bench --bench wire -- --test` runs each function once, as CI does.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkGroup, Criterion, Throughput, measurement::WallTime};
use mvm_integrations::{
    IntegrationEntry, IntegrationHealthResult, IntegrationManifest, IntegrationName,
    IntegrationStateReport, IntegrationStatus,
};

mod support;
use support::{Results, print_table, time, verdict};

/// The published crate's types, as it defines them (`mvm-guest` 0.13.0).
mod baseline {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    pub struct IntegrationManifest {
        pub integrations: Vec<IntegrationEntry>,
    }

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

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct IntegrationHealthResult {
        pub healthy: bool,
        pub detail: String,
        pub checked_at: String,
    }

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
}

/// Entry `i`: even entries set every field, odd ones are all defaults.
fn entry(i: usize) -> IntegrationEntry {
    let name = IntegrationName::new(&format!("integration-{i:04}")).expect("a valid name");
    if i % 2 == 1 {
        return IntegrationEntry::new(name);
    }
    IntegrationEntry::builder(name)
        .checkpoint_cmd(format!("/opt/openclaw/bin/worker-{i}-checkpoint"))
        .restore_cmd(format!("/opt/openclaw/bin/worker-{i}-restore"))
        .critical(i % 4 == 0)
        .health_cmd(format!("/opt/openclaw/bin/worker-{i}-health --quiet"))
        .health_interval_secs(15)
        .health_timeout_secs(5)
        .startup_grace_secs(45)
        .build()
        .expect("values in range")
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
    let mut report = IntegrationStateReport::new(format!("integration-{:04}", i % 64), status);
    if i % 3 != 0 {
        report.last_checkpoint_at = Some(format!("2025-06-01T12:{:02}:{:02}Z", i % 60, i % 59));
    }
    report.state_size_bytes = (i as u64) * 4096 + 17;
    if i % 2 == 0 {
        report.health = Some(IntegrationHealthResult::new(
            i % 5 == 0,
            if i % 5 == 0 { "ok" } else { "exit code 1" },
            "2025-06-01T12:00:00Z",
        ));
    }
    report
}

/// Runs `ours` and `theirs` in `group` on inputs that must give the same result.
fn pair<A, B>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    mut ours: impl FnMut() -> A,
    mut theirs: impl FnMut() -> B,
) {
    group.bench_function("mvm_integrations", |b| b.iter(|| black_box(ours())));
    group.bench_function("baseline", |b| b.iter(|| black_box(theirs())));
}

/// Short runs: the whole file takes about a minute, and ratios of medians settle well
/// before absolute times do.
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, bytes: usize) {
    group
        .sample_size(40)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Bytes(bytes as u64));
}

fn manifests(c: &mut Criterion) {
    for n in [1, 100] {
        let manifest: IntegrationManifest = (0..n)
            .map(entry)
            .collect::<Result<_, _>>()
            .expect("unique names");
        let json = manifest.to_json();
        let base: baseline::IntegrationManifest =
            serde_json::from_str(&json).expect("the baseline reads the manifest");
        assert_eq!(
            serde_json::to_string_pretty(&base).expect("the baseline emits"),
            json,
            "both sides must emit the same bytes"
        );

        let mut group = c.benchmark_group(format!("manifest_parse/{n}"));
        configure(&mut group, json.len());
        pair(
            &mut group,
            || IntegrationManifest::from_json(black_box(&json)).expect("parses"),
            || {
                serde_json::from_str::<baseline::IntegrationManifest>(black_box(&json))
                    .expect("parses")
            },
        );
        group.finish();

        let mut group = c.benchmark_group(format!("manifest_emit/{n}"));
        configure(&mut group, json.len());
        pair(
            &mut group,
            || black_box(&manifest).to_json(),
            || serde_json::to_string_pretty(black_box(&base)).expect("emits"),
        );
        group.finish();
    }
}

fn reports(c: &mut Criterion) {
    const N: usize = 1000;
    let reports: Vec<IntegrationStateReport> = (0..N).map(report).collect();
    let json = serde_json::to_string(&reports).expect("emits");
    let base: Vec<baseline::IntegrationStateReport> =
        serde_json::from_str(&json).expect("the baseline reads the reports");
    assert_eq!(
        serde_json::to_string(&base).expect("the baseline emits"),
        json,
        "both sides must emit the same bytes"
    );

    let mut group = c.benchmark_group(format!("reports_parse/{N}"));
    configure(&mut group, json.len());
    pair(
        &mut group,
        || serde_json::from_str::<Vec<IntegrationStateReport>>(black_box(&json)).expect("parses"),
        || {
            serde_json::from_str::<Vec<baseline::IntegrationStateReport>>(black_box(&json))
                .expect("parses")
        },
    );
    group.finish();

    let mut group = c.benchmark_group(format!("reports_emit/{N}"));
    configure(&mut group, json.len());
    pair(
        &mut group,
        || serde_json::to_string(black_box(&reports)).expect("emits"),
        || serde_json::to_string(black_box(&base)).expect("emits"),
    );
    group.finish();
}

/// Each group, with the ratio it must stay within.
const GROUPS: [(&str, f64); 6] = [
    ("manifest_parse/1", 1.2),
    ("manifest_parse/100", 1.2),
    ("manifest_emit/1", 1.05),
    ("manifest_emit/100", 1.05),
    ("reports_parse/1000", 1.05),
    ("reports_emit/1000", 1.05),
];

/// Prints the ratio table for the groups this run measured (none in `--test` mode).
fn print_ratios(results: &Results) {
    let mut rows = Vec::new();
    for (group, target) in GROUPS {
        let median =
            |function: &str| results.median_ns(&format!("{}/{function}", group.replace('/', "_")));
        if let (Some(ours), Some(theirs)) = (median("mvm_integrations"), median("baseline")) {
            let ratio = ours / theirs;
            rows.push(format!(
                "| {group} | {} | {} | {ratio:.2}x | {target:.2}x | {} |",
                time(ours),
                time(theirs),
                verdict(ratio, target),
            ));
        }
    }
    print_table(
        &[
            "group",
            "mvm_integrations",
            "baseline",
            "ratio",
            "target",
            "",
        ],
        &rows,
    );
}

fn main() {
    let results = Results::from_now();
    let mut c = Criterion::default().configure_from_args();
    manifests(&mut c);
    reports(&mut c);
    c.final_summary();
    print_ratios(&results);
}
