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
            let outcome = DropinLoader::with_dirs([dir]).load();
            let problems: Vec<_> = outcome.problems().collect();
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].code(), "too-large");
            outcome.entries().count()
        }
        "hostile" => {
            let outcome = DropinLoader::with_dirs([dir]).load();
            assert!(!outcome.has_problems());
            outcome.entries().count()
        }
        "huge-cap" => {
            let outcome = DropinLoader::with_dirs([dir])
                .with_max_file_size(u64::MAX)
                .load();
            let codes: Vec<_> = outcome.problems().map(|p| p.code()).collect();
            assert_eq!(codes, ["out-of-memory"]);
            outcome.entries().count()
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
    // For a full directory, measure from the start: what the outcome keeps counts.
    if mode != "hostile" {
        load(mode, dir);
    }
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
    measure_test(TEST_NAME, mode, dir)
}

/// Runs the child for `mode` on `dir` as the test `test`, and returns the peak growth it
/// measured, in KiB.
fn measure_test(test: &str, mode: &str, dir: &Path) -> u64 {
    let exe = std::env::current_exe().expect("the test binary");
    let output = Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
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

/// Fills `dir` with `DEFAULT_MAX_FILES` drop-ins of `DEFAULT_MAX_FILE_SIZE` bytes each, the
/// worst the default caps allow: `keys` makes each file thousands of distinct unknown keys
/// (a warning each, before the per-file bound), otherwise each holds one long command.
fn write_full_directory(dir: &Path, keys: bool) {
    let cap = DEFAULT_MAX_FILE_SIZE as usize;
    for i in 0..mvm_integrations::DEFAULT_MAX_FILES {
        let mut text = format!(r#"{{"name": "e{i:04}""#);
        if keys {
            let mut k = 0;
            while text.len() + 16 < cap {
                text.push_str(&format!(",\"k{k}\":0"));
                k += 1;
            }
        } else {
            text.push_str(r#", "health_cmd": ""#);
            text.push_str(&"a".repeat(cap - text.len() - 2));
            text.push('"');
        }
        text.push('}');
        assert!(text.len() <= cap);
        fs::write(dir.join(format!("{i:04}.json")), text).expect("write a drop-in");
    }
}

/// The memory bound of `load` at the default caps: the whole directory's worth of entries
/// (at most `DEFAULT_MAX_FILES` x `DEFAULT_MAX_FILE_SIZE` = 64 MiB) plus bounded warnings.
const LOAD_BOUND_KIB: u64 = 80 * 1024;

#[test]
fn a_full_directory_at_the_default_caps_peaks_in_tens_of_mib() {
    const TEST: &str = "a_full_directory_at_the_default_caps_peaks_in_tens_of_mib";
    if let Some(mode) = std::env::var_os(CHILD_ENV) {
        let dir = std::env::var_os(DIR_ENV).expect("the directory to load");
        child(&mode.to_string_lossy(), Path::new(&dir));
        return;
    }
    for keys in [true, false] {
        let dir = tempfile::tempdir().expect("a temporary directory");
        write_full_directory(dir.path(), keys);
        let started = std::time::Instant::now();
        let growth = measure_test(TEST, "hostile", dir.path());
        println!(
            "1024 x 64 KiB drop-ins ({}): load +{growth} KiB, child ran {:?}",
            if keys {
                "unknown keys"
            } else {
                "long commands"
            },
            started.elapsed()
        );
        assert!(
            growth <= LOAD_BOUND_KIB,
            "load grew the peak by {growth} KiB, above {LOAD_BOUND_KIB} KiB"
        );
        #[cfg(feature = "cli")]
        check_peak(dir.path());
    }
}

/// The peak resident size of `mvm-integrations check` on `dir`, measured by GNU time.
#[cfg(feature = "cli")]
fn check_peak(dir: &Path) {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        eprintln!("skipped: no /usr/bin/time to measure `check`");
        return;
    }
    let started = std::time::Instant::now();
    let output = Command::new(time)
        .args([
            "-f",
            "max-rss-kib %M",
            env!("CARGO_BIN_EXE_mvm-integrations"),
            "check",
        ])
        .arg(dir)
        .output()
        .expect("run check under time");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let kib: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("max-rss-kib "))
        .and_then(|k| k.trim().parse().ok())
        .unwrap_or_else(|| panic!("no measurement: {stderr}"));
    let lines = output.stdout.iter().filter(|&&b| b == b'\n').count();
    println!(
        "check: peak RSS {kib} KiB, {lines} lines, {} bytes of output, {:?}",
        output.stdout.len(),
        started.elapsed()
    );
    // The lines are bounded too: at most MAX_WARNINGS_PER_FILE + 1 per file.
    assert!(lines <= 1024 * (mvm_integrations::MAX_WARNINGS_PER_FILE + 1) + 1);
    assert!(
        kib <= LOAD_BOUND_KIB + 16 * 1024,
        "check peaked at {kib} KiB, above {} KiB",
        LOAD_BOUND_KIB + 16 * 1024
    );
}

#[test]
fn a_cap_larger_than_memory_fails_one_file_not_the_process() {
    const TEST: &str = "a_cap_larger_than_memory_fails_one_file_not_the_process";
    if let Some(mode) = std::env::var_os(CHILD_ENV) {
        let dir = std::env::var_os(DIR_ENV).expect("the directory to load");
        let loaded = load(&mode.to_string_lossy(), Path::new(&dir));
        assert_eq!(loaded, 1);
        println!(
            "peak-growth-kib {} 0 loaded {loaded}",
            mode.to_string_lossy()
        );
        return;
    }
    let prlimit = Path::new("/usr/bin/prlimit");
    if !prlimit.exists() {
        eprintln!("skipped: no prlimit to limit the child's memory");
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    // A sparse file of 4 GiB and a good drop-in: under a 1 GiB address-space limit, the
    // buffer for the big file cannot grow past it, and only that file fails.
    File::create(dir.path().join("big.json"))
        .and_then(|f| f.set_len(4 << 30))
        .expect("make big.json");
    fs::write(dir.path().join("ok.json"), r#"{"name": "ok"}"#).expect("write ok.json");
    let output = Command::new(prlimit)
        .arg(format!("--as={}", 1u64 << 30))
        .arg(std::env::current_exe().expect("the test binary"))
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "huge-cap")
        .env(DIR_ENV, dir.path())
        .output()
        .expect("run the child");
    assert!(
        output.status.success(),
        "the child failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
