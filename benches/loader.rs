//! Boot-path cost of the drop-in loader, next to a baseline that only reads the same files.
//!
//! The baseline is the least any loader must do: list the directory and `std::fs::read`
//! every `*.json` file in it, parsing nothing. The loader additionally checks each file's
//! type, caps its size, checks UTF-8, parses and validates the entry, looks for unknown
//! fields, sorts by name and checks for duplicate names.
//!
//! | group | input | target |
//! |---|---|---|
//! | `loader/{10,100,1000}` | that many typical drop-ins (about 300 bytes each) in one directory | at most 1.10x at 1,000 |
//!
//! A third function, `seed_like`, is there for scale only: it reads and parses the files the
//! way `mvm-guest`'s `load_dropin_dir` did (no type checks, no caps, no order, no warnings).
//!
//! Both sides run on the same directory in the same run, with the files in the page cache,
//! as at boot after the image is mounted. `cargo bench --bench loader` runs the group and
//! then prints the ratio of the medians; `cargo bench --bench loader -- --test` runs each
//! function once, as CI does.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use mvm_integrations::{DropinLoader, IntegrationEntry};

mod support;
use support::{Results, print_table, time, verdict};

const SIZES: [usize; 3] = [10, 100, 1000];

/// A typical drop-in: every field set, as an image build writes it.
fn dropin(i: usize) -> String {
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

/// A directory holding `n` drop-ins, written in reverse name order.
fn directory(n: usize) -> (tempfile::TempDir, u64) {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let mut bytes = 0;
    for i in (0..n).rev() {
        let text = dropin(i);
        bytes += text.len() as u64;
        std::fs::write(dir.path().join(format!("{i:04}-integration.json")), text)
            .expect("write a drop-in");
    }
    (dir, bytes)
}

/// The baseline: list the directory and read every `*.json` file, nothing more.
fn read_only(dir: &Path) -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list the directory") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            files.push(std::fs::read(&path).expect("read a drop-in"));
        }
    }
    files
}

/// For scale, not a target: what `mvm-guest`'s `load_dropin_dir` does, minus its printing:
/// read every `*.json` file to a string and parse it, in listing order, with no checks.
fn seed_like(dir: &Path) -> Vec<IntegrationEntry> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list the directory") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).expect("read a drop-in");
            if let Ok(entry) = serde_json::from_str(&text) {
                entries.push(entry);
            }
        }
    }
    entries
}

fn loader(c: &mut Criterion) {
    let mut group = c.benchmark_group("loader");
    // Short runs: the whole file takes about a minute, and ratios of medians settle well
    // before criterion's defaults.
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for n in SIZES {
        let (dir, bytes) = directory(n);
        let report = DropinLoader::with_dirs([dir.path()]).load();
        assert_eq!(report.entries().count(), n, "{report:?}");
        assert_eq!(read_only(dir.path()).len(), n);
        assert_eq!(seed_like(dir.path()).len(), n);

        group.throughput(Throughput::Bytes(bytes));
        group.bench_with_input(
            BenchmarkId::new("mvm_integrations", n),
            dir.path(),
            |b, d| b.iter(|| black_box(DropinLoader::with_dirs([black_box(d)]).load())),
        );
        group.bench_with_input(BenchmarkId::new("baseline", n), dir.path(), |b, d| {
            b.iter(|| black_box(read_only(black_box(d))))
        });
        group.bench_with_input(BenchmarkId::new("seed_like", n), dir.path(), |b, d| {
            b.iter(|| black_box(seed_like(black_box(d))))
        });
    }
    group.finish();
}

/// The target ratio at each size; the issue's target is the one at 1,000 files.
const TARGETS: [(usize, f64); 3] = [(10, 1.25), (100, 1.15), (1000, 1.10)];

/// Prints the ratio table for the sizes this run measured (none in `--test` mode).
fn print_ratios(results: &Results) {
    let mut rows = Vec::new();
    for (n, target) in TARGETS {
        let median = |function: &str| results.median_ns(&format!("loader/{function}/{n}"));
        if let (Some(ours), Some(theirs), Some(seed)) = (
            median("mvm_integrations"),
            median("baseline"),
            median("seed_like"),
        ) {
            let ratio = ours / theirs;
            rows.push(format!(
                "| loader/{n} | {} | {} | {ratio:.2}x | {target:.2}x | {} | {} ({:.2}x) |",
                time(ours),
                time(theirs),
                verdict(ratio, target),
                time(seed),
                seed / theirs,
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
            "seed_like",
        ],
        &rows,
    );
}

fn main() {
    let results = Results::from_now();
    let mut c = Criterion::default().configure_from_args();
    loader(&mut c);
    c.final_summary();
    print_ratios(&results);
}
