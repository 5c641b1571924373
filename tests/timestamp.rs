//! `Timestamp`: the published agent's `YYYY-MM-DDTHH:MM:SSZ`, written from and read back into
//! a `SystemTime`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mvm_integrations::{
    IntegrationHealthResult, IntegrationStateReport, IntegrationStatus, Timestamp,
};
use proptest::prelude::*;

const MAX_SECS: u64 = 253_402_300_799;

#[test]
fn writes_the_published_form() {
    let table: &[(u64, &str)] = &[
        (0, "1970-01-01T00:00:00Z"),
        (1_748_779_205, "2025-06-01T12:00:05Z"),
        (951_782_400, "2000-02-29T00:00:00Z"),
        (MAX_SECS, "9999-12-31T23:59:59Z"),
    ];
    for &(secs, text) in table {
        let stamp = Timestamp::from_system_time(UNIX_EPOCH + Duration::from_secs(secs)).unwrap();
        assert_eq!(stamp.to_string(), text);
        assert_eq!(text.parse::<Timestamp>().unwrap().unix_secs(), secs);
    }
    assert_eq!(Timestamp::MIN.to_string(), "1970-01-01T00:00:00Z");
    assert_eq!(Timestamp::MAX.to_string(), "9999-12-31T23:59:59Z");
}

#[test]
fn system_time_is_rounded_down_to_the_second() {
    let time = UNIX_EPOCH + Duration::new(1_748_779_205, 999_999_999);
    let stamp = Timestamp::from_system_time(time).unwrap();
    assert_eq!(stamp.to_string(), "2025-06-01T12:00:05Z");
    assert_eq!(
        SystemTime::from(stamp),
        UNIX_EPOCH + Duration::from_secs(1_748_779_205)
    );
}

#[test]
fn now_is_in_the_written_form() {
    let text = Timestamp::now().to_string();
    assert_eq!(text.len(), 20, "{text}");
    assert_eq!(text.parse::<Timestamp>().unwrap().to_string(), text);
}

#[test]
fn from_unix_secs_stops_at_max() {
    assert_eq!(Timestamp::from_unix_secs(MAX_SECS), Some(Timestamp::MAX));
    assert_eq!(Timestamp::from_unix_secs(MAX_SECS + 1), None);
}

