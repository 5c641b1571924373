//! The ratio tables: every ratio of the crate to its baseline, measured by the interleaved
//! harness (`support/harness.rs`).
//!
//! ```text
//! cargo bench --bench ratios                 # every table, no load added (about 1 minute)
//! cargo bench --bench ratios -- --busy       # the same with the other cores kept busy
//! cargo bench --bench ratios -- --both       # each comparison quiet, then busy, and their agreement
//! cargo bench --bench ratios -- --smoke      # a few short rounds, no targets: what CI runs
//! cargo bench --bench ratios -- loader/1000  # only the comparisons whose name contains this
//! ```
//!
//! `--check` makes the run exit with status 1 when a ratio is over its target, or when a
//! quiet and a busy ratio differ by more than 5 %. `MVM_BENCH_BUSY=1` is the same as
//! `--busy`. Run without cargo bench's `--bench` argument (as `cargo test --benches` does),
//! the bench is a smoke run.
//!
//! | comparison | input | baselines | target |
//! |---|---|---|---|
//! | `a_a/manifest_parse/100` | the harness's own error: `serde_derive` against itself | the same code | none: should be 1.00x |
//! | `entry_parse`, `entry_emit` | one typical drop-in, pretty; emitted compact | serde derives of the published types | none (for scale) |
//! | `manifest_parse/{1,100}` | pretty manifest, half full entries, half defaults | the same | at most 1.2x |
//! | `manifest_emit/{1,100}` | the same manifest, emitted pretty | the same | at most 1.05x |
//! | `reports_parse/1000` | a compact list of 1,000 reports, as a host receives it | the same | at most 1.05x |
//! | `reports_emit/1000` | the same list, emitted compact | the same | at most 1.05x |
//! | `loader/{10,100,1000}` | that many typical drop-ins in one directory | no-checks read and parse | at most 1.00x at 10, 0.97x at 100 and 1,000 |
//! | | | read-only (list and `std::fs::read`) | none: the floor |
//! | | | `mvm-guest` 0.3.2's loader | none |

use std::fs::File;
use std::process::ExitCode;

mod support;
use support::busy::Busy;
use support::harness::{Measurement, Settings, Side, measure};
use support::{fixtures, ours, published};

/// The most a busy ratio may differ from its quiet one.
const AGREEMENT: f64 = 0.05;

/// Whether the bench adds load of its own while it measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Load {
    /// No load added (the machine may still be busy with other work).
    Quiet,
    /// Spinning threads on the other cores ([`Busy::other_cores`]).
    Busy,
    /// Each comparison quiet, then busy.
    Both,
}

/// The command line: see the module docs.
struct Options {
    settings: Settings,
    smoke: bool,
    load: Load,
    check: bool,
    filters: Vec<String>,
}

impl Options {
    fn from_args() -> Result<Options, String> {
        let mut bench = false;
        let mut smoke = false;
        let mut busy =
            std::env::var_os("MVM_BENCH_BUSY").is_some_and(|v| v != "0" && !v.is_empty());
        let mut both = false;
        let mut check = false;
        let mut filters = Vec::new();
        for arg in std::env::args().skip(1) {
            match arg.as_str() {
                "--bench" => bench = true,
                "--smoke" => smoke = true,
                "--busy" => busy = true,
                "--both" => both = true,
                "--check" => check = true,
                flag if flag.starts_with('-') => {
                    return Err(format!(
                        "unknown option `{flag}`: expected `--smoke`, `--busy`, `--both`, `--check` or a name filter"
                    ));
                }
                filter => filters.push(filter.to_owned()),
            }
        }
        let smoke = smoke || !bench;
        Ok(Options {
            settings: if smoke {
                Settings::smoke()
            } else {
                Settings::full()
            },
            smoke,
            load: match (both, busy) {
                (true, _) => Load::Both,
                (false, true) => Load::Busy,
                (false, false) => Load::Quiet,
            },
            check: check && !smoke,
            filters,
        })
    }
}

/// One ratio: a comparison's crate side against one of its baselines.
struct Row {
    table: &'static str,
    comparison: String,
    baseline: &'static str,
    ours_ns: f64,
    theirs_ns: f64,
    ratio: f64,
    iqr: (f64, f64),
    rounds: usize,
    target: Option<f64>,
}

impl Row {
    fn over(&self) -> bool {
        self.target.is_some_and(|target| self.ratio > target)
    }
}

/// The rows measured so far, without and with added load.
struct Run {
    options: Options,
    quiet: Vec<Row>,
    busy: Vec<Row>,
    busy_threads: usize,
}

