//! Criterion's view of the wire comparisons, for its HTML reports and history.
//!
//! The ratios the crate reports do not come from here: criterion measures one function in
//! full before the next, so a change of machine load between them shows up as a ratio. They
//! come from the interleaved harness: `cargo bench --bench ratios` (see `benches/ratios.rs`).
//! `cargo bench --bench wire -- --test` runs each function once, as CI does.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkGroup, Criterion, Throughput, measurement::WallTime};

mod support;
use support::published as p;
use support::{fixtures, ours};

/// Short runs: criterion's defaults would take minutes for little more.
fn group<'a>(c: &'a mut Criterion, name: &str, bytes: usize) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Bytes(bytes as u64));
    group
}

fn manifests(c: &mut Criterion) {
    for n in [1, 100] {
        let json = fixtures::manifest_json(n);
        let ours_manifest = ours::parse_manifest(&json);
        let their_manifest: p::IntegrationManifest = serde_json::from_str(&json).expect("parses");

        let mut g = group(c, &format!("manifest_parse/{n}"), json.len());
        g.bench_function("mvm_integrations", |b| {
            b.iter(|| ours::parse_manifest(black_box(&json)))
        });
        g.bench_function("serde_derive", |b| {
            b.iter(|| {
                serde_json::from_str::<p::IntegrationManifest>(black_box(&json)).expect("parses")
            })
        });
        g.finish();

        let mut g = group(c, &format!("manifest_emit/{n}"), json.len());
        g.bench_function("mvm_integrations", |b| {
            b.iter(|| ours::emit_manifest(black_box(&ours_manifest)))
        });
        g.bench_function("serde_derive", |b| {
            b.iter(|| serde_json::to_string_pretty(black_box(&their_manifest)).expect("emits"))
        });
        g.finish();
    }
}

fn reports(c: &mut Criterion) {
    let json = fixtures::reports_json(1000);
    let ours_reports = ours::parse_reports(&json);
    let their_reports: Vec<p::IntegrationStateReport> =
        serde_json::from_str(&json).expect("parses");

    let mut g = group(c, "reports_parse/1000", json.len());
    g.bench_function("mvm_integrations", |b| {
        b.iter(|| ours::parse_reports(black_box(&json)))
    });
    g.bench_function("serde_derive", |b| {
        b.iter(|| {
            serde_json::from_str::<Vec<p::IntegrationStateReport>>(black_box(&json))
                .expect("parses")
        })
    });
    g.finish();

    let mut g = group(c, "reports_emit/1000", json.len());
    g.bench_function("mvm_integrations", |b| {
        b.iter(|| ours::emit_reports(black_box(&ours_reports)))
    });
    g.bench_function("serde_derive", |b| {
        b.iter(|| serde_json::to_string(black_box(&their_reports)).expect("emits"))
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    manifests(&mut c);
    reports(&mut c);
    c.final_summary();
}
