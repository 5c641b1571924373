#![cfg(feature = "cli")]
//! End-to-end tests of `mvm-integrations reports`: lists of state reports from agents of
//! any version, exact output, exit codes, hostile guest text escaped.

mod support;
use support::assert_exit;
use support::is_unsafe;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use mvm_integrations::{IntegrationHealthResult, IntegrationStateReport, IntegrationStatus};
use proptest::prelude::*;

const BIN: &str = env!("CARGO_BIN_EXE_mvm-integrations");
const DIR: &str = "tests/fixtures/reports";

/// Runs `reports` from the crate's root, so that paths in messages are relative.
fn reports(args: &[&str]) -> Output {
    reports_with_stdin(args, None)
}

fn reports_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(BIN)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("reports")
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mvm-integrations");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(bytes).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn fixture(name: &str) -> String {
    format!("{DIR}/{name}")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// The good reports of a fixture, read with the library.
fn good_reports(name: &str) -> Vec<IntegrationStateReport> {
    let json =
        std::fs::read_to_string(format!("{}/{DIR}/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    IntegrationStateReport::parse_list(&json)
        .unwrap()
        .into_iter()
        .filter_map(Result::ok)
        .collect()
}

#[test]
fn text_of_each_published_agent() {
    for (version, snapshot) in [
        ("0.3.2", "reports_text_0.3.2"),
        ("0.13.0", "reports_text_0.13.0"),
    ] {
        let output = reports(&[&fixture(&format!("v{version}.json"))]);
        assert_exit(&output, 0);
        assert_eq!(text(&output.stderr), "");
        insta::assert_snapshot!(snapshot, text(&output.stdout));
    }
}

#[test]
fn unknown_statuses_are_kept_and_said_unknown() {
    let output = reports(&[&fixture("mixed.json")]);
    assert_exit(&output, 0);
    let stdout = text(&output.stdout);
    assert!(stdout.contains(" draining (unknown) "), "{stdout}");
    assert!(stdout.contains(" degraded (unknown) "), "{stdout}");
    assert!(stdout.contains(" starting "), "{stdout}");
    assert!(!stdout.contains("paused (unknown)"), "{stdout}");
    insta::assert_snapshot!("reports_text_mixed", stdout);

    let json = reports(&["--format", "json", &fixture("mixed.json")]);
    assert_exit(&json, 0);
    let stdout = text(&json.stdout);
    let again = IntegrationStateReport::parse_list(&stdout).unwrap();
    let again: Vec<_> = again.into_iter().map(Result::unwrap).collect();
    assert_eq!(again, good_reports("mixed.json"));
    assert!(matches!(again[2].status(), IntegrationStatus::Unknown(_)));
    insta::assert_snapshot!("reports_json_mixed", stdout);
}

#[test]
fn malformed_elements_are_said_with_file_index_and_position() {
    let file = fixture("malformed.json");
    let output = reports(&[&file]);
    assert_exit(&output, 1);
    let stderr = text(&output.stderr);
    let expected = [
        "3:45: error: element 1 skipped: invalid type: integer `5`, expected a string",
        "4:23: error: element 2 skipped: missing field `status`",
        "5:17: error: element 3 skipped: invalid type: string `not an object`, expected a state report object",
        "6:60: error: element 4 skipped: invalid value: integer `-1`, expected u64",
        "7:46: error: element 5 skipped: duplicate key `status`: expected each key once in an object",
    ];
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{stderr}");
    for (line, expected) in lines.iter().zip(expected) {
        assert_eq!(*line, format!("{file}:{expected}"));
    }
    insta::assert_snapshot!("reports_text_malformed", text(&output.stdout));

    let json = reports(&["--format", "json", &file]);
    assert_exit(&json, 1);
    assert_eq!(text(&json.stderr), stderr);
    assert_eq!(
        text(&json.stdout),
        format!(
            "{}\n",
            IntegrationStateReport::list_to_json(&good_reports("malformed.json"))
        )
    );
    insta::assert_snapshot!("reports_json_malformed", text(&json.stdout));
}

#[test]
fn hostile_guest_text_is_escaped_and_cut() {
    let output = reports(&[&fixture("hostile.json")]);
    assert_exit(&output, 0);
    let stdout = text(&output.stdout);
    assert_safe(&stdout, 4);
    assert!(stdout.contains(r"\u{1b}]0;pwned\u{7}evil"), "{stdout}");
    assert!(
        stdout.contains(r"error: boom\n::error::forged\r\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(r"\u{2066}hidden\u{2069} (unknown)"),
        "{stdout}"
    );
    assert!(stdout.contains("…[120 more bytes]"), "a long name is cut");
    assert!(stdout.contains("café ∑"), "printable text stays as it is");
    insta::assert_snapshot!("reports_text_hostile", stdout);

    // JSON keeps the exact values.
    let json = reports(&["--format", "json", &fixture("hostile.json")]);
    assert_exit(&json, 0);
    let again: Vec<IntegrationStateReport> =
        IntegrationStateReport::parse_list(&text(&json.stdout))
            .unwrap()
            .into_iter()
            .map(Result::unwrap)
            .collect();
    assert_eq!(again, good_reports("hostile.json"));
}

#[test]
fn several_files_get_a_file_column_and_one_json_list() {
    let files = [fixture("v0.3.2.json"), fixture("mixed.json")];
    let output = reports(&[&files[0], &files[1]]);
    assert_exit(&output, 0);
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("FILE "), "{stdout}");
    insta::assert_snapshot!("reports_text_two_files", stdout);

    let json = reports(&["--format", "json", &files[0], &files[1]]);
    assert_exit(&json, 0);
    let mut expected = good_reports("v0.3.2.json");
    expected.extend(good_reports("mixed.json"));
    assert_eq!(
        text(&json.stdout),
        format!("{}\n", IntegrationStateReport::list_to_json(&expected))
    );
}

#[test]
fn stdin_is_read_when_no_file_or_dash_is_given() {
    let bytes = std::fs::read(format!(
        "{}/{}",
        env!("CARGO_MANIFEST_DIR"),
        fixture("v0.13.0.json")
    ))
    .unwrap();
    let from_file = reports(&[&fixture("v0.13.0.json")]);
    for args in [&[][..], &["-"][..]] {
        let output = reports_with_stdin(args, Some(&bytes));
        assert_exit(&output, 0);
        assert_eq!(output.stdout, from_file.stdout);
    }
    let bad = reports_with_stdin(&[], Some(b"[{\"name\":\"a\"}]"));
    assert_exit(&bad, 1);
    assert_eq!(
        text(&bad.stderr),
        "<stdin>:1:13: error: element 0 skipped: missing field `status`\n"
    );
}

/// Exit codes: `(arguments, stdin, code, stderr)`.
#[test]
fn exit_codes() {
    let table: &[(&[&str], &[u8], i32, &str)] = &[
        (&["tests/fixtures/reports/v0.3.2.json"], b"", 0, ""),
        (&["-"], b"[]", 0, ""),
        (
            &["-"],
            b"[{\"name\":\"a\",\"status\":\"active\"},1]",
            1,
            "<stdin>:1:33: error: element 1 skipped: invalid type: integer `1`, expected a state report object\n",
        ),
        (
            &["tests/fixtures/reports/no-such.json"],
            b"",
            2,
            "tests/fixtures/reports/no-such.json: error: cannot read: no such file or directory (os error 2)\n",
        ),
        (
            &["-"],
            b"{\"name\":\"a\",\"status\":\"active\"}",
            2,
            "<stdin>:1:1: error: not a list of state reports: invalid type: map, expected a sequence\n",
        ),
        (
            &["-"],
            b"[1,",
            2,
            "<stdin>:1:3: error: not a list of state reports: unexpected end of input while parsing a value\n",
        ),
        (
            &["-"],
            b"[\n\"\xff\"]",
            2,
            "<stdin>:2:2: error: invalid UTF-8: expected a JSON list of state reports\n",
        ),
        // A file that is not a list is worse than a malformed element: the worst wins.
        (
            &["tests/fixtures/reports/malformed.json", "-"],
            b"null",
            2,
            "",
        ),
    ];
    for (args, stdin, code, stderr) in table {
        let output = reports_with_stdin(args, Some(stdin));
        assert_exit(&output, *code);
        if !stderr.is_empty() {
            assert_eq!(text(&output.stderr), *stderr, "{args:?}");
        }
    }
    let usage = reports(&["--format", "yaml", "-"]);
    assert_exit(&usage, 2);
    assert!(text(&usage.stdout).is_empty());
}

#[test]
#[cfg(target_os = "linux")]
fn a_failed_write_is_said_and_exits_1() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = Command::new(BIN)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["reports", &fixture("v0.3.2.json")])
        .stdout(full)
        .output()
        .unwrap();
    assert_exit(&output, 1);
    assert!(
        text(&output.stderr).starts_with("mvm-integrations: cannot write output: "),
        "{}",
        text(&output.stderr)
    );
}

