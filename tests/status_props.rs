//! Laws of statuses and reports over many inputs: the one escaping rule in `Display`, the one
//! table of status names, list parsing and emitting.

mod support;
use support::is_unsafe;

use mvm_integrations::{
    IntegrationEntry, IntegrationHealthResult, IntegrationStateReport, IntegrationStatus,
    MAX_QUOTED_CHARS, Position,
};
use proptest::prelude::*;

/// The longest `Display` of a status: `error: `, each shown character at most 9 bytes long
/// (`\u{e0041}`), and the cut marker `…[N more bytes]`.
const MAX_SHOWN_CHARS: usize = "error: ".len() + 10 * MAX_QUOTED_CHARS + 40;

fn unknown(name: &str, payload: Option<&str>) -> Option<IntegrationStatus> {
    let name = serde_json::to_string(name).unwrap();
    let json = match payload {
        None => name,
        Some(payload) => format!("{{{name}:{payload}}}"),
    };
    IntegrationStatus::from_json(&json)
        .ok()
        .filter(|s| !s.is_known())
}

proptest! {
    #[test]
    fn status_display_has_no_unsafe_character_and_is_bounded(text in support::hostile_string(300)) {
        let mut statuses = vec![IntegrationStatus::Error(text.clone())];
        statuses.extend(unknown(&text, None));
        statuses.extend(unknown(&text, Some(r#"{"x":1}"#)));
        for status in statuses {
            let shown = status.to_string();
            prop_assert!(!shown.chars().any(is_unsafe), "{:?}", shown);
            prop_assert!(shown.chars().count() <= MAX_SHOWN_CHARS, "{} chars", shown.chars().count());
        }
    }

    #[test]
    fn list_emit_then_parse_list_is_identity(
        names in prop::collection::vec(support::hostile_string(300), 0..8),
        sizes in prop::collection::vec(any::<u64>(), 8),
    ) {
        let reports: Vec<IntegrationStateReport> = names
            .iter()
            .zip(&sizes)
            .map(|(name, size)| {
                IntegrationStateReport::new(name.clone(), IntegrationStatus::Error(name.clone()))
                    .with_state_size_bytes(*size)
                    .with_health(IntegrationHealthResult::new(size % 2 == 0, name.clone(), "t"))
            })
            .collect();
        for json in [
            IntegrationStateReport::list_to_json(&reports),
            IntegrationStateReport::list_to_json_compact(&reports),
        ] {
            let back: Vec<IntegrationStateReport> = IntegrationStateReport::parse_list(&json)
                .unwrap()
                .into_iter()
                .map(Result::unwrap)
                .collect();
            prop_assert_eq!(&back, &reports);
        }
        prop_assert_eq!(
            IntegrationStateReport::list_to_json_compact(&reports),
            serde_json::to_string(&reports).unwrap()
        );
        prop_assert_eq!(
            IntegrationStateReport::list_to_json(&reports),
            serde_json::to_string_pretty(&reports).unwrap()
        );
    }

    #[test]
    fn parse_list_places_each_bad_element_in_the_whole_document(
        layout in prop::collection::vec((any::<bool>(), 0usize..3, 0usize..4), 1..12),
    ) {
        // Each element is a good report or `7`, after some newlines and spaces.
        let mut json = String::from("[");
        let mut bad = Vec::new();
        for (index, (good, newlines, spaces)) in layout.iter().enumerate() {
            if index > 0 {
                json.push(',');
            }
            json.push_str(&"\n".repeat(*newlines));
            json.push_str(&" ".repeat(*spaces));
            if *good {
                json.push_str(r#"{"name":"a","status":"active"}"#);
            } else {
                let before = &json[..];
                let line = 1 + before.matches('\n').count();
                let column = 1 + before.len() - before.rfind('\n').map_or(0, |i| i + 1);
                bad.push((index, Position { line, column }));
                json.push('7');
            }
        }
        json.push(']');
        let parsed = IntegrationStateReport::parse_list(&json).unwrap();
        prop_assert_eq!(parsed.len(), layout.len());
        let problems: Vec<(usize, Position)> = parsed
            .iter()
            .filter_map(|r| r.as_ref().err())
            .map(|e| (e.index().unwrap(), e.position().unwrap()))
            .collect();
        prop_assert_eq!(problems, bad);
    }
}

/// Every known name parses to a known status of that name, and shows as that name; any other
/// string is an unknown status, kept.
#[test]
fn known_names_are_one_table() {
    let known = ["active", "paused", "pending", "starting"];
    for name in known {
        let status = IntegrationStatus::from_json(&format!(r#""{name}""#)).unwrap();
        assert!(status.is_known());
        assert_eq!(status.name(), name);
        assert_eq!(status.to_string(), name);
        assert_eq!(status.to_json_compact(), format!(r#""{name}""#));
        let object = IntegrationStatus::from_json(&format!(r#"{{"{name}":null}}"#)).unwrap();
        assert_eq!(object, status);
    }
    let error = IntegrationStatus::from_json(r#"{"error":"x"}"#).unwrap();
    assert_eq!(error.name(), "error");
    assert_eq!(
        IntegrationStatus::from_json(r#""error""#)
            .unwrap_err()
            .to_string(),
        r#"invalid status `error`: expected an object with the detail, like `{"error": "..."}` at line 1 column 7"#
    );
    for name in ["Active", "activ", "active ", "errors", "degraded"] {
        let status = IntegrationStatus::from_json(&format!(r#""{name}""#)).unwrap();
        assert!(!status.is_known(), "{name}");
        assert_eq!(status.name(), name);
    }
}

#[test]
fn display_escapes_and_cuts_guest_text() {
    for (status, shown) in [
        (
            IntegrationStatus::Error("a\u{1b}]0;pwned\u{7}\n\u{202e}b".into()),
            r"error: a\u{1b}]0;pwned\u{7}\n\u{202e}b",
        ),
        (
            unknown("de\u{1b}[8mgraded", None).unwrap(),
            r"de\u{1b}[8mgraded",
        ),
        (unknown("x\ny", Some("1")).unwrap(), r"x\ny"),
    ] {
        assert_eq!(status.to_string(), shown);
    }
    let long = IntegrationStatus::Error("e".repeat(100));
    assert_eq!(
        long.to_string(),
        format!("error: {}…[20 more bytes]", "e".repeat(MAX_QUOTED_CHARS))
    );
}

#[test]
fn a_report_for_an_entry_takes_its_name_and_setters_clear() {
    let entry = IntegrationEntry::new("signal".parse().unwrap());
    let report = IntegrationStateReport::for_entry(&entry, IntegrationStatus::Starting)
        .with_last_checkpoint_at("2025-06-01T12:00:00Z".to_owned())
        .with_state_size_bytes(5)
        .with_health(IntegrationHealthResult::new(false, "exit code 1", "t"));
    assert_eq!(report.name(), "signal");
    assert_eq!(*report.status(), IntegrationStatus::Starting);
    assert_eq!(report.last_checkpoint_at(), Some("2025-06-01T12:00:00Z"));
    assert_eq!(report.state_size_bytes(), 5);
    assert_eq!(
        report.health().map(IntegrationHealthResult::detail),
        Some("exit code 1")
    );
    let cleared = report
        .with_last_checkpoint_at(None)
        .with_health(None)
        .with_state_size_bytes(0)
        .with_status(IntegrationStatus::Pending);
    assert_eq!(
        cleared,
        IntegrationStateReport::new("signal", IntegrationStatus::Pending)
    );
}

#[test]
fn pretty_and_compact_emit_the_same_report() {
    let report = IntegrationStateReport::new("a", IntegrationStatus::Error("x".into()))
        .with_health(IntegrationHealthResult::new(true, "ok", "t"));
    assert_eq!(
        report.to_json_compact(),
        r#"{"name":"a","status":{"error":"x"},"last_checkpoint_at":null,"state_size_bytes":0,"health":{"healthy":true,"detail":"ok","checked_at":"t"}}"#
    );
    assert_eq!(
        report.to_json(),
        serde_json::to_string_pretty(&report).unwrap()
    );
    assert_eq!(
        IntegrationStateReport::from_json(&report.to_json()).unwrap(),
        report
    );
    let health = report.health().unwrap();
    assert_eq!(
        health.to_json(),
        serde_json::to_string_pretty(health).unwrap()
    );
    assert_eq!(report.status().to_json(), "{\n  \"error\": \"x\"\n}");
}
