//! Peak memory of loading a drop-in directory that holds a 200 MiB `*.json` file.
//!
//! The loader's promise: memory stays within a small multiple of the per-file cap
//! ([`DEFAULT_MAX_FILE_SIZE`], 64 KiB), whatever the size of the file. Each measurement runs
//! in a child process (this test binary, re-executed with `MVM_PEAK_MEMORY_CHILD` set) so
//! that other tests cannot disturb it. The child loads once to page in the code, resets its
//! peak resident set size (`/proc/self/clear_refs`), loads again, and reports how far `VmHWM`
//! rose above the resident size it started from.
//!
//! For comparison the child also measures the published crate's loader, which reads each file
//! whole with `read_to_string` and parses it into `String` fields. Show the figures with
//!
//! ```sh
//! cargo test --release --test peak_memory -- --nocapture
//! MVM_PEAK_MEMORY_DENSE=1 cargo test --release --test peak_memory -- --nocapture
//! ```
//!
//! The second form writes a real 200 MiB JSON document to a temporary directory instead of a
//! sparse file of zeros (which takes no disk space), the case where the published loader
//! also copies the long string.

#![cfg(target_os = "linux")]

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;

use mvm_integrations::{DEFAULT_MAX_FILE_SIZE, DropinLoader};

/// The size of the drop-in that is far too large.
const BIG: u64 = 200 * 1024 * 1024;

/// The loader may grow the peak by at most this many times the per-file cap.
const CAP_MULTIPLE: u64 = 8;

const CHILD_ENV: &str = "MVM_PEAK_MEMORY_CHILD";
const DIR_ENV: &str = "MVM_PEAK_MEMORY_DIR";
const TEST_NAME: &str = "loading_a_200_mib_dropin_peaks_within_a_small_multiple_of_the_cap";

/// A field of `/proc/self/status`, in KiB.
fn status_kib(field: &str) -> u64 {
    let status = fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse().ok())
        .unwrap_or_else(|| panic!("no `{field}` in /proc/self/status"))
}

/// The published crate's entry, to reproduce its loader: plain `String` fields.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct PublishedEntry {
    name: String,
    #[serde(default)]
    checkpoint_cmd: Option<String>,
    #[serde(default)]
    restore_cmd: Option<String>,
    #[serde(default)]
    critical: bool,
    #[serde(default)]
    health_cmd: Option<String>,
}

/// The published crate's `load_dropin_dir`, minus its printing: every `*.json` file read
/// whole, then parsed.
fn published_load(dir: &Path) -> usize {
    let mut loaded = 0;
    for item in fs::read_dir(dir).expect("list the directory").flatten() {
        let path = item.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        if let Ok(data) = fs::read_to_string(&path) {
            if serde_json::from_str::<PublishedEntry>(&data).is_ok() {
                loaded += 1;
            }
        }
    }
    loaded
}

/// Loads `dir` the way `mode` says and returns how many entries loaded.
fn load(mode: &str, dir: &Path) -> usize {
    match mode {
        "loader" => {
            let report = DropinLoader::with_dirs([dir]).load();
            assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
            assert_eq!(report.problems[0].code(), "too-large");
            report.entries.len()
        }
        "published" => published_load(dir),
        other => panic!("unknown mode `{other}`"),
    }
}

/// In the child: loads `dir` the way `mode` says and prints the peak growth in KiB.
///
/// A first load pages in the code it runs, so that the measured second load counts only
/// the memory loading uses, not the binary's code pages.
fn child(mode: &str, dir: &Path) {
    load(mode, dir);
    // Writing 5 resets VmHWM to the current resident size (Linux 4.0 and later).
    let reset = fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = if reset {
        status_kib("VmRSS")
    } else {
        status_kib("VmHWM")
    };
    let loaded = load(mode, dir);
    let growth = status_kib("VmHWM").saturating_sub(before);
    println!("peak-growth-kib {mode} {growth} loaded {loaded} reset {reset}");
}

/// Runs the child for `mode` on `dir` and returns the peak growth it measured, in KiB.
fn measure(mode: &str, dir: &Path) -> u64 {
    let exe = std::env::current_exe().expect("the test binary");
    let output = Command::new(exe)
        .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, mode)
        .env(DIR_ENV, dir)
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the {mode} child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|line| Some(line.split_once("peak-growth-kib ")?.1))
        .unwrap_or_else(|| panic!("no measurement from the {mode} child:\n{stdout}"));
    println!("{mode}: {line}");
    line.split_whitespace()
        .nth(1)
        .and_then(|kib| kib.parse().ok())
        .unwrap_or_else(|| panic!("a bad measurement line `{line}`"))
}

/// Writes `big.json`: sparse zeros by default, or with `MVM_PEAK_MEMORY_DENSE` set, a real
/// JSON document whose `health_cmd` is one 200 MiB string.
fn write_big_dropin(dir: &Path) {
    let path = dir.join("big.json");
    let file = File::create(&path).expect("create big.json");
    if std::env::var_os("MVM_PEAK_MEMORY_DENSE").is_none() {
        file.set_len(BIG).expect("make big.json sparse");
        return;
    }
    let mut out = BufWriter::new(file);
    let head = br#"{"name": "big", "health_cmd": ""#;
    let tail = br#""}"#;
    out.write_all(head).expect("write");
    let chunk = vec![b'a'; 1 << 20];
    let mut left = BIG - (head.len() + tail.len()) as u64;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        out.write_all(&chunk[..n]).expect("write");
        left -= n as u64;
    }
    out.write_all(tail).expect("write");
    out.flush().expect("flush");
}

#[test]
fn loading_a_200_mib_dropin_peaks_within_a_small_multiple_of_the_cap() {
    if let Some(mode) = std::env::var_os(CHILD_ENV) {
        let dir = std::env::var_os(DIR_ENV).expect("the directory to load");
        child(&mode.to_string_lossy(), Path::new(&dir));
        return;
    }

    let dir = tempfile::tempdir().expect("a temporary directory");
    write_big_dropin(dir.path());

    let bound_kib = CAP_MULTIPLE * DEFAULT_MAX_FILE_SIZE / 1024;
    let loader = measure("loader", dir.path());
    let published = measure("published", dir.path());
    println!(
        "200 MiB drop-in: loader +{loader} KiB (bound {bound_kib} KiB), published +{published} KiB"
    );

    assert!(
        loader <= bound_kib,
        "the loader's peak grew by {loader} KiB, above {CAP_MULTIPLE} x the {} KiB cap",
        DEFAULT_MAX_FILE_SIZE / 1024
    );
    // The instrument works: reading the file whole shows up as (nearly) its size.
    assert!(
        published >= BIG / 1024 * 9 / 10,
        "reading 200 MiB whole grew the peak by only {published} KiB: the measurement is broken"
    );
}
