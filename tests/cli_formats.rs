#![cfg(feature = "cli")]
//! End-to-end tests of `check --format github|sarif`: exact output over the examples and over
//! a directory of hostile names, each escaped once, as its format requires; exit codes the
//! same in every format.

mod support;
use support::is_unsafe;

use std::path::Path;
use std::process::{Command, Output};

use mvm_integrations::load_dropin_dir;
use proptest::prelude::*;

const BIN: &str = env!("CARGO_BIN_EXE_mvm-integrations");
const FORMATS: [&str; 4] = ["text", "json", "github", "sarif"];

fn check(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .arg("check")
        .args(args)
        .output()
        .expect("run mvm-integrations")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

#[track_caller]
fn assert_no_unsafe_character(out: &str) {
    for line in out.lines() {
        if let Some(c) = line.chars().find(|&c| is_unsafe(c)) {
            panic!("raw {c:?} in {line:?}");
        }
    }
}

/// Runs `check` in every format with `args`, asserts one exit code for all, and returns it
/// with the github and sarif outputs.
#[track_caller]
fn every_format(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut codes = Vec::new();
    let mut outputs = Vec::new();
    for format in FORMATS {
        let mut all = vec!["--format", format];
        all.extend_from_slice(args);
        let output = check(dir, &all);
        assert!(
            output.stderr.is_empty(),
            "{format}: {}",
            text(&output.stderr)
        );
        codes.push(output.status.code().expect("an exit code"));
        outputs.push(text(&output.stdout));
    }
    assert!(
        codes.iter().all(|&c| c == codes[0]),
        "exit codes per format {FORMATS:?}: {codes:?}"
    );
    let sarif = outputs.pop().unwrap();
    let github = outputs.pop().unwrap();
    (codes[0], github, sarif)
}

#[test]
fn examples_in_github_and_sarif() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, github, sarif) = every_format(root, &["examples/integrations.d"]);
    assert_eq!(code, 0);
    assert_eq!(
        github,
        "checked 4 files in 1 directory: 4 entries, 0 errors, 0 warnings\n"
    );
    let text = text(&check(root, &["examples/integrations.d"]).stdout);
    assert_eq!(github, text, "the summary line is the text format's");
    let log: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    insta::assert_snapshot!("check_github_examples", github);
    insta::assert_snapshot!("check_sarif_examples", sarif);
}

