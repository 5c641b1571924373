//! The wire types are not tied to JSON text: entries, manifests and names round-trip through
//! `serde_json::Value` and through CBOR (ciborium), a self-describing binary format, with the
//! same rules (objects only, no duplicate names).

use std::fmt::Debug;

use mvm_integrations::{IntegrationEntry, IntegrationManifest, IntegrationName};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

#[track_caller]
fn through_value<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let tree = serde_json::to_value(value).unwrap();
    let back: T = serde_json::from_value(tree.clone()).unwrap();
    assert_eq!(&back, value, "through serde_json::Value: {tree}");
}

#[track_caller]
fn through_cbor<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let mut bytes = Vec::new();
    ciborium::into_writer(value, &mut bytes).unwrap();
    let back: T = ciborium::from_reader(bytes.as_slice()).unwrap();
    assert_eq!(&back, value, "through CBOR");
}

fn entry() -> impl Strategy<Value = IntegrationEntry> {
    (
        "[a-z0-9][a-z0-9._-]{0,20}",
        prop::option::of(".{0,12}"),
        any::<bool>(),
        prop::option::of(".{0,12}"),
        1..=86_400u64,
        0..=86_400u64,
    )
        .prop_map(|(name, checkpoint, critical, health, interval, grace)| {
            IntegrationEntry::builder_for(&name)
                .maybe_checkpoint_cmd(checkpoint)
                .critical(critical)
                .maybe_health_cmd(health)
                .health_interval_secs(interval)
                .startup_grace_secs(grace)
                .build()
                .unwrap()
        })
}

fn manifest() -> impl Strategy<Value = IntegrationManifest> {
    prop::collection::vec(entry(), 0..5).prop_map(|entries| {
        let mut manifest = IntegrationManifest::default();
        for entry in entries {
            // A second entry of a name is refused; the manifest keeps the first.
            let _ = manifest.push(entry);
        }
        manifest
    })
}

proptest! {
    #[test]
    fn entry_emit_to_value_and_cbor_then_parse_is_identity(entry in entry()) {
        through_value(&entry);
        through_cbor(&entry);
    }

    #[test]
    fn manifest_emit_to_value_and_cbor_then_parse_is_identity(manifest in manifest()) {
        through_value(&manifest);
        through_cbor(&manifest);
    }

    #[test]
    fn name_emit_to_value_and_cbor_then_parse_is_identity(name in "[A-Za-z0-9][A-Za-z0-9._-]{0,63}") {
        let name = IntegrationName::new(&name).unwrap();
        through_value(&name);
        through_cbor(&name);
    }
}

#[test]
fn the_rules_hold_in_every_format() {
    let duplicate = json!({"integrations": [{"name": "a"}, {"name": "a"}]});
    let err = serde_json::from_value::<IntegrationManifest>(duplicate.clone()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "duplicate integration name `a`: entry 1 has the name of entry 0, expected each name once"
    );
    let mut bytes = Vec::new();
    ciborium::into_writer(&duplicate, &mut bytes).unwrap();
    let err = ciborium::from_reader::<IntegrationManifest, _>(bytes.as_slice()).unwrap_err();
    assert!(
        err.to_string().contains("duplicate integration name `a`"),
        "{err}"
    );

    for array in [json!([[]]), json!(["a"])] {
        assert!(serde_json::from_value::<IntegrationManifest>(array.clone()).is_err());
        assert!(serde_json::from_value::<IntegrationEntry>(array.clone()).is_err());
        let mut bytes = Vec::new();
        ciborium::into_writer(&array, &mut bytes).unwrap();
        assert!(ciborium::from_reader::<IntegrationManifest, _>(bytes.as_slice()).is_err());
        assert!(ciborium::from_reader::<IntegrationEntry, _>(bytes.as_slice()).is_err());
    }

    let bad: Value = json!({"name": "a", "health_interval_secs": 0});
    let err = serde_json::from_value::<IntegrationEntry>(bad).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid `health_interval_secs` value `0`: must be between 1 and 86400"
    );
}

#[test]
fn unknown_fields_of_any_shape_are_skipped_in_cbor() {
    let doc = json!({"name": "a", "later": {"x": [1, {"y": null}], "z": 1.5}, "other": b"bytes".to_vec()});
    let mut bytes = Vec::new();
    ciborium::into_writer(&doc, &mut bytes).unwrap();
    let entry: IntegrationEntry = ciborium::from_reader(bytes.as_slice()).unwrap();
    assert_eq!(entry.name(), "a");
}
