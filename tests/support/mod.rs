//! Helpers shared by the test files (each includes this module with `mod support;`).

#![allow(dead_code)] // each test file uses some of them

/// Characters a terminal or a reader must never receive raw: controls (C0, DEL, C1), bidi
/// controls and invisible formatting characters. Written out independently of the crate's
/// `Escaped`, as the oracle the escaping tests check it against.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// Runs the test `test` of the current test binary again as the unprivileged user `nobody`,
/// with `key=value` in its environment, and checks that it passed and printed `done`. Tests
/// run as root, where file modes do not stop reads; as `nobody` the kernel answers EACCES.
#[cfg(unix)]
pub fn rerun_as_nobody(test: &str, key: &str, value: &std::ffi::OsStr, done: &str) {
    use std::os::unix::process::CommandExt;
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(key, value)
        .uid(65534)
        .gid(65534)
        .output()
        .expect("run the test as nobody");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains(done), "{stdout}");
}

/// Strings of up to `max_len` characters, rich in the characters the escaping rule is about
/// and in the ones the output formats treat specially (quotes, braces, `%`, `:`, `,`).
pub fn hostile_string(max_len: usize) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let interesting = prop_oneof![
        any::<char>(),
        prop::sample::select(vec![
            '\u{1b}',
            '\u{7}',
            '\n',
            '\r',
            '\t',
            '\\',
            '\u{7f}',
            '\u{9b}',
            '\u{202e}',
            '\u{2066}',
            '\u{200b}',
            '\u{feff}',
            '\u{2028}',
            '\u{e0041}',
            '\u{ad}',
            'x',
            'u',
            '{',
            '}',
            '"',
            ':',
            ',',
            '%',
        ]),
    ];
    prop::collection::vec(interesting, 0..max_len).prop_map(|v| v.into_iter().collect())
}

/// Checks a command's exit code, showing its output when it is not `code`.
#[track_caller]
pub fn assert_exit(output: &std::process::Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
