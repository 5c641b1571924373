//! Mixed-version fleets (`PeerVersion`): every fact pinned on the probe results of the
//! published `mvm-guest` 0.3.2 and 0.13.0 (tests/fixtures/compat/) and on the wire vectors.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use mvm_integrations::{
    DocumentKind, IntegrationStateReport, IntegrationStatus, PeerVersion, Reaction, Verdict,
};
use serde_json::Value;

const PUBLISHED: [PeerVersion; 2] = [PeerVersion::V0_3_2, PeerVersion::V0_13_0];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(fixtures().join(path)).unwrap()
}

/// One row of a probe TSV: what a published peer's own parser did with one document.
struct Row {
    kind: DocumentKind,
    path: String,
    ok: bool,
    /// What the peer read, re-emitted compact by that peer, or its parser's error.
    text: String,
}

#[track_caller]
fn probe(peer: PeerVersion) -> Vec<Row> {
    read(&format!("compat/probe-{peer}.tsv"))
        .lines()
        .map(|line| {
            let mut cols = line.splitn(4, '\t');
            let kind = cols.next().unwrap().parse().unwrap();
            let path = cols.next().unwrap().to_owned();
            let ok = match cols.next().unwrap() {
                "ok" => true,
                "error" => false,
                other => panic!("bad probe row {other}"),
            };
            let text = cols.next().unwrap().to_owned();
            Row {
                kind,
                path,
                ok,
                text,
            }
        })
        .collect()
}

