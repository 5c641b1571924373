//! `ParseError`: every parse error says its kind, place and field; its chain of causes never
//! repeats a message; duplicate keys are refused at any depth, as I-JSON (RFC 7493) requires.

use std::error::Error;

use mvm_integrations::{
    Field, IntegrationEntry, IntegrationManifest, InvalidEntry, InvalidIntegrationName,
    ParseErrorKind, Position,
};
use proptest::prelude::*;

/// The messages of `error` and of each of its sources, outermost first.
fn chain(error: &dyn Error) -> Vec<String> {
    let mut messages = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        messages.push(e.to_string());
        source = e.source();
    }
    messages
}

#[track_caller]
fn assert_chain_never_repeats(error: &dyn Error) {
    let messages = chain(error);
    for (i, outer) in messages.iter().enumerate() {
        assert!(!outer.is_empty(), "an empty message in {messages:?}");
        for inner in &messages[i + 1..] {
            assert!(
                !outer.contains(inner.as_str()),
                "`{outer}` repeats its source `{inner}`"
            );
        }
    }
}

const BAD_ENTRIES: &[&str] = &[
    "",
    "{",
    "[]",
    "null",
    r#""x""#,
    "{}",
    r#"{"name":"My App"}"#,
    r#"{"name":""}"#,
    r#"{"name":5}"#,
    r#"{"name":"a","health_interval_secs":0}"#,
    r#"{"name":"a","health_timeout_secs":-1}"#,
    r#"{"name":"a","startup_grace_secs":86401}"#,
    r#"{"name":"a","startup_grace_secs":-0}"#,
    r#"{"name":"a","startup_grace_secs":18446744073709551616}"#,
    r#"{"name":"a","startup_grace_secs":1.5}"#,
    r#"{"name":"a","critical":"yes"}"#,
    r#"{"name":"a","name":"b"}"#,
    r#"{"name":"a","x":{"y":1,"y":2}}"#,
    r#"{"name":"\ud800"}"#,
    r#"{"name":"a"} x"#,
];

#[test]
fn an_error_chain_never_repeats_a_message() {
    for text in BAD_ENTRIES {
        let err = IntegrationEntry::from_json(text).unwrap_err();
        assert_chain_never_repeats(&err);
        let err = IntegrationEntry::from_slice(text.as_bytes()).unwrap_err();
        assert_chain_never_repeats(&err);
    }
    let manifest =
        r#"{"integrations":[{"name":"a"},{"name":"a b"},{"name":"a"},{"name":"c","critical":1}]}"#;
    for problem in IntegrationManifest::parse_lenient(manifest)
        .unwrap()
        .problems()
    {
        assert_chain_never_repeats(problem);
    }
    assert_chain_never_repeats(&IntegrationManifest::from_json(manifest).unwrap_err());
    assert_chain_never_repeats(&IntegrationEntry::builder_for("a b").build().unwrap_err());
    assert_chain_never_repeats(
        &IntegrationEntry::builder_for("a")
            .health_interval_secs(0)
            .build()
            .unwrap_err(),
    );
}

#[test]
fn every_parse_error_has_a_position_from_1() {
    for text in BAD_ENTRIES {
        let err = IntegrationEntry::from_json(text).unwrap_err();
        let Position { line, column } = err.position().unwrap_or_else(|| panic!("{text}"));
        assert!(line >= 1 && column >= 1, "{text}: {line}:{column}");
        assert!(
            err.to_string()
                .ends_with(&format!(" at line {line} column {column}"))
        );
    }
}

