//! `IntegrationManifest`: pretty and compact JSON, required and unknown fields, and the
//! constructors.

use std::error::Error;

use mvm_integrations::{
    DuplicateName, Field, IntegrationEntry, IntegrationManifest, IntegrationName, ParseErrorKind,
    Position,
};

#[track_caller]
fn entry(name: &str) -> IntegrationEntry {
    IntegrationEntry::new(IntegrationName::new(name).unwrap())
}

#[track_caller]
fn manifest(names: &[&str]) -> IntegrationManifest {
    IntegrationManifest::new(names.iter().map(|n| entry(n)).collect()).unwrap()
}

#[test]
fn pretty_json_has_two_space_indent_and_no_final_newline() {
    let manifest = IntegrationManifest::new(vec![entry("a")]).unwrap();
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
    let manifest = IntegrationManifest::new(vec![entry("a"), entry("b")]).unwrap();
    assert_eq!(
        manifest.to_json_compact(),
        serde_json::to_string(&manifest).unwrap()
    );
    assert!(!manifest.to_json_compact().contains(char::is_whitespace));
}

#[test]
fn both_forms_parse_back_to_an_equal_manifest() {
    let manifest = manifest(&["x", "y", "z"]);
    for json in [manifest.to_json(), manifest.to_json_compact()] {
        assert_eq!(IntegrationManifest::from_json(&json).unwrap(), manifest);
        assert_eq!(
            IntegrationManifest::from_slice(json.as_bytes()).unwrap(),
            manifest
        );
        let lenient = IntegrationManifest::parse_lenient(&json).unwrap();
        assert!(lenient.is_complete());
        assert_eq!(lenient.manifest(), &manifest);
    }
}

#[test]
fn empty_manifest() {
    let manifest = IntegrationManifest::default();
    assert!(manifest.is_empty());
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
    let manifest = manifest(&names);
    let back = IntegrationManifest::from_json(&manifest.to_json()).unwrap();
    let got: Vec<&str> = back.iter().map(|e| e.name().as_str()).collect();
    assert_eq!(got, names);
}

#[test]
fn constructors_agree() {
    let entries = vec![entry("a"), entry("b")];
    let new = IntegrationManifest::new(entries.clone()).unwrap();
    let from = IntegrationManifest::try_from(entries.clone()).unwrap();
    let collected: IntegrationManifest = entries
        .clone()
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut pushed = IntegrationManifest::default();
    for e in entries.clone() {
        pushed.push(e).unwrap();
    }
    assert_eq!(new, from);
    assert_eq!(new, collected);
    assert_eq!(new, pushed);
    assert_eq!(new.entries(), entries);
    assert_eq!(new.clone().into_entries(), entries);
    assert_eq!(Vec::from(new.clone()), entries);
    assert_eq!(
        new.iter().collect::<Vec<_>>(),
        entries.iter().collect::<Vec<_>>()
    );
    assert_eq!((&new).into_iter().count(), 2);
    assert_eq!(new.clone().into_iter().collect::<Vec<_>>(), entries);
    assert_eq!(new.len(), 2);
    assert!(!new.is_empty());
}

#[test]
fn get_finds_an_entry_by_name() {
    let manifest = manifest(&["a", "b", "c"]);
    assert_eq!(manifest.get("b"), Some(&entry("b")));
    assert_eq!(manifest.get("B"), None);
    assert_eq!(manifest.get(""), None);
    assert_eq!(IntegrationManifest::default().get("a"), None);
}

#[test]
fn constructing_with_a_duplicate_name_is_an_error() {
    let err = IntegrationManifest::new(vec![entry("a"), entry("b"), entry("a")]).unwrap_err();
    assert_eq!(
        (err.name().as_str(), err.index(), err.first_index()),
        ("a", 2, 0)
    );
    assert_eq!(
        err.to_string(),
        "duplicate integration name `a`: entry 2 has the name of entry 0, expected each name once"
    );
    let collected: Result<IntegrationManifest, DuplicateName> =
        [entry("x"), entry("x")].into_iter().collect();
    assert_eq!(collected.unwrap_err().index(), 1);

    let mut manifest = manifest(&["a"]);
    let err = manifest.push(entry("a")).unwrap_err();
    assert_eq!((err.index(), err.first_index()), (1, 0));
    assert_eq!(
        manifest.len(),
        1,
        "a refused push leaves the manifest as it was"
    );
}

#[test]
fn strict_parsing_rejects_a_duplicate_name_on_the_later_entry() {
    let json =
        "{\"integrations\": [\n  {\"name\": \"a\"},\n  {\"name\": \"b\"},\n  {\"name\": \"a\"}\n]}";
    for err in [
        IntegrationManifest::from_json(json).unwrap_err(),
        IntegrationManifest::from_slice(json.as_bytes()).unwrap_err(),
    ] {
        assert_eq!(err.kind(), ParseErrorKind::DuplicateName);
        assert_eq!(err.index(), Some(2));
        assert_eq!(err.field(), Some(Field::Name));
        assert_eq!(err.position(), Some(Position { line: 4, column: 3 }));
        assert_eq!(
            err.to_string(),
            "duplicate value for `name` at line 4 column 3"
        );
        let cause = err
            .source()
            .unwrap()
            .downcast_ref::<DuplicateName>()
            .unwrap();
        assert_eq!((cause.index(), cause.first_index()), (2, 0));
    }
    // Through serde too (a host embedding a manifest in its own document).
    let err = serde_json::from_str::<IntegrationManifest>(json).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("duplicate integration name `a`"),
        "{err}"
    );
}

