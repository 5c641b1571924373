//! Property tests. Each test's name states the law it checks.

use std::path::{Component, Path};

use mvm_integrations::{
    DEFAULT_HEALTH_INTERVAL_SECS, DEFAULT_HEALTH_TIMEOUT_SECS, DEFAULT_STARTUP_GRACE_SECS, Field,
    INTEGRATIONS_BASE_PATH, IntegrationEntry, IntegrationHealthResult, IntegrationManifest,
    IntegrationName, IntegrationStateReport, IntegrationStatus, InvalidEntry,
    MAX_HEALTH_INTERVAL_SECS, MAX_HEALTH_TIMEOUT_SECS, MAX_NAME_LEN, MAX_STARTUP_GRACE_SECS,
    StateLayout, integration_checkpoint_path, integration_state_dir,
};
use proptest::prelude::*;
use proptest::sample::Index;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const KNOWN_STATUS_NAMES: [&str; 5] = ["active", "paused", "error", "pending", "starting"];

// ---------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------

/// Any string, weighted towards the characters that JSON has to escape.
fn any_string() -> impl Strategy<Value = String> {
    let tricky = prop::sample::select(vec![
        '"',
        '\\',
        '/',
        '\n',
        '\r',
        '\t',
        '\u{0}',
        '\u{1f}',
        '\u{7f}',
        'é',
        '\u{2028}',
        '\u{feff}',
        '\u{1F600}',
        '`',
        '{',
        '}',
        ':',
    ]);
    prop::collection::vec(prop_oneof![any::<char>(), tricky], 0..24).prop_map(String::from_iter)
}

fn valid_name() -> impl Strategy<Value = IntegrationName> {
    "[A-Za-z0-9][A-Za-z0-9._-]{0,63}".prop_map(|s| IntegrationName::new(&s).unwrap())
}

/// Strings close to names, so that both sides of the rule are exercised.
fn name_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9._-]{0,70}",
        "[A-Za-z0-9._/ é\\\\:-]{0,8}",
        any_string(),
    ]
}

/// A `u64` for a `*_secs` field: often in range, sometimes just outside, sometimes anything.
fn any_secs() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..=86_402,
        Just(0),
        Just(86_400),
        Just(86_401),
        Just(u64::MAX),
        any::<u64>(),
    ]
}

/// A valid entry, built through the builder.
fn entry() -> impl Strategy<Value = IntegrationEntry> {
    (
        valid_name(),
        prop::option::of(any_string()),
        prop::option::of(any_string()),
        any::<bool>(),
        prop::option::of(any_string()),
        1..=MAX_HEALTH_INTERVAL_SECS,
        1..=MAX_HEALTH_TIMEOUT_SECS,
        0..=MAX_STARTUP_GRACE_SECS,
    )
        .prop_map(
            |(name, checkpoint, restore, critical, health, interval, timeout, grace)| {
                let mut builder = IntegrationEntry::builder(name)
                    .critical(critical)
                    .health_interval_secs(interval)
                    .health_timeout_secs(timeout)
                    .startup_grace_secs(grace);
                if let Some(cmd) = checkpoint {
                    builder = builder.checkpoint_cmd(cmd);
                }
                if let Some(cmd) = restore {
                    builder = builder.restore_cmd(cmd);
                }
                if let Some(cmd) = health {
                    builder = builder.health_cmd(cmd);
                }
                builder.build().unwrap()
            },
        )
}

fn manifest() -> impl Strategy<Value = IntegrationManifest> {
    prop::collection::vec(entry(), 0..4).prop_map(|entries| {
        // One entry per name: a manifest refuses a second one.
        let mut unique: Vec<IntegrationEntry> = Vec::new();
        for entry in entries {
            if unique.iter().all(|e| e.name() != entry.name()) {
                unique.push(entry);
            }
        }
        IntegrationManifest::new(unique).unwrap()
    })
}

/// A small JSON value: the payload of an unknown status, or an unknown field's value.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        any_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((any_string(), inner), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// A status name this version does not know.
fn unknown_status_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "degraded", "draining", "Active", "ERROR", "error ", ""
        ])
        .prop_map(str::to_owned),
        any_string(),
    ]
    .prop_filter("not a known status name", |name| {
        !KNOWN_STATUS_NAMES.contains(&name.as_str())
    })
}