/// Input, kind, field, position, typed cause's field.
#[test]
fn a_parse_error_exposes_its_kind_field_and_position() {
    type Row = (
        &'static str,
        ParseErrorKind,
        Option<Field>,
        (usize, usize),
        Option<Field>,
    );
    let table: &[Row] = &[
        (
            r#"{"name":"a","health_interval_secs":0}"#,
            ParseErrorKind::Value,
            Some(Field::HealthIntervalSecs),
            (1, 36),
            Some(Field::HealthIntervalSecs),
        ),
        (
            "{\n  \"name\": \"a\",\n  \"startup_grace_secs\": 99999\n}",
            ParseErrorKind::Value,
            Some(Field::StartupGraceSecs),
            (3, 29),
            Some(Field::StartupGraceSecs),
        ),
        (
            r#"{"name":"a b"}"#,
            ParseErrorKind::Value,
            Some(Field::Name),
            (1, 13),
            Some(Field::Name),
        ),
        (
            r#"{"name":"a","critical":1}"#,
            ParseErrorKind::Type,
            Some(Field::Critical),
            (1, 24),
            None,
        ),
        (
            r#"{"name":"a","restore_cmd":[]}"#,
            ParseErrorKind::Type,
            Some(Field::RestoreCmd),
            (1, 26),
            None,
        ),
        (
            r#"{"critical":true}"#,
            ParseErrorKind::MissingField,
            Some(Field::Name),
            (1, 17),
            None,
        ),
        (
            r#"{"name":"a","health_cmd":"x","health_cmd":"y"}"#,
            ParseErrorKind::DuplicateKey,
            Some(Field::HealthCmd),
            (1, 41),
            None,
        ),
        (
            r#"{"name":"a","z":[{"q":1,"q":2}]}"#,
            ParseErrorKind::DuplicateKey,
            None,
            (1, 27),
            None,
        ),
        (r#"["a"]"#, ParseErrorKind::Type, None, (1, 1), None),
        (r#"{"name":"a""#, ParseErrorKind::Eof, None, (1, 11), None),
        (
            r#"{"name":"a",}"#,
            ParseErrorKind::Syntax,
            None,
            (1, 13),
            None,
        ),
    ];
    for &(text, kind, field, (line, column), cause) in table {
        let err = IntegrationEntry::from_json(text).unwrap_err();
        assert_eq!(err.kind(), kind, "{text}: {err}");
        assert_eq!(err.field(), field, "{text}: {err}");
        assert_eq!(
            err.position(),
            Some(Position { line, column }),
            "{text}: {err}"
        );
        assert_eq!(err.index(), None, "{text}");
        let typed = err.source().and_then(|e| {
            e.downcast_ref::<InvalidEntry>()
                .map(InvalidEntry::field)
                .or_else(|| {
                    e.downcast_ref::<InvalidIntegrationName>()
                        .map(|_| Field::Name)
                })
        });
        assert_eq!(typed, cause, "{text}: {err}");
    }
}

#[test]
fn bytes_that_are_not_utf8_are_placed() {
    let err = IntegrationEntry::from_slice(b"{\"name\":\"a\",\n\"x\":\"\xff\"}").unwrap_err();
    assert_eq!(err.kind(), ParseErrorKind::NotUtf8);
    assert_eq!(err.position(), Some(Position { line: 2, column: 6 }));
    assert_eq!(
        err.to_string(),
        "invalid UTF-8: expected JSON text at line 2 column 6"
    );
}

#[test]
fn parses_nest_without_mixing_their_records() {
    // A host type holding an entry, parsed with serde_json directly (no scope of the crate's
    // own), inside one of the crate's parses: the outer error keeps its own field.
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Host {
        entry: IntegrationEntry,
    }
    let err = serde_json::from_str::<Host>(r#"{"entry":{"name":"a b"}}"#).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid integration name `a b`"),
        "{err}"
    );
    // The crate's parse right after is not affected by the one before.
    let err = IntegrationEntry::from_json(r#"{"name":"a","critical":1}"#).unwrap_err();
    assert_eq!(err.field(), Some(Field::Critical));
    assert!(err.source().is_none());
}

/// A JSON tree whose objects draw keys from a tiny alphabet, so that duplicates are common.
#[derive(Debug, Clone)]
enum Node {
    Leaf(u8),
    List(Vec<Node>),
    Object(Vec<(char, Node)>),
}

impl Node {
    fn render(&self, out: &mut String) {
        match self {
            Node::Leaf(n) => out.push_str(&n.to_string()),
            Node::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.render(out);
                }
                out.push(']');
            }
            Node::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&format!("\"{key}\":"));
                    value.render(out);
                }
                out.push('}');
            }
        }
    }

    fn repeats_a_key(&self) -> bool {
        match self {
            Node::Leaf(_) => false,
            Node::List(items) => items.iter().any(Node::repeats_a_key),
            Node::Object(members) => {
                let mut keys: Vec<char> = members.iter().map(|(k, _)| *k).collect();
                keys.sort_unstable();
                keys.windows(2).any(|w| w[0] == w[1])
                    || members.iter().any(|(_, v)| v.repeats_a_key())
            }
        }
    }
}

fn node() -> impl Strategy<Value = Node> {
    any::<u8>()
        .prop_map(Node::Leaf)
        .prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Node::List),
                prop::collection::vec((prop::sample::select(vec!['x', 'y', 'z']), inner), 0..4)
                    .prop_map(Node::Object),
            ]
        })
}

proptest! {
    #[test]
    fn a_document_parses_only_if_no_object_repeats_a_key(
        unknown in node(),
        repeat_unknown in any::<bool>(),
    ) {
        let mut value = String::new();
        unknown.render(&mut value);
        let extra = if repeat_unknown { format!(r#","u":{value}"#) } else { String::new() };
        let duplicated = unknown.repeats_a_key() || repeat_unknown;

        let entry = format!(r#"{{"name":"a","u":{value}{extra}}}"#);
        let parsed = IntegrationEntry::from_json(&entry);
        prop_assert_eq!(parsed.is_err(), duplicated, "{}", entry);
        if let Err(e) = parsed {
            prop_assert_eq!(e.kind(), ParseErrorKind::DuplicateKey);
            prop_assert!(e.position().is_some());
        }

        // The same tree beside the list of a manifest, and inside one of its entries.
        for manifest in [
            format!(r#"{{"integrations":[],"u":{value}{extra}}}"#),
            format!(r#"{{"integrations":[{entry}]}}"#),
        ] {
            let parsed = IntegrationManifest::from_json(&manifest);
            prop_assert_eq!(parsed.is_err(), duplicated, "{}", manifest);
            if let Err(e) = parsed {
                prop_assert_eq!(e.kind(), ParseErrorKind::DuplicateKey);
            }
        }
    }
}

#[test]
fn unknown_values_nested_deeper_than_the_parser_limit_are_skipped_but_still_checked() {
    let deep = 10_000;
    let ok = format!(
        r#"{{"name":"a","x":{}{{"k":1,"j":[{{"k":2}}]}}{}}}"#,
        "[".repeat(deep),
        "]".repeat(deep)
    );
    assert_eq!(IntegrationEntry::from_json(&ok).unwrap().name(), "a");
    let repeated = format!(
        r#"{{"name":"a","x":{}{{"k":1,"\u006b":2}}{}}}"#,
        "[".repeat(deep),
        "]".repeat(deep)
    );
    let err = IntegrationEntry::from_json(&repeated).unwrap_err();
    assert_eq!(err.kind(), ParseErrorKind::DuplicateKey);
    assert!(err.to_string().starts_with("duplicate key `k`"), "{err}");
    // Known fields are still parsed with serde_json's limit.
    let too_deep = format!(r#"{{"name":{}"a"{}}}"#, "[".repeat(200), "]".repeat(200));
    assert_eq!(
        IntegrationEntry::from_json(&too_deep).unwrap_err().kind(),
        ParseErrorKind::Type
    );
}
