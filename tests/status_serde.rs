//! Statuses, health results and reports through every serde data model path a host uses:
//! `serde_json::Value`, CBOR (a self-describing binary format), `#[serde(flatten)]`, and
//! internally tagged, adjacently tagged and untagged enums. Known and unknown statuses, in
//! string and object form.

use mvm_integrations::{
    IntegrationHealthResult, IntegrationStateReport, IntegrationStatus, ParseErrorKind,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Statuses of every shape: known unit, known with detail, unknown string, unknown object
/// with payloads of every JSON type, nested.
const STATUSES: &[&str] = &[
    r#""active""#,
    r#""paused""#,
    r#""pending""#,
    r#""starting""#,
    r#"{"error":"exit code 1"}"#,
    r#""degraded""#,
    r#"{"draining":null}"#,
    r#"{"draining":{"since":3,"left":[1,-2,2.5,"x",true,null,{}],"z":{"b":1,"a":[]}}}"#,
    r#"{"draining":-9223372036854775808}"#,
    r#"{"draining":18446744073709551615}"#,
    r#"{"draining":"é\n"}"#,
];

fn statuses() -> Vec<IntegrationStatus> {
    STATUSES
        .iter()
        .map(|json| IntegrationStatus::from_json(json).unwrap())
        .collect()
}

fn reports() -> Vec<IntegrationStateReport> {
    statuses()
        .into_iter()
        .enumerate()
        .map(|(i, status)| {
            let report = IntegrationStateReport::new(format!("r{i}"), status);
            if i % 2 == 0 {
                report
                    .with_last_checkpoint_at("2025-06-01T12:00:00Z".to_owned())
                    .with_state_size_bytes(u64::MAX - i as u64)
                    .with_health(IntegrationHealthResult::new(i % 4 == 0, "ok", "t"))
            } else {
                report
            }
        })
        .collect()
}

#[track_caller]
fn through_cbor<T: Serialize + DeserializeOwned>(value: &T) -> T {
    let mut bytes = Vec::new();
    ciborium::into_writer(value, &mut bytes).unwrap();
    ciborium::from_reader(bytes.as_slice()).unwrap()
}

#[track_caller]
fn through_value<T: Serialize + DeserializeOwned>(value: &T) -> T {
    serde_json::from_value(serde_json::to_value(value).unwrap()).unwrap()
}

#[test]
fn status_round_trips_through_cbor_and_value_for_every_shape() {
    for (status, json) in statuses().iter().zip(STATUSES) {
        assert_eq!(&through_cbor(status), status, "{json}");
        assert_eq!(&through_value(status), status, "{json}");
        // Back in JSON, the bytes are the same as they came.
        assert_eq!(through_cbor(status).to_json_compact(), *json);
    }
}

#[test]
fn reports_and_health_results_round_trip_through_cbor_and_value() {
    for report in reports() {
        assert_eq!(through_cbor(&report), report);
        assert_eq!(through_value(&report), report);
        if let Some(health) = report.health() {
            assert_eq!(&through_cbor(health), health);
            assert_eq!(&through_value(health), health);
        }
    }
    let list = reports();
    assert_eq!(through_cbor(&list), list);
    assert_eq!(through_value(&list), list);
}

/// A host's envelope with a report flattened into it.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Envelope {
    vm: String,
    #[serde(flatten)]
    report: IntegrationStateReport,
}

/// A host's status holder with the status flattened through a newtype field.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Tagged {
    seq: u32,
    #[serde(flatten)]
    inner: Inner,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Inner {
    status: IntegrationStatus,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
enum Internal {
    Report(IntegrationStateReport),
    Health(IntegrationHealthResult),
    Status { status: IntegrationStatus },
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "c")]
enum Adjacent {
    Report(IntegrationStateReport),
    Status(IntegrationStatus),
    Health(IntegrationHealthResult),
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum Untagged {
    Report(IntegrationStateReport),
    Status(IntegrationStatus),
}

/// Round-trips `value` through JSON text, `Value` and CBOR.
#[track_caller]
fn every_format<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    let json = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
    assert_eq!(&back, value, "{json}");
    assert_eq!(&through_value(value), value, "{json}");
    assert_eq!(&through_cbor(value), value, "{json}");
}

#[test]
fn reports_flatten_into_a_host_struct() {
    for report in reports() {
        every_format(&Envelope {
            vm: "vm-1".into(),
            report,
        });
    }
    for status in statuses() {
        every_format(&Tagged {
            seq: 7,
            inner: Inner { status },
        });
    }
    // A newer guest's unknown status inside a host envelope, as text.
    let json = r#"{"vm":"vm-9","name":"a","status":{"draining":{"since":3}},"state_size_bytes":1}"#;
    let envelope: Envelope = serde_json::from_str(json).unwrap();
    assert_eq!(envelope.report.status().name(), "draining");
    assert_eq!(
        envelope.report.status().to_json_compact(),
        r#"{"draining":{"since":3}}"#
    );
}

#[test]
fn reports_statuses_and_health_results_live_in_internally_tagged_enums() {
    for report in reports() {
        if let Some(health) = report.health() {
            every_format(&Internal::Health(health.clone()));
        }
        every_format(&Internal::Status {
            status: report.status().clone(),
        });
        every_format(&Internal::Report(report));
    }
    let json = r#"{"type":"Report","name":"a","status":{"degraded":[1,{"x":2}]}}"#;
    let Internal::Report(report) = serde_json::from_str(json).unwrap() else {
        panic!("not a report")
    };
    assert_eq!(
        report.status().to_json_compact(),
        r#"{"degraded":[1,{"x":2}]}"#
    );
}

