//! JSON Schema for the wire documents, behind the `schema` feature.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use crate::escape::Escaped;
use crate::status::KNOWN_STATUSES;
use crate::{
    IntegrationManifest, IntegrationName, IntegrationStateReport, IntegrationStatus, MAX_NAME_LEN,
};

/// A JSON document a consumer of the contract handles, with its JSON Schema.
///
/// The schemas follow JSON Schema draft 2020-12. The crate's `schema/` folder holds each
/// one as a file ([`file_name`](Self::file_name)), kept equal to [`to_json`](Self::to_json)
/// by a test, for host orchestrators that are not written in Rust.
///
/// ```
/// use mvm_integrations::SchemaDocument;
///
/// let doc: SchemaDocument = "manifest".parse()?;
/// assert_eq!(doc, SchemaDocument::Manifest);
/// assert_eq!(doc.file_name(), "manifest.schema.json");
///
/// let schema = doc.schema();
/// assert_eq!(schema.get("title"), Some(&"IntegrationManifest".into()));
/// assert!(doc.to_json().ends_with("}\n"));
/// # Ok::<(), mvm_integrations::UnknownSchemaDocument>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[cfg_attr(docsrs, doc(cfg(feature = "schema")))]
pub enum SchemaDocument {
    /// The manifest the host writes to the config drive: an
    /// [`IntegrationManifest`](crate::IntegrationManifest).
    Manifest,
    /// One drop-in file: an [`IntegrationEntry`](crate::IntegrationEntry).
    Entry,
    /// One state report from a guest: an
    /// [`IntegrationStateReport`](crate::IntegrationStateReport).
    Report,
    /// A JSON list of state reports, as a host receives it.
    Reports,
}

impl SchemaDocument {
    /// Every document, in the order `manifest`, `entry`, `report`, `reports`.
    pub const ALL: [SchemaDocument; 4] = [
        SchemaDocument::Manifest,
        SchemaDocument::Entry,
        SchemaDocument::Report,
        SchemaDocument::Reports,
    ];

    /// The document's short name, as [`FromStr`] and the command line take it: `manifest`,
    /// `entry`, `report` or `reports`.
    pub fn name(self) -> &'static str {
        match self {
            SchemaDocument::Manifest => "manifest",
            SchemaDocument::Entry => "entry",
            SchemaDocument::Report => "report",
            SchemaDocument::Reports => "reports",
        }
    }

    /// The name of the document's schema file in the crate's `schema/` folder, such as
    /// `manifest.schema.json`.
    pub fn file_name(self) -> &'static str {
        match self {
            SchemaDocument::Manifest => "manifest.schema.json",
            SchemaDocument::Entry => "entry.schema.json",
            SchemaDocument::Report => "report.schema.json",
            SchemaDocument::Reports => "reports.schema.json",
        }
    }

    /// The document's JSON Schema (draft 2020-12), with every type it uses under `$defs`.
    pub fn schema(self) -> Schema {
        let mut generator = SchemaSettings::draft2020_12().into_generator();
        let mut schema = match self {
            SchemaDocument::Manifest => generator.into_root_schema_for::<IntegrationManifest>(),
            SchemaDocument::Entry => generator.into_root_schema_for::<crate::IntegrationEntry>(),
            SchemaDocument::Report => generator.into_root_schema_for::<IntegrationStateReport>(),
            SchemaDocument::Reports => {
                let mut schema = generator.root_schema_for::<Vec<IntegrationStateReport>>();
                schema.insert("title".to_owned(), "IntegrationStateReports".into());
                schema.insert(
                    "description".to_owned(),
                    "A list of state reports, as a host receives it from a guest agent. Hosts \
                     should read it element by element, so that one malformed report does not \
                     cost the others."
                        .into(),
                );
                schema
            }
        };
        if let Some(object) = schema.as_object_mut() {
            object.values_mut().for_each(drop_rust_formats);
            // Key order does not depend on whether some crate in the build turns on
            // `serde_json/preserve_order`.
            sort_keys(object);
        }
        schema
    }

    /// The schema as pretty JSON (two-space indent) with a final newline: the content of
    /// the document's file in `schema/`. The output is the same on every run.
    pub fn to_json(self) -> String {
        let mut json = crate::error::to_json(&self.schema(), true);
        json.push('\n');
        json
    }
}