#[test]
fn rejected_strings() {
    let form = "expected the form `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC, whole seconds)";
    let range = "expected a date and time between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z";
    let table: &[(&str, &str)] = &[
        ("", form),
        ("2025-06-01", form),
        ("2025-06-01 12:00:05", form),
        ("2025-06-01 12:00:05Z", form),
        ("2025-06-01T12:00:05", form),
        ("2025-06-01t12:00:05Z", form),
        ("2025-06-01T12:00:05z", form),
        ("2025-06-01T12:00:05.5Z", form),
        ("2025-06-01T12:00:05+00:00", form),
        ("2025-06-01T12:00:05+01:00", form),
        (" 2025-06-01T12:00:05Z", form),
        ("2025-6-01T12:00:05Z", form),
        ("2025-06-01T12:0a:05Z", form),
        ("２０２５-06-01T12:00Z", form),
        ("2025-02-30T00:00:00Z", range),
        ("2025-13-01T00:00:00Z", range),
        ("2025-00-01T00:00:00Z", range),
        ("2025-06-00T00:00:00Z", range),
        ("2025-06-01T24:00:00Z", range),
        ("2025-06-01T12:60:00Z", range),
        ("2016-12-31T23:59:60Z", range),
        ("1969-12-31T23:59:59Z", range),
        ("0000-01-01T00:00:00Z", range),
    ];
    let mut failures = Vec::new();
    for (input, expected) in table {
        let expected = format!("invalid timestamp `{}`: {expected}", input);
        match input.parse::<Timestamp>() {
            Err(e) if e.to_string() == expected => {}
            got => failures.push(format!("{input:?}: expected {expected:?}, got {got:?}")),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn rejected_message_escapes_and_cuts_the_input() {
    let err = "\u{1b}[2J".parse::<Timestamp>().unwrap_err();
    assert_eq!(
        err.to_string(),
        r"invalid timestamp `\u{1b}[2J`: expected the form `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC, whole seconds)"
    );
    let long = "9".repeat(100);
    let err = long.parse::<Timestamp>().unwrap_err();
    assert!(err.to_string().contains("…[20 more bytes]"), "{err}");
}

#[test]
fn rejected_system_times() {
    let table: &[(SystemTime, &str)] = &[
        (
            UNIX_EPOCH - Duration::from_secs(1),
            "time out of range: `-1` seconds from the Unix epoch, expected 0 to 253402300799",
        ),
        (
            UNIX_EPOCH - Duration::from_millis(1),
            "time out of range: `-1` seconds from the Unix epoch, expected 0 to 253402300799",
        ),
        (
            UNIX_EPOCH + Duration::from_secs(MAX_SECS + 1),
            "time out of range: `253402300800` seconds from the Unix epoch, expected 0 to 253402300799",
        ),
    ];
    for (time, expected) in table {
        let err = Timestamp::from_system_time(*time).unwrap_err();
        assert_eq!(err.to_string(), *expected);
        assert_eq!(Timestamp::try_from(*time).unwrap_err(), err);
    }
    // The last fraction of the last second still rounds down into range.
    let last = UNIX_EPOCH + Duration::new(MAX_SECS, 999_999_999);
    assert_eq!(Timestamp::from_system_time(last), Ok(Timestamp::MAX));
}

#[test]
fn wire_fields_stay_strings_that_need_not_parse() {
    let json = r#"{"name":"a","status":"active","last_checkpoint_at":"yesterday","state_size_bytes":0,"health":{"healthy":true,"detail":"ok","checked_at":"2025-06-01T12:00:05.123Z"}}"#;
    let report: IntegrationStateReport = serde_json::from_str(json).unwrap();
    let last = report.last_checkpoint_at().unwrap();
    assert_eq!(last, "yesterday");
    assert!(last.parse::<Timestamp>().is_err());
    let checked_at = report.health().unwrap().checked_at();
    assert!(checked_at.parse::<Timestamp>().is_err());
    assert_eq!(serde_json::to_string(&report).unwrap(), json);
}

proptest! {
    #[test]
    fn write_then_read_is_identity(secs in 0..=MAX_SECS) {
        let time = UNIX_EPOCH + Duration::from_secs(secs);
        let stamp = Timestamp::from_system_time(time).unwrap();
        let text = stamp.to_string();
        prop_assert_eq!(text.len(), 20);
        let read: Timestamp = text.parse().unwrap();
        prop_assert_eq!(read, stamp);
        prop_assert_eq!(read.to_system_time(), time);
    }

    #[test]
    fn accepted_strings_are_written_back_unchanged(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z") {
        if let Ok(stamp) = text.parse::<Timestamp>() {
            prop_assert_eq!(stamp.to_string(), text);
        }
    }

    #[test]
    fn parsing_any_string_never_panics(text in any::<String>()) {
        let _ = text.parse::<Timestamp>();
    }
}

/// What a host reads from a report's timestamp strings: `(string, time)`, `None` for a
/// value that is not in the written form.
#[test]
fn report_times_read_the_written_form_only() {
    let table: &[(&str, Option<u64>)] = &[
        ("2025-06-01T12:00:05Z", Some(1_748_779_205)),
        ("1970-01-01T00:00:00Z", Some(0)),
        ("9999-12-31T23:59:59Z", Some(MAX_SECS)),
        ("2025-06-01T12:00:05.123Z", None),
        ("2025-06-01T12:00:05+00:00", None),
        ("2025-02-30T00:00:00Z", None),
        ("yesterday", None),
        ("", None),
    ];
    for (text, secs) in table {
        let expected = secs.map(|s| UNIX_EPOCH + Duration::from_secs(s));
        let health = IntegrationHealthResult::new(true, "ok", *text);
        assert_eq!(health.checked_at_time(), expected, "{text:?}");
        assert_eq!(health.checked_at(), *text);
        let report = IntegrationStateReport::new("a", IntegrationStatus::Active)
            .with_last_checkpoint_at((*text).to_owned());
        assert_eq!(report.last_checkpoint_time(), expected, "{text:?}");
        assert_eq!(report.last_checkpoint_at(), Some(*text));
    }
    let none = IntegrationStateReport::new("a", IntegrationStatus::Active);
    assert_eq!(none.last_checkpoint_time(), None);
}

#[test]
fn report_times_of_both_published_agents() {
    for version in ["0.3.2", "0.13.0"] {
        let path = format!(
            "{}/tests/fixtures/wire-vectors/mvm-guest-{version}/report.full.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let report =
            IntegrationStateReport::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let last = report.last_checkpoint_at().unwrap();
        let time = report.last_checkpoint_time().unwrap();
        assert_eq!(Timestamp::from_system_time(time).unwrap().to_string(), last);
        let health = report.health().unwrap();
        let time = health.checked_at_time().unwrap();
        assert_eq!(
            Timestamp::from_system_time(time).unwrap().to_string(),
            health.checked_at()
        );
    }
}

proptest! {
    #[test]
    fn written_timestamp_is_read_back_as_its_time(secs in 0..=MAX_SECS) {
        let time = UNIX_EPOCH + Duration::from_secs(secs);
        let text = Timestamp::from_system_time(time).unwrap().to_string();
        let report = IntegrationStateReport::new("a", IntegrationStatus::Active)
            .with_last_checkpoint_at(text.clone())
            .with_health(IntegrationHealthResult::new(true, "ok", text));
        prop_assert_eq!(report.last_checkpoint_time(), Some(time));
        prop_assert_eq!(report.health().unwrap().checked_at_time(), Some(time));
    }

    #[test]
    fn report_time_is_some_exactly_when_the_string_parses(text in any::<String>()) {
        let health = IntegrationHealthResult::new(false, "x", text.clone());
        let parsed = text.parse::<Timestamp>().ok().map(Timestamp::to_system_time);
        prop_assert_eq!(health.checked_at_time(), parsed);
    }
}
