//! The two example programs, run in-process on the data under `examples/`.
//!
//! Each example keeps its work in a `run` function that `main` calls with the real stdout
//! and stderr, so the tests run the very code `cargo run --example <name>` runs, with no
//! nested cargo and no stale binary. `main` only maps `run`'s result to the exit code:
//! `Ok` is exit 0.

use std::path::PathBuf;

use mvm_integrations::{IntegrationStateReport, IntegrationStatus, Timestamp};

#[path = "../examples/guest_agent.rs"]
#[allow(dead_code)] // `main`: the tests call `run`.
mod guest_agent;

#[path = "../examples/host.rs"]
#[allow(dead_code)]
mod host;

/// Runs the guest agent on `dirs`: its stdout (the JSON list) and its log.
#[track_caller]
fn run_agent(dirs: &[PathBuf]) -> (String, String) {
    let mut out = Vec::new();
    let mut log = Vec::new();
    if let Err(e) = guest_agent::run(dirs, &mut out, &mut log) {
        panic!("guest_agent failed: {e}");
    }
    (
        String::from_utf8(out).expect("stdout is UTF-8"),
        String::from_utf8(log).expect("the log is UTF-8"),
    )
}

/// The reports of a list the agent wrote, every element valid.
#[track_caller]
fn reports(json: &str) -> Vec<IntegrationStateReport> {
    IntegrationStateReport::parse_list(json)
        .expect("a JSON array")
        .into_iter()
        .map(|r| r.expect("a valid report"))
        .collect()
}

#[test]
fn guest_agent_reports_each_health_case_on_the_example_data() {
    let (out, _) = run_agent(&[]);
    let reports = reports(&out);
    let got: Vec<(&str, IntegrationStatus, bool, &str)> = reports
        .iter()
        .map(|r| {
            let health = r.health().expect("every report has a health result");
            (
                r.name(),
                r.status().clone(),
                health.healthy(),
                health.detail(),
            )
        })
        .collect();
    let error = |detail: &str| IntegrationStatus::Error(detail.to_owned());
    assert_eq!(
        got,
        [
            // `true`
            ("web", IntegrationStatus::Active, true, "ok"),
            // /etc overrides /usr: stderr is the detail.
            ("db", error("db down"), false, "db down"),
            // `exit 3` inside a 60 s startup grace.
            ("worker", IntegrationStatus::Starting, false, "exit code 3"),
            // `sleep 5` with a 1 s timeout: never healthy.
            (
                "slow",
                error("timed out after 1s"),
                false,
                "timed out after 1s"
            ),
            // No health_cmd.
            (
                "metrics",
                IntegrationStatus::Active,
                true,
                "no health_cmd configured"
            ),
            // `kill -9 $$`: a signal, not an exit code.
            (
                "crashy",
                error("killed by signal 9"),
                false,
                "killed by signal 9"
            ),
        ]
    );
    // `legacy-exporter` is masked by an empty file, `My App` is refused: neither reports.
    for report in &reports {
        let checked_at = report.health().map(|h| h.checked_at()).unwrap_or_default();
        assert!(
            checked_at.parse::<Timestamp>().is_ok(),
            "{checked_at:?} is not a timestamp"
        );
    }
    assert!(out.starts_with("[\n  {\n"), "pretty JSON: {out}");
}

#[test]
fn guest_agent_logs_the_diagnostics_check_prints_and_one_line_per_check() {
    let (_, log) = run_agent(&[]);
    let lines: Vec<&str> = log.lines().collect();
    let etc = "examples/agent/etc/integrations.d";
    let expected_suffixes = [
        format!(
            "{etc}/20-db.json:5:3: warning: unknown field `critcal` is ignored: did you mean `critical`?"
        ),
        format!(
            "{etc}/50-legacy-exporter.json: note: masked: an empty file or a link to `/dev/null` hides this name"
        ),
        format!(
            "{etc}/80-my-app.json:2:18: error: invalid integration name `My App`: must not contain ` `"
        ),
    ];
    assert_eq!(lines.len(), 9, "{log}");
    for (line, suffix) in lines.iter().zip(&expected_suffixes) {
        assert!(
            line.ends_with(suffix.as_str()),
            "{line:?} should end with {suffix:?}"
        );
    }
    assert_eq!(
        lines[3..],
        [
            "web: active: ok",
            "db: error: db down",
            "worker: starting: exit code 3",
            "slow: error: timed out after 1s",
            "metrics: active: no health_cmd configured",
            "crashy: error: killed by signal 9",
        ]
    );
}

#[test]
fn guest_agent_uses_the_directories_given_instead_of_the_defaults() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        dir.path().join("10-probe.json"),
        r#"{"name": "probe", "health_cmd": "printf 'bad\\377byte\\n' >&2; exit 2"}"#,
    )
    .expect("a drop-in");
    let (out, log) = run_agent(&[dir.path().to_path_buf()]);
    let reports = reports(&out);
    assert_eq!(reports.len(), 1, "{out}");
    assert_eq!(reports[0].name(), "probe");
    // Invalid UTF-8 on stderr is replaced visibly in the JSON, and escaped in the log only
    // as Escaped requires (U+FFFD is printable).
    assert_eq!(
        reports[0].status(),
        &IntegrationStatus::Error("bad\u{fffd}byte".to_owned())
    );
    assert_eq!(log, "probe: error: bad\u{fffd}byte\n");
}

#[test]
fn host_output_is_deterministic_and_pinned() {
    let mut out = Vec::new();
    if let Err(e) = host::run(&mut out) {
        panic!("host failed: {e}");
    }
    let out = String::from_utf8(out).expect("UTF-8");
    // The facts the example exists to show, named here so a change to them reads clearly
    // in a failing test; the snapshot pins the rest.
    for line in [
        "# manifest-legacy.json: kept whatsapp, node-exporter",
        "entry 1: invalid value for `name` at line 14 column 22: invalid integration name `My App`: must not contain ` `",
        "entry 2: invalid value for `health_interval_secs` at line 20 column 31: invalid `health_interval_secs` value `0`: must be between 1 and 86400",
        "signal: not ready yet, health checked 15s ago, 0 bytes",
        "worker: unhandled status `draining` (known to this crate: false), checkpoint 300s ago, health checked at `2025-06-01T12:04:59.250Z` (not a timestamp, kept as text), 512 bytes",
        "element 1: dropped: invalid type: integer `5`, expected a string at line 4 column 38",
        "as received: rejects",
        "after for_peer: reads fully",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "missing line {line:?} in:\n{out}"
        );
    }
    insta::assert_snapshot!("host_output", out);
}