/// The compact JSON of an unknown status: `"<name>"` or `{"<name>": <payload>}`.
fn unknown_status_json() -> impl Strategy<Value = String> {
    (unknown_status_name(), prop::option::of(json_value())).prop_map(|(name, payload)| {
        let name = serde_json::to_string(&name).unwrap();
        match payload {
            None => name,
            Some(payload) => format!("{{{name}:{}}}", serde_json::to_string(&payload).unwrap()),
        }
    })
}

fn status() -> impl Strategy<Value = IntegrationStatus> {
    prop_oneof![
        Just(IntegrationStatus::Active),
        Just(IntegrationStatus::Paused),
        Just(IntegrationStatus::Pending),
        Just(IntegrationStatus::Starting),
        any_string().prop_map(IntegrationStatus::Error),
        // Unknown statuses can only be obtained by parsing.
        unknown_status_json().prop_map(|json| serde_json::from_str(&json).unwrap()),
    ]
}

fn health() -> impl Strategy<Value = IntegrationHealthResult> {
    (any::<bool>(), any_string(), any_string())
        .prop_map(|(healthy, detail, at)| IntegrationHealthResult::new(healthy, detail, at))
}

fn report() -> impl Strategy<Value = IntegrationStateReport> {
    (
        any_string(),
        status(),
        prop::option::of(any_string()),
        any::<u64>(),
        prop::option::of(health()),
    )
        .prop_map(|(name, status, checkpoint_at, size, health)| {
            let mut report = IntegrationStateReport::new(name, status);
            report.last_checkpoint_at = checkpoint_at;
            report.state_size_bytes = size;
            report.health = health;
            report
        })
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Emitting `value`, compact and pretty, parses back to an equal value, and emitting that
/// again gives the same bytes.
fn check_round_trip<T>(value: &T) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    for emit in [
        serde_json::to_string::<T>,
        serde_json::to_string_pretty::<T>,
    ] {
        let json = emit(value).unwrap();
        let back: T = serde_json::from_str(&json)
            .map_err(|e| TestCaseError::fail(format!("{json} does not parse: {e}")))?;
        prop_assert_eq!(&back, value);
        prop_assert_eq!(emit(&back).unwrap(), json);
    }
    Ok(())
}

/// Parses `bytes` as every type; only checks that nothing panics and errors display.
fn parse_everything(bytes: &[u8]) {
    fn each<T: DeserializeOwned>(bytes: &[u8]) {
        if let Err(e) = serde_json::from_slice::<T>(bytes) {
            let _ = e.to_string();
        }
    }
    each::<IntegrationName>(bytes);
    each::<IntegrationEntry>(bytes);
    each::<IntegrationManifest>(bytes);
    each::<IntegrationStatus>(bytes);
    each::<IntegrationHealthResult>(bytes);
    each::<IntegrationStateReport>(bytes);
    each::<Vec<IntegrationStateReport>>(bytes);
    let _ = IntegrationManifest::from_slice(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = IntegrationEntry::from_json(text);
        let _ = IntegrationManifest::from_json(text);
        if let Ok(list) = IntegrationStateReport::parse_list(text) {
            for report in list.into_iter().flatten() {
                let _ = serde_json::to_string(&report).unwrap();
            }
        }
        let _ = IntegrationName::new(text).map_err(|e| e.to_string());
    }
}

/// The name rule, restated from the contract: 1 to 64 bytes of `[A-Za-z0-9._-]`, starting
/// with a letter or a digit.
fn follows_the_name_rule(s: &str) -> bool {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-';
    (1..=MAX_NAME_LEN).contains(&s.len())
        && s.bytes().all(allowed)
        && s.as_bytes()[0].is_ascii_alphanumeric()
}

