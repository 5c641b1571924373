//! The contract tables in `docs/contract.md` agree with the code: every field is listed in wire
//! order, every default is what parsing gives, every range is what parsing accepts, and
//! the status table's JSON parses to the status named.

use std::fs;
use std::path::Path;

use mvm_integrations::{IntegrationEntry, IntegrationStateReport, IntegrationStatus, SecsField};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn readme() -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/contract.md")).unwrap()
}

/// The rows of the first table after the heading that starts with `heading`, each cell
/// trimmed and stripped of surrounding backticks; the header and separator are skipped.
#[track_caller]
fn table(readme: &str, heading: &str) -> Vec<Vec<String>> {
    let start = readme
        .lines()
        .position(|l| l.starts_with(heading))
        .unwrap_or_else(|| panic!("docs/contract.md has no heading `{heading}`"));
    readme
        .lines()
        .skip(start + 1)
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|row| {
            row.trim_matches('|')
                .split(" | ")
                .map(|cell| {
                    let cell = cell.trim();
                    cell.strip_prefix('`')
                        .and_then(|c| c.strip_suffix('`'))
                        .filter(|c| !c.contains('`'))
                        .unwrap_or(cell)
                        .to_owned()
                })
                .collect()
        })
        .collect()
}

/// The keys of `value`'s object, in order of emission.
fn emitted_keys(json: &str) -> Vec<String> {
    // Read the keys from the text: `serde_json::Value` does not keep order.
    let value: Value = serde_json::from_str(json).unwrap();
    let mut keys: Vec<(usize, String)> = value
        .as_object()
        .unwrap()
        .keys()
        .map(|k| (json.find(&format!("\"{k}\":")).unwrap(), k.clone()))
        .collect();
    keys.sort();
    keys.into_iter().map(|(_, k)| k).collect()
}

/// Checks a `a to b` constraint against the parser, with `parse(value) -> accepted`.
#[track_caller]
fn check_range(field: &str, constraint: &str, accepts: impl Fn(&str) -> bool) {
    let range = constraint.split(" (").next().unwrap();
    let (min, max) = range
        .split_once(" to ")
        .unwrap_or_else(|| panic!("`{field}`: constraint `{constraint}` is not `a to b`"));
    let min: u64 = min.parse().unwrap();
    let max: u64 = if max == "2^64 - 1" {
        u64::MAX
    } else {
        max.parse().unwrap()
    };
    assert!(accepts(&min.to_string()), "`{field}` refuses {min}");
    assert!(accepts(&max.to_string()), "`{field}` refuses {max}");
    let below = if min == 0 {
        "-1".to_owned()
    } else {
        (min - 1).to_string()
    };
    let above = (u128::from(max) + 1).to_string();
    assert!(!accepts(&below), "`{field}` accepts {below}");
    assert!(!accepts(&above), "`{field}` accepts {above}");
}

/// Checks a contract table of a struct against the parser: the fields in wire order, each
/// default (or that a required field is required), and each `a to b` range at its edges.
/// `minimal` is the smallest valid document, one line of JSON without its closing brace, so
/// that a field can be added to it.
#[track_caller]
fn check_struct_table<T: Serialize + DeserializeOwned>(heading: &str, minimal: &str) {
    let rows = table(&readme(), heading);
    let parses = |json: &str| serde_json::from_str::<T>(json);
    let json = serde_json::to_string(&parses(&format!("{minimal}}}")).unwrap()).unwrap();
    let emitted: Value = serde_json::from_str(&json).unwrap();
    let fields: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        fields,
        emitted_keys(&json),
        "{heading}: fields in wire order"
    );
    for row in &rows {
        let [field, _, default, constraint] = &row[..] else {
            panic!("row {row:?} has not four cells")
        };
        if default == "required" {
            let mut object = emitted.clone();
            object.as_object_mut().unwrap().remove(field);
            let err = serde_json::from_value::<T>(object).err().unwrap();
            assert_eq!(err.to_string(), format!("missing field `{field}`"));
        } else {
            let default: Value = serde_json::from_str(default).unwrap();
            assert_eq!(emitted[field], default, "default of `{field}`");
        }
        if constraint.contains(" to ") {
            check_range(field, constraint, |value| {
                parses(&format!(r#"{minimal},"{field}":{value}}}"#)).is_ok()
            });
        }
    }
}

#[test]
fn entry_table_matches_the_parser() {
    check_struct_table::<IntegrationEntry>("## `IntegrationEntry`", r#"{"name":"a""#);
}

/// The entry table's ranges and defaults are those of the one table in the code,
/// `SecsField::ALL`.
#[test]
fn entry_table_states_the_secs_table() {
    let rows = table(&readme(), "## `IntegrationEntry`");
    for secs in SecsField::ALL {
        let row = rows
            .iter()
            .find(|r| r[0] == secs.field().as_str())
            .unwrap_or_else(|| panic!("no row for `{}`", secs.field()));
        assert_eq!(
            row[2],
            secs.default().to_string(),
            "default of `{}`",
            secs.field()
        );
        // A note may follow the range in parentheses.
        assert_eq!(
            row[3].split(" (").next().unwrap(),
            format!("{} to {}", secs.min(), secs.max()),
            "range of `{}`",
            secs.field()
        );
    }
}

#[test]
fn report_table_matches_the_parser() {
    check_struct_table::<IntegrationStateReport>(
        "## `IntegrationStateReport`",
        r#"{"name":"a","status":"active""#,
    );
}

#[test]
fn status_table_matches_the_parser() {
    let rows = table(&readme(), "## `IntegrationStatus`");
    let known: Vec<&str> = rows
        .iter()
        .map(|r| r[1].as_str())
        .filter(|json| !json.contains('<'))
        .collect();
    assert_eq!(
        known,
        [
            r#""active""#,
            r#""paused""#,
            r#""pending""#,
            r#""starting""#
        ]
    );
    for json in known {
        let status: IntegrationStatus = serde_json::from_str(json).unwrap();
        assert!(status.is_known());
        assert_eq!(serde_json::to_string(&status).unwrap(), json);
    }
    let variants: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        variants,
        [
            "Active",
            "Paused",
            "Pending",
            "Starting",
            "Error(detail)",
            "Unknown"
        ]
    );
}