impl fmt::Display for SchemaDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SchemaDocument {
    type Err = UnknownSchemaDocument;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SchemaDocument::ALL
            .into_iter()
            .find(|doc| doc.name() == s)
            .ok_or_else(|| UnknownSchemaDocument { name: s.to_owned() })
    }
}

/// The error returned when a string names no [`SchemaDocument`].
///
/// ``unknown schema document `repots`: expected `manifest`, `entry`, `report` or `reports` ``
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(docsrs, doc(cfg(feature = "schema")))]
pub struct UnknownSchemaDocument {
    name: String,
}

impl UnknownSchemaDocument {
    /// The rejected input, exactly as it was given.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for UnknownSchemaDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown schema document `{}`: expected `manifest`, `entry`, `report` or `reports`",
            Escaped::quoted(&self.name)
        )
    }
}

impl std::error::Error for UnknownSchemaDocument {}

/// Names that [`IntegrationStatus`] gives a meaning (any other is an unknown status), read
/// from the one table of known statuses.
fn known_status_names() -> Vec<&'static str> {
    KNOWN_STATUSES.iter().map(|known| known.name).collect()
}

/// `{"<name>": {"type": "null"}}` for every known status without a detail: the object form
/// `{"active": null}` that the parser also reads.
fn unit_status_properties() -> serde_json::Map<String, Value> {
    KNOWN_STATUSES
        .iter()
        .filter(|known| !known.takes_detail)
        .map(|known| (known.name.to_owned(), serde_json::json!({ "type": "null" })))
        .collect()
}

/// The characters of a name; the same set `crate::name` checks.
const NAME_CHARS: &str = "A-Za-z0-9._-";

impl JsonSchema for IntegrationName {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("IntegrationName")
    }

    fn schema_id() -> Cow<'static, str> {
        Cow::Borrowed(concat!(module_path!(), "::IntegrationName"))
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The name of an integration, validated so that it is safe as a \
                directory name: 1 to 64 bytes of ASCII letters, digits, `.`, `_` and `-`, \
                starting with a letter or a digit.",
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_NAME_LEN,
            "pattern": format!("^[A-Za-z0-9][{NAME_CHARS}]*$"),
            // The same rule without `$`, which in some regex dialects (Python's `re`) also
            // matches before a final newline.
            "not": { "pattern": format!("[^{NAME_CHARS}]") },
        })
    }
}

impl JsonSchema for IntegrationStatus {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("IntegrationStatus")
    }

    fn schema_id() -> Cow<'static, str> {
        Cow::Borrowed(concat!(module_path!(), "::IntegrationStatus"))
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The runtime status of one integration on a guest: `\"active\"`, \
                `\"paused\"`, `\"pending\"`, `\"starting\"` or `{\"error\": \"<detail>\"}`. A \
                status that a newer guest sends and this version does not know, such as \
                `\"degraded\"` or `{\"degraded\": <any JSON>}`, is valid and kept: readers must \
                accept it.",
            "oneOf": [
                {
                    "description": "Running and connected.",
                    "const": "active",
                },
                {
                    "description": "Paused, for example while it checkpoints.",
                    "const": "paused",
                },
                {
                    "description": "Not initialised yet; the default.",
                    "const": "pending",
                },
                {
                    "description": "Inside its startup grace and not yet healthy. Added in \
                        `mvm-guest` 0.13.0.",
                    "const": "starting",
                },
                {
                    "description": "Failing, with a human-readable detail.",
                    "type": "object",
                    "properties": { "error": { "type": "string" } },
                    "required": ["error"],
                    "additionalProperties": false,
                },
                {
                    "description": "A status without detail in object form, such as \
                        `{\"active\": null}`. Accepted on input, never emitted.",
                    "type": "object",
                    "properties": unit_status_properties(),
                    "additionalProperties": false,
                    "minProperties": 1,
                    "maxProperties": 1,
                },
                {
                    "description": "A status from a newer guest that this version does not \
                        know, as a string. Valid: readers keep it as it came.",
                    "type": "string",
                    "not": { "enum": known_status_names() },
                },
                {
                    "description": "A status from a newer guest that this version does not \
                        know, as an object with one key, the status name, and any value. \
                        Valid: readers keep it as it came.",
                    "type": "object",
                    "minProperties": 1,
                    "maxProperties": 1,
                    "propertyNames": { "not": { "enum": known_status_names() } },
                },
            ],
        })
    }
}

