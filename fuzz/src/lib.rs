//! The laws the fuzz targets check, one function per target.
//!
//! Each `check_*` function takes arbitrary bytes, panics when the crate breaks one of its
//! promises on them, and otherwise says whether the bytes were accepted. The fuzz targets in
//! `fuzz/fuzz_targets/` call these functions, and `tests/fuzz_corpus.rs` in the main crate
//! includes this same file to replay every committed corpus file through them, so a machine
//! without cargo-fuzz still checks the corpora. That is why this file uses nothing beyond
//! the main crate's dependencies and dev-dependencies.
//!
//! The round-trip law, for every wire type: if the bytes parse, emitting the value and
//! parsing the output gives an equal value, and emitting that value gives identical bytes.
//! Bytes that do not parse must only produce an error (a panic is a failure).

#![allow(dead_code)]

use std::fmt::Debug;
use std::path::{Component, Path};

use mvm_integrations::{
    INTEGRATIONS_BASE_PATH, IntegrationEntry, IntegrationManifest, IntegrationName,
    IntegrationStateReport, IntegrationStatus, MAX_NAME_LEN, StateLayout,
    integration_checkpoint_path, integration_state_dir,
};

/// What a check made of its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The input parsed, and every law held.
    Accepted,
    /// The input was rejected with an error, as it should be.
    Rejected,
}

impl Outcome {
    fn of<T, E>(result: &Result<T, E>) -> Outcome {
        if result.is_ok() {
            Outcome::Accepted
        } else {
            Outcome::Rejected
        }
    }
}

/// A fuzz target's check: the function its `fuzz_target!` calls.
pub type Check = fn(&[u8]) -> Outcome;

/// Every target, by the name of its binary and of its corpus folder, with its check.
pub const TARGETS: &[(&str, Check)] = &[
    ("manifest", check_manifest),
    ("entry", check_entry),
    ("status", check_status),
    ("report", check_report),
    ("reports", check_reports),
    ("name", check_name),
];

/// Emits `value`, parses the output, and checks that the value and the bytes survive.
#[track_caller]
fn round_trip<T: PartialEq + Debug>(
    what: &str,
    value: &T,
    emit: impl Fn(&T) -> String,
    parse: impl Fn(&str) -> Result<T, serde_json::Error>,
) {
    let first = emit(value);
    let again = match parse(&first) {
        Ok(again) => again,
        Err(e) => panic!("{what}: the emitted JSON does not parse: {e}\n{first}"),
    };
    assert_eq!(
        &again, value,
        "{what}: emit then parse changed the value\n{first}"
    );
    let second = emit(&again);
    assert_eq!(second, first, "{what}: emit, parse, emit changed the bytes");
}

/// Compact JSON through `serde_json::to_string`, which cannot fail for the crate's types.
fn compact<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_string(value) {
        Ok(json) => json,
        Err(e) => panic!("serializing failed: {e}"),
    }
}

/// Checks that parsing bytes agrees with parsing them as text.
///
/// On UTF-8 input both must give the same result. serde_json's `from_slice` does not check
/// the UTF-8 of strings it skips (unknown fields), so bytes that are not UTF-8 may parse; then
/// the text parser, given the bytes with the bad sequences replaced, must give the same value.
#[track_caller]
fn agrees_with_text<T: PartialEq + Debug>(
    data: &[u8],
    parsed: &Result<T, serde_json::Error>,
    parse_text: impl Fn(&str) -> Result<T, serde_json::Error>,
) {
    match std::str::from_utf8(data) {
        Ok(text) => assert_eq!(
            parse_text(text).as_ref().ok(),
            parsed.as_ref().ok(),
            "parsing the bytes and parsing them as text disagree"
        ),
        Err(_) => {
            if let Ok(value) = parsed {
                let lossy = String::from_utf8_lossy(data);
                assert_eq!(
                    parse_text(&lossy).as_ref().ok(),
                    Some(value),
                    "bytes that are not UTF-8 parsed to a value the text parser does not give"
                );
            }
        }
    }
}

/// Formats an error and checks that its message is a non-empty line.
#[track_caller]
fn message(error: &dyn std::fmt::Display) -> String {
    let message = error.to_string();
    assert!(!message.is_empty(), "an error with an empty message");
    message
}