/// A directory `drop-ins` whose names and contents hold `%`, `,`, `:`, a newline and ESC.
#[cfg(unix)]
fn hostile() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("drop-ins");
    std::fs::create_dir(&dir).unwrap();
    let files: [(&str, &str); 5] = [
        // A parse error.
        (
            "10-100%,a:b.json",
            "{\"name\": \"pct\",\n \"health_interval_secs\": 0}",
        ),
        // An unknown field whose key holds ESC, a newline, `%`, `,` and `:`.
        (
            "20-x\ny.json",
            r#"{"name": "nl", "\u001b[31mred\n%0A,::error::x": 1}"#,
        ),
        // Two files with one name: the later one's message quotes the earlier one's path.
        ("30-a\u{1b}]0;t\u{7}:dup.json", r#"{"name": "dup"}"#),
        ("40-b,dup%.json", r#"{"name": "dup"}"#),
        // Masked: a note.
        ("50-masked:%.json", ""),
    ];
    for (name, json) in files {
        std::fs::write(dir.join(name), json).unwrap();
    }
    root
}

#[test]
#[cfg(unix)]
fn hostile_names_in_github_and_sarif() {
    let root = hostile();
    let (code, github, sarif) = every_format(root.path(), &["drop-ins"]);
    assert_eq!(code, 1);

    // github: one command per finding, then the summary line; the crate's rule once, then
    // GitHub's.
    assert_no_unsafe_character(&github);
    let lines: Vec<&str> = github.lines().collect();
    let text_out = text(&check(root.path(), &["drop-ins"]).stdout);
    assert_eq!(lines.len(), text_out.lines().count(), "{github}");
    assert_eq!(
        lines.last().copied(),
        text_out.lines().last(),
        "the same summary line"
    );
    assert!(lines[..lines.len() - 1].iter().all(|l| l.starts_with("::")));
    assert!(
        github.contains(r"file=drop-ins/20-x\ny.json,line=1,col=16,title=unknown-field::"),
        "{github}"
    );
    assert!(
        github.contains(r"unknown field `\u{1b}[31mred\n%250A,::error::x` is ignored"),
        "escaped once, `%` for GitHub: {github}"
    );
    assert!(
        github.contains(r"already declared in `drop-ins/30-a\u{1b}]0;t\u{7}:dup.json`"),
        "{github}"
    );
    assert!(
        !github.contains(r"\\u{1b}") && !github.contains(r"\\n"),
        "escaped twice: {github}"
    );
    assert!(github.contains("file=drop-ins/10-100%25%2Ca%3Ab.json,line=2,col=26"));
    insta::assert_snapshot!("check_github_hostile", github);

    // sarif: exact values, every unsafe character a JSON escape.
    assert_no_unsafe_character(&sarif);
    let log: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let message = |code: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == code)
            .map(|r| r["message"]["text"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(
        message("unknown-field").split(": expected one of").next(),
        Some("unknown field `\u{1b}[31mred\n%0A,::error::x` is ignored")
    );
    assert!(
        message("duplicate-name").contains("`drop-ins/30-a\u{1b}]0;t\u{7}:dup.json`"),
        "exact path in the message"
    );
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains(&"drop-ins/20-x%0Ay.json"), "{uris:?}");
    insta::assert_snapshot!("check_sarif_hostile", sarif);
}

/// Exit codes agree in every format: warnings alone, denied or not; a missing directory.
#[test]
#[cfg(unix)]
fn exit_codes_are_the_same_in_every_format() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("warn");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("a.json"), r#"{"name": "a", "nmae": 1}"#).unwrap();
    let table: &[(&[&str], i32)] = &[
        (&["warn"], 0),
        (&["--deny-warnings", "warn"], 1),
        (&["missing"], 0),
        (&["--deny-warnings", "missing"], 1),
    ];
    for (args, expected) in table {
        let (code, github, _) = every_format(root.path(), args);
        assert_eq!(code, *expected, "{args:?}");
        assert!(github.lines().last().unwrap().starts_with("checked "));
    }
    let hostile = hostile();
    let (code, ..) = every_format(hostile.path(), &["--deny-warnings", "drop-ins"]);
    assert_eq!(code, 1);
    let usage = check(root.path(), &["--format", "xml", "warn"]);
    assert_eq!(usage.status.code(), Some(2));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The raw message holds the outside value as it was (here an unknown field's name),
    /// while the message escapes it.
    #[test]
    fn raw_message_undoes_the_escapes(field in "[\\\\\u{1b}\n\t\r\u{202e}\u{200b}a-z{}%:,é]{1,40}") {
        let dir = tempfile::tempdir().unwrap();
        let json = serde_json::json!({"name": "a", field.clone(): 1}).to_string();
        std::fs::write(dir.path().join("a.json"), json).unwrap();
        let outcome = load_dropin_dir(dir.path());
        let diagnostic = outcome.diagnostics().find(|d| d.code() == "unknown-field").unwrap();
        let shown = mvm_integrations::Escaped::quoted(&field).to_string();
        let expected_message = format!("unknown field `{shown}` is ignored");
        let expected_raw = format!("unknown field `{field}` is ignored");
        prop_assert!(diagnostic.message().starts_with(&expected_message));
        let raw = diagnostic.raw_message();
        prop_assert!(raw.starts_with(expected_raw.as_bytes()), "{:?}", String::from_utf8_lossy(&raw));
        prop_assert!(!diagnostic.message().chars().any(is_unsafe));
    }
}

/// Names that are not UTF-8: `\xff` in github (the crate's rule), `%FF` in a SARIF uri; in
/// a message (a symlink's target), U+FFFD in the raw text SARIF keeps.
#[test]
#[cfg(target_os = "linux")]
fn non_utf8_names() {
    use std::os::unix::ffi::OsStrExt;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("drop-ins");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("a.json"), r#"{"name": "a"}"#).unwrap();
    let bad = std::ffi::OsStr::from_bytes(b"b\xff.json");
    std::fs::write(dir.join(bad), r#"{"name": "a"}"#).unwrap();
    std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(b"t\xfe"), dir.join("c.json")).unwrap();
    let (code, github, sarif) = every_format(root.path(), &["drop-ins"]);
    assert_eq!(code, 1);
    assert_no_unsafe_character(&github);
    assert!(
        github.starts_with(r"::error file=drop-ins/b\xff.json,title=non-utf8-file-name::"),
        "{github}"
    );
    let log: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let result = &log["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "drop-ins/b%FF.json"
    );
    assert!(github.contains(r"dangling symlink to `t\xfe`"), "{github}");
    let dangling = &log["runs"][0]["results"][1];
    assert_eq!(dangling["ruleId"], "dangling-symlink");
    assert!(
        dangling["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("dangling symlink to `t\u{fffd}`"),
        "{dangling}"
    );
    insta::assert_snapshot!("check_github_non_utf8", github);
}

/// `Diagnostic::raw_message` on messages given to `Diagnostic::new`: `(message, raw)`.
#[test]
fn raw_message_table() {
    use mvm_integrations::{Diagnostic, Severity};
    let table: &[(&str, &[u8])] = &[
        ("plain", b"plain"),
        (r"a\\b", br"a\b"),
        (r"\n\r\t", b"\n\r\t"),
        (r"\u{1b}[0m \u{202e}", "\u{1b}[0m \u{202e}".as_bytes()),
        (r"bad\xff\xfe.json", b"bad\xff\xfe.json"),
        // A backslash that starts no escape of the rule is kept.
        (
            r"C:\dir \q \u{zz} \u{110000} \x4 \",
            br"C:\dir \q \u{zz} \u{110000} \x4 \",
        ),
    ];
    for (message, raw) in table {
        let d = Diagnostic::new(
            Severity::Note,
            "note",
            Path::new("x"),
            None,
            (*message).to_owned(),
        );
        assert_eq!(&*d.raw_message(), *raw, "{message:?}");
    }
}