/// The text output of `rows` reports: a header, one line per report, a summary line, and no
/// unsafe character anywhere but the line ends.
#[track_caller]
fn assert_safe(stdout: &str, rows: usize) {
    assert!(stdout.ends_with('\n'));
    assert_eq!(stdout.lines().count(), rows + 2, "{stdout}");
    for line in stdout.lines() {
        if let Some(c) = line.chars().find(|&c| is_unsafe(c)) {
            panic!("raw {c:?} in {line:?}");
        }
    }
}

fn hostile_report() -> impl Strategy<Value = IntegrationStateReport> {
    (
        support::hostile_string(100),
        support::hostile_string(100),
        support::hostile_string(100),
        support::hostile_string(100),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(name, detail, at, status_text, healthy, unknown)| {
            // An unknown status named by the text, or an error with it as detail.
            let quoted = serde_json::Value::String(status_text.clone()).to_string();
            let status = IntegrationStatus::from_json(&quoted)
                .ok()
                .filter(|_| unknown)
                .unwrap_or(IntegrationStatus::Error(status_text));
            IntegrationStateReport::new(name, status)
                .with_last_checkpoint_at(at.clone())
                .with_health(IntegrationHealthResult::new(healthy, detail, at))
        })
}

proptest! {
    // Each case runs the binary once, on a list of several reports.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn guest_text_never_puts_an_unsafe_character_on_stdout(
        list in prop::collection::vec(hostile_report(), 1..8),
    ) {
        let json = IntegrationStateReport::list_to_json_compact(&list);
        let output = reports_with_stdin(&[], Some(json.as_bytes()));
        prop_assert_eq!(output.status.code(), Some(0));
        assert_safe(&text(&output.stdout), list.len());
    }
}

/// `--format json` keeps the guests' exact strings, with the characters the escaping rule
/// covers written as JSON `\u` escapes, so the list is the same and safe on a terminal.
#[test]
fn json_output_keeps_hostile_values_exactly_and_safely() {
    let input = "tests/fixtures/reports/hostile.json";
    let output = reports(&["--format", "json", input]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        !stdout.chars().any(|c| c != '\n' && is_unsafe(c)),
        "{stdout:?}"
    );
    assert!(stdout.contains(r"\u202e"), "{stdout}");
    let text =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(input))
            .unwrap();
    let expected: Vec<IntegrationStateReport> = IntegrationStateReport::parse_list(&text)
        .unwrap()
        .into_iter()
        .filter_map(Result::ok)
        .collect();
    assert_eq!(
        IntegrationStateReport::parse_list(&stdout)
            .unwrap()
            .into_iter()
            .map(Result::unwrap)
            .collect::<Vec<_>>(),
        expected
    );
}