/// The paths of every object key in `value` (`a.b`, `[0].c`), outermost first.
fn key_paths(value: &Value, path: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let p = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                out.insert(p.clone());
                // A status object's key is the status's name, not a field.
                if key != "status" {
                    key_paths(item, &p, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                key_paths(item, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The fields of `input` that are not in `read_back`, outermost only: what the peer ignored.
fn lost_fields(input: &str, read_back: &str) -> Vec<String> {
    let (Ok(input), Ok(read_back)) = (
        serde_json::from_str::<Value>(input),
        serde_json::from_str::<Value>(read_back),
    ) else {
        return Vec::new();
    };
    let (mut before, mut after) = (BTreeSet::new(), BTreeSet::new());
    key_paths(&input, "", &mut before);
    key_paths(&read_back, "", &mut after);
    let lost: Vec<String> = before.difference(&after).cloned().collect();
    lost.iter()
        .filter(|p| !lost.iter().any(|q| p.starts_with(&format!("{q}."))))
        .cloned()
        .collect()
}

#[test]
fn model_gives_the_published_parsers_verdict_and_error_on_every_probe() {
    for peer in PUBLISHED {
        let rows = probe(peer);
        assert!(rows.len() > 80, "{peer}: only {} rows", rows.len());
        for row in rows {
            let input = read(&row.path);
            let a = peer.assess(row.kind, &input);
            let at = format!("{peer} {} {}", row.kind, row.path);
            if row.ok {
                assert_ne!(a.verdict(), Verdict::Rejects, "{at}: {:?}", a.rejection());
                let mut ignored: Vec<String> =
                    a.ignored().iter().map(|i| i.path().to_owned()).collect();
                ignored.sort();
                assert_eq!(ignored, lost_fields(&input, &row.text), "{at}");
                assert!(a.dropped().is_empty(), "{at}");
            } else {
                assert_eq!(a.rejection(), Some(row.text.as_str()), "{at}");
                assert_eq!(a.verdict(), Verdict::Rejects, "{at}");
            }
        }
    }
}

#[test]
fn every_case_and_wire_vector_was_probed_by_both_versions() {
    let mut on_disk = BTreeSet::new();
    for dir in ["compat/cases", "compat/rewrite", "wire-vectors"] {
        collect(&fixtures().join(dir), &mut on_disk);
    }
    // Status and health vectors are parts of documents, not documents.
    on_disk.retain(|p| !p.contains("/status.") && !p.contains("/health."));
    for peer in PUBLISHED {
        let probed: BTreeSet<String> = probe(peer).into_iter().map(|r| r.path).collect();
        assert_eq!(probed, on_disk, "{peer}");
    }
}

fn collect(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            let rel = path.strip_prefix(fixtures()).unwrap();
            out.insert(rel.to_str().unwrap().to_owned());
        }
    }
}

#[test]
fn known_statuses_are_the_ones_each_parser_lists() {
    for peer in PUBLISHED {
        let row = probe(peer)
            .into_iter()
            .find(|r| r.path.ends_with("report/unknown-string.json"))
            .unwrap();
        let listed: Vec<String> = peer
            .known_statuses()
            .iter()
            .map(|s| format!("`{s}`"))
            .collect();
        let expected = format!(
            "unknown variant `draining`, expected one of {} at line 1 column 33",
            listed.join(", ")
        );
        assert_eq!(row.text, expected, "{peer}");
    }
    assert_eq!(
        PeerVersion::V0_3_2.known_statuses(),
        ["active", "paused", "error", "pending"]
    );
    assert_eq!(
        PeerVersion::V0_13_0.known_statuses(),
        ["active", "paused", "error", "pending", "starting"]
    );
}

#[test]
fn this_crate_knows_exactly_the_statuses_of_0_13_0() {
    for name in PeerVersion::Current.known_statuses() {
        let json = if *name == "error" {
            r#"{"error":"x"}"#.to_owned()
        } else {
            format!("\"{name}\"")
        };
        let status: IntegrationStatus = serde_json::from_str(&json).unwrap();
        assert!(status.is_known(), "{name}");
        assert_eq!(status.name(), *name);
    }
    assert_eq!(
        PeerVersion::Current.known_statuses(),
        PeerVersion::V0_13_0.known_statuses()
    );
}

#[test]
fn fields_are_what_each_version_writes() {
    for peer in PUBLISHED {
        for (file, kind) in [
            ("compat/cases/entry/minimal.json", DocumentKind::Entry),
            ("compat/cases/report/nulls.json", DocumentKind::Report),
        ] {
            let row = probe(peer).into_iter().find(|r| r.path == file).unwrap();
            let written: Value = serde_json::from_str(&row.text).unwrap();
            let keys: Vec<&str> = written
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let mut fields = peer.fields(kind).to_vec();
            let mut keys_sorted = keys.clone();
            fields.sort_unstable();
            keys_sorted.sort_unstable();
            assert_eq!(fields, keys_sorted, "{peer} {kind}");
        }
    }
    assert!(
        !PeerVersion::V0_3_2
            .fields(DocumentKind::Entry)
            .contains(&"startup_grace_secs")
    );
    assert!(
        PeerVersion::V0_13_0
            .fields(DocumentKind::Manifest)
            .contains(&"startup_grace_secs")
    );
}

/// The probe row for `case` under `peer`.
fn row(peer: PeerVersion, case: &str) -> Row {
    probe(peer)
        .into_iter()
        .find(|r| r.path == format!("compat/cases/{case}.json"))
        .unwrap()
}

#[test]
fn reactions_are_the_ones_the_probes_show() {
    for peer in PUBLISHED {
        // Unknown fields, top level and nested, are read past.
        assert_eq!(peer.on_unknown_field(), Reaction::IgnoresField);
        for case in [
            "entry/unknown-field",
            "report/unknown-field",
            "report/health-unknown-field",
            "manifest/unknown-field",
            "reports/unknown-field",
        ] {
            assert!(row(peer, case).ok, "{peer} {case}");
        }
        // An unknown status rejects the report, and one bad report rejects the list.
        assert_eq!(peer.on_unknown_status(), Reaction::RejectsDocument);
        assert_eq!(peer.on_bad_list_element(), Reaction::RejectsDocument);
        for case in [
            "report/unknown-string",
            "report/unknown-object",
            "reports/one-unknown",
            "reports/one-malformed",
        ] {
            assert!(!row(peer, case).ok, "{peer} {case}");
        }
    }
    assert!(!row(PeerVersion::V0_3_2, "reports/one-starting").ok);
    assert!(row(PeerVersion::V0_13_0, "reports/one-starting").ok);
    // 0.3.2 ignores `startup_grace_secs` whatever its value; 0.13.0 checks its type.
    assert!(row(PeerVersion::V0_3_2, "entry/grace-string").ok);
    assert!(!row(PeerVersion::V0_13_0, "entry/grace-string").ok);

    assert_eq!(PeerVersion::Current.on_unknown_status(), Reaction::Keeps);
    assert_eq!(
        PeerVersion::Current.on_bad_list_element(),
        Reaction::DropsElement
    );
    let list = read("compat/cases/reports/one-unknown.json");
    let a = PeerVersion::Current.assess(DocumentKind::Reports, &list);
    assert_eq!(a.verdict(), Verdict::ReadsFully);
    let list = read("compat/cases/reports/one-malformed.json");
    let a = PeerVersion::Current.assess(DocumentKind::Reports, &list);
    assert_eq!(a.verdict(), Verdict::Drops);
    assert_eq!(a.dropped().len(), 1);
    assert_eq!(a.dropped()[0].index(), 1);
    assert_eq!(
        a.dropped()[0].reason(),
        "invalid type: integer `5`, expected a string at line 1 column 31"
    );
}

/// Each wire vector under each peer: (vector folder, file, kind, verdict per peer in
/// `PeerVersion::ALL` order).
#[test]
fn verdict_for_each_wire_vector_and_peer() {
    use Verdict::{Ignores as I, ReadsFully as F};
    let table: &[(&str, &str, DocumentKind, [Verdict; 3])] = &[
        (
            "0.3.2",
            "manifest.pretty",
            DocumentKind::Manifest,
            [F, F, F],
        ),
        (
            "0.3.2",
            "manifest.compact",
            DocumentKind::Manifest,
            [F, F, F],
        ),
        ("0.3.2", "manifest.empty", DocumentKind::Manifest, [F, F, F]),
        ("0.3.2", "entry.full", DocumentKind::Entry, [F, F, F]),
        ("0.3.2", "entry.defaults", DocumentKind::Entry, [F, F, F]),
        ("0.3.2", "report.full", DocumentKind::Report, [F, F, F]),
        ("0.3.2", "report.minimal", DocumentKind::Report, [F, F, F]),
        ("0.3.2", "reports.list", DocumentKind::Reports, [F, F, F]),
        (
            "0.13.0",
            "manifest.pretty",
            DocumentKind::Manifest,
            [I, F, F],
        ),
        (
            "0.13.0",
            "manifest.compact",
            DocumentKind::Manifest,
            [I, F, F],
        ),
        (
            "0.13.0",
            "manifest.empty",
            DocumentKind::Manifest,
            [F, F, F],
        ),
        ("0.13.0", "entry.full", DocumentKind::Entry, [I, F, F]),
        // `startup_grace_secs: 0` asks for no grace: nothing is lost on 0.3.2.
        ("0.13.0", "entry.defaults", DocumentKind::Entry, [F, F, F]),
        ("0.13.0", "report.full", DocumentKind::Report, [F, F, F]),
        ("0.13.0", "report.minimal", DocumentKind::Report, [F, F, F]),
        ("0.13.0", "reports.list", DocumentKind::Reports, [F, F, F]),
    ];
    for (version, file, kind, verdicts) in table {
        let text = read(&format!("wire-vectors/mvm-guest-{version}/{file}.json"));
        assert_eq!(DocumentKind::detect(&text), Some(*kind), "{version} {file}");
        for (peer, verdict) in PeerVersion::ALL.into_iter().zip(verdicts) {
            let a = peer.assess(*kind, &text);
            assert_eq!(a.verdict(), *verdict, "{version} {file} read by {peer}");
            for ignored in a.ignored() {
                assert_eq!(ignored.field(), "startup_grace_secs");
                // 0.13.0's entries carry `startup_grace_secs` 45 (full) and 0 (defaults).
                let value = if ignored.path().contains("[1]") || file.contains("defaults") {
                    None
                } else {
                    Some("no startup grace on this guest")
                };
                assert_eq!(
                    ignored.loss().map(|l| &l[..30]),
                    value,
                    "{file} {}",
                    ignored.path()
                );
            }
        }
    }
    // The `starting` status vector inside a report: only 0.3.2 rejects it.
    let status = read("wire-vectors/mvm-guest-0.13.0/status.starting.json");
    let report = format!(r#"{{"name":"web","status":{}}}"#, status.trim());
    let verdicts: Vec<Verdict> = PeerVersion::ALL
        .iter()
        .map(|p| p.assess(DocumentKind::Report, &report).verdict())
        .collect();
    assert_eq!(
        verdicts,
        [Verdict::Rejects, Verdict::ReadsFully, Verdict::ReadsFully]
    );
}

/// Verdicts on the probe cases for which the peers differ, and for this crate (which has
/// no probe: it is read with its own parser).
#[test]
fn verdict_for_each_kind_of_problem_and_peer() {
    use Verdict::{Drops as D, Ignores as I, ReadsFully as F, Rejects as R};
    let table: &[(&str, [Verdict; 3])] = &[
        ("entry/minimal", [F, F, F]),
        ("entry/grace", [I, F, F]),
        ("entry/grace-string", [I, R, R]),
        ("entry/unknown-field", [I, I, I]),
        ("entry/interval-zero", [F, F, R]),
        ("entry/name-traversal", [F, F, R]),
        ("entry/duplicate-key", [R, R, R]),
        ("manifest/grace", [I, F, F]),
        ("manifest/one-bad-entry", [R, R, R]),
        ("manifest/unknown-field", [I, I, I]),
        ("report/starting", [R, F, F]),
        ("report/unknown-string", [R, R, F]),
        ("report/unknown-object", [R, R, F]),
        ("report/error-number", [R, R, R]),
        ("report/health-unknown-field", [I, I, I]),
        ("report/name-legacy", [F, F, F]),
        ("reports/one-starting", [R, F, F]),
        ("reports/one-unknown", [R, R, F]),
        ("reports/one-malformed", [R, R, D]),
        ("reports/not-array", [R, R, R]),
    ];
    for (case, verdicts) in table {
        let kind: DocumentKind = case.split('/').next().unwrap().parse().unwrap();
        let text = read(&format!("compat/cases/{case}.json"));
        for (peer, verdict) in PeerVersion::ALL.into_iter().zip(verdicts) {
            assert_eq!(
                peer.assess(kind, &text).verdict(),
                *verdict,
                "{case} read by {peer}"
            );
        }
    }
}

#[test]
fn ignored_fields_name_their_path_and_loss() {
    let text = read("compat/cases/manifest/grace.json");
    let a = PeerVersion::V0_3_2.assess(DocumentKind::Manifest, &text);
    let ignored: Vec<(&str, &str)> = a.ignored().iter().map(|i| (i.path(), i.field())).collect();
    assert_eq!(
        ignored,
        [("integrations[0].startup_grace_secs", "startup_grace_secs")]
    );
    assert_eq!(
        a.ignored()[0].loss().unwrap(),
        "no startup grace on this guest: while the integration boots, a failing health check reports `error` at once, never `starting`"
    );
    let text = read("wire-vectors/mvm-guest-0.13.0/entry.defaults.json");
    let a = PeerVersion::V0_3_2.assess(DocumentKind::Entry, &text);
    assert_eq!(a.verdict(), Verdict::ReadsFully);
    assert_eq!(a.ignored().len(), 1);
    assert_eq!(a.ignored()[0].path(), "startup_grace_secs");
    assert_eq!(a.ignored()[0].loss(), None);
    let a = PeerVersion::V0_3_2.assess(
        DocumentKind::Entry,
        r#"{"name":"a","startup_grace_secs":"0"}"#,
    );
    assert_eq!(a.verdict(), Verdict::Ignores);
    let text = read("compat/cases/report/health-unknown-field.json");
    let a = PeerVersion::Current.assess(DocumentKind::Report, &text);
    assert_eq!(a.ignored()[0].path(), "health.latency_ms");
    assert_eq!(
        a.ignored()[0].loss().unwrap(),
        "the value is lost: no published version of the contract has this field"
    );
}

#[test]
fn status_for_peer_maps_to_the_nearest_known_status() {
    let draining: IntegrationStatus = serde_json::from_str(r#""draining""#).unwrap();
    let degraded: IntegrationStatus = serde_json::from_str(r#"{"degraded":{"since":3}}"#).unwrap();
    let error = IntegrationStatus::Error("exit code 1".to_owned());
    use IntegrationStatus::{Active, Paused, Pending, Starting};
    let unknown = |name: &str| IntegrationStatus::Error(format!("unknown status `{name}`"));
    // (status, for 0.3.2, for 0.13.0, for this crate)
    let table = [
        (Active, Active, Active, Active),
        (Paused, Paused, Paused, Paused),
        (Pending, Pending, Pending, Pending),
        (error.clone(), error.clone(), error.clone(), error.clone()),
        (Starting, Pending, Starting, Starting),
        (
            draining.clone(),
            unknown("draining"),
            unknown("draining"),
            draining.clone(),
        ),
        (
            degraded.clone(),
            unknown("degraded"),
            unknown("degraded"),
            degraded.clone(),
        ),
    ];
    for (status, old, mid, current) in table {
        assert_eq!(status.for_peer(PeerVersion::V0_3_2), old, "{status}");
        assert_eq!(status.for_peer(PeerVersion::V0_13_0), mid, "{status}");
        assert_eq!(status.for_peer(PeerVersion::Current), current, "{status}");
        for peer in PeerVersion::ALL {
            assert!(peer.knows_status(&status.for_peer(peer)), "{status} {peer}");
        }
    }
}

#[test]
fn default_emission_is_unchanged_byte_for_byte() {
    // Reports built for 0.13.0 or for this crate emit exactly the 0.13.0 wire vectors.
    for file in ["report.full", "report.minimal"] {
        let text = read(&format!("wire-vectors/mvm-guest-0.13.0/{file}.json"));
        let report: IntegrationStateReport = serde_json::from_str(&text).unwrap();
        for peer in [PeerVersion::V0_13_0, PeerVersion::Current] {
            let emitted = serde_json::to_string(&report.for_peer(peer)).unwrap();
            assert_eq!(emitted, text.trim_end(), "{file} for {peer}");
            assert_eq!(
                peer.rewrite(DocumentKind::Report, &text).unwrap(),
                text.trim_end()
            );
        }
        assert_eq!(serde_json::to_string(&report).unwrap(), text.trim_end());
    }
    let list = read("wire-vectors/mvm-guest-0.13.0/reports.list.json");
    for peer in PeerVersion::ALL {
        assert_eq!(
            peer.rewrite(DocumentKind::Reports, &list).unwrap(),
            list.trim_end()
        );
    }
    let manifest = read("wire-vectors/mvm-guest-0.13.0/manifest.pretty.json");
    for peer in PeerVersion::ALL {
        assert_eq!(
            peer.rewrite(DocumentKind::Manifest, &manifest).unwrap(),
            manifest.trim_end()
        );
    }
}

/// The `--rewrite` outputs stored in tests/fixtures/compat/rewrite/ (probed by the published
/// parsers, see the README there): (source, kind).
const REWRITTEN: &[(&str, DocumentKind)] = &[
    (
        "wire-vectors/mvm-guest-0.13.0/manifest.pretty.json",
        DocumentKind::Manifest,
    ),
    (
        "wire-vectors/mvm-guest-0.13.0/entry.full.json",
        DocumentKind::Entry,
    ),
    (
        "wire-vectors/mvm-guest-0.13.0/report.full.json",
        DocumentKind::Report,
    ),
    (
        "wire-vectors/mvm-guest-0.13.0/reports.list.json",
        DocumentKind::Reports,
    ),
    ("compat/cases/manifest/grace.json", DocumentKind::Manifest),
    ("compat/cases/entry/grace.json", DocumentKind::Entry),
    ("compat/cases/report/starting.json", DocumentKind::Report),
    (
        "compat/cases/report/unknown-string.json",
        DocumentKind::Report,
    ),
    (
        "compat/cases/report/unknown-object.json",
        DocumentKind::Report,
    ),
    (
        "compat/cases/reports/one-starting.json",
        DocumentKind::Reports,
    ),
    (
        "compat/cases/reports/one-unknown.json",
        DocumentKind::Reports,
    ),
];

fn rewritten_path(peer: PeerVersion, source: &str, kind: DocumentKind) -> String {
    let name = source
        .replace("wire-vectors/mvm-guest-", "wire-")
        .replace("compat/cases/", "case-");
    let name = name.replace('/', "--");
    format!("compat/rewrite/{peer}/{kind}/{name}")
}

/// Rewrites for 0.3.2 and 0.13.0 are read fully or with ignored fields only by the
/// published parsers themselves (probe rows), and are still what the crate emits.
/// `UPDATE_COMPAT_REWRITE=1` writes the files again (then re-run probe.sh, see the README).
#[test]
fn rewrite_output_parses_with_the_published_parsers() {
    let update = std::env::var_os("UPDATE_COMPAT_REWRITE").is_some();
    for peer in PUBLISHED {
        let rows = probe(peer);
        for (source, kind) in REWRITTEN {
            let out = peer.rewrite(*kind, &read(source)).unwrap() + "\n";
            let stored = rewritten_path(peer, source, *kind);
            if update {
                let path = fixtures().join(&stored);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, &out).unwrap();
                continue;
            }
            assert_eq!(read(&stored), out, "{stored} is stale");
            let row = rows.iter().find(|r| r.path == stored).unwrap();
            assert!(row.ok, "{peer} rejects its rewrite {stored}: {}", row.text);
            assert_ne!(peer.assess(*kind, &out).verdict(), Verdict::Rejects);
        }
    }
}

#[test]
fn rewrite_refuses_what_this_crate_cannot_read() {
    let cases = [
        (
            "report/error-number",
            "cannot rewrite the report: this crate cannot read it: invalid type: integer `5`, expected a string at line 1 column 33",
        ),
        (
            "reports/one-malformed",
            "cannot rewrite the reports: this crate cannot read it: invalid type: integer `5`, expected a string at line 1 column 63",
        ),
    ];
    for (case, expected) in cases {
        let kind: DocumentKind = case.split('/').next().unwrap().parse().unwrap();
        let err = PeerVersion::V0_3_2
            .rewrite(kind, &read(&format!("compat/cases/{case}.json")))
            .unwrap_err();
        assert_eq!(err.to_string(), expected);
    }
}

#[test]
fn names_parse_and_display() {
    for peer in PeerVersion::ALL {
        assert_eq!(peer.as_str().parse::<PeerVersion>().unwrap(), peer);
        assert_eq!(peer.to_string(), peer.as_str());
    }
    assert_eq!(
        env!("CARGO_PKG_VERSION").parse::<PeerVersion>().unwrap(),
        PeerVersion::Current
    );
    assert_eq!(PeerVersion::V0_3_2.describe(), "mvm-guest 0.3.2");
    let errors = [
        (
            "0.4".parse::<PeerVersion>().unwrap_err().to_string(),
            format!(
                "invalid peer version `0.4`: expected one of `0.3.2`, `0.13.0`, `current`, `{}`",
                env!("CARGO_PKG_VERSION")
            ),
        ),
        (
            "\u{1b}[31m".parse::<PeerVersion>().unwrap_err().to_string(),
            format!(
                "invalid peer version `\\u{{1b}}[31m`: expected one of `0.3.2`, `0.13.0`, `current`, `{}`",
                env!("CARGO_PKG_VERSION")
            ),
        ),
        (
            "list".parse::<DocumentKind>().unwrap_err().to_string(),
            "invalid document kind `list`: expected one of `manifest`, `entry`, `report`, `reports`"
                .to_owned(),
        ),
    ];
    for (got, expected) in errors {
        assert_eq!(got, expected);
    }
    for kind in DocumentKind::ALL {
        assert_eq!(kind.as_str().parse::<DocumentKind>().unwrap(), kind);
    }
}

#[test]
fn detect_reads_the_shape() {
    let table = [
        (r#"{"integrations":[]}"#, Some(DocumentKind::Manifest)),
        (r#"{"name":"a"}"#, Some(DocumentKind::Entry)),
        (r#"{"name":"a","status":"x"}"#, Some(DocumentKind::Report)),
        ("[]", Some(DocumentKind::Reports)),
        ("{}", None),
        ("not json", None),
        ("\"active\"", None),
    ];
    for (text, kind) in table {
        assert_eq!(DocumentKind::detect(text), kind, "{text}");
    }
}

#[test]
fn compat_types_are_send_and_sync() {
    fn check<T: Send + Sync + Unpin + std::fmt::Debug>() {}
    check::<PeerVersion>();
    check::<mvm_integrations::Assessment>();
    check::<mvm_integrations::Unrewritable>();
    check::<mvm_integrations::InvalidPeerVersion>();
    check::<mvm_integrations::InvalidDocumentKind>();
}

mod laws {
    use mvm_integrations::{DocumentKind, IntegrationStateReport, PeerVersion, Verdict};
    use proptest::prelude::*;

    /// A status as a newer agent may send it: a name, bare or with a payload.
    fn status_json() -> impl Strategy<Value = String> {
        (
            "[a-z_]{1,12}",
            prop::option::of(prop_oneof![Just("null"), Just("3"), Just(r#"{"since":3}"#)]),
        )
            .prop_map(|(name, payload)| match (name.as_str(), payload) {
                ("error", _) => r#"{"error":"x"}"#.to_owned(),
                (name, None) => format!("\"{name}\""),
                (name, Some(payload)) => format!("{{\"{name}\":{payload}}}"),
            })
    }

    proptest! {
        #[test]
        fn report_for_peer_is_read_by_that_peer(status in status_json()) {
            let json = format!(r#"{{"name":"web","status":{status}}}"#);
            // Statuses this crate itself refuses (`{"active":3}`) have nothing to emit.
            let Ok(report) = serde_json::from_str::<IntegrationStateReport>(&json) else {
                return Ok(());
            };
            for peer in PeerVersion::ALL {
                let emitted = serde_json::to_string(&report.for_peer(peer)).unwrap();
                let a = peer.assess(DocumentKind::Report, &emitted);
                prop_assert_eq!(a.verdict(), Verdict::ReadsFully, "{} for {}", emitted, peer);
                prop_assert_eq!(peer.rewrite(DocumentKind::Report, &json).unwrap(), emitted);
            }
        }

        #[test]
        fn assess_and_rewrite_never_panic(text in ".{0,64}", kind in 0usize..4) {
            let kind = DocumentKind::ALL[kind];
            for peer in PeerVersion::ALL {
                let _ = peer.assess(kind, &text);
                let _ = peer.rewrite(kind, &text);
            }
            let _ = DocumentKind::detect(&text);
        }
    }
}
