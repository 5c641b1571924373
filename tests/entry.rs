//! `IntegrationEntry`: defaults for absent fields, unknown fields, numeric ranges, the
//! builder, `Duration` accessors and warnings.

use std::time::Duration;

use mvm_integrations::{
    DEFAULT_HEALTH_INTERVAL_SECS, DEFAULT_HEALTH_TIMEOUT_SECS, DEFAULT_STARTUP_GRACE_SECS,
    EntryWarning, Field, IntegrationEntry, IntegrationName, MAX_HEALTH_INTERVAL_SECS,
    MAX_HEALTH_TIMEOUT_SECS, MAX_STARTUP_GRACE_SECS, SecsField,
};

#[track_caller]
fn name(s: &str) -> IntegrationName {
    IntegrationName::new(s).unwrap()
}

#[track_caller]
fn parse(json: &str) -> IntegrationEntry {
    IntegrationEntry::from_json(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

#[track_caller]
fn parse_err(json: &str) -> String {
    match IntegrationEntry::from_json(json) {
        Ok(entry) => panic!("{json} parsed as {entry:?}"),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn documented_constants() {
    assert_eq!(DEFAULT_HEALTH_INTERVAL_SECS, 30);
    assert_eq!(DEFAULT_HEALTH_TIMEOUT_SECS, 10);
    assert_eq!(DEFAULT_STARTUP_GRACE_SECS, 0);
    assert_eq!(MAX_HEALTH_INTERVAL_SECS, 86_400);
    assert_eq!(MAX_HEALTH_TIMEOUT_SECS, 86_400);
    assert_eq!(MAX_STARTUP_GRACE_SECS, 86_400);
}

#[test]
fn name_only_json_gets_the_documented_defaults() {
    let entry = parse(r#"{"name": "signal"}"#);
    assert_eq!(entry.name(), "signal");
    assert_eq!(entry.checkpoint_cmd(), None);
    assert_eq!(entry.restore_cmd(), None);
    assert!(!entry.critical());
    assert_eq!(entry.health_cmd(), None);
    assert_eq!(entry.health_interval_secs(), 30);
    assert_eq!(entry.health_timeout_secs(), 10);
    assert_eq!(entry.startup_grace_secs(), 0);
    assert_eq!(entry, IntegrationEntry::new(name("signal")));
}

#[test]
fn each_absent_field_takes_its_default_alone() {
    let full = parse(
        r#"{"name":"w","checkpoint_cmd":"c","restore_cmd":"r","critical":true,
            "health_cmd":"h","health_interval_secs":15,"health_timeout_secs":5,"startup_grace_secs":45}"#,
    );
    let defaults = IntegrationEntry::new(name("w"));
    let fields = [
        "checkpoint_cmd",
        "restore_cmd",
        "critical",
        "health_cmd",
        "health_interval_secs",
        "health_timeout_secs",
        "startup_grace_secs",
    ];
    for field in fields {
        let mut value: serde_json::Value = serde_json::to_value(&full).unwrap();
        value.as_object_mut().unwrap().remove(field);
        let entry: IntegrationEntry = serde_json::from_value(value).unwrap();
        // The removed field now has the default; every other field is unchanged.
        let got = serde_json::to_value(&entry).unwrap();
        for other in fields {
            let want = if other == field { &defaults } else { &full };
            assert_eq!(
                got[other],
                serde_json::to_value(want).unwrap()[other],
                "after removing `{field}`, `{other}`"
            );
        }
    }
}

#[test]
fn null_options_are_absent_options() {
    let entry = parse(r#"{"name":"x","checkpoint_cmd":null,"restore_cmd":null,"health_cmd":null}"#);
    assert_eq!(entry, IntegrationEntry::new(name("x")));
}

#[test]
fn unknown_fields_are_ignored() {
    let plain = parse(r#"{"name":"x","critical":true}"#);
    for json in [
        r#"{"name":"x","critical":true,"future":1}"#,
        r#"{"future":{"deep":[1,{"a":null}]},"name":"x","critical":true}"#,
        r#"{"name":"x","Critical":false,"critical":true,"NAME":"../etc"}"#,
        r#"{"name":"x","critical":true,"health_interval":0,"restart_policy":"always"}"#,
    ] {
        assert_eq!(parse(json), plain, "{json}");
    }
}

#[test]
fn numeric_ranges_are_enforced_on_parse() {
    for (field, min, max) in [
        ("health_interval_secs", 1, MAX_HEALTH_INTERVAL_SECS),
        ("health_timeout_secs", 1, MAX_HEALTH_TIMEOUT_SECS),
        ("startup_grace_secs", 0, MAX_STARTUP_GRACE_SECS),
    ] {
        for ok in [min, min + 1, max - 1, max] {
            let entry = parse(&format!(r#"{{"name":"x","{field}":{ok}}}"#));
            let got = serde_json::to_value(&entry).unwrap()[field].as_u64();
            assert_eq!(got, Some(ok), "{field}");
        }
        let mut bad: Vec<String> = vec![
            (max + 1).to_string(),
            u64::MAX.to_string(),
            "-1".to_owned(),
            i64::MIN.to_string(),
        ];
        if min > 0 {
            bad.push((min - 1).to_string());
        }
        for value in bad {
            let err = parse_err(&format!(r#"{{"name":"x","{field}":{value}}}"#));
            assert!(
                err.starts_with(&format!("invalid value for `{field}` at line 1 column "))
                    && err.ends_with(&format!(
                        ": invalid `{field}` value `{value}`: must be between {min} and {max}"
                    )),
                "{err}"
            );
        }
    }
}

#[test]
fn numbers_of_the_wrong_kind_are_errors() {
    for value in ["1.5", "30.0", "1e3", "\"30\"", "null", "true"] {
        let err = parse_err(&format!(r#"{{"name":"x","health_interval_secs":{value}}}"#));
        assert!(
            err.contains("expected `health_interval_secs` as an integer between 1 and 86400"),
            "{value}: {err}"
        );
    }
    assert_eq!(
        parse_err(r#"{"name":"x","health_interval_secs":18446744073709551616}"#),
        "invalid `health_interval_secs` value: a number past 2^64 - 1, expected an integer \
         between 1 and 86400 at line 1 column 55"
    );
    assert_eq!(
        parse_err(r#"{"name":"x","health_interval_secs":-0}"#),
        "invalid `health_interval_secs` value `-0`: expected an integer between 1 and 86400, \
         without a minus sign at line 1 column 37"
    );
}

#[test]
fn malformed_entries_are_errors() {
    for (json, want) in [
        ("{}", "missing field `name`"),
        (r#"{"critical":true}"#, "missing field `name`"),
        (r#"{"name":"x","name":"y"}"#, "duplicate key `name`"),
        (
            r#"{"name":"x","critical":true,"critical":false}"#,
            "duplicate key `critical`",
        ),
        (
            r#"{"name":"x","health_cmd":null,"health_cmd":null}"#,
            "duplicate key `health_cmd`",
        ),
        (r#"{"name":"x","a":1,"a":1}"#, "duplicate key `a`"),
        (
            r#"{"name":"x","a":[{"b":{"c":1,"c":1}}]}"#,
            "duplicate key `c`",
        ),
        (r#"{"name":"x","critical":null}"#, "expected a boolean"),
        (r#"{"name":"x","critical":"yes"}"#, "expected a boolean"),
        (r#"{"name":"x","checkpoint_cmd":5}"#, "expected a string"),
        (r#"{"name":5}"#, "expected an integration name string"),
        (r#"["x"]"#, "expected an integration entry object"),
        ("null", "expected an integration entry object"),
        (r#"{"name":"x"} {}"#, "trailing characters"),
        (
            r#"{"name":"x""#,
            "unexpected end of input while parsing an object",
        ),
    ] {
        let err = parse_err(json);
        assert!(err.contains(want), "{json}: `{err}` lacks `{want}`");
    }
}

#[test]
fn builder_starts_from_the_defaults_and_sets_every_field() {
    let built = IntegrationEntry::builder(name("a")).build().unwrap();
    assert_eq!(built, IntegrationEntry::new(name("a")));

    let entry = IntegrationEntry::builder(name("a"))
        .name(name("whatsapp"))
        .checkpoint_cmd("/bin/cp")
        .restore_cmd(String::from("/bin/rs"))
        .critical(true)
        .health_cmd("/bin/hc")
        .health_interval_secs(15)
        .health_timeout_secs(5)
        .startup_grace_secs(45)
        .build()
        .unwrap();
    assert_eq!(entry.name(), "whatsapp");
    assert_eq!(entry.checkpoint_cmd(), Some("/bin/cp"));
    assert_eq!(entry.restore_cmd(), Some("/bin/rs"));
    assert!(entry.critical());
    assert_eq!(entry.health_cmd(), Some("/bin/hc"));
    assert_eq!(entry.health_interval_secs(), 15);
    assert_eq!(entry.health_timeout_secs(), 5);
    assert_eq!(entry.startup_grace_secs(), 45);

    let again = entry.to_builder().critical(false).build().unwrap();
    assert!(!again.critical());
    assert_eq!(again.checkpoint_cmd(), Some("/bin/cp"));
    assert_eq!(entry.to_builder().build().unwrap(), entry);
}

#[test]
fn builder_checks_ranges_in_wire_order() {
    let err = IntegrationEntry::builder(name("a"))
        .health_interval_secs(0)
        .health_timeout_secs(0)
        .startup_grace_secs(u64::MAX)
        .build()
        .unwrap_err();
    assert_eq!(err.field(), Field::HealthIntervalSecs);
    let err = IntegrationEntry::builder(name("a"))
        .health_timeout_secs(0)
        .startup_grace_secs(u64::MAX)
        .build()
        .unwrap_err();
    assert_eq!(err.field(), Field::HealthTimeoutSecs);
    let err = IntegrationEntry::builder(name("a"))
        .startup_grace_secs(86_401)
        .build()
        .unwrap_err();
    assert_eq!(err.field(), Field::StartupGraceSecs);
    assert_eq!(
        err.to_string(),
        "invalid `startup_grace_secs` value `86401`: must be between 0 and 86400"
    );
}

#[test]
fn builder_accepts_exactly_the_ranges_parsing_accepts() {
    for secs in [0, 1, 2, 86_399, 86_400, 86_401, u64::MAX] {
        for field in [
            "health_interval_secs",
            "health_timeout_secs",
            "startup_grace_secs",
        ] {
            let builder = IntegrationEntry::builder(name("a"));
            let built = match field {
                "health_interval_secs" => builder.health_interval_secs(secs),
                "health_timeout_secs" => builder.health_timeout_secs(secs),
                _ => builder.startup_grace_secs(secs),
            }
            .build();
            let parsed =
                IntegrationEntry::from_json(&format!(r#"{{"name":"a","{field}":{secs}}}"#));
            match (built, parsed) {
                (Ok(b), Ok(p)) => assert_eq!(b, p),
                (Err(b), Err(p)) => assert!(format!("{p:#}").ends_with(&format!(": {b}"))),
                (b, p) => panic!("{field}={secs}: builder {b:?}, parser {p:?}"),
            }
        }
    }
}

#[test]
fn duration_accessors_match_the_seconds() {
    let entry = IntegrationEntry::builder(name("a"))
        .health_interval_secs(86_400)
        .health_timeout_secs(1)
        .startup_grace_secs(0)
        .build()
        .unwrap();
    assert_eq!(entry.health_interval(), Duration::from_secs(86_400));
    assert_eq!(entry.health_timeout(), Duration::from_secs(1));
    assert_eq!(entry.startup_grace(), Duration::ZERO);

    let defaults = IntegrationEntry::new(name("a"));
    assert_eq!(defaults.health_interval(), Duration::from_secs(30));
    assert_eq!(defaults.health_timeout(), Duration::from_secs(10));
    assert_eq!(defaults.startup_grace(), Duration::ZERO);
}

#[test]
fn to_json_compact_is_serde_json_to_string_and_to_json_is_pretty() {
    let entry = parse(r#"{"name":"q","health_cmd":"echo \"ok\"\n","startup_grace_secs":7}"#);
    assert_eq!(
        entry.to_json_compact(),
        serde_json::to_string(&entry).unwrap()
    );
    assert_eq!(
        entry.to_json(),
        serde_json::to_string_pretty(&entry).unwrap()
    );
    assert_eq!(
        IntegrationEntry::from_slice(entry.to_json().as_bytes()).unwrap(),
        entry
    );
    assert_eq!(
        entry.to_json_compact(),
        r#"{"name":"q","checkpoint_cmd":null,"restore_cmd":null,"critical":false,"health_cmd":"echo \"ok\"\n","health_interval_secs":30,"health_timeout_secs":10,"startup_grace_secs":7}"#
    );
}

#[test]
fn a_default_entry_has_no_warnings() {
    assert_eq!(IntegrationEntry::new(name("a")).warnings(), []);
    let tidy = IntegrationEntry::builder(name("a"))
        .checkpoint_cmd("cp")
        .critical(true)
        .health_cmd("hc")
        .health_interval_secs(2)
        .health_timeout_secs(1)
        .build()
        .unwrap();
    assert_eq!(tidy.warnings(), []);
}

#[test]
fn warnings_are_reported_but_are_not_errors() {
    // Every warning at once, from JSON that still parses.
    let entry = parse(
        r#"{"name":"a","checkpoint_cmd":" \t","restore_cmd":"","critical":true,
            "health_cmd":"\n","health_interval_secs":5,"health_timeout_secs":5}"#,
    );
    assert_eq!(
        entry.warnings(),
        [
            EntryWarning::BlankCommand {
                field: Field::CheckpointCmd
            },
            EntryWarning::BlankCommand {
                field: Field::RestoreCmd
            },
            EntryWarning::BlankCommand {
                field: Field::HealthCmd
            },
            EntryWarning::TimeoutNotBelowInterval {
                timeout_secs: 5,
                interval_secs: 5
            },
        ]
    );
    // A blank checkpoint command is still a checkpoint command: no second warning.
    assert!(
        !entry
            .warnings()
            .contains(&EntryWarning::CriticalWithoutCheckpoint)
    );

    let critical = IntegrationEntry::builder(name("db"))
        .critical(true)
        .build()
        .unwrap();
    assert_eq!(
        critical.warnings(),
        [EntryWarning::CriticalWithoutCheckpoint]
    );

    let slow = IntegrationEntry::builder(name("db"))
        .health_interval_secs(10)
        .health_timeout_secs(60)
        .build()
        .unwrap();
    assert_eq!(
        slow.warnings(),
        [EntryWarning::TimeoutNotBelowInterval {
            timeout_secs: 60,
            interval_secs: 10
        }]
    );
}

#[test]
fn warning_fields_and_messages() {
    for (warning, field, message) in [
        (
            EntryWarning::CriticalWithoutCheckpoint,
            "critical",
            "`critical` is true but `checkpoint_cmd` is not set: sleep would wait on nothing",
        ),
        (
            EntryWarning::TimeoutNotBelowInterval {
                timeout_secs: 30,
                interval_secs: 15,
            },
            "health_timeout_secs",
            "`health_timeout_secs` `30` is not below `health_interval_secs` `15`: health checks may overlap",
        ),
        (
            EntryWarning::BlankCommand {
                field: Field::RestoreCmd,
            },
            "restore_cmd",
            "`restore_cmd` is blank: expected a command to run, or no field",
        ),
    ] {
        assert_eq!(warning.field().as_str(), field);
        assert_eq!(warning.to_string(), message);
    }
}

#[test]
fn commands_are_kept_verbatim() {
    for cmd in [
        "",
        " ",
        "sh -c 'echo \"hi\"'",
        "naïve ☃ \u{1F600}",
        "a\u{0}b\u{1f}c\u{7f}",
        "line1\nline2\r\n",
        "back\\slash",
        "</script>",
    ] {
        let entry = IntegrationEntry::builder(name("a"))
            .checkpoint_cmd(cmd)
            .restore_cmd(cmd)
            .health_cmd(cmd)
            .build()
            .unwrap();
        let back = IntegrationEntry::from_json(&entry.to_json()).unwrap();
        assert_eq!(back, entry);
        assert_eq!(back.health_cmd(), Some(cmd));
    }
}

#[test]
fn builder_for_takes_a_str_and_reports_a_bad_name_with_the_value_errors() {
    let entry = IntegrationEntry::builder_for("myapp")
        .health_interval_secs(15)
        .build()
        .unwrap();
    assert_eq!(entry.name(), "myapp");
    assert_eq!(entry.health_interval_secs(), 15);

    let err = IntegrationEntry::builder_for("My App")
        .health_interval_secs(0)
        .build()
        .unwrap_err();
    assert_eq!(err.field(), Field::Name, "the name is checked first");
    assert_eq!(
        err.to_string(),
        "invalid integration name `My App`: must not contain ` `"
    );
    assert_eq!(err.invalid_name().unwrap().name(), "My App");
    assert!(std::error::Error::source(&err).is_none());

    // A valid name given later replaces the bad one.
    let fixed = IntegrationEntry::builder_for("My App")
        .name(name("my-app"))
        .build()
        .unwrap();
    assert_eq!(fixed.name(), "my-app");

    let err = IntegrationEntry::builder_for("a")
        .health_interval_secs(0)
        .build()
        .unwrap_err();
    assert_eq!(err.field(), Field::HealthIntervalSecs);
    assert_eq!(err.invalid_name(), None);
}

#[test]
fn maybe_setters_set_and_clear_the_commands() {
    let full = IntegrationEntry::builder_for("a")
        .maybe_checkpoint_cmd(Some("/bin/cp".to_owned()))
        .maybe_restore_cmd(Some("/bin/rs".to_owned()))
        .maybe_health_cmd(Some("/bin/hc".to_owned()))
        .build()
        .unwrap();
    assert_eq!(
        (full.checkpoint_cmd(), full.restore_cmd(), full.health_cmd()),
        (Some("/bin/cp"), Some("/bin/rs"), Some("/bin/hc"))
    );
    let cleared = full
        .to_builder()
        .maybe_checkpoint_cmd(None)
        .maybe_restore_cmd(None)
        .maybe_health_cmd(None)
        .build()
        .unwrap();
    assert_eq!(cleared, IntegrationEntry::new(name("a")));
}

#[test]
fn secs_fields_are_the_one_table_of_ranges_and_defaults() {
    let table: Vec<(Field, u64, u64, u64)> = SecsField::ALL
        .iter()
        .map(|s| (s.field(), s.min(), s.max(), s.default()))
        .collect();
    assert_eq!(
        table,
        [
            (
                Field::HealthIntervalSecs,
                1,
                MAX_HEALTH_INTERVAL_SECS,
                DEFAULT_HEALTH_INTERVAL_SECS
            ),
            (
                Field::HealthTimeoutSecs,
                1,
                MAX_HEALTH_TIMEOUT_SECS,
                DEFAULT_HEALTH_TIMEOUT_SECS
            ),
            (
                Field::StartupGraceSecs,
                0,
                MAX_STARTUP_GRACE_SECS,
                DEFAULT_STARTUP_GRACE_SECS
            ),
        ]
    );
    let defaults = serde_json::to_value(IntegrationEntry::new(name("a"))).unwrap();
    for secs in SecsField::ALL {
        assert_eq!(SecsField::of(secs.field()), Some(secs));
        assert_eq!(secs.range(), secs.min()..=secs.max());
        assert_eq!(defaults[secs.field().as_str()], secs.default());
        for (value, ok) in [
            (secs.min(), true),
            (secs.max(), true),
            (secs.max() + 1, false),
        ] {
            let json = format!(r#"{{"name":"a","{}":{value}}}"#, secs.field());
            assert_eq!(IntegrationEntry::from_json(&json).is_ok(), ok, "{json}");
        }
    }
    assert_eq!(SecsField::of(Field::Name), None);
    assert_eq!(
        Field::ENTRY.map(Field::as_str),
        [
            "name",
            "checkpoint_cmd",
            "restore_cmd",
            "critical",
            "health_cmd",
            "health_interval_secs",
            "health_timeout_secs",
            "startup_grace_secs"
        ]
    );
}