impl Run {
    /// Measures `sides` (the crate first) as comparison `name` in `table`, quiet, busy or
    /// both as asked; `targets[k]` is the target against side `k + 1`.
    fn compare(
        &mut self,
        table: &'static str,
        name: &str,
        targets: &[Option<f64>],
        sides: &mut [Side<'_>],
    ) {
        if !self.options.filters.is_empty()
            && !self
                .options
                .filters
                .iter()
                .any(|f| name.contains(f.as_str()))
        {
            return;
        }
        let rows = |m: &Measurement| -> Vec<Row> {
            (1..m.names.len())
                .map(|b| Row {
                    table,
                    comparison: name.to_owned(),
                    baseline: m.names[b],
                    ours_ns: m.medians_ns[0],
                    theirs_ns: m.medians_ns[b],
                    ratio: m.ratio(b),
                    iqr: m.ratio_iqr(b),
                    rounds: m.rounds(),
                    target: targets.get(b - 1).copied().flatten(),
                })
                .collect()
        };
        if self.options.load != Load::Busy {
            let m = measure(self.options.settings, sides);
            self.quiet.extend(rows(&m));
        }
        if self.options.load != Load::Quiet {
            let busy = Busy::other_cores();
            self.busy_threads = busy.count();
            let m = measure(self.options.settings, sides);
            drop(busy);
            self.busy.extend(rows(&m));
        }
        eprintln!("measured {name}");
    }
}

/// The harness's own error: the same code on both sides, where any ratio but 1.00x is noise
/// or bias of the measurement.
fn harness(run: &mut Run) {
    let json = fixtures::manifest_json(100);
    let parse = || serde_json::from_str::<published::IntegrationManifest>(&json).expect("parses");
    run.compare(
        "harness",
        "a_a/manifest_parse/100",
        &[None],
        &mut [
            Side::new("serde_derive", parse),
            Side::new("serde_derive", parse),
        ],
    );
}

fn wire(run: &mut Run) {
    use published as p;

    let entry_json = fixtures::dropin(7);
    let ours_entry = ours::parse_entry(&entry_json);
    let their_entry: p::IntegrationEntry = serde_json::from_str(&entry_json).expect("parses");
    let emitted = serde_json::to_string(&their_entry).expect("emits");
    assert_eq!(
        ours::emit_entry(&ours_entry),
        emitted,
        "both sides emit the same bytes"
    );
    run.compare(
        "wire",
        "entry_parse",
        &[None],
        &mut [
            Side::new("mvm_integrations", || ours::parse_entry(&entry_json)),
            Side::new("serde_derive", || {
                serde_json::from_str::<p::IntegrationEntry>(&entry_json).expect("parses")
            }),
        ],
    );
    run.compare(
        "wire",
        "entry_emit",
        &[None],
        &mut [
            Side::new("mvm_integrations", || ours::emit_entry(&ours_entry)),
            Side::new("serde_derive", || {
                serde_json::to_string(&their_entry).expect("emits")
            }),
        ],
    );

    for n in [1, 100] {
        let json = fixtures::manifest_json(n);
        let ours_manifest = ours::parse_manifest(&json);
        let their_manifest: p::IntegrationManifest = serde_json::from_str(&json).expect("parses");
        assert_eq!(
            ours::emit_manifest(&ours_manifest),
            json,
            "both sides emit the same bytes"
        );
        run.compare(
            "wire",
            &format!("manifest_parse/{n}"),
            &[Some(1.2)],
            &mut [
                Side::new("mvm_integrations", || ours::parse_manifest(&json)),
                Side::new("serde_derive", || {
                    serde_json::from_str::<p::IntegrationManifest>(&json).expect("parses")
                }),
            ],
        );
        run.compare(
            "wire",
            &format!("manifest_emit/{n}"),
            &[Some(1.05)],
            &mut [
                Side::new("mvm_integrations", || ours::emit_manifest(&ours_manifest)),
                Side::new("serde_derive", || {
                    serde_json::to_string_pretty(&their_manifest).expect("emits")
                }),
            ],
        );
    }

    let json = fixtures::reports_json(1000);
    let ours_reports = ours::parse_reports(&json);
    let their_reports: Vec<p::IntegrationStateReport> =
        serde_json::from_str(&json).expect("parses");
    assert_eq!(
        ours::emit_reports(&ours_reports),
        json,
        "both sides emit the same bytes"
    );
    run.compare(
        "wire",
        "reports_parse/1000",
        &[Some(1.05)],
        &mut [
            Side::new("mvm_integrations", || ours::parse_reports(&json)),
            Side::new("serde_derive", || {
                serde_json::from_str::<Vec<p::IntegrationStateReport>>(&json).expect("parses")
            }),
        ],
    );
    run.compare(
        "wire",
        "reports_emit/1000",
        &[Some(1.05)],
        &mut [
            Side::new("mvm_integrations", || ours::emit_reports(&ours_reports)),
            Side::new("serde_derive", || {
                serde_json::to_string(&their_reports).expect("emits")
            }),
        ],
    );
}

fn loader(run: &mut Run) {
    // Unbuffered, like the stderr the published loader prints to.
    let log = File::options()
        .write(true)
        .open("/dev/null")
        .expect("open /dev/null for the published loader's messages");
    for (n, target) in [(10, 1.00), (100, 0.97), (1000, 0.97)] {
        let tmp = tempfile::tempdir().expect("create a temporary directory");
        let dir = tmp.path();
        fixtures::write_dropins(dir, n);
        assert_eq!(
            ours::load_counts(dir),
            (n, 0, 0),
            "clean drop-ins load without warnings"
        );
        assert_eq!(published::no_checks(dir).len(), n);
        assert_eq!(published::read_only(dir).len(), n);
        assert_eq!(published::v0_3_2(dir, &log).len(), n);
        run.compare(
            "loader",
            &format!("loader/{n}"),
            &[Some(target), None, None],
            &mut [
                Side::new("mvm_integrations", || ours::load(dir)),
                Side::new("no_checks", || published::no_checks(dir)),
                Side::new("read_only", || published::read_only(dir)),
                Side::new("mvm-guest 0.3.2", || published::v0_3_2(dir, &log)),
            ],
        );
    }
}

/// A time in nanoseconds, with a unit that keeps three significant digits.
fn time(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}

/// The machine's load averages, when the system says (Linux).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| {
            let fields: Vec<&str> = text.split_whitespace().take(3).collect();
            (fields.len() == 3).then(|| fields.join(" "))
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

fn print_table(title: &str, rows: &[Row], smoke: bool) {
    for table in ["harness", "wire", "loader"] {
        let rows: Vec<&Row> = rows.iter().filter(|row| row.table == table).collect();
        if rows.is_empty() {
            continue;
        }
        println!("\n{table}, {title}: median per iteration, ratio = crate / baseline\n");
        println!(
            "| comparison | baseline | crate | baseline | ratio | round ratios (IQR) | rounds | target | |"
        );
        println!("|---|---|---|---|---|---|---|---|---|");
        for row in rows {
            let (target, verdict) = match row.target {
                None => ("—".to_owned(), ""),
                Some(_) if smoke => ("(smoke)".to_owned(), ""),
                Some(target) => (
                    format!("{target:.2}x"),
                    if row.over() { "OVER" } else { "ok" },
                ),
            };
            println!(
                "| {} | {} | {} | {} | {:.3}x | {:.3}–{:.3} | {} | {target} | {verdict} |",
                row.comparison,
                row.baseline,
                time(row.ours_ns),
                time(row.theirs_ns),
                row.ratio,
                row.iqr.0,
                row.iqr.1,
                row.rounds,
            );
        }
    }
}

/// Prints the quiet and busy ratio of every row side by side; returns how many differ by
/// more than [`AGREEMENT`].
fn print_agreement(quiet: &[Row], busy: &[Row]) -> usize {
    println!("\nquiet versus busy: the same ratio measured without and with added load\n");
    println!("| comparison | baseline | quiet | busy | busy / quiet | |");
    println!("|---|---|---|---|---|---|");
    let mut disagreements = 0;
    for (q, b) in quiet.iter().zip(busy) {
        let change = b.ratio / q.ratio - 1.0;
        let ok = change.abs() <= AGREEMENT;
        disagreements += usize::from(!ok);
        println!(
            "| {} | {} | {:.3}x | {:.3}x | {:+.1} % | {} |",
            q.comparison,
            q.baseline,
            q.ratio,
            b.ratio,
            change * 100.0,
            if ok { "within 5 %" } else { "OVER 5 %" },
        );
    }
    disagreements
}

fn main() -> ExitCode {
    let options = match Options::from_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("ratios: {message}");
            return ExitCode::from(2);
        }
    };
    let smoke = options.smoke;
    let check = options.check;
    let load = options.load;
    let settings = options.settings;
    let before = load_average();
    let mut run = Run {
        options,
        quiet: Vec::new(),
        busy: Vec::new(),
        busy_threads: 0,
    };
    harness(&mut run);
    wire(&mut run);
    loader(&mut run);

    println!(
        "\n{} run: {} measured rounds of about {:?} per side; load average {before} before, {} after",
        if smoke { "smoke" } else { "full" },
        settings.rounds,
        settings.round_time,
        load_average(),
    );
    if load != Load::Busy {
        print_table("quiet (no load added by the bench)", &run.quiet, smoke);
    }
    if load != Load::Quiet {
        let title = format!(
            "busy ({} spinning threads added by the bench)",
            run.busy_threads
        );
        print_table(&title, &run.busy, smoke);
    }
    let mut failures = run
        .quiet
        .iter()
        .chain(&run.busy)
        .filter(|row| row.over())
        .count();
    if load == Load::Both {
        failures += print_agreement(&run.quiet, &run.busy);
    }
    if check && failures > 0 {
        eprintln!("ratios: {failures} ratios over their target or outside the 5 % agreement");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
