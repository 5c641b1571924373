//! `IntegrationName`: 1 to 64 bytes of `[A-Za-z0-9._-]`, starting with a letter or a digit,
//! enforced the same way by every constructor and by serde.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::path::Path;

use mvm_integrations::{
    IntegrationEntry, IntegrationName, IntegrationStateReport, IntegrationStatus,
    InvalidIntegrationName, MAX_NAME_LEN,
};

/// Every way in must agree: `new`, `FromStr`, both `TryFrom`s and serde.
#[track_caller]
fn all_constructors(input: &str) -> Result<IntegrationName, InvalidIntegrationName> {
    let new = IntegrationName::new(input);
    let parsed = input.parse::<IntegrationName>();
    let from_str_ref = IntegrationName::try_from(input);
    let from_string = IntegrationName::try_from(input.to_owned());
    assert_eq!(parsed, new, "FromStr disagrees with new for {input:?}");
    assert_eq!(from_str_ref, new, "TryFrom<&str> disagrees for {input:?}");
    assert_eq!(from_string, new, "TryFrom<String> disagrees for {input:?}");

    let json = serde_json::to_string(input).unwrap();
    let serde = serde_json::from_str::<IntegrationName>(&json);
    match (&serde, &new) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(e), Err(n)) => assert!(
            e.to_string().starts_with(&n.to_string()),
            "serde error `{e}` does not start with `{n}`"
        ),
        _ => panic!("serde disagrees with new for {input:?}: {serde:?} vs {new:?}"),
    }
    // From a `serde_json::Value`, the owned-string path.
    let value = serde_json::Value::String(input.to_owned());
    assert_eq!(
        serde_json::from_value::<IntegrationName>(value).is_ok(),
        new.is_ok(),
        "serde from a Value disagrees for {input:?}"
    );
    new
}

#[test]
fn accepted_names() {
    let max = "a".repeat(MAX_NAME_LEN);
    for input in [
        "a",
        "Z",
        "0",
        "9lives",
        "openclaw-worker",
        "my_service",
        "svc.v2",
        "a..b",
        "a-",
        "a.",
        "A_B-C.d",
        "x1",
        max.as_str(),
    ] {
        let name = all_constructors(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(name.as_str(), input);
    }
}

#[test]
fn rejected_names() {
    let too_long = "a".repeat(MAX_NAME_LEN + 1);
    for input in [
        "",
        too_long.as_str(),
        ".",
        "..",
        ".hidden",
        "-x",
        "_x",
        "a/b",
        "../etc",
        "/abs",
        "a\\b",
        "my app",
        " a",
        "a\n",
        "a\0b",
        "é",
        "café",
        "a:b",
        "a*",
        "名前",
        "\u{200b}a",
    ] {
        let err = all_constructors(input).unwrap_err();
        assert_eq!(err.name(), input, "the error keeps the input as given");
        assert!(
            err.to_string().starts_with("invalid integration name"),
            "{err}"
        );
    }
}

#[test]
fn length_is_counted_in_bytes() {
    // 32 two-byte characters are 64 bytes: too long is not what rejects them, the set is.
    let err = IntegrationName::new(&"é".repeat(33)).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("must be at most 64 bytes, got 66")
    );
    assert!(IntegrationName::new(&"a".repeat(64)).is_ok());
    assert!(IntegrationName::new(&"a".repeat(65)).is_err());
}

#[test]
fn conversions_and_comparisons() {
    let name = IntegrationName::new("whatsapp").unwrap();
    assert_eq!(name, "whatsapp");
    assert_eq!("whatsapp", name);
    assert_eq!(name, *"whatsapp");
    assert_eq!(*"whatsapp", name);
    assert_ne!(name, "telegram");
    assert_eq!(name.to_string(), "whatsapp");
    assert_eq!(format!("{name:?}"), "\"whatsapp\"");
    let as_ref: &str = name.as_ref();
    assert_eq!(as_ref, "whatsapp");
    let as_path: &Path = name.as_ref();
    assert_eq!(as_path, Path::new("whatsapp"));
    let borrowed: &str = name.borrow();
    assert_eq!(borrowed, "whatsapp");
    assert_eq!(String::from(name.clone()), "whatsapp");
    assert_eq!(name.clone().into_string(), "whatsapp");

    // `Borrow<str>` lets a set of names be queried with a `&str`.
    let set: HashSet<IntegrationName> = [name.clone()].into_iter().collect();
    assert!(set.contains("whatsapp"));
    assert!(!set.contains("slack"));

    let mut names: Vec<IntegrationName> =
        ["b", "a", "c"].iter().map(|s| s.parse().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["a", "b", "c"]);
}

#[test]
fn serializes_as_a_plain_string() {
    let name = IntegrationName::new("svc.v2").unwrap();
    assert_eq!(serde_json::to_string(&name).unwrap(), r#""svc.v2""#);
    let back: IntegrationName = serde_json::from_str(r#""svc.v2""#).unwrap();
    assert_eq!(back, name);
}

#[test]
fn non_string_json_is_not_a_name() {
    for json in ["5", "null", "true", "[]", "{}", r#"["a"]"#] {
        let err = serde_json::from_str::<IntegrationName>(json).unwrap_err();
        assert!(
            err.to_string()
                .contains("expected an integration name string"),
            "{json}: {err}"
        );
    }
}

#[test]
fn escaped_json_is_validated_after_unescaping() {
    // `\u002f` is `/`: escapes cannot smuggle a bad byte past the validator.
    let err = serde_json::from_str::<IntegrationName>(r#""a\u002fb""#).unwrap_err();
    assert!(err.to_string().contains("must not contain `/`"), "{err}");
    // And an escaped allowed byte is fine.
    let name: IntegrationName = serde_json::from_str(r#""\u0061pp""#).unwrap();
    assert_eq!(name, "app");
}

#[test]
fn entries_reject_invalid_names_with_the_name_and_the_rule() {
    let err = IntegrationEntry::from_json(r#"{"name": "../etc"}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid value for `name` at line 1 column 17"
    );
    let cause = std::error::Error::source(&err)
        .and_then(|e| e.downcast_ref::<InvalidIntegrationName>())
        .unwrap();
    assert_eq!(cause.name(), "../etc");
    assert_eq!(
        cause.to_string(),
        "invalid integration name `../etc`: must not contain `/`"
    );
    let err = IntegrationEntry::from_json(r#"{"name": ".hidden"}"#).unwrap_err();
    assert!(
        format!("{err:#}").ends_with(
            ": invalid integration name `.hidden`: must start with a letter or a digit, not `.`"
        ),
        "{err:#}"
    );
}

#[test]
fn reports_accept_any_name_string() {
    for name in ["", "../etc", "my app", "é", ".hidden", &"x".repeat(1000)] {
        let report = IntegrationStateReport::new(name, IntegrationStatus::Active);
        let json = serde_json::to_string(&report).unwrap();
        let back: IntegrationStateReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back.name, name);
        assert_eq!(
            back.validated_name().is_ok(),
            IntegrationName::new(name).is_ok()
        );
    }
    let ok = IntegrationStateReport::new("legacy-ok", IntegrationStatus::Active);
    assert_eq!(ok.validated_name().unwrap(), "legacy-ok");
    let bad = IntegrationStateReport::new("legacy name", IntegrationStatus::Active);
    assert_eq!(bad.validated_name().unwrap_err().name(), "legacy name");
}
