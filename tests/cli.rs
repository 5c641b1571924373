#![cfg(feature = "cli")]
//! End-to-end tests of the `mvm-integrations` binary: exact output and exit codes.

mod support;
use support::assert_exit;
use support::is_unsafe;

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mvm_integrations::{IntegrationManifest, load_dropin_dir};

const BIN: &str = env!("CARGO_BIN_EXE_mvm-integrations");

/// Runs the binary in `cwd` with `args`.
fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("run mvm-integrations")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary directory holding `integrations.d/` with one drop-in of each kind of
/// finding: a good entry, a typo, a bad value, a duplicate, a FIFO and a mask.
fn messy() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("integrations.d");
    fs::create_dir(&dir).unwrap();
    let write = |name: &str, text: &str| fs::write(dir.join(name), text).unwrap();
    write(
        "10-whatsapp.json",
        r#"{"name": "whatsapp", "checkpoint_cmd": "/opt/wa/checkpoint", "critical": true}"#,
    );
    write(
        "20-typo.json",
        "{\n  \"name\": \"signal\",\n  \"checkpoint_cmd\": \"/opt/signal/checkpoint\",\n  \"critcal\": true\n}\n",
    );
    write(
        "30-bad.json",
        "{\n  \"name\": \"worker\",\n  \"health_interval_secs\": 0\n}\n",
    );
    write("40-dup.json", r#"{"name": "whatsapp"}"#);
    rustix::fs::mkfifoat(rustix::fs::CWD, dir.join("50-fifo.json"), 0o644.into()).unwrap();
    write("60-masked.json", "");
    write("README.md", "not a drop-in");
    root
}

#[test]
fn check_on_the_example_directory_is_clean() {
    let output = run(&manifest_dir(), &["check", "examples/integrations.d"]);
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        "checked 4 files in 1 directory: 4 entries, 0 errors, 0 warnings\n"
    );
    assert_eq!(stderr(&output), "");
}

#[test]
fn check_prints_each_finding_with_its_position_then_a_summary_and_exits_1() {
    let root = messy();
    let output = run(root.path(), &["check", "integrations.d"]);
    assert_exit(&output, 1);
    insta::assert_snapshot!("check_text", stdout(&output));
    assert_eq!(stderr(&output), "");
}

#[test]
fn check_json_is_one_machine_readable_document() {
    let root = messy();
    let output = run(
        root.path(),
        &["check", "--format", "json", "integrations.d"],
    );
    assert_exit(&output, 1);
    let text = stdout(&output);
    insta::assert_snapshot!("check_json", text);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("one JSON document");
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["summary"]["errors"], 3);
    assert_eq!(doc["summary"]["warnings"], 1);
    assert_eq!(doc["diagnostics"][0]["code"], "unknown-field");
    assert_eq!(doc["diagnostics"][0]["line"], 4);
}

#[test]
fn warnings_alone_exit_0_unless_denied() {
    let root = tempfile::tempdir().unwrap();
    fs::write(
        root.path().join("a.json"),
        r#"{"name": "a", "checkpoint_cmd": "c", "critcal": true}"#,
    )
    .unwrap();

    let output = run(root.path(), &["check", "."]);
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        "./a.json:1:38: warning: unknown field `critcal` is ignored: did you mean `critical`?\n\
         checked 1 file in 1 directory: 1 entry, 0 errors, 1 warning\n"
    );

    let output = run(root.path(), &["check", "--deny-warnings", "."]);
    assert_exit(&output, 1);
    assert_eq!(
        stdout(&output),
        "./a.json:1:38: warning: unknown field `critcal` is ignored: did you mean `critical`?\n\
         checked 1 file in 1 directory: 1 entry, 0 errors, 1 warning (warnings denied)\n"
    );

    let output = run(
        root.path(),
        &["check", "--deny-warnings", "--format", "json", "."],
    );
    assert_exit(&output, 1);
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["summary"]["deny_warnings"], true);
}

