//! Every error message, pinned next to the input that produces it.
//!
//! Messages are lowercase with no final period, put the bad value in backticks and say
//! what was expected. Parse errors end with serde_json's position.

use mvm_integrations::{
    IntegrationEntry, IntegrationManifest, IntegrationName, IntegrationStateReport,
    IntegrationStatus,
};

#[track_caller]
fn check_table(table: &[(&str, &str)], f: impl Fn(&str) -> Option<String>) {
    let mut failures = Vec::new();
    for (input, expected) in table {
        match f(input) {
            Some(got) if got == *expected => {}
            got => failures.push(format!(
                "{input:?}\n  expected: {expected:?}\n       got: {got:?}"
            )),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn integration_name() {
    let too_long = "a".repeat(65);
    let huge = format!("{}/", "b".repeat(200));
    let table: &[(&str, &str)] = &[
        ("", "invalid integration name: must not be empty"),
        (
            &too_long,
            "invalid integration name `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`: must be at most 64 bytes, got 65",
        ),
        (
            &huge,
            "invalid integration name `bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb…[121 more bytes]`: must be at most 64 bytes, got 201",
        ),
        (
            "../etc",
            "invalid integration name `../etc`: must not contain `/`",
        ),
        (
            "a/b",
            "invalid integration name `a/b`: must not contain `/`",
        ),
        (
            "my app",
            "invalid integration name `my app`: must not contain ` `",
        ),
        ("é", "invalid integration name `é`: must not contain `é`"),
        (
            "café",
            "invalid integration name `café`: must not contain `é`",
        ),
        (
            "a\nb",
            "invalid integration name `a\\nb`: must not contain `\\n`",
        ),
        (
            "\t",
            "invalid integration name `\\t`: must not contain `\\t`",
        ),
        (
            "a\0",
            "invalid integration name `a\\u{0}`: must not contain `\\0`",
        ),
        (
            "a\u{7f}",
            "invalid integration name `a\\u{7f}`: must not contain `\\u{7f}`",
        ),
        (
            "a\u{301}",
            "invalid integration name `a\u{301}`: must not contain `\\u{301}`",
        ),
        (
            "a\"b",
            "invalid integration name `a\"b`: must not contain `\"`",
        ),
        (
            "a'b",
            "invalid integration name `a'b`: must not contain `'`",
        ),
        (
            "a\\b",
            "invalid integration name `a\\\\b`: must not contain `\\`",
        ),
        (
            "a:b",
            "invalid integration name `a:b`: must not contain `:`",
        ),
        (
            ".",
            "invalid integration name `.`: must start with a letter or a digit, not `.`",
        ),
        (
            "..",
            "invalid integration name `..`: must start with a letter or a digit, not `.`",
        ),
        (
            ".hidden",
            "invalid integration name `.hidden`: must start with a letter or a digit, not `.`",
        ),
        (
            "-x",
            "invalid integration name `-x`: must start with a letter or a digit, not `-`",
        ),
        (
            "_x",
            "invalid integration name `_x`: must start with a letter or a digit, not `_`",
        ),
        // The byte set is checked before the first character.
        (
            "-a/b",
            "invalid integration name `-a/b`: must not contain `/`",
        ),
    ];
    check_table(table, |input| {
        IntegrationName::new(input).err().map(|e| e.to_string())
    });
}

#[test]
fn integration_entry_builder() {
    let table: &[(&str, &str)] = &[
        (
            "health_interval_secs=0",
            "invalid `health_interval_secs` value `0`: must be between 1 and 86400",
        ),
        (
            "health_interval_secs=86401",
            "invalid `health_interval_secs` value `86401`: must be between 1 and 86400",
        ),
        (
            "health_timeout_secs=0",
            "invalid `health_timeout_secs` value `0`: must be between 1 and 86400",
        ),
        (
            "health_timeout_secs=18446744073709551615",
            "invalid `health_timeout_secs` value `18446744073709551615`: must be between 1 and 86400",
        ),
        (
            "startup_grace_secs=86401",
            "invalid `startup_grace_secs` value `86401`: must be between 0 and 86400",
        ),
    ];
    check_table(table, |input| {
        let (field, value) = input.split_once('=').unwrap();
        let value: u64 = value.parse().unwrap();
        let builder = IntegrationEntry::builder(IntegrationName::new("a").unwrap());
        let builder = match field {
            "health_interval_secs" => builder.health_interval_secs(value),
            "health_timeout_secs" => builder.health_timeout_secs(value),
            _ => builder.startup_grace_secs(value),
        };
        builder.build().err().map(|e| e.to_string())
    });
}

#[test]
fn integration_entry_json() {
    let table: &[(&str, &str)] = &[
        (
            r#"{"name":"../etc"}"#,
            "invalid integration name `../etc`: must not contain `/` at line 1 column 16",
        ),
        (
            r#"{"name":""}"#,
            "invalid integration name: must not be empty at line 1 column 10",
        ),
        (
            r#"{"name":"x","health_interval_secs":0}"#,
            "invalid `health_interval_secs` value `0`: must be between 1 and 86400 at line 1 column 36",
        ),
        (
            r#"{"name":"x","health_timeout_secs":-5}"#,
            "invalid `health_timeout_secs` value `-5`: must be between 1 and 86400 at line 1 column 36",
        ),
        (
            r#"{"name":"x","startup_grace_secs":86401}"#,
            "invalid `startup_grace_secs` value `86401`: must be between 0 and 86400 at line 1 column 38",
        ),
        (
            r#"{"name":"x","health_interval_secs":1.5}"#,
            "invalid type: floating point `1.5`, expected `health_interval_secs` as an integer between 1 and 86400 at line 1 column 38",
        ),
        (
            r#"{"name":"x","startup_grace_secs":"45"}"#,
            "invalid type: string \"45\", expected `startup_grace_secs` as an integer between 0 and 86400 at line 1 column 37",
        ),
        ("{}", "missing field `name` at line 1 column 2"),
        (
            r#"{"name":"x","name":"y"}"#,
            "duplicate field `name` at line 1 column 23",
        ),
        (
            r#"{"name":"x","critical":"yes"}"#,
            "invalid type: string \"yes\", expected a boolean at line 1 column 28",
        ),
        (
            r#"{"name":7}"#,
            "invalid type: integer `7`, expected an integration name string at line 1 column 9",
        ),
        (
            "[]",
            "invalid type: sequence, expected an integration entry object at line 1 column 2",
        ),
    ];
    check_table(table, |input| {
        IntegrationEntry::from_json(input)
            .err()
            .map(|e| e.to_string())
    });
}

#[test]
fn integration_manifest_json() {
    let table: &[(&str, &str)] = &[
        ("{}", "missing field `integrations` at line 1 column 2"),
        (
            r#"{"integrations":{}}"#,
            "invalid type: map, expected a sequence at line 1 column 16",
        ),
        (
            "{\n  \"integrations\": [\n    {\"name\": \"a b\"}\n  ]\n}",
            "invalid integration name `a b`: must not contain ` ` at line 3 column 18",
        ),
    ];
    check_table(table, |input| {
        IntegrationManifest::from_json(input)
            .err()
            .map(|e| e.to_string())
    });
}

#[test]
fn integration_status_json() {
    let table: &[(&str, &str)] = &[
        (
            r#"{"error":5}"#,
            "invalid type: integer `5`, expected a string at line 1 column 10",
        ),
        (
            r#""error""#,
            "invalid status `error`: expected an object with the detail, like `{\"error\": \"...\"}` at line 1 column 7",
        ),
        (
            "{}",
            "invalid status object `{}`: expected exactly one key, the status name at line 1 column 2",
        ),
        (
            r#"{"active":null,"paused":null}"#,
            "invalid status object: expected exactly one key, the status name, found more at line 1 column 23",
        ),
        (
            r#"{"active":1}"#,
            "invalid type: integer `1`, expected unit at line 1 column 11",
        ),
        (
            "7",
            "invalid type: integer `7`, expected a status string such as `\"active\"` or an object with one key such as `{\"error\": \"...\"}` at line 1 column 1",
        ),
    ];
    check_table(table, |input| {
        serde_json::from_str::<IntegrationStatus>(input)
            .err()
            .map(|e| e.to_string())
    });
}

#[test]
fn integration_state_report_json() {
    let table: &[(&str, &str)] = &[
        (
            r#"{"name":"a"}"#,
            "missing field `status` at line 1 column 12",
        ),
        (
            r#"{"name":"a","status":"active","state_size_bytes":-1}"#,
            "invalid value: integer `-1`, expected u64 at line 1 column 51",
        ),
    ];
    check_table(table, |input| {
        serde_json::from_str::<IntegrationStateReport>(input)
            .err()
            .map(|e| e.to_string())
    });
}

#[test]
fn messages_are_lowercase_without_a_final_period() {
    let messages = [
        IntegrationName::new("A/B").unwrap_err().to_string(),
        IntegrationName::new("").unwrap_err().to_string(),
        IntegrationEntry::builder(IntegrationName::new("a").unwrap())
            .health_interval_secs(0)
            .build()
            .unwrap_err()
            .to_string(),
    ];
    for message in messages {
        assert!(message.starts_with(char::is_lowercase), "{message}");
        assert!(!message.ends_with('.'), "{message}");
    }
}
