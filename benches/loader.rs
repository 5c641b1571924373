//! Criterion's view of the loader comparisons, for its HTML reports and history.
//!
//! The ratios the crate reports do not come from here: criterion measures one function in
//! full before the next, so a change of machine load between them shows up as a ratio. They
//! come from the interleaved harness: `cargo bench --bench ratios -- loader` (see
//! `benches/ratios.rs`, which also describes the baselines).
//! `cargo bench --bench loader -- --test` runs each function once, as CI does.

use std::fs::File;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};

mod support;
use support::{fixtures, ours, published};

fn loader(c: &mut Criterion) {
    let log = File::options()
        .write(true)
        .open("/dev/null")
        .expect("open /dev/null for the published loader's messages");
    let mut group = c.benchmark_group("loader");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for n in [10, 100, 1000] {
        let tmp = tempfile::tempdir().expect("create a temporary directory");
        let dir = tmp.path();
        let bytes = fixtures::write_dropins(dir, n);
        assert_eq!(
            ours::load_counts(dir),
            (n, 0, 0),
            "clean drop-ins load without warnings"
        );

        group.throughput(Throughput::Bytes(bytes));
        group.bench_with_input(BenchmarkId::new("mvm_integrations", n), dir, |b, d| {
            b.iter(|| ours::load(black_box(d)))
        });
        group.bench_with_input(BenchmarkId::new("no_checks", n), dir, |b, d| {
            b.iter(|| published::no_checks(black_box(d)))
        });
        group.bench_with_input(BenchmarkId::new("read_only", n), dir, |b, d| {
            b.iter(|| published::read_only(black_box(d)))
        });
        group.bench_with_input(BenchmarkId::new("mvm-guest_0.3.2", n), dir, |b, d| {
            b.iter(|| published::v0_3_2(black_box(d), &log))
        });
    }
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    loader(&mut c);
    c.final_summary();
}
