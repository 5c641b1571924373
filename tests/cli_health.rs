#![cfg(feature = "cli")]
//! End-to-end tests of `mvm-integrations health`: real commands, exact output, exit codes.

mod support;
use support::assert_exit;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use mvm_integrations::{IntegrationHealthResult, IntegrationStateReport, Timestamp};

const BIN: &str = env!("CARGO_BIN_EXE_mvm-integrations");

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/health")
}

fn health(args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("health")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run mvm-integrations")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// A directory with one drop-in per `(file name, JSON)`.
fn dropins(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, json) in files {
        fs::write(dir.path().join(name), json).unwrap();
    }
    dir
}

fn entry(name: &str, cmd: &str, timeout_secs: u64) -> String {
    serde_json::json!({"name": name, "health_cmd": cmd, "health_timeout_secs": timeout_secs})
        .to_string()
}

/// Replaces each line's time taken, `(N ms)`, with `([time] ms)`.
fn redact_times(stdout: &str) -> String {
    stdout
        .lines()
        .map(|line| {
            let (head, tail) = line.rsplit_once(" (").expect("a time on every line");
            let ms = tail.strip_suffix(" ms)").expect("a time in ms");
            assert!(ms.parse::<u64>().is_ok(), "{line}");
            format!("{head} ([time] ms)\n")
        })
        .collect()
}