#[test]
fn lenient_parsing_keeps_the_good_entries_with_exact_positions() {
    let json = "{\"integrations\": [\n  {\"name\": \"a\"},\n  {\"name\": \"My App\"},\n  {\"name\": \"b\", \"health_interval_secs\": 0},\n  {\"name\": \"a\", \"critical\": true},\n  5,\n  {\"name\": \"c\", \"x\": 1, \"x\": 2},\n  {\"name\": \"d\"}\n]}";
    let parsed = IntegrationManifest::parse_lenient(json).unwrap();
    let names: Vec<&str> = parsed
        .manifest()
        .iter()
        .map(|e| e.name().as_str())
        .collect();
    assert_eq!(names, ["a", "d"]);
    assert!(
        !parsed.manifest().get("a").unwrap().critical(),
        "the first `a` is kept"
    );
    let problems: Vec<(usize, ParseErrorKind, Option<Field>, usize, usize, String)> = parsed
        .problems()
        .iter()
        .map(|p| {
            let at = p.position().unwrap();
            (
                p.index().unwrap(),
                p.kind(),
                p.field(),
                at.line,
                at.column,
                p.to_string(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            (1, ParseErrorKind::Value, Some(Field::Name), 3, 19, "invalid value for `name` at line 3 column 19".to_owned()),
            (2, ParseErrorKind::Value, Some(Field::HealthIntervalSecs), 4, 41, "invalid value for `health_interval_secs` at line 4 column 41".to_owned()),
            (3, ParseErrorKind::DuplicateName, Some(Field::Name), 5, 3, "duplicate value for `name` at line 5 column 3".to_owned()),
            (4, ParseErrorKind::Type, None, 6, 3, "invalid type: integer `5`, expected an integration entry object at line 6 column 3".to_owned()),
            (5, ParseErrorKind::DuplicateKey, None, 7, 27, "duplicate key `x`: expected each key once in an object at line 7 column 27".to_owned()),
        ]
    );
    assert!(!parsed.is_complete());
    let (manifest, problems) = parsed.into_parts();
    assert_eq!((manifest.len(), problems.len()), (2, 5));

    // The strict parse fails on the first of them.
    let err = IntegrationManifest::from_json(json).unwrap_err();
    assert_eq!(
        (err.index(), err.position()),
        (
            Some(1),
            Some(Position {
                line: 3,
                column: 19
            })
        )
    );
}

#[test]
fn lenient_parsing_fails_when_the_document_is_not_a_manifest() {
    for (json, want) in [
        (
            "[[]]",
            "invalid type: sequence, expected an integration manifest object at line 1 column 1",
        ),
        ("{}", "missing field `integrations` at line 1 column 2"),
        (
            r#"{"integrations":{}}"#,
            "invalid type: map, expected a list of integration entries at line 1 column 16",
        ),
        (
            r#"{"integrations":[],"integrations":[]}"#,
            "duplicate key `integrations`: expected each key once in an object at line 1 column 33",
        ),
        (
            r#"{"integrations":[{"name":"a"]}"#,
            "expected `,` or `}` at line 1 column 29",
        ),
    ] {
        let err = IntegrationManifest::parse_lenient(json).unwrap_err();
        assert_eq!(err.to_string(), want, "{json}");
    }
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
        (
            r#"{"integrations":null}"#,
            "expected a list of integration entries",
        ),
        (
            r#"{"integrations":{}}"#,
            "expected a list of integration entries",
        ),
        (r#"{"integrations":[{}]}"#, "missing field `name`"),
        (
            r#"{"integrations":[{"name":"ok"},{"name":"a/b"}]}"#,
            "invalid integration name `a/b`",
        ),
        (
            r#"{"integrations":[{"name":"a","health_timeout_secs":0}]}"#,
            "invalid `health_timeout_secs` value `0`",
        ),
        (
            "[]",
            "invalid type: sequence, expected an integration manifest object",
        ),
        (
            "[[]]",
            "invalid type: sequence, expected an integration manifest object",
        ),
        ("", "unexpected end of input while parsing a value"),
    ] {
        let err = format!("{:#}", IntegrationManifest::from_json(json).unwrap_err());
        assert!(err.contains(want), "{json}: `{err}` lacks `{want}`");
    }
}

#[test]
fn from_slice_rejects_bytes_that_are_not_utf8() {
    let err =
        IntegrationManifest::from_slice(b"{\"integrations\":[{\"name\":\"a\xff\"}]}").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid UTF-8: expected JSON text at line 1 column 28"
    );
    // Even where the bad bytes sit in a field that would be ignored.
    let err = IntegrationManifest::from_slice(b"{\"integrations\":[],\"x\":\"\xff\"}").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid UTF-8: expected JSON text at line 1 column 25"
    );
}
