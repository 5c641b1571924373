#![cfg(feature = "cli")]
//! End-to-end tests of `mvm-integrations compat`: verdicts, `--rewrite`, exit codes.

mod support;
use support::assert_exit;

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_mvm-integrations");

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Runs `mvm-integrations compat ARGS` in tests/fixtures, with `stdin` on its stdin.
fn run_with(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .current_dir(fixtures())
        .arg("compat")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mvm-integrations");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn run(args: &[&str]) -> Output {
    run_with(args, "")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// The documents a host on 0.3.2 would meet during a rolling upgrade.
const UPGRADE: &[&str] = &[
    "wire-vectors/mvm-guest-0.13.0/manifest.pretty.json",
    "wire-vectors/mvm-guest-0.13.0/entry.full.json",
    "wire-vectors/mvm-guest-0.13.0/report.full.json",
    "wire-vectors/mvm-guest-0.13.0/reports.list.json",
    "compat/cases/reports/one-starting.json",
    "compat/cases/report/unknown-object.json",
    "compat/cases/report/health-unknown-field.json",
    "compat/cases/reports/one-malformed.json",
];

fn with(first: &[&str], rest: &[&str]) -> Vec<String> {
    first.iter().chain(rest).map(|s| (*s).to_owned()).collect()
}

fn run_owned(args: &[String]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args)
}

#[test]
fn text_verdicts_for_each_peer() {
    for peer in ["0.3.2", "0.13.0", "current"] {
        let output = run_owned(&with(&["--peer", peer], UPGRADE));
        assert_exit(&output, 1);
        assert_eq!(stderr(&output), "");
        // The crate's version names the current peer; keep the snapshot across releases.
        let text = stdout(&output).replace(env!("CARGO_PKG_VERSION"), "<version>");
        insta::assert_snapshot!(format!("text_{peer}"), text);
    }
}

#[test]
fn json_verdicts() {
    let output = run_owned(&with(&["--peer", "0.3.2", "--format", "json"], UPGRADE));
    assert_exit(&output, 1);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value.as_array().unwrap().len(), UPGRADE.len());
    insta::assert_snapshot!("json_0.3.2", stdout(&output));
}