/// `IntegrationManifest`: both parsers agree, and the pretty and compact forms round-trip.
pub fn check_manifest(data: &[u8]) -> Outcome {
    let parsed = IntegrationManifest::from_slice(data);
    agrees_with_text(data, &parsed, IntegrationManifest::from_json);
    match &parsed {
        Ok(manifest) => {
            round_trip(
                "manifest (pretty)",
                manifest,
                IntegrationManifest::to_json,
                IntegrationManifest::from_json,
            );
            round_trip(
                "manifest (compact)",
                manifest,
                IntegrationManifest::to_json_compact,
                IntegrationManifest::from_json,
            );
            assert_eq!(
                manifest.to_json_compact(),
                compact(manifest),
                "to_json_compact differs from serde_json::to_string"
            );
            for entry in &manifest.integrations {
                entry_laws(entry);
            }
        }
        Err(e) => {
            message(e);
        }
    }
    Outcome::of(&parsed)
}

/// `IntegrationEntry`: round-trips, and whatever parses also passes the builder's checks.
pub fn check_entry(data: &[u8]) -> Outcome {
    let parsed = serde_json::from_slice::<IntegrationEntry>(data);
    agrees_with_text(data, &parsed, IntegrationEntry::from_json);
    match &parsed {
        Ok(entry) => entry_laws(entry),
        Err(e) => {
            message(e);
        }
    }
    Outcome::of(&parsed)
}

/// The laws every parsed entry obeys.
#[track_caller]
fn entry_laws(entry: &IntegrationEntry) {
    round_trip(
        "entry",
        entry,
        IntegrationEntry::to_json,
        IntegrationEntry::from_json,
    );
    assert_eq!(entry.to_json(), compact(entry));
    assert_eq!(
        entry.to_builder().build().as_ref(),
        Ok(entry),
        "a parsed entry fails the builder's range checks"
    );
    assert!(
        name_rule(entry.name().as_str()),
        "a parsed entry has an invalid name {:?}",
        entry.name()
    );
    for warning in entry.warnings() {
        message(&warning);
        assert!(!warning.field().is_empty());
    }
}

/// `IntegrationStatus`: round-trips, including statuses from newer guests.
pub fn check_status(data: &[u8]) -> Outcome {
    let parsed = serde_json::from_slice::<IntegrationStatus>(data);
    agrees_with_text(data, &parsed, |text| serde_json::from_str(text));
    match &parsed {
        Ok(status) => status_laws(status),
        Err(e) => {
            message(e);
        }
    }
    Outcome::of(&parsed)
}

/// The laws every parsed status obeys.
#[track_caller]
fn status_laws(status: &IntegrationStatus) {
    round_trip("status", status, compact, |s| serde_json::from_str(s));
    let known = ["active", "paused", "error", "pending", "starting"].contains(&status.name());
    assert_eq!(
        status.is_known(),
        known,
        "status {status:?}: is_known() disagrees with its name"
    );
    let shown = status.to_string();
    assert!(
        shown.starts_with(status.name()),
        "{shown:?} does not start with the name"
    );
}

/// A single `IntegrationStateReport`: round-trips, and `validated_name` runs the name rule.
pub fn check_report(data: &[u8]) -> Outcome {
    let parsed = serde_json::from_slice::<IntegrationStateReport>(data);
    agrees_with_text(data, &parsed, |text| serde_json::from_str(text));
    match &parsed {
        Ok(report) => report_laws(report),
        Err(e) => {
            message(e);
        }
    }
    Outcome::of(&parsed)
}

/// The laws every parsed report obeys.
#[track_caller]
fn report_laws(report: &IntegrationStateReport) {
    round_trip("report", report, compact, |s| serde_json::from_str(s));
    status_laws(&report.status);
    assert_eq!(
        report.validated_name().is_ok(),
        name_rule(&report.name),
        "validated_name disagrees with the name rule on {:?}",
        report.name
    );
}

