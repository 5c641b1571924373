//! `IntegrationStatus`, `IntegrationHealthResult` and `IntegrationStateReport`: known and
//! unknown statuses, the status rule, and report lists from mixed-version guests.

use std::hash::{BuildHasher, RandomState};

use mvm_integrations::{
    IntegrationHealthResult, IntegrationStateReport, IntegrationStatus, ParseErrorKind, Position,
};

#[track_caller]
fn status(json: &str) -> IntegrationStatus {
    IntegrationStatus::from_json(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

#[track_caller]
fn status_err(json: &str) -> String {
    match IntegrationStatus::from_json(json) {
        Ok(s) => panic!("{json} parsed as {s:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn known_statuses_round_trip() {
    for (value, json) in [
        (IntegrationStatus::Active, r#""active""#),
        (IntegrationStatus::Paused, r#""paused""#),
        (IntegrationStatus::Pending, r#""pending""#),
        (IntegrationStatus::Starting, r#""starting""#),
        (
            IntegrationStatus::Error("conn lost".into()),
            r#"{"error":"conn lost"}"#,
        ),
        (IntegrationStatus::Error(String::new()), r#"{"error":""}"#),
    ] {
        assert_eq!(value.to_json_compact(), json);
        assert_eq!(serde_json::to_string(&value).unwrap(), json);
        assert_eq!(status(json), value);
        assert!(value.is_known());
    }
}

#[test]
fn default_is_pending() {
    assert_eq!(IntegrationStatus::default(), IntegrationStatus::Pending);
}

#[test]
fn names_and_display() {
    for (value, name, display) in [
        (IntegrationStatus::Active, "active", "active"),
        (IntegrationStatus::Paused, "paused", "paused"),
        (IntegrationStatus::Pending, "pending", "pending"),
        (IntegrationStatus::Starting, "starting", "starting"),
        (
            IntegrationStatus::Error("exit code 1".into()),
            "error",
            "error: exit code 1",
        ),
        (status(r#""degraded""#), "degraded", "degraded"),
        (
            status(r#"{"degraded":{"since":3}}"#),
            "degraded",
            "degraded",
        ),
    ] {
        assert_eq!(value.name(), name);
        assert_eq!(value.to_string(), display);
    }
}

#[test]
fn unknown_statuses_are_kept_and_re_emitted_byte_identical() {
    for json in [
        r#""degraded""#,
        r#""""#,
        r#""Active""#,
        r#""ERROR""#,
        r#""naïve \"q\" \n \\ \b\f\r\t \u0000\u001f /""#,
        r#"{"degraded":null}"#,
        r#"{"degraded":true}"#,
        r#"{"degraded":0}"#,
        r#"{"degraded":-1.5e+300}"#,
        r#"{"degraded":18446744073709551615}"#,
        r#"{"degraded":-9223372036854775808}"#,
        r#"{"degraded":[1.5,100.0,1e+300,-0.0,0.1,1e+16,1e-7,0.00001,1e-6,5e-324,123456789.125]}"#,
        r#"{"degraded":"why"}"#,
        r#"{"degraded":[]}"#,
        r#"{"degraded":{}}"#,
        r#"{"degraded":{"since":3,"why":["a",{"b":null}]}}"#,
        r#"{"degraded":{"z":1,"a":2,"m":{"y":1,"b":2}}}"#,
        r#"{"draining":"é😀"}"#,
        r#"{"":1}"#,
        r#"{"Error":"capitalised is not error"}"#,
    ] {
        let value = status(json);
        assert!(!value.is_known(), "{json}");
        let IntegrationStatus::Unknown(unknown) = &value else {
            panic!("{json} is not Unknown: {value:?}")
        };
        assert_eq!(value.to_json_compact(), json);
        assert_eq!(serde_json::to_string(&value).unwrap(), json);
        assert_eq!(status(json), value);
        assert_eq!(unknown.has_payload(), json.starts_with('{'), "{json}");
        match unknown.payload_json() {
            None => assert!(!json.starts_with('{'), "{json}"),
            // The payload is the value's text, exactly as it came.
            Some(payload) => assert!(
                json.ends_with(&format!(":{payload}}}")),
                "{json}: {payload}"
            ),
        }
    }
}

/// Inputs that serde_json does not write the way they came, and what is emitted instead: the
/// exact limits of byte identity stated in `UnknownStatus`'s docs.
#[test]
fn unknown_statuses_written_unlike_serde_json_are_emitted_as_serde_json_writes_them() {
    for (json, emitted) in [
        // Whitespace.
        (
            r#" { "degraded" : { "since" : [ 3 , 4 ] } } "#,
            r#"{"degraded":{"since":[3,4]}}"#,
        ),
        // Escapes serde_json does not use, in names, keys and values.
        (r#""\u0064egraded""#, r#""degraded""#),
        (r#"{"d":"\/"}"#, r#"{"d":"/"}"#),
        (r#"{"d":{"\u00e9":"\u00e9"}}"#, r#"{"d":{"é":"é"}}"#),
        (r#"{"d":"\ud83d\ude00"}"#, r#"{"d":"😀"}"#),
        (r#"{"d":"\u001F"}"#, r#"{"d":"\u001f"}"#),
        (r#"{"d":"\u0008"}"#, r#"{"d":"\b"}"#),
        (r#"{"d":"\u007f"}"#, "{\"d\":\"\u{7f}\"}"),
        // Numbers that are not in the shortest form of their f64, or not integers in range.
        (r#"{"d":1e2}"#, r#"{"d":100.0}"#),
        (r#"{"d":1.0e2}"#, r#"{"d":100.0}"#),
        (r#"{"d":1E2}"#, r#"{"d":100.0}"#),
        (r#"{"d":1.50}"#, r#"{"d":1.5}"#),
        (r#"{"d":-0}"#, r#"{"d":-0.0}"#),
        (r#"{"d":1e300}"#, r#"{"d":1e+300}"#),
        (r#"{"d":1e15}"#, r#"{"d":1000000000000000.0}"#),
        (
            r#"{"d":18446744073709551616}"#,
            r#"{"d":1.8446744073709552e+19}"#,
        ),
        (
            r#"{"d":-9223372036854775809}"#,
            r#"{"d":-9.223372036854776e+18}"#,
        ),
        (r#"{"d":0.30000000000000000001}"#, r#"{"d":0.3}"#),
    ] {
        let value = status(json);
        assert_eq!(value.to_json_compact(), emitted, "{json}");
        // What is emitted is a fixed point.
        assert_eq!(status(emitted), value, "{json}");
        assert_eq!(status(emitted).to_json_compact(), emitted, "{json}");
    }
}

#[test]
fn unknown_status_pretty_json_indents_the_payload() {
    let value = status(r#"{"degraded":{"since":3,"why":[1]}}"#);
    assert_eq!(
        value.to_json(),
        "{\n  \"degraded\": {\n    \"since\": 3,\n    \"why\": [\n      1\n    ]\n  }\n}"
    );
    assert_eq!(status(&value.to_json()), value);
}

#[test]
fn unknown_status_payloads_compare_as_json_values() {
    // Key order does not count; number types and values do.
    assert_eq!(
        status(r#"{"d":{"a":1,"b":[2,{"x":null,"y":true}]}}"#),
        status(r#"{"d":{"b":[2,{"y":true,"x":null}],"a":1}}"#)
    );
    assert_ne!(status(r#"{"d":{"a":1}}"#), status(r#"{"d":{"a":1.0}}"#));
    assert_ne!(status(r#"{"d":[1,2]}"#), status(r#"{"d":[2,1]}"#));
    assert_ne!(status(r#"{"d":{"a":1}}"#), status(r#"{"d":{"a":1,"b":1}}"#));
    // Equal values hash equal.
    let a = status(r#"{"d":{"a":1,"b":2}}"#);
    let b = status(r#"{"d":{"b":2,"a":1}}"#);
    let hasher = RandomState::new();
    assert_eq!(hasher.hash_one(&a), hasher.hash_one(&b));
}

#[test]
fn unknown_names_that_escape_to_known_names_are_known() {
    assert_eq!(status(r#""\u0061ctive""#), IntegrationStatus::Active);
    assert_eq!(
        status(r#"{"\u0065rror":"x"}"#),
        IntegrationStatus::Error("x".into())
    );
}

#[test]
fn unknown_statuses_compare_by_name_and_payload() {
    assert_eq!(status(r#""degraded""#), status(r#""degraded""#));
    assert_ne!(status(r#""degraded""#), status(r#"{"degraded":null}"#));
    assert_ne!(status(r#""degraded""#), status(r#""draining""#));
    assert_ne!(status(r#"{"d":1}"#), status(r#"{"d":2}"#));
    assert_ne!(status(r#""active""#), status(r#""Active""#));
}

#[test]
fn unit_statuses_accept_an_object_with_null() {
    for (json, value) in [
        (r#"{"active":null}"#, IntegrationStatus::Active),
        (r#"{"paused":null}"#, IntegrationStatus::Paused),
        (r#"{"pending":null}"#, IntegrationStatus::Pending),
        (r#"{"starting":null}"#, IntegrationStatus::Starting),
    ] {
        assert_eq!(status(json), value);
    }
}

#[test]
fn malformed_known_statuses_are_errors() {
    for (json, want) in [
        (
            r#"{"error":5}"#,
            "invalid type: integer `5`, expected a string",
        ),
        (r#"{"error":null}"#, "invalid type: null, expected a string"),
        (r#"{"error":{"detail":"x"}}"#, "expected a string"),
        (r#"{"error":["x"]}"#, "expected a string"),
        (r#""error""#, "invalid status `error`"),
        (r#"{"active":5}"#, "expected unit"),
        (r#"{"starting":{}}"#, "expected unit"),
        (r#"{"paused":"now"}"#, "expected unit"),
        ("{}", "expected exactly one key"),
        (r#"{"error":"a","active":null}"#, "expected exactly one key"),
        (r#"{"degraded":1,"draining":2}"#, "expected exactly one key"),
        ("5", "expected a status string"),
        ("null", "expected a status string"),
        ("true", "expected a status string"),
        (r#"["active"]"#, "expected a status string"),
        (r#"{"degraded":}"#, "expected value"),
    ] {
        let err = status_err(json);
        assert!(err.contains(want), "{json}: `{err}` lacks `{want}`");
    }
}

#[test]
fn from_health_follows_the_status_rule() {
    let healthy = IntegrationHealthResult::new(true, "ok", "2025-06-01T12:00:00Z");
    let unhealthy = IntegrationHealthResult::new(false, "exit code 1", "2025-06-01T12:00:00Z");
    for (last, within_grace, want) in [
        (Some(&healthy), true, IntegrationStatus::Active),
        (Some(&healthy), false, IntegrationStatus::Active),
        (Some(&unhealthy), true, IntegrationStatus::Starting),
        (
            Some(&unhealthy),
            false,
            IntegrationStatus::Error("exit code 1".into()),
        ),
        (None, true, IntegrationStatus::Starting),
        (None, false, IntegrationStatus::Pending),
    ] {
        assert_eq!(
            IntegrationStatus::from_health(last, within_grace),
            want,
            "{last:?}, within grace: {within_grace}"
        );
    }
}

#[test]
fn from_health_error_carries_the_detail_verbatim() {
    let detail = "stderr: \"boom\"\nline 2 é";
    let result = IntegrationHealthResult::new(false, detail, "t");
    let status = IntegrationStatus::from_health(Some(&result), false);
    assert_eq!(status, IntegrationStatus::Error(detail.to_owned()));
}

#[test]
fn health_result_fields_are_all_required() {
    let full: IntegrationHealthResult =
        serde_json::from_str(r#"{"healthy":true,"detail":"ok","checked_at":"t","extra":1}"#)
            .unwrap();
    assert_eq!(full, IntegrationHealthResult::new(true, "ok", "t"));
    assert!(full.healthy());
    assert_eq!(full.detail(), "ok");
    assert_eq!(full.checked_at(), "t");
    for (json, missing) in [
        (r#"{"detail":"ok","checked_at":"t"}"#, "healthy"),
        (r#"{"healthy":true,"checked_at":"t"}"#, "detail"),
        (r#"{"healthy":true,"detail":"ok"}"#, "checked_at"),
    ] {
        let err = IntegrationHealthResult::from_json(json).unwrap_err();
        assert_eq!(err.kind(), ParseErrorKind::MissingField, "{err}");
        assert!(
            err.to_string()
                .starts_with(&format!("missing field `{missing}`")),
            "{err}"
        );
    }
}

#[test]
fn report_optional_fields_take_their_defaults() {
    let report: IntegrationStateReport =
        serde_json::from_str(r#"{"name":"old","status":"active"}"#).unwrap();
    assert_eq!(report.name(), "old");
    assert_eq!(*report.status(), IntegrationStatus::Active);
    assert_eq!(report.last_checkpoint_at(), None);
    assert_eq!(report.state_size_bytes(), 0);
    assert_eq!(report.health(), None);
    assert_eq!(
        report,
        IntegrationStateReport::new("old", IntegrationStatus::Active)
    );
    assert_eq!(
        serde_json::to_string(&report).unwrap(),
        r#"{"name":"old","status":"active","last_checkpoint_at":null,"state_size_bytes":0,"health":null}"#
    );
}

#[test]
fn report_unknown_fields_are_ignored() {
    let plain: IntegrationStateReport =
        serde_json::from_str(r#"{"name":"a","status":"paused"}"#).unwrap();
    let extra: IntegrationStateReport = serde_json::from_str(
        r#"{"uptime_secs":5,"name":"a","status":"paused","restarts":[1,2],"health":null}"#,
    )
    .unwrap();
    assert_eq!(extra, plain);
}

#[test]
fn report_required_fields_and_types() {
    for (json, want) in [
        (r#"{"status":"active"}"#, "missing field `name`"),
        (r#"{"name":"a"}"#, "missing field `status`"),
        (
            r#"{"name":"a","status":"active","state_size_bytes":-1}"#,
            "expected u64",
        ),
        (
            r#"{"name":"a","status":"active","state_size_bytes":18446744073709551616}"#,
            "expected u64",
        ),
        (r#"{"name":"a","status":{"error":5}}"#, "expected a string"),
        (
            r#"{"name":"a","status":"active","health":{}}"#,
            "missing field `healthy`",
        ),
        (r#"{"name":5,"status":"active"}"#, "expected a string"),
    ] {
        let err = serde_json::from_str::<IntegrationStateReport>(json).unwrap_err();
        assert!(
            err.to_string().contains(want),
            "{json}: `{err}` lacks `{want}`"
        );
    }
}

#[test]
fn report_state_size_spans_all_of_u64() {
    for size in [0, 1, u64::from(u32::MAX) + 1, u64::MAX] {
        let report =
            IntegrationStateReport::new("a", IntegrationStatus::Active).with_state_size_bytes(size);
        let json = report.to_json_compact();
        assert!(json.contains(&format!(r#""state_size_bytes":{size},"#)));
        let back: IntegrationStateReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back.state_size_bytes(), size);
    }
}

/// A list as a 0.13.0 guest (with `starting`) and a newer guest (with an unknown status)
/// send it. The published 0.3.2 host fails the whole list on the first of these.
const MIXED_LIST: &str = r#"[
  {"name":"a","status":"active","last_checkpoint_at":null,"state_size_bytes":1,"health":null},
  {"name":"b","status":"starting","last_checkpoint_at":null,"state_size_bytes":0,"health":null},
  {"name":"c","status":{"degraded":{"since":"2025-06-01T12:00:00Z"}},"state_size_bytes":2},
  {"name":"d","status":"draining"}
]"#;

#[test]
fn report_lists_with_starting_and_unknown_statuses_parse() {
    let reports: Vec<IntegrationStateReport> = serde_json::from_str(MIXED_LIST).unwrap();
    let statuses: Vec<String> = reports
        .iter()
        .map(|r| r.status().to_json_compact())
        .collect();
    assert_eq!(
        statuses,
        [
            r#""active""#,
            r#""starting""#,
            r#"{"degraded":{"since":"2025-06-01T12:00:00Z"}}"#,
            r#""draining""#,
        ]
    );
    assert_eq!(*reports[1].status(), IntegrationStatus::Starting);
    assert_eq!(reports[2].state_size_bytes(), 2);

    // The same list through `parse_list`, element by element.
    let each = IntegrationStateReport::parse_list(MIXED_LIST).unwrap();
    let each: Vec<IntegrationStateReport> = each.into_iter().map(Result::unwrap).collect();
    assert_eq!(each, reports);

    // And a re-emitted list parses to the same reports.
    let again: Vec<IntegrationStateReport> =
        serde_json::from_str(&serde_json::to_string(&reports).unwrap()).unwrap();
    assert_eq!(again, reports);
}

#[test]
fn parse_list_keeps_the_good_reports_when_one_is_bad() {
    let json = r#"[{"name":"a","status":"active"},{"name":"b","status":{"error":5}},7,{"name":"c","status":"starting"}]"#;
    // Parsed as a whole, one bad element costs every report.
    assert!(serde_json::from_str::<Vec<IntegrationStateReport>>(json).is_err());
    let each = IntegrationStateReport::parse_list(json).unwrap();
    assert_eq!(each.len(), 4);
    assert_eq!(each[0].as_ref().unwrap().name(), "a");
    let err = each[1].as_ref().unwrap_err();
    assert!(err.to_string().contains("expected a string"), "{err}");
    assert_eq!(err.index(), Some(1));
    let err = each[2].as_ref().unwrap_err();
    assert_eq!(err.index(), Some(2));
    assert_eq!(
        err.position(),
        Some(Position {
            line: 1,
            column: 67
        })
    );
    assert_eq!(
        *each[3].as_ref().unwrap().status(),
        IntegrationStatus::Starting
    );
}

#[test]
fn parse_list_fails_only_when_the_input_is_not_an_array() {
    assert!(IntegrationStateReport::parse_list("[]").unwrap().is_empty());
    for json in [
        "{}",
        "null",
        "",
        "[",
        r#"[{"name":"a","status":"active"}"#,
        "[] []",
    ] {
        assert!(
            IntegrationStateReport::parse_list(json).is_err(),
            "{json:?}"
        );
    }
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    let deep = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));

    // As an unknown status's payload, up to 64 levels are kept.
    let json = format!(r#"{{"degraded":{}}}"#, deep(64));
    assert_eq!(status(&json).to_json_compact(), json);
    let err = IntegrationStatus::from_json(&format!(r#"{{"degraded":{}}}"#, deep(65))).unwrap_err();
    assert_eq!(err.kind(), ParseErrorKind::TooDeep, "{err}");
    assert_eq!(
        err.to_string(),
        "unknown status payload nested too deeply: expected at most 64 levels of arrays and objects at line 1 column 78"
    );
    for depth in [129, 100_000] {
        let json = format!(r#"{{"degraded":{}}}"#, deep(depth));
        let err = IntegrationStatus::from_json(&json).unwrap_err();
        assert_eq!(err.kind(), ParseErrorKind::TooDeep, "{err}");

        // As an unknown field, `from_json` skips it without recursion; a plain serde_json
        // parse walks it and stops at serde_json's recursion limit.
        let report = format!(r#"{{"name":"a","status":"active","x":{}}}"#, deep(depth));
        assert_eq!(
            IntegrationStateReport::from_json(&report).unwrap(),
            IntegrationStateReport::new("a", IntegrationStatus::Active)
        );
        let err = serde_json::from_str::<IntegrationStateReport>(&report).unwrap_err();
        assert!(
            err.to_string().contains("recursion limit exceeded"),
            "{err}"
        );

        // Where a status is expected, it is an error, not a crash.
        assert!(status_err(&deep(depth)).contains("expected a status string"));
    }
}