/// Sorts the keys of `object` and of every object inside it.
fn sort_keys(object: &mut serde_json::Map<String, Value>) {
    let mut entries: Vec<(String, Value)> = std::mem::take(object).into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (key, mut value) in entries {
        sort_value(&mut value);
        object.insert(key, value);
    }
}

fn sort_value(value: &mut Value) {
    match value {
        Value::Object(object) => sort_keys(object),
        Value::Array(items) => items.iter_mut().for_each(sort_value),
        _ => {}
    }
}

/// The entry's schema: plain-text docs, and the range and default of each `*_secs` field
/// from the one table, [`SecsField::ALL`](crate::SecsField::ALL).
pub(crate) fn entry_schema(schema: &mut Schema) {
    tidy_docs(schema);
    let properties = schema
        .as_object_mut()
        .and_then(|o| o.get_mut("properties"))
        .and_then(Value::as_object_mut);
    let Some(properties) = properties else {
        return;
    };
    for secs in crate::SecsField::ALL {
        if let Some(Value::Object(property)) = properties.get_mut(secs.field().as_str()) {
            property.insert("type".to_owned(), "integer".into());
            property.insert("minimum".to_owned(), secs.min().into());
            property.insert("maximum".to_owned(), secs.max().into());
            property.insert("default".to_owned(), secs.default().into());
        }
    }
}

/// Formats that schemars writes for Rust integer types (`uint64`, `uint`, `int32`…). They
/// are not JSON Schema formats, validators in strict mode (ajv's default) refuse them, and
/// `minimum`/`maximum` already say what they mean.
fn is_rust_format(format: &str) -> bool {
    matches!(
        format,
        "uint"
            | "int"
            | "uint8"
            | "uint16"
            | "uint32"
            | "uint64"
            | "uint128"
            | "int8"
            | "int16"
            | "int32"
            | "int64"
            | "int128"
            | "float"
            | "double"
    )
}

/// Removes the non-standard formats from `value` and everything inside it.
fn drop_rust_formats(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if object
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(is_rust_format)
            {
                object.remove("format");
            }
            object.values_mut().for_each(drop_rust_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_rust_formats),
        _ => {}
    }
}

/// Turns the rustdoc in derived descriptions into plain text for readers of the schema:
/// keeps the text before the first section heading or code block, unwraps lines, and
/// replaces intra-doc links with their text.
pub(crate) fn tidy_docs(schema: &mut Schema) {
    if let Some(object) = schema.as_object_mut() {
        tidy_object(object);
    }
}

fn tidy_object(object: &mut serde_json::Map<String, Value>) {
    for (key, value) in object.iter_mut() {
        match (key.as_str(), value) {
            // Values, not schemas: leave their content alone.
            ("default" | "const" | "enum" | "examples", _) => {}
            ("description", Value::String(text)) => *text = plain_text(text),
            (_, Value::Object(inner)) => tidy_object(inner),
            (_, Value::Array(items)) => {
                for item in items {
                    if let Value::Object(inner) = item {
                        tidy_object(inner);
                    }
                }
            }
            _ => {}
        }
    }
}

fn plain_text(doc: &str) -> String {
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    for line in doc.lines().map(str::trim) {
        if line.starts_with('#') || line.starts_with("```") {
            break;
        }
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
            continue;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs
        .iter()
        .map(|p| strip_links(p))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The text that replaces an intra-doc link: its label, or the value of a path constant,
/// which means something to readers who do not read Rust.
fn link_text(label: &str) -> Cow<'_, str> {
    match label {
        "`INTEGRATIONS_DROPIN_DIR`" => format!("`{}`", crate::INTEGRATIONS_DROPIN_DIR).into(),
        "`INTEGRATIONS_BASE_PATH`" => format!("`{}`", crate::INTEGRATIONS_BASE_PATH).into(),
        other => other.into(),
    }
}

/// `[`X`](path)` and `[`X`]` become `` `X` ``; links to a URL are kept.
fn strip_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let label = &after[..close];
        let tail = &after[close + 1..];
        let target = tail
            .strip_prefix('(')
            .and_then(|target| Some((target, target.find(')')?)));
        match target {
            Some((target, end)) => {
                if target[..end].contains("://") {
                    out.push('[');
                    out.push_str(label);
                    out.push_str("](");
                    out.push_str(&target[..=end]);
                } else {
                    out.push_str(&link_text(label));
                }
                rest = &target[end + 1..];
            }
            None => {
                out.push_str(&link_text(label));
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}
