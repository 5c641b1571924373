//! Shared by the benches: reads the medians of this run back from criterion's output, so
//! that each bench can end with its table of ratios against the baseline.

use std::path::PathBuf;
use std::time::SystemTime;

/// The results criterion writes from the moment this value is made.
pub struct Results {
    home: Option<PathBuf>,
    since: SystemTime,
}

impl Results {
    /// Starts watching for results; call it before the benchmarks run.
    pub fn from_now() -> Results {
        Results {
            home: criterion_home(),
            since: SystemTime::now(),
        }
    }

    /// The median in nanoseconds of the benchmark whose folder under criterion's output is
    /// `id` (such as `loader/baseline/1000`), when this run measured it: in `--test` mode
    /// nothing is measured and every median is `None`.
    pub fn median_ns(&self, id: &str) -> Option<f64> {
        let path = self.home.as_ref()?.join(id).join("new/estimates.json");
        let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
        if modified < self.since {
            return None;
        }
        let estimates: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
        estimates["median"]["point_estimate"].as_f64()
    }
}

/// Where criterion writes its results, found the way criterion finds it.
fn criterion_home() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Some(home.into());
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(target).join("criterion"));
    }
    // A bench runs as `<target>/release/deps/<name>-<hash>`.
    let exe = std::env::current_exe().ok()?;
    Some(exe.ancestors().nth(3)?.join("criterion"))
}

/// A time in nanoseconds, with a unit that keeps three significant digits.
pub fn time(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{:.1} ms", ns / 1e6)
    }
}

/// `ok` when `ratio` is within `target`, else `OVER`.
pub fn verdict(ratio: f64, target: f64) -> &'static str {
    if ratio <= target { "ok" } else { "OVER" }
}

/// Prints a Markdown table of medians under `header` (its column names), unless there are
/// no rows, as in `--test` mode.
pub fn print_table(header: &[&str], rows: &[String]) {
    if rows.is_empty() {
        return;
    }
    println!("\nmedians (mvm_integrations / baseline):\n");
    println!("| {} |", header.join(" | "));
    println!("|{}", "---|".repeat(header.len()));
    for row in rows {
        println!("{row}");
    }
}