#[test]
fn exit_codes() {
    let v032 = "wire-vectors/mvm-guest-0.3.2/manifest.pretty.json";
    let v0130 = "wire-vectors/mvm-guest-0.13.0/manifest.pretty.json";
    let starting = "compat/cases/report/starting.json";
    let malformed = "compat/cases/reports/one-malformed.json";
    let table: &[(&[&str], i32)] = &[
        // Reads fully.
        (&["--peer", "0.3.2", v032], 0),
        (&["--peer", "0.13.0", v0130, starting], 0),
        // Ignores `startup_grace_secs`: a warning.
        (&["--peer", "0.3.2", v0130], 0),
        (&["--peer", "0.3.2", "--deny-warnings", v0130], 1),
        (&["--peer", "0.13.0", "--deny-warnings", v0130], 0),
        // Rejects.
        (&["--peer", "0.3.2", starting], 1),
        (&["--peer", "0.3.2", v032, starting], 1),
        // Drops one element.
        (&["--peer", "current", malformed], 1),
        // The crate's own version number names the current version.
        (&["--peer", env!("CARGO_PKG_VERSION"), starting], 0),
        // Usage and I/O errors.
        (&["--peer", "0.4", v032], 2),
        (&[v032], 2),
        (&["--peer", "0.3.2", "--kind", "list", v032], 2),
        (
            &["--peer", "0.3.2", "--rewrite", "--format", "json", v032],
            2,
        ),
        (&["--peer", "0.3.2", "no-such-file.json"], 2),
        (
            &[
                "--peer",
                "0.3.2",
                "wire-vectors/mvm-guest-0.3.2/status.active.json",
            ],
            2,
        ),
    ];
    for (args, code) in table {
        let output = run(args);
        assert_eq!(
            output.status.code(),
            Some(*code),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn usage_and_io_messages() {
    let table: &[(&[&str], &str)] = &[
        (
            &["--peer", "0.3.2", "no-such-file.json"],
            "no-such-file.json: cannot read: No such file or directory (os error 2)\n",
        ),
        (
            &[
                "--peer",
                "0.3.2",
                "wire-vectors/mvm-guest-0.3.2/status.active.json",
            ],
            "wire-vectors/mvm-guest-0.3.2/status.active.json: cannot tell the document's kind: expected a JSON array (reports) or an object with `integrations` (manifest), `status` (report) or `name` (entry); name it with --kind\n",
        ),
    ];
    for (args, expected) in table {
        let output = run(args);
        assert_eq!(stderr(&output), *expected, "{args:?}");
        assert_eq!(stdout(&output), "", "{args:?}");
    }
    let output = run(&["--peer", "0.4", "x"]);
    assert!(
        stderr(&output).contains(&format!(
            "invalid peer version `0.4`: expected one of `0.3.2`, `0.13.0`, `current`, `{}`",
            env!("CARGO_PKG_VERSION")
        )),
        "{}",
        stderr(&output)
    );
}

#[test]
fn kind_overrides_detection() {
    // `{"name":..., "status":...}` read as a drop-in: the peer ignores `status`.
    let output = run(&[
        "--peer",
        "0.3.2",
        "--kind",
        "entry",
        "compat/cases/report/starting.json",
    ]);
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        "compat/cases/report/starting.json: entry: mvm-guest 0.3.2 ignores `status`: the value is lost: no published version of the contract has this field\n"
    );
}

#[test]
fn stdin_is_read_when_no_file_or_dash_is_given() {
    let report = r#"{"name":"web","status":"starting"}"#;
    let expected = "<stdin>: report: mvm-guest 0.3.2 rejects it: unknown variant `starting`, expected one of `active`, `paused`, `error`, `pending` at line 1 column 33\n<stdin>: report: hint: --rewrite makes it readable by mvm-guest 0.3.2\n";
    for args in [&["--peer", "0.3.2"][..], &["--peer", "0.3.2", "-"]] {
        let output = run_with(args, report);
        assert_exit(&output, 1);
        assert_eq!(stdout(&output), expected);
    }
}

#[test]
fn rewrite_prints_what_the_peer_should_receive() {
    // The stored rewrites were read by the published 0.3.2 parser (probe-0.3.2.tsv).
    let table = [
        (
            "compat/cases/reports/one-starting.json",
            "compat/rewrite/0.3.2/reports/case-reports--one-starting.json",
        ),
        (
            "compat/cases/report/unknown-object.json",
            "compat/rewrite/0.3.2/report/case-report--unknown-object.json",
        ),
        (
            "wire-vectors/mvm-guest-0.13.0/reports.list.json",
            "compat/rewrite/0.3.2/reports/wire-0.13.0--reports.list.json",
        ),
    ];
    for (input, stored) in table {
        let output = run(&["--peer", "0.3.2", "--rewrite", input]);
        assert_exit(&output, 0);
        assert_eq!(
            stdout(&output),
            std::fs::read_to_string(fixtures().join(stored)).unwrap()
        );
        assert_eq!(stderr(&output), "");
    }
}

#[test]
fn rewrite_says_what_it_cannot_do() {
    let output = run(&[
        "--peer",
        "0.3.2",
        "--rewrite",
        "compat/cases/manifest/grace.json",
        "compat/cases/report/error-number.json",
    ]);
    assert_exit(&output, 1);
    insta::assert_snapshot!("rewrite_stdout", stdout(&output));
    insta::assert_snapshot!("rewrite_stderr", stderr(&output));
    let output = run(&[
        "--peer",
        "0.3.2",
        "--rewrite",
        "--deny-warnings",
        "compat/cases/manifest/grace.json",
    ]);
    assert_exit(&output, 1);
}

#[test]
fn outside_text_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let name = "evil\u{1b}]0;x\u{7}.json";
    std::fs::write(
        dir.path().join(name),
        "{\"name\":\"web\",\"status\":\"\\u001b[2J\",\"x\\u202e\":1}",
    )
    .unwrap();
    let path = dir.path().join(name);
    for peer in ["0.3.2", "current"] {
        let output = run(&["--peer", peer, path.to_str().unwrap()]);
        let text = stdout(&output);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{text:?}"
        );
        assert!(text.contains(r"evil\u{1b}]0;x\u{7}.json"), "{text}");
        let expected = if peer == "0.3.2" {
            r"unknown variant `\u{1b}[2J`"
        } else {
            r"ignores `x\u{202e}`"
        };
        assert!(text.contains(expected), "{text}");
    }
}

#[test]
fn not_utf8_is_rejected_by_every_peer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, b"{\"name\":\"\xff\"}").unwrap();
    let output = run(&[
        "--peer",
        "0.13.0",
        "--kind",
        "entry",
        path.to_str().unwrap(),
    ]);
    assert_exit(&output, 1);
    assert!(
        stdout(&output)
            .ends_with("bad.json: entry: mvm-guest 0.13.0 rejects it: the document is not UTF-8\n"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn closed_stdout_is_quiet() {
    let file = "wire-vectors/mvm-guest-0.13.0/manifest.pretty.json";
    let mut child = Command::new(BIN)
        .current_dir(fixtures())
        .args(["compat", "--peer", "0.3.2"])
        .args(std::iter::repeat_n(file, 2000))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(stderr(&output), "");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn other_write_errors_exit_2() {
    let Ok(full) = File::options().write(true).open("/dev/full") else {
        return;
    };
    let output = Command::new(BIN)
        .current_dir(fixtures())
        .args([
            "compat",
            "--peer",
            "0.3.2",
            "wire-vectors/mvm-guest-0.3.2/manifest.pretty.json",
        ])
        .stdout(full)
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert!(
        stderr(&output).starts_with("error: cannot write the output: "),
        "{}",
        stderr(&output)
    );
}
