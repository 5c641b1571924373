//! `IntegrationStatus`, `IntegrationHealthResult` and `IntegrationStateReport`: known and
//! unknown statuses, the status rule, and report lists from mixed-version guests.

use mvm_integrations::{IntegrationHealthResult, IntegrationStateReport, IntegrationStatus};

#[track_caller]
fn status(json: &str) -> IntegrationStatus {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

#[track_caller]
fn status_err(json: &str) -> String {
    match serde_json::from_str::<IntegrationStatus>(json) {
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
        r#""naïve \"q\" \n""#,
        r#"{"degraded":null}"#,
        r#"{"degraded":true}"#,
        r#"{"degraded":0}"#,
        r#"{"degraded":-1.5e300}"#,
        r#"{"degraded":18446744073709551616}"#,
        r#"{"degraded":"why"}"#,
        r#"{"degraded":[]}"#,
        r#"{"degraded":{}}"#,
        r#"{"degraded":{"since":3,"why":["a",{"b":null}]}}"#,
        r#"{"degraded":{"a":1,"a":2}}"#,
        r#"{"draining":"\u00e9\ud83d\ude00"}"#,
        r#"{"":1}"#,
        r#"{"Error":"capitalised is not error"}"#,
    ] {
        let value = status(json);
        assert!(!value.is_known(), "{json}");
        let IntegrationStatus::Unknown(unknown) = &value else {
            panic!("{json} is not Unknown: {value:?}")
        };
        let emitted = serde_json::to_string(&value).unwrap();
        assert_eq!(emitted, json);
        assert_eq!(status(&emitted), value);
        match json.strip_prefix('{') {
            None => assert_eq!(unknown.payload(), None, "{json}"),
            Some(_) => {
                let payload = unknown.payload().unwrap();
                // The payload is the value's text, exactly as it came.
                assert!(
                    json.ends_with(&format!(":{payload}}}")),
                    "{json}: {payload}"
                );
            }
        }
    }
}

#[test]
fn unknown_status_payload_text_is_kept_as_it_came() {
    let value = status(r#" { "degraded" : { "since" : 3 } } "#);
    let IntegrationStatus::Unknown(unknown) = &value else {
        panic!("{value:?}")
    };
    assert_eq!(unknown.name(), "degraded");
    assert_eq!(unknown.payload(), Some(r#"{ "since" : 3 }"#));
    assert_eq!(
        serde_json::to_string(&value).unwrap(),
        r#"{"degraded":{ "since" : 3 }}"#
    );
    // Emitting again is stable.
    let again = status(&serde_json::to_string(&value).unwrap());
    assert_eq!(again, value);
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
    assert!(full.healthy);
    assert_eq!(full.detail, "ok");
    assert_eq!(full.checked_at, "t");
    for (json, missing) in [
        (r#"{"detail":"ok","checked_at":"t"}"#, "healthy"),
        (r#"{"healthy":true,"checked_at":"t"}"#, "detail"),
        (r#"{"healthy":true,"detail":"ok"}"#, "checked_at"),
    ] {
        let err = serde_json::from_str::<IntegrationHealthResult>(json).unwrap_err();
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
    assert_eq!(report.name, "old");
    assert_eq!(report.status, IntegrationStatus::Active);
    assert_eq!(report.last_checkpoint_at, None);
    assert_eq!(report.state_size_bytes, 0);
    assert_eq!(report.health, None);
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
        let mut report = IntegrationStateReport::new("a", IntegrationStatus::Active);
        report.state_size_bytes = size;
        let json = serde_json::to_string(&report).unwrap();
        assert!(json.contains(&format!(r#""state_size_bytes":{size},"#)));
        let back: IntegrationStateReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back.state_size_bytes, size);
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
        .map(|r| serde_json::to_string(&r.status).unwrap())
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
    assert_eq!(reports[1].status, IntegrationStatus::Starting);
    assert_eq!(reports[2].state_size_bytes, 2);

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
    assert_eq!(each[0].as_ref().unwrap().name, "a");
    assert!(
        each[1]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("expected a string")
    );
    assert!(each[2].is_err());
    assert_eq!(
        each[3].as_ref().unwrap().status,
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
fn deeply_nested_json_neither_overflows_the_stack_nor_is_lost() {
    let depth = 100_000;
    let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));

    // As an unknown status's payload it is kept, text for text.
    let json = format!(r#"{{"degraded":{deep}}}"#);
    let value = status(&json);
    assert_eq!(serde_json::to_string(&value).unwrap(), json);

    // As an unknown field it is skipped.
    let report: IntegrationStateReport =
        serde_json::from_str(&format!(r#"{{"name":"a","status":"active","x":{deep}}}"#)).unwrap();
    assert_eq!(
        report,
        IntegrationStateReport::new("a", IntegrationStatus::Active)
    );

    // Where a status is expected, it is an error, not a crash.
    assert!(status_err(&deep).contains("expected a status string"));
}