/// The raw output with each `checked_at` checked to be a timestamp and then redacted.
fn redact_checked_at(stdout: &str) -> String {
    const KEY: &str = "\"checked_at\": \"";
    let mut out = String::new();
    let mut rest = stdout;
    while let Some(at) = rest.find(KEY) {
        let (head, tail) = rest.split_at(at + KEY.len());
        let (stamp, tail) = tail.split_once('"').expect("a closing quote");
        stamp.parse::<Timestamp>().expect("the written form");
        out.push_str(head);
        out.push_str("[time]\"");
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// The reports, each `checked_at` checked to be a timestamp and then redacted.
fn reports(stdout: &str) -> Vec<IntegrationStateReport> {
    let reports: Vec<IntegrationStateReport> = serde_json::from_str(stdout).unwrap();
    reports
        .into_iter()
        .map(|report| {
            let health = report.health().expect("a health result");
            health
                .checked_at()
                .parse::<Timestamp>()
                .expect("the written form");
            let redacted =
                IntegrationHealthResult::new(health.healthy(), health.detail(), "[time]");
            report.with_health(redacted)
        })
        .collect()
}

#[test]
fn text_output() {
    let output = health(&[fixtures().to_str().unwrap()]);
    assert_exit(&output, 1);
    assert_eq!(text(&output.stderr), "");
    insta::assert_snapshot!("health_text", redact_times(&text(&output.stdout)));
}

#[test]
fn json_output() {
    let output = health(&["--format", "json", fixtures().to_str().unwrap()]);
    assert_exit(&output, 1);
    assert_eq!(text(&output.stderr), "");
    insta::assert_snapshot!(
        "reports_from_health_json",
        redact_checked_at(&text(&output.stdout))
    );
}

#[test]
fn json_status_is_derived_as_if_the_grace_were_over() {
    let output = health(&["--format", "json", fixtures().to_str().unwrap()]);
    let reports = reports(&text(&output.stdout));
    let grace = reports.iter().find(|r| r.name() == "grace").unwrap();
    assert_eq!(grace.status().to_string(), "error: exit code 1");
    for report in &reports {
        let healthy = report.health().unwrap().healthy();
        assert_eq!(
            report.status().name() == "active",
            healthy,
            "{}",
            report.name()
        );
    }
}

#[test]
fn all_healthy_exits_0() {
    let dir = dropins(&[
        ("a.json", entry("a", "exit 0", 5)),
        ("b.json", r#"{"name": "b"}"#.to_owned()),
    ]);
    let output = health(&[dir.path().to_str().unwrap()]);
    assert_exit(&output, 0);
    assert_eq!(
        redact_times(&text(&output.stdout)),
        "a: active: ok ([time] ms)\nb: active: no health_cmd configured ([time] ms)\n"
    );
}

#[test]
fn no_entries_exits_0_and_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let output = health(&[dir.path().to_str().unwrap()]);
    assert_exit(&output, 0);
    assert_eq!(text(&output.stdout), "");
    let output = health(&["--format", "json", dir.path().to_str().unwrap()]);
    assert_exit(&output, 0);
    assert_eq!(text(&output.stdout), "[]\n");
}

#[test]
fn a_bad_dropin_fails_and_is_reported_on_stderr() {
    let dir = dropins(&[
        ("a.json", entry("a", "true", 5)),
        (
            "b.json",
            r#"{"name": "b", "health_timeout_secs": 0}"#.to_owned(),
        ),
    ]);
    let output = health(&[dir.path().to_str().unwrap()]);
    assert_exit(&output, 1);
    assert_eq!(
        redact_times(&text(&output.stdout)),
        "a: active: ok ([time] ms)\n"
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("b.json:1:38: error: invalid `health_timeout_secs` value `0`"),
        "{stderr}"
    );
}

/// Whether the process `pid` is gone (or a zombie waiting for its parent).
fn is_gone(pid: &str) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

#[test]
fn a_timeout_kills_the_command_and_its_grandchildren() {
    let pids = tempfile::tempdir().unwrap();
    let file = pids.path().join("pid");
    let cmd = format!("sleep 30 & echo $! > {}; sleep 5", file.display());
    let dir = dropins(&[("slow.json", entry("slow", &cmd, 1))]);
    let output = health(&["--format", "json", dir.path().to_str().unwrap()]);
    assert_exit(&output, 1);
    let reports = reports(&text(&output.stdout));
    let health = reports[0].health().unwrap();
    assert!(!health.healthy());
    assert_eq!(health.detail(), "timed out after 1s");
    let pid = fs::read_to_string(&file).unwrap();
    assert!(is_gone(pid.trim()), "grandchild {pid} still runs");
}

#[test]
fn what_a_passing_command_leaves_running_is_killed() {
    let pids = tempfile::tempdir().unwrap();
    let file = pids.path().join("pid");
    // The grandchild keeps stdout and stderr open: the check must still end.
    let cmd = format!("sleep 30 & echo $! > {}; exit 0", file.display());
    let dir = dropins(&[("bg.json", entry("bg", &cmd, 60))]);
    let output = health(&[dir.path().to_str().unwrap()]);
    assert_exit(&output, 0);
    let pid = fs::read_to_string(&file).unwrap();
    assert!(is_gone(pid.trim()), "grandchild {pid} still runs");
}

#[test]
fn a_missing_program_fails_with_the_shells_message() {
    let dir = dropins(&[("x.json", entry("x", "/nonexistent/health-check", 5))]);
    let output = health(&["--format", "json", dir.path().to_str().unwrap()]);
    assert_exit(&output, 1);
    let reports = reports(&text(&output.stdout));
    let health = reports[0].health().unwrap();
    assert!(!health.healthy());
    assert!(
        health.detail().contains("/nonexistent/health-check"),
        "{}",
        health.detail()
    );
}

#[test]
fn huge_stderr_is_bounded_and_does_not_block() {
    // 1 MiB on each pipe: more than a pipe buffer holds, so unread pipes would deadlock.
    let cmd = "head -c 1048576 /dev/zero | tr '\\0' x; head -c 1048576 /dev/zero | tr '\\0' y >&2; exit 1";
    let dir = dropins(&[("big.json", entry("big", cmd, 30))]);
    let output = health(&["--format", "json", dir.path().to_str().unwrap()]);
    assert_exit(&output, 1);
    let reports = reports(&text(&output.stdout));
    let detail = reports[0].health().unwrap().detail();
    assert_eq!(detail.len(), mvm_integrations::MAX_DETAIL_BYTES);
    assert!(detail.starts_with("yyyy") && detail.ends_with("…[truncated]"));
}

#[test]
fn usage_errors_exit_2() {
    let output = health(&["--format", "xml"]);
    assert_exit(&output, 2);
    assert_eq!(text(&output.stdout), "");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let dir = dropins(&[("a.json", entry("a", "true", 5))]);
    let output = Command::new(BIN)
        .args(["health", dir.path().to_str().unwrap()])
        .stdout(writer)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(text(&output.stderr), "");
}

#[test]
fn a_closed_pipe_keeps_the_exit_code_of_what_ran() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let dir = dropins(&[("a.json", entry("a", "exit 1", 5))]);
    let output = Command::new(BIN)
        .args(["health", dir.path().to_str().unwrap()])
        .stdout(writer)
        .output()
        .unwrap();
    assert_exit(&output, 1);
    assert_eq!(text(&output.stderr), "");
}

#[test]
fn other_write_errors_fail() {
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let dir = dropins(&[("a.json", entry("a", "true", 5))]);
    let output = Command::new(BIN)
        .args(["health", dir.path().to_str().unwrap()])
        .stdout(full)
        .output()
        .unwrap();
    assert_exit(&output, 1);
    assert_eq!(
        text(&output.stderr),
        "error: cannot write the output: No space left on device (os error 28)\n"
    );
}

#[test]
fn a_process_that_leaves_the_group_cannot_hold_the_check() {
    // `setsid` puts the sleep out of reach of the group kill; it keeps both pipes open.
    let cmd = "echo gone >&2; setsid sleep 3 & exit 2";
    let dir = dropins(&[("escapee.json", entry("escapee", cmd, 60))]);
    let output = health(&["--format", "json", dir.path().to_str().unwrap()]);
    assert_exit(&output, 1);
    let reports = reports(&text(&output.stdout));
    // What it wrote before the exit is kept.
    assert_eq!(reports[0].health().unwrap().detail(), "gone");
}