#[test]
fn reports_statuses_and_health_results_live_in_adjacently_tagged_enums() {
    for report in reports() {
        every_format(&Adjacent::Status(report.status().clone()));
        if let Some(health) = report.health() {
            every_format(&Adjacent::Health(health.clone()));
        }
        every_format(&Adjacent::Report(report));
    }
}

#[test]
fn reports_and_statuses_live_in_untagged_enums() {
    for report in reports() {
        every_format(&Untagged::Status(report.status().clone()));
        every_format(&Untagged::Report(report));
    }
}

#[test]
fn cbor_values_json_cannot_hold_are_errors_in_a_payload() {
    use ciborium::Value;
    let status = |payload: Value| {
        let mut bytes = Vec::new();
        ciborium::into_writer(
            &Value::Map(vec![(Value::Text("d".into()), payload)]),
            &mut bytes,
        )
        .unwrap();
        ciborium::from_reader::<IntegrationStatus, _>(bytes.as_slice()).map_err(|e| e.to_string())
    };
    assert!(status(Value::Bytes(vec![1, 2])).is_err());
    assert!(status(Value::Float(f64::NAN)).is_err());
    assert!(status(Value::Float(f64::INFINITY)).is_err());
    assert!(status(Value::Map(vec![(Value::Integer(1.into()), Value::Null)])).is_err());
    assert!(
        status(Value::Map(vec![
            (Value::Text("a".into()), Value::Null),
            (Value::Text("a".into()), Value::Null),
        ]))
        .unwrap_err()
        .contains("duplicate key `a`")
    );
    // What JSON can hold is kept.
    let ok = status(Value::Array(vec![
        Value::Integer((-3).into()),
        Value::Float(0.5),
    ]))
    .unwrap();
    assert_eq!(ok.to_json_compact(), r#"{"d":[-3,0.5]}"#);
}

/// Input, expected message: the report and the health result are JSON objects only, and
/// every key appears once, at every level.
#[test]
fn arrays_and_duplicate_keys_are_errors_with_their_position() {
    for (json, kind, message) in [
        (
            r#"["a","active"]"#,
            ParseErrorKind::Type,
            "invalid type: sequence, expected a state report object at line 1 column 1",
        ),
        (
            r#"{"name":"a","status":"active","name":"b"}"#,
            ParseErrorKind::DuplicateKey,
            "duplicate key `name`: expected each key once in an object at line 1 column 36",
        ),
        (
            r#"{"name":"a","status":"active","x":1,"x":2}"#,
            ParseErrorKind::DuplicateKey,
            "duplicate key `x`: expected each key once in an object at line 1 column 39",
        ),
        (
            r#"{"name":"a","status":"active","x":{"y":[{"z":1,"z":2}]}}"#,
            ParseErrorKind::DuplicateKey,
            "duplicate key `z`: expected each key once in an object at line 1 column 50",
        ),
        (
            r#"{"name":"a","status":{"d":{"k":1,"k":2}}}"#,
            ParseErrorKind::DuplicateKey,
            "duplicate key `k`: expected each key once in an object at line 1 column 36",
        ),
        (
            r#"{"name":"a","status":"active","health":[true,"ok","t"]}"#,
            ParseErrorKind::Type,
            "invalid type: sequence, expected a health result object at line 1 column 40",
        ),
        (
            r#"{"name":"a","status":"active","health":{"healthy":true,"detail":"ok","checked_at":"t","healthy":false}}"#,
            ParseErrorKind::DuplicateKey,
            "duplicate key `healthy`: expected each key once in an object at line 1 column 95",
        ),
        (
            r#"{"name":"a","status":"active","health":{"healthy":true,"detail":"ok","checked_at":"t","e":0,"e":0}}"#,
            ParseErrorKind::DuplicateKey,
            "duplicate key `e`: expected each key once in an object at line 1 column 95",
        ),
    ] {
        let err = IntegrationStateReport::from_json(json).unwrap_err();
        assert_eq!(
            (err.kind(), err.to_string().as_str()),
            (kind, message),
            "{json}"
        );
    }
    let err = IntegrationHealthResult::from_json(r#"[true,"ok","t"]"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid type: sequence, expected a health result object at line 1 column 1"
    );
}

#[test]
fn from_slice_reads_the_same_as_from_json_and_rejects_bad_utf8() {
    for report in reports() {
        let json = report.to_json();
        assert_eq!(
            IntegrationStateReport::from_slice(json.as_bytes()).unwrap(),
            report
        );
        assert_eq!(
            IntegrationStatus::from_slice(report.status().to_json().as_bytes()).unwrap(),
            *report.status()
        );
    }
    let err = IntegrationStatus::from_slice(b"\"a\xff\"").unwrap_err();
    assert_eq!(err.kind(), ParseErrorKind::NotUtf8);
    let health = IntegrationHealthResult::new(true, "ok", "t");
    assert_eq!(
        IntegrationHealthResult::from_slice(health.to_json().as_bytes()).unwrap(),
        health
    );
}

#[test]
fn a_status_object_with_its_name_twice_is_a_duplicate_key() {
    for (json, kind, message) in [
        (
            r#"{"error":"a","error":"b"}"#,
            ParseErrorKind::DuplicateKey,
            "duplicate key `error`: expected each key once in an object at line 1 column 20",
        ),
        (
            r#"{"draining":1,"draining":2}"#,
            ParseErrorKind::DuplicateKey,
            "duplicate key `draining`: expected each key once in an object at line 1 column 24",
        ),
        (
            r#"{"draining":1,"error":"b"}"#,
            ParseErrorKind::Value,
            "invalid status object: expected exactly one key, the status name, found more at line 1 column 21",
        ),
    ] {
        let err = IntegrationStatus::from_json(json).unwrap_err();
        assert_eq!(
            (err.kind(), err.to_string().as_str()),
            (kind, message),
            "{json}"
        );
    }
}