/// A list of reports: `parse_list` agrees with parsing the whole array, keeps every good
/// element, and the list round-trips.
pub fn check_reports(data: &[u8]) -> Outcome {
    let whole = serde_json::from_slice::<Vec<IntegrationStateReport>>(data);
    agrees_with_text(data, &whole, |text| serde_json::from_str(text));
    let Ok(text) = std::str::from_utf8(data) else {
        if let Ok(reports) = &whole {
            round_trip("reports", reports, compact, |s| serde_json::from_str(s));
        }
        return Outcome::of(&whole);
    };
    let each = IntegrationStateReport::parse_list(text);
    match (&whole, &each) {
        (Ok(reports), Ok(results)) => {
            assert_eq!(reports.len(), results.len(), "parse_list lost elements");
            for (report, result) in reports.iter().zip(results) {
                assert_eq!(result.as_ref().ok(), Some(report), "parse_list differs");
            }
            round_trip("reports", reports, compact, |s| serde_json::from_str(s));
            for report in reports {
                report_laws(report);
            }
        }
        (Ok(_), Err(e)) => panic!("the list parses but parse_list fails: {e}"),
        (Err(e), Ok(results)) => {
            message(e);
            // Some element is bad, or the array is malformed after the elements: every good
            // element still obeys the laws, and the good ones emit as a list that parses.
            let good: Vec<IntegrationStateReport> = results
                .iter()
                .filter_map(|r| r.as_ref().ok())
                .cloned()
                .collect();
            for report in &good {
                report_laws(report);
            }
            round_trip("good reports", &good, compact, |s| serde_json::from_str(s));
            for error in results.iter().filter_map(|r| r.as_ref().err()) {
                message(error);
            }
        }
        (Err(whole_error), Err(each_error)) => {
            message(whole_error);
            message(each_error);
        }
    }
    Outcome::of(&whole)
}

/// The name rule, written out independently of the crate: 1 to 64 bytes of
/// `[A-Za-z0-9._-]`, starting with a letter or a digit.
fn name_rule(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_NAME_LEN
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// `IntegrationName`: every way in agrees with the rule, valid names round-trip and build
/// paths inside the base, and errors are one bounded line naming the input.
pub fn check_name(data: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;
    let new = IntegrationName::new(text);
    assert_eq!(
        new.is_ok(),
        name_rule(text),
        "IntegrationName::new disagrees with the name rule on {text:?}"
    );
    assert_eq!(text.parse::<IntegrationName>(), new, "FromStr disagrees");
    assert_eq!(
        IntegrationName::try_from(text),
        new,
        "TryFrom<&str> disagrees"
    );
    assert_eq!(
        IntegrationName::try_from(text.to_owned()),
        new,
        "TryFrom<String> disagrees"
    );
    let json = compact(&text);
    let from_json = serde_json::from_str::<IntegrationName>(&json);
    assert_eq!(from_json.is_ok(), new.is_ok(), "serde disagrees on {json}");

    match &new {
        Ok(name) => {
            assert_eq!(name.as_str(), text);
            assert_eq!(name.to_string(), text);
            assert_eq!(from_json.ok().as_ref(), Some(name));
            round_trip("name", name, compact, |s| serde_json::from_str(s));
            name_path_laws(name);
        }
        Err(e) => {
            assert_eq!(e.name(), text, "the error does not keep the input");
            let shown = message(e);
            assert!(
                !shown.chars().any(char::is_control),
                "the message has a control character: {shown:?}"
            );
            // At most 80 characters of the input are shown, each escaped to at most 10 bytes.
            assert!(
                shown.len() <= 1024,
                "the message is {} bytes long",
                shown.len()
            );
            assert!(
                shown.starts_with("invalid integration name"),
                "unexpected message {shown:?}"
            );
        }
    }
    Outcome::of(&new)
}

/// Paths built from a valid name are `<base>/<name>/{state,checkpoint}`, strictly inside the
/// base.
#[track_caller]
fn name_path_laws(name: &IntegrationName) {
    let base = Path::new(INTEGRATIONS_BASE_PATH);
    for (path, leaf) in [
        (integration_state_dir(name), "state"),
        (integration_checkpoint_path(name), "checkpoint"),
    ] {
        let rest = match path.strip_prefix(base) {
            Ok(rest) => rest,
            Err(_) => panic!("{path:?} is not under {base:?}"),
        };
        let parts: Vec<Component<'_>> = rest.components().collect();
        assert_eq!(
            parts,
            [
                Component::Normal(name.as_str().as_ref()),
                Component::Normal(leaf.as_ref())
            ],
            "{path:?} is not <base>/{name}/{leaf}"
        );
    }
    let layout = StateLayout::new("/elsewhere");
    assert_eq!(
        layout.integration_dir(name).parent(),
        Some(Path::new("/elsewhere"))
    );
}
