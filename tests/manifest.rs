//! `IntegrationManifest`: pretty and compact JSON, required and unknown fields, and the
//! constructors.

use mvm_integrations::{IntegrationEntry, IntegrationManifest, IntegrationName};

#[track_caller]
fn entry(name: &str) -> IntegrationEntry {
    IntegrationEntry::new(IntegrationName::new(name).unwrap())
}

#[test]
fn pretty_json_has_two_space_indent_and_no_final_newline() {
    let manifest = IntegrationManifest::new(vec![entry("a")]);
    let expected = r#"{
  "integrations": [
    {
      "name": "a",
      "checkpoint_cmd": null,
      "restore_cmd": null,
      "critical": false,
      "health_cmd": null,
      "health_interval_secs": 30,
      "health_timeout_secs": 10,
      "startup_grace_secs": 0
    }
  ]
}"#;
    assert_eq!(manifest.to_json(), expected);
    assert_eq!(
        manifest.to_json(),
        serde_json::to_string_pretty(&manifest).unwrap()
    );
}

#[test]
fn compact_json_is_serde_json_to_string() {
    let manifest = IntegrationManifest::new(vec![entry("a"), entry("b")]);
    assert_eq!(
        manifest.to_json_compact(),
        serde_json::to_string(&manifest).unwrap()
    );
    assert!(!manifest.to_json_compact().contains(char::is_whitespace));
}

#[test]
fn both_forms_parse_back_to_an_equal_manifest() {
    let manifest: IntegrationManifest = ["x", "y", "z"].into_iter().map(entry).collect();
    for json in [manifest.to_json(), manifest.to_json_compact()] {
        assert_eq!(IntegrationManifest::from_json(&json).unwrap(), manifest);
        assert_eq!(
            IntegrationManifest::from_slice(json.as_bytes()).unwrap(),
            manifest
        );
    }
}

#[test]
fn empty_manifest() {
    let manifest = IntegrationManifest::default();
    assert!(manifest.integrations.is_empty());
    assert_eq!(manifest.to_json(), "{\n  \"integrations\": []\n}");
    assert_eq!(manifest.to_json_compact(), r#"{"integrations":[]}"#);
    assert_eq!(
        IntegrationManifest::from_json(r#"{"integrations": []}"#).unwrap(),
        manifest
    );
}

#[test]
fn order_is_kept() {
    let names = ["zeta", "alpha", "mid", "alpha2"];
    let manifest: IntegrationManifest = names.into_iter().map(entry).collect();
    let back = IntegrationManifest::from_json(&manifest.to_json()).unwrap();
    let got: Vec<&str> = back
        .integrations
        .iter()
        .map(|e| e.name().as_str())
        .collect();
    assert_eq!(got, names);
}

#[test]
fn constructors_agree() {
    let entries = vec![entry("a"), entry("b")];
    let new = IntegrationManifest::new(entries.clone());
    let from: IntegrationManifest = entries.clone().into();
    let collected: IntegrationManifest = entries.clone().into_iter().collect();
    assert_eq!(new, from);
    assert_eq!(new, collected);
    assert_eq!(new.integrations, entries);
}

#[test]
fn unknown_fields_are_ignored() {
    let plain = IntegrationManifest::from_json(r#"{"integrations":[{"name":"a"}]}"#).unwrap();
    for json in [
        r#"{"integrations":[{"name":"a"}],"version":2}"#,
        r#"{"schema":{"x":[1]},"integrations":[{"name":"a","later":true}]}"#,
    ] {
        assert_eq!(
            IntegrationManifest::from_json(json).unwrap(),
            plain,
            "{json}"
        );
    }
}

#[test]
fn malformed_manifests_are_errors() {
    for (json, want) in [
        ("{}", "missing field `integrations`"),
        (r#"{"integrations":null}"#, "expected a sequence"),
        (r#"{"integrations":{}}"#, "expected a sequence"),
        (r#"{"integrations":[{}]}"#, "missing field `name`"),
        (
            r#"{"integrations":[{"name":"ok"},{"name":"a/b"}]}"#,
            "invalid integration name `a/b`",
        ),
        (
            r#"{"integrations":[{"name":"a","health_timeout_secs":0}]}"#,
            "invalid `health_timeout_secs` value `0`",
        ),
        ("[]", "expected struct IntegrationManifest"),
        ("", "EOF while parsing a value"),
    ] {
        let err = IntegrationManifest::from_json(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{json}: `{err}` lacks `{want}`");
    }
}

#[test]
fn from_slice_rejects_bytes_that_are_not_utf8() {
    let err =
        IntegrationManifest::from_slice(b"{\"integrations\":[{\"name\":\"a\xff\"}]}").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid UTF-8 at byte 27: expected JSON text"
    );
    // Even where the bad bytes sit in a field that would be ignored.
    let err = IntegrationManifest::from_slice(b"{\"integrations\":[],\"x\":\"\xff\"}").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid UTF-8 at byte 24: expected JSON text"
    );
}
