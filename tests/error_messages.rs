//! Every error message, pinned next to the input that produces it.
//!
//! Messages are lowercase with no final period, put the bad value in backticks and say
//! what was expected. Parse errors end with the position; in the alternate form (`{:#}`)
//! their typed cause follows.

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

/// Parse errors in the alternate form (`{:#}`): the message, the position, then the typed
/// cause when there is one.
#[test]
fn integration_entry_json() {
    let long = format!(r#"{{"name":"x","critical":"{}"}}"#, "y".repeat(100));
    let table: &[(&str, &str)] = &[
        (
            r#"{"name":"../etc"}"#,
            "invalid value for `name` at line 1 column 16: invalid integration name `../etc`: must not contain `/`",
        ),
        (
            r#"{"name":""}"#,
            "invalid value for `name` at line 1 column 10: invalid integration name: must not be empty",
        ),
        (
            r#"{"name":"x","health_interval_secs":0}"#,
            "invalid value for `health_interval_secs` at line 1 column 36: invalid `health_interval_secs` value `0`: must be between 1 and 86400",
        ),
        (
            r#"{"name":"x","health_timeout_secs":-5}"#,
            "invalid value for `health_timeout_secs` at line 1 column 36: invalid `health_timeout_secs` value `-5`: must be between 1 and 86400",
        ),
        (
            r#"{"name":"x","startup_grace_secs":86401}"#,
            "invalid value for `startup_grace_secs` at line 1 column 38: invalid `startup_grace_secs` value `86401`: must be between 0 and 86400",
        ),
        (
            r#"{"name":"x","health_interval_secs":1.5}"#,
            "invalid type: floating point `1.5`, expected `health_interval_secs` as an integer between 1 and 86400 at line 1 column 38",
        ),
        (
            r#"{"name":"x","startup_grace_secs":"45"}"#,
            "invalid type: string `45`, expected `startup_grace_secs` as an integer between 0 and 86400 at line 1 column 37",
        ),
        ("{}", "missing field `name` at line 1 column 2"),
        (
            r#"{"name":"x","name":"y"}"#,
            "duplicate key `name`: expected each key once in an object at line 1 column 18",
        ),
        (
            r#"{"name":"x","critical":"yes"}"#,
            "invalid type: string `yes`, expected a boolean at line 1 column 28",
        ),
        (
            r#"{"name":7}"#,
            "invalid type: integer `7`, expected an integration name string at line 1 column 9",
        ),
        (
            "[]",
            "invalid type: sequence, expected an integration entry object at line 1 column 1",
        ),
        (
            r#""x""#,
            "invalid type: string `x`, expected an integration entry object at line 1 column 3",
        ),
        // Values quoted from the input are escaped and cut.
        (
            &long,
            "invalid type: string `yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy…[20 more bytes]`, expected a boolean at line 1 column 125",
        ),
        (
            r#"{"name":"x","critical":"\u001b]0;pwned\u0007"}"#,
            "invalid type: string `\\u{1b}]0;pwned\\u{7}`, expected a boolean at line 1 column 45",
        ),
    ];
    check_table(table, |input| {
        IntegrationEntry::from_json(input)
            .err()
            .map(|e| format!("{e:#}"))
    });
}

/// The messages the crate words better than serde_json does.
#[test]
fn reworded_json_messages() {
    let table: &[(&str, &str)] = &[
        // serde_json: "invalid type: floating point `-0.0`, expected ..."
        (
            r#"{"name":"x","health_interval_secs":-0}"#,
            "invalid `health_interval_secs` value `-0`: expected an integer between 1 and 86400, without a minus sign at line 1 column 37",
        ),
        (
            r#"{"name":"x","startup_grace_secs":-0}"#,
            "invalid `startup_grace_secs` value `-0`: expected an integer between 0 and 86400, without a minus sign at line 1 column 35",
        ),
        // serde_json: "invalid type: floating point `1.8446744073709552e19`, expected ..."
        (
            r#"{"name":"x","health_timeout_secs":18446744073709551616}"#,
            "invalid `health_timeout_secs` value: a number past 2^64 - 1, expected an integer between 1 and 86400 at line 1 column 54",
        ),
        (
            r#"{"name":"x","health_timeout_secs":1e400}"#,
            "number out of range at line 1 column 39",
        ),
        // serde_json: "unexpected end of hex escape"
        (
            r#"{"name":"\ud800"}"#,
            "lone surrogate in a `\\u` escape: expected a high surrogate followed by a low surrogate, or another character at line 1 column 16",
        ),
        (
            r#"{"name":"x","checkpoint_cmd":"\udc00"}"#,
            "lone surrogate in a `\\u` escape: expected a high surrogate followed by a low surrogate, or another character at line 1 column 36",
        ),
        // Inside an unknown field, where serde_json does not decode the string it skips.
        (
            r#"{"name":"a","x":"\ud800"}"#,
            "lone surrogate in a `\\u` escape: expected a high surrogate followed by a low surrogate, or another character at line 1 column 18",
        ),
        (
            r#"{"name":"a","x":{"y":["ok \\ud800","\ud83d\ude00","\udc00"]}}"#,
            "lone surrogate in a `\\u` escape: expected a high surrogate followed by a low surrogate, or another character at line 1 column 52",
        ),
        (
            r#"{"name":"a","x":[1,{"y":-1E400}]}"#,
            "number out of range at line 1 column 25",
        ),
        // serde_json: "EOF while parsing ..."
        (
            "",
            "unexpected end of input while parsing a value at line 1 column 1",
        ),
        (
            r#"{"name":"x""#,
            "unexpected end of input while parsing an object at line 1 column 11",
        ),
        (
            r#"{"name":"x"#,
            "unexpected end of input while parsing a string at line 1 column 10",
        ),
        (
            "{\n",
            "unexpected end of input while parsing an object at line 2 column 1",
        ),
        (
            &format!("{}1{}", "[".repeat(200), "]".repeat(200)),
            "invalid type: sequence, expected an integration entry object at line 1 column 1",
        ),
    ];
    check_table(table, |input| {
        IntegrationEntry::from_json(input)
            .err()
            .map(|e| format!("{e:#}"))
    });
}

#[test]
fn integration_manifest_json() {
    let table: &[(&str, &str)] = &[
        ("{}", "missing field `integrations` at line 1 column 2"),
        (
            r#"{"integrations":{}}"#,
            "invalid type: map, expected a list of integration entries at line 1 column 16",
        ),
        (
            "[[]]",
            "invalid type: sequence, expected an integration manifest object at line 1 column 1",
        ),
        (
            "{\n  \"integrations\": [\n    {\"name\": \"a b\"}\n  ]\n}",
            "invalid value for `name` at line 3 column 18: invalid integration name `a b`: must not contain ` `",
        ),
        (
            r#"{"integrations":[{"name":"a"},{"name":"a"}]}"#,
            "duplicate value for `name` at line 1 column 31: duplicate integration name `a`: entry 1 has the name of entry 0, expected each name once",
        ),
        (
            r#"{"integrations":[],"x":{"y":1,"y":2}}"#,
            "duplicate key `y`: expected each key once in an object at line 1 column 33",
        ),
    ];
    check_table(table, |input| {
        IntegrationManifest::from_json(input)
            .err()
            .map(|e| format!("{e:#}"))
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