#[test]
fn check_layers_directories_and_notes_missing_ones() {
    let root = tempfile::tempdir().unwrap();
    fs::create_dir(root.path().join("etc")).unwrap();
    fs::create_dir(root.path().join("usr")).unwrap();
    fs::write(root.path().join("usr/10-a.json"), r#"{"name": "a"}"#).unwrap();
    fs::write(root.path().join("usr/20-b.json"), r#"{"name": "b"}"#).unwrap();
    symlink("/dev/null", root.path().join("etc/20-b.json")).unwrap();

    let output = run(root.path(), &["check", "etc", "nope", "usr"]);
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        "nope: warning: no such directory: nothing to load from it\n\
         etc/20-b.json: note: masked: an empty file or a link to `/dev/null` hides this name\n\
         checked 2 files in 3 directories (1 missing): 1 entry, 1 masked, 0 errors, 1 warning\n"
    );

    let output = run(root.path(), &["manifest", "etc", "nope", "usr"]);
    assert_exit(&output, 0);
    let manifest = IntegrationManifest::from_json(&stdout(&output)).unwrap();
    assert_eq!(manifest.len(), 1);
    assert_eq!(manifest.entries()[0].name(), "a");
}

#[test]
fn check_without_directories_reads_the_default_one() {
    let root = tempfile::tempdir().unwrap();
    let output = run(root.path(), &["check", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(doc["directories"][0]["path"], "/etc/mvm/integrations.d");
    assert_eq!(doc["summary"]["directories"], 1);
    // With the default directory, a missing one stays a note.
    if doc["directories"][0]["status"] == "missing" {
        assert_eq!(doc["diagnostics"][0]["severity"], "note");
        assert_eq!(doc["diagnostics"][0]["code"], "missing-directory");
        assert_eq!(doc["summary"]["warnings"], 0);
    }
}

#[test]
fn manifest_prints_exactly_what_the_emitter_writes() {
    let dir = manifest_dir().join("examples/integrations.d");
    let output = run(&manifest_dir(), &["manifest", "examples/integrations.d"]);
    assert_exit(&output, 0);
    let expected = format!("{}\n", load_dropin_dir(&dir).manifest().to_json());
    assert_eq!(stdout(&output), expected);
    assert_eq!(stderr(&output), "");
    insta::assert_snapshot!("manifest_examples", stdout(&output));
}

#[test]
fn manifest_with_an_error_prints_nothing_on_stdout_and_exits_1() {
    let root = messy();
    let output = run(root.path(), &["manifest", "integrations.d"]);
    assert_exit(&output, 1);
    assert_eq!(stdout(&output), "");
    insta::assert_snapshot!("manifest_errors_stderr", stderr(&output));
}

#[test]
fn manifest_prints_warnings_on_stderr_and_the_manifest_on_stdout() {
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("a.json"), "\u{feff}{\"name\": \"a\"}").unwrap();
    let output = run(root.path(), &["manifest", "."]);
    assert_exit(&output, 0);
    assert_eq!(
        stderr(&output),
        "./a.json:1:1: warning: byte-order mark is ignored: expected UTF-8 without a byte-order mark\n"
    );
    assert_eq!(
        stdout(&output),
        format!(
            "{}\n",
            IntegrationManifest::from_json(r#"{"integrations": [{"name": "a"}]}"#)
                .unwrap()
                .to_json()
        )
    );
}

#[test]
fn usage_errors_exit_2() {
    let root = tempfile::tempdir().unwrap();
    for args in [
        &["check", "--format", "yaml"][..],
        &["lint"][..],
        &[][..],
        &["check", "--max-file-size", "big"][..],
    ] {
        let output = run(root.path(), args);
        assert_exit(&output, 2);
        assert_eq!(stdout(&output), "", "{args:?}");
    }
}

#[test]
fn a_tiny_size_cap_from_the_command_line_applies() {
    let output = run(
        &manifest_dir(),
        &["check", "--max-file-size", "8", "examples/integrations.d"],
    );
    assert_exit(&output, 1);
    let text = stdout(&output);
    assert!(text.contains(
        "examples/integrations.d/10-whatsapp.json: error: file is larger than 8 bytes: expected a drop-in of at most 8 bytes\n"
    ), "{text}");
    assert!(text.ends_with("checked 4 files in 1 directory: 0 entries, 4 errors, 0 warnings\n"));
}

/// Tests run as root, where a mode of 000 does not stop reads: run the binary as `nobody`
/// so that the kernel answers EACCES.
#[test]
fn an_unreadable_file_is_an_error_for_an_unprivileged_user() {
    use std::os::unix::process::CommandExt;
    let root = tempfile::tempdir().unwrap();
    fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let secret = root.path().join("secret.json");
    fs::write(&secret, r#"{"name": "secret"}"#).unwrap();
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();

    let mut command = Command::new(BIN);
    command.current_dir(root.path()).args(["check", "."]);
    if fs::read(&secret).is_ok() {
        command.uid(65534).gid(65534);
    }
    let output = command.output().expect("run mvm-integrations");
    assert_exit(&output, 1);
    assert_eq!(
        stdout(&output),
        "./secret.json: error: cannot open file: permission denied (os error 13)\n\
         checked 1 file in 1 directory: 0 entries, 1 error, 0 warnings\n"
    );
}

/// docs/cli.md shows `check`'s text output on the same messy directory: keep it true.
#[test]
fn the_docs_show_the_real_check_output() {
    let docs = fs::read_to_string(manifest_dir().join("docs/cli.md")).unwrap();
    let section = docs
        .split("## `check`")
        .nth(1)
        .expect("docs/cli.md has a `check` section");
    let block = section
        .split("```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the linter section has a text block");
    let root = messy();
    let output = run(root.path(), &["check", "integrations.d"]);
    assert_eq!(block, stdout(&output));
}

/// Each line of `text` without its newline: none may hold an unsafe character.
#[track_caller]
fn assert_safe_lines(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    for line in &lines {
        assert!(!line.chars().any(is_unsafe), "unsafe character in {line:?}");
    }
    lines
}

#[test]
fn hostile_keys_and_names_never_forge_a_line_in_check_or_manifest() {
    let root = tempfile::tempdir().unwrap();
    let key = "x\n./fake.json: checked 0 files\u{1b}]0;pwned\u{7}\u{1b}[8m\u{202e}";
    let name = "a\nchecked 0 files\u{1b}[2J.json";
    let text = format!(
        r#"{{"name": "a", {}: 1, "critical": "yes"}}"#,
        serde_json::to_string(key).unwrap()
    );
    fs::write(root.path().join(name), &text).unwrap();
    let text = format!(
        r#"{{"name": "b", {}: 1}}"#,
        serde_json::to_string(key).unwrap()
    );
    fs::write(root.path().join("b.json"), &text).unwrap();

    let output = run(root.path(), &["check", "."]);
    let text = stdout(&output);
    let lines = assert_safe_lines(&text);
    // One error, one warning, the summary: nothing else starts a line.
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(lines[2].starts_with("checked 2 files"), "{lines:#?}");

    let output = run(root.path(), &["manifest", "."]);
    let text = stderr(&output);
    let lines = assert_safe_lines(&text);
    assert_eq!(lines.len(), 3, "{lines:#?}");

    // JSON keeps the exact values.
    let output = run(root.path(), &["check", "--format", "json", "."]);
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(doc["diagnostics"][0]["path"], format!("./{name}"));
}

#[test]
fn writing_to_a_full_device_is_an_error() {
    // Each of these exits 0 when its output can be written.
    for args in [
        &["check", "examples/integrations.d"][..],
        &["check", "--format", "json", "examples/integrations.d"][..],
        &["manifest", "examples/integrations.d"][..],
        &["schema", "manifest"][..],
    ] {
        assert_exit(&run(&manifest_dir(), args), 0);
        let output = Command::new(BIN)
            .current_dir(manifest_dir())
            .args(args)
            .stdout(fs::File::create("/dev/full").unwrap())
            .output()
            .expect("run mvm-integrations");
        assert_exit(&output, 1);
        assert_eq!(
            stderr(&output),
            "mvm-integrations: cannot write output: no space left on device (os error 28)\n",
            "{args:?}"
        );
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = Command::new(BIN)
        .current_dir(manifest_dir())
        .args(["check", "examples/integrations.d"])
        .stdout(writer)
        .output()
        .expect("run mvm-integrations");
    assert_exit(&output, 0);
    assert_eq!(stderr(&output), "");
}

#[test]
fn absurd_caps_are_usage_errors_that_state_the_range() {
    let root = tempfile::tempdir().unwrap();
    #[rustfmt::skip]
    let table: &[(&[&str], &str)] = &[
        (&["check", "--max-file-size", "18446744073709551615"], "18446744073709551615 is not in 1..=16777216"),
        (&["check", "--max-file-size", "0"], "0 is not in 1..=16777216"),
        (&["manifest", "--max-files", "0"], "0 is not in 1..=65536"),
        (&["check", "--max-files", "100000000"], "100000000 is not in 1..=65536"),
    ];
    for (args, expected) in table {
        let output = run(root.path(), args);
        assert_exit(&output, 2);
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn verbose_check_shows_the_skipped_hidden_and_backup_names() {
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("10-a.json"), r#"{"name": "a"}"#).unwrap();
    symlink("user@host.1234", root.path().join(".#10-a.json")).unwrap();
    fs::write(root.path().join("._10-a.json"), [0u8, 5, 22]).unwrap();
    fs::write(root.path().join("10-a.json~"), "{").unwrap();
    fs::write(root.path().join("10-a.json.dpkg-old"), "{").unwrap();

    let output = run(root.path(), &["check", "."]);
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        "checked 1 file in 1 directory: 1 entry, 0 errors, 0 warnings\n"
    );

    let output = run(root.path(), &["check", "--verbose", "."]);
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        "./.#10-a.json: note: skipped: a hidden or backup name is never a drop-in\n\
         ./._10-a.json: note: skipped: a hidden or backup name is never a drop-in\n\
         ./10-a.json.dpkg-old: note: skipped: a hidden or backup name is never a drop-in\n\
         ./10-a.json~: note: skipped: a hidden or backup name is never a drop-in\n\
         checked 1 file in 1 directory: 1 entry, 0 errors, 0 warnings\n"
    );
}

/// The text output escapes outside text; the JSON output keeps it exact, and JSON's own
/// escaping makes it safe.
#[test]
fn check_json_keeps_exact_values_that_text_escapes() {
    let root = tempfile::tempdir().unwrap();
    let key = "x\u{1b}]0;pwned\u{7}\u{202e}";
    fs::write(
        root.path().join("a.json"),
        format!(
            "{{\"name\": \"a\", {}: 1}}",
            serde_json::to_string(key).unwrap()
        ),
    )
    .unwrap();

    let text = stdout(&run(root.path(), &["check", "."]));
    assert!(
        text.contains(r"unknown field `x\u{1b}]0;pwned\u{7}\u{202e}` is ignored"),
        "{text}"
    );
    assert!(!text.chars().any(|c| c != '\n' && is_unsafe(c)), "{text:?}");

    let json = stdout(&run(root.path(), &["check", ".", "--format", "json"]));
    assert!(!json.chars().any(|c| c != '\n' && is_unsafe(c)), "{json:?}");
    let document: serde_json::Value = serde_json::from_str(&json).unwrap();
    let message = document["diagnostics"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "unknown field `{key}` is ignored: expected one of"
        )),
        "{message:?}"
    );
}