// ---------------------------------------------------------------------------------------
// Laws
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn name_emit_then_parse_is_identity(name in valid_name()) {
        check_round_trip(&name)?;
    }

    #[test]
    fn entry_emit_then_parse_is_identity(entry in entry()) {
        check_round_trip(&entry)?;
        prop_assert_eq!(IntegrationEntry::from_json(&entry.to_json()).unwrap(), entry);
    }

    #[test]
    fn manifest_emit_then_parse_is_identity(manifest in manifest()) {
        check_round_trip(&manifest)?;
        prop_assert_eq!(&IntegrationManifest::from_json(&manifest.to_json()).unwrap(), &manifest);
        prop_assert_eq!(
            &IntegrationManifest::from_slice(manifest.to_json_compact().as_bytes()).unwrap(),
            &manifest
        );
    }

    #[test]
    fn manifest_emitted_bytes_are_stable(manifest in manifest()) {
        let pretty = manifest.to_json();
        let compact = manifest.to_json_compact();
        prop_assert_eq!(IntegrationManifest::from_json(&pretty).unwrap().to_json(), pretty.clone());
        prop_assert_eq!(IntegrationManifest::from_json(&compact).unwrap().to_json_compact(), compact);
        // Equal manifests emit equal bytes, however they were obtained.
        prop_assert_eq!(manifest.clone().to_json(), pretty);
    }

    #[test]
    fn status_emit_then_parse_is_identity(status in status()) {
        check_round_trip(&status)?;
    }

    #[test]
    fn health_emit_then_parse_is_identity(health in health()) {
        check_round_trip(&health)?;
    }

    #[test]
    fn report_emit_then_parse_is_identity(report in report()) {
        check_round_trip(&report)?;
    }

    #[test]
    fn report_list_emit_then_parse_is_identity(reports in prop::collection::vec(report(), 0..4)) {
        check_round_trip(&reports)?;
        let json = serde_json::to_string(&reports).unwrap();
        let each: Vec<IntegrationStateReport> = IntegrationStateReport::parse_list(&json)
            .unwrap()
            .into_iter()
            .map(Result::unwrap)
            .collect();
        prop_assert_eq!(each, reports);
    }

    /// THE LAW: every value a user can construct emits JSON that parses back to an equal
    /// value. Fed arbitrary numbers, the builder either refuses them or builds an entry that
    /// round-trips.
    #[test]
    fn builder_either_errors_or_builds_an_entry_that_round_trips(
        name in valid_name(),
        checkpoint in prop::option::of(any_string()),
        critical in any::<bool>(),
        health_cmd in prop::option::of(any_string()),
        interval in any_secs(),
        timeout in any_secs(),
        grace in any_secs(),
    ) {
        let mut builder = IntegrationEntry::builder(name)
            .critical(critical)
            .health_interval_secs(interval)
            .health_timeout_secs(timeout)
            .startup_grace_secs(grace);
        if let Some(cmd) = checkpoint {
            builder = builder.checkpoint_cmd(cmd);
        }
        if let Some(cmd) = health_cmd {
            builder = builder.health_cmd(cmd);
        }
        let in_range = (1..=MAX_HEALTH_INTERVAL_SECS).contains(&interval)
            && (1..=MAX_HEALTH_TIMEOUT_SECS).contains(&timeout)
            && grace <= MAX_STARTUP_GRACE_SECS;
        match builder.build() {
            Ok(entry) => {
                prop_assert!(in_range);
                prop_assert_eq!(entry.health_interval_secs(), interval);
                prop_assert_eq!(entry.health_timeout_secs(), timeout);
                prop_assert_eq!(entry.startup_grace_secs(), grace);
                check_round_trip(&entry)?;
            }
            Err(err) => {
                prop_assert!(!in_range);
                let value = match err.field() {
                    Field::HealthIntervalSecs => interval,
                    Field::HealthTimeoutSecs => timeout,
                    Field::StartupGraceSecs => grace,
                    other => return Err(TestCaseError::fail(format!("unexpected field {other}"))),
                };
                let message = err.to_string();
                let prefix = format!("invalid `{}` value `{value}`: must be between ", err.field());
                prop_assert!(message.starts_with(&prefix), "{}", message);
            }
        }
    }

    #[test]
    fn parsing_accepts_exactly_the_numbers_the_builder_accepts(
        interval in any_secs(),
        timeout in any_secs(),
        grace in any_secs(),
    ) {
        let built = IntegrationEntry::builder(IntegrationName::new("a").unwrap())
            .health_interval_secs(interval)
            .health_timeout_secs(timeout)
            .startup_grace_secs(grace)
            .build();
        let json = format!(
            r#"{{"name":"a","health_interval_secs":{interval},"health_timeout_secs":{timeout},"startup_grace_secs":{grace}}}"#
        );
        let parsed = IntegrationEntry::from_json(&json);
        match (built, parsed) {
            (Ok(b), Ok(p)) => prop_assert_eq!(b, p),
            (Err(b), Err(p)) => {
                // The parser's typed cause is the builder's error.
                let cause = std::error::Error::source(&p).and_then(|e| e.downcast_ref::<InvalidEntry>());
                prop_assert_eq!(cause, Some(&b));
                prop_assert_eq!(p.field(), Some(b.field()));
            }
            (b, p) => return Err(TestCaseError::fail(format!("builder {b:?}, parser {p:?}"))),
        }
    }

    #[test]
    fn unknown_fields_never_change_the_parsed_entry(
        entry in entry(),
        extra in prop::collection::vec((any_string(), json_value()), 1..4),
    ) {
        let mut object = serde_json::to_value(&entry).unwrap();
        let map = object.as_object_mut().unwrap();
        for (key, value) in extra {
            if !map.contains_key(&key) {
                map.insert(key, value);
            }
        }
        let json = serde_json::to_string(&object).unwrap();
        prop_assert_eq!(IntegrationEntry::from_json(&json).unwrap(), entry);
    }

    #[test]
    fn omitted_fields_parse_as_their_defaults(
        entry in entry(),
        omit in prop::collection::vec(any::<bool>(), 7),
    ) {
        let optional = [
            "checkpoint_cmd",
            "restore_cmd",
            "critical",
            "health_cmd",
            "health_interval_secs",
            "health_timeout_secs",
            "startup_grace_secs",
        ];
        let mut object = serde_json::to_value(&entry).unwrap();
        for (field, omit) in optional.iter().zip(omit) {
            if omit {
                object.as_object_mut().unwrap().remove(*field);
            }
        }
        let parsed = IntegrationEntry::from_json(&object.to_string()).unwrap();
        let has = |field: &str| object.get(field).is_some();
        prop_assert_eq!(parsed.name(), entry.name());
        prop_assert_eq!(parsed.checkpoint_cmd(), if has("checkpoint_cmd") { entry.checkpoint_cmd() } else { None });
        prop_assert_eq!(parsed.restore_cmd(), if has("restore_cmd") { entry.restore_cmd() } else { None });
        prop_assert_eq!(parsed.critical(), has("critical") && entry.critical());
        prop_assert_eq!(parsed.health_cmd(), if has("health_cmd") { entry.health_cmd() } else { None });
        prop_assert_eq!(
            parsed.health_interval_secs(),
            if has("health_interval_secs") { entry.health_interval_secs() } else { DEFAULT_HEALTH_INTERVAL_SECS }
        );
        prop_assert_eq!(
            parsed.health_timeout_secs(),
            if has("health_timeout_secs") { entry.health_timeout_secs() } else { DEFAULT_HEALTH_TIMEOUT_SECS }
        );
        prop_assert_eq!(
            parsed.startup_grace_secs(),
            if has("startup_grace_secs") { entry.startup_grace_secs() } else { DEFAULT_STARTUP_GRACE_SECS }
        );
    }

    #[test]
    fn unknown_status_parses_and_re_emits_byte_identical(json in unknown_status_json()) {
        let status: IntegrationStatus = serde_json::from_str(&json).unwrap();
        prop_assert!(!status.is_known());
        prop_assert_eq!(serde_json::to_string(&status).unwrap(), json.clone());
        // Inside a report, too.
        let report_json = format!(r#"{{"name":"n","status":{json},"state_size_bytes":1}}"#);
        let report: IntegrationStateReport = serde_json::from_str(&report_json).unwrap();
        prop_assert_eq!(&report.status, &status);
        let emitted = serde_json::to_string(&report).unwrap();
        let status_prefix = format!(r#"{{"name":"n","status":{json},"#);
        prop_assert!(emitted.starts_with(&status_prefix));
    }

    #[test]
    fn a_known_status_with_a_malformed_payload_is_an_error(payload in json_value()) {
        let json = format!(r#"{{"error":{}}}"#, serde_json::to_string(&payload).unwrap());
        let parsed = serde_json::from_str::<IntegrationStatus>(&json);
        match payload {
            Value::String(detail) => prop_assert_eq!(parsed.unwrap(), IntegrationStatus::Error(detail)),
            _ => prop_assert!(parsed.is_err()),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        parse_everything(&bytes);
    }

    #[test]
    fn json_like_text_never_panics(text in r#"[\[\]{}":,0-9a-z\\ .eE+\-]{0,64}"#) {
        parse_everything(text.as_bytes());
    }

    #[test]
    fn corrupted_reports_never_panic(
        reports in prop::collection::vec(report(), 1..3),
        at in any::<Index>(),
        byte in any::<u8>(),
        cut in any::<Index>(),
    ) {
        let mut bytes = serde_json::to_vec(&reports).unwrap();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        parse_everything(&bytes);
        bytes.truncate(cut.index(bytes.len()));
        parse_everything(&bytes);
    }

    #[test]
    fn name_rule_holds_for_arbitrary_strings(s in name_like()) {
        let expected = follows_the_name_rule(&s);
        let new = IntegrationName::new(&s);
        prop_assert_eq!(new.is_ok(), expected, "{:?}", s);
        prop_assert_eq!(&s.parse::<IntegrationName>(), &new);
        prop_assert_eq!(&IntegrationName::try_from(s.as_str()), &new);
        prop_assert_eq!(&IntegrationName::try_from(s.clone()), &new);
        let via_serde = serde_json::from_str::<IntegrationName>(&serde_json::to_string(&s).unwrap());
        prop_assert_eq!(via_serde.is_ok(), expected);
        let entry = IntegrationEntry::from_json(&format!(r#"{{"name":{}}}"#, serde_json::to_string(&s).unwrap()));
        prop_assert_eq!(entry.is_ok(), expected);
        match new {
            Ok(name) => prop_assert_eq!(name.as_str(), s.as_str()),
            Err(err) => {
                prop_assert_eq!(err.name(), s.as_str());
                let message = err.to_string();
                prop_assert!(message.starts_with("invalid integration name"), "{}", message);
                prop_assert!(!message.contains('\n'), "{}", message);
            }
        }
    }

    #[test]
    fn reports_accept_any_name_string(name in any_string(), status in status()) {
        let report = IntegrationStateReport::new(name.clone(), status);
        let json = serde_json::to_string(&report).unwrap();
        let back: IntegrationStateReport = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back.name, &name);
        prop_assert_eq!(back.validated_name().is_ok(), follows_the_name_rule(&name));
    }

    #[test]
    fn path_helpers_never_leave_the_base(name in valid_name()) {
        let base = Path::new(INTEGRATIONS_BASE_PATH);
        for (path, leaf) in [
            (integration_state_dir(&name), "state"),
            (integration_checkpoint_path(&name), "checkpoint"),
        ] {
            prop_assert!(path.components().all(|c| matches!(c, Component::RootDir | Component::Normal(_))));
            let rest: Vec<Component<'_>> = path.strip_prefix(base).unwrap().components().collect();
            prop_assert_eq!(rest, vec![Component::Normal(name.as_str().as_ref()), Component::Normal(leaf.as_ref())]);
        }
    }

    #[test]
    fn layout_paths_never_leave_a_custom_base(name in valid_name(), base in "[a-z/.]{0,16}") {
        let layout = StateLayout::new(&base);
        for (path, tail) in [
            (layout.integration_dir(&name), vec![name.as_str()]),
            (layout.state_dir(&name), vec![name.as_str(), "state"]),
            (layout.checkpoint_path(&name), vec![name.as_str(), "checkpoint"]),
        ] {
            let rest: Vec<Component<'_>> = path.strip_prefix(&base).unwrap().components().collect();
            let want: Vec<Component<'_>> = tail.iter().map(|t| Component::Normal(t.as_ref())).collect();
            prop_assert_eq!(rest, want);
        }
    }

    #[test]
    fn from_health_is_active_exactly_when_healthy(health in prop::option::of(health()), within_grace in any::<bool>()) {
        let status = IntegrationStatus::from_health(health.as_ref(), within_grace);
        let want = match &health {
            Some(h) if h.healthy => IntegrationStatus::Active,
            _ if within_grace => IntegrationStatus::Starting,
            Some(h) => IntegrationStatus::Error(h.detail.clone()),
            None => IntegrationStatus::Pending,
        };
        prop_assert_eq!(status, want);
    }

    #[test]
    fn warnings_never_stop_an_entry_from_parsing(entry in entry()) {
        // Whatever `warnings` says, the entry is valid and reads back.
        let _ = entry.warnings();
        prop_assert_eq!(IntegrationEntry::from_json(&entry.to_json()).unwrap(), entry.clone());
        let blank = entry.to_builder().checkpoint_cmd(" ").health_cmd("").build().unwrap();
        prop_assert_eq!(IntegrationEntry::from_json(&blank.to_json()).unwrap(), blank);
    }
}
