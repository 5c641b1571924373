//! Mixed-version fleets: what a deployed peer does with a document, and how to speak its
//! version.
//!
//! The facts below were measured by running the parsers of the published `mvm-guest` 0.3.2
//! and 0.13.0 over the wire vectors and over a set of probe documents
//! (`tests/fixtures/compat/`); `tests/compat.rs` checks this module against every recorded
//! result. The published peers are modelled here as data (their fields, field types and
//! statuses) walked by one generic reader that raises the same errors, at the same
//! positions, as their parsers do. This crate's own version is not modelled: it is read
//! with this crate's parser.

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::{
    Escaped, IntegrationEntry, IntegrationManifest, IntegrationStateReport, IntegrationStatus,
};

/// A version of the wire contract that a peer (a host or a guest agent) may run.
///
/// ```
/// use mvm_integrations::PeerVersion;
///
/// let peer: PeerVersion = "0.3.2".parse()?;
/// assert_eq!(peer, PeerVersion::V0_3_2);
/// assert_eq!(peer.to_string(), "0.3.2");
/// assert_eq!(peer.known_statuses(), ["active", "paused", "error", "pending"]);
/// # Ok::<(), mvm_integrations::InvalidPeerVersion>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PeerVersion {
    /// The published `mvm-guest` 0.3.2: no `startup_grace_secs`, no `starting` status.
    V0_3_2,
    /// The published `mvm-guest` 0.13.0: adds `startup_grace_secs` and `starting`.
    V0_13_0,
    /// This crate's own version.
    Current,
}

/// What a peer does with a part of a document it cannot use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reaction {
    /// The peer rejects the whole document: the whole manifest, drop-in, report or list.
    RejectsDocument,
    /// The peer drops the one element of a list and keeps the others.
    DropsElement,
    /// The peer reads the document and ignores the field: its value is lost.
    IgnoresField,
    /// The peer keeps the value as it came, without understanding it.
    Keeps,
}

/// The kinds of document that cross the VM boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocumentKind {
    /// An `IntegrationManifest`: `{"integrations": [...]}`.
    Manifest,
    /// One drop-in: an `IntegrationEntry`.
    Entry,
    /// One `IntegrationStateReport`.
    Report,
    /// A JSON array of `IntegrationStateReport`, as a host receives it.
    Reports,
}

/// The error of [`PeerVersion::from_str`]: ``invalid peer version `0.4`: expected one of
/// `0.3.2`, `0.13.0`, `current`, `0.1.0` ``.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct InvalidPeerVersion(InvalidName);

/// The error of [`DocumentKind::from_str`]: ``invalid document kind `list`: expected one of
/// `manifest`, `entry`, `report`, `reports` ``.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct InvalidDocumentKind(InvalidName);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} `{}`: expected one of {expected}", Escaped::quoted(.value))]
struct InvalidName {
    what: &'static str,
    value: String,
    expected: String,
}

impl InvalidName {
    fn new(what: &'static str, value: &str, expected: impl Iterator<Item = String>) -> Self {
        InvalidName {
            what,
            value: value.to_owned(),
            expected: expected
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

const STATUSES_0_3_2: &[&str] = &["active", "paused", "error", "pending"];
const STATUSES_0_13_0: &[&str] = &["active", "paused", "error", "pending", "starting"];

impl PeerVersion {
    /// Every version, oldest first.
    pub const ALL: [PeerVersion; 3] = [
        PeerVersion::V0_3_2,
        PeerVersion::V0_13_0,
        PeerVersion::Current,
    ];

    /// The version's name: `0.3.2`, `0.13.0` or `current`.
    pub fn as_str(self) -> &'static str {
        match self {
            PeerVersion::V0_3_2 => "0.3.2",
            PeerVersion::V0_13_0 => "0.13.0",
            PeerVersion::Current => "current",
        }
    }

    /// The peer's software, for messages: `mvm-guest 0.3.2`, or `mvm-integrations <version>`.
    pub fn describe(self) -> String {
        match self {
            PeerVersion::Current => format!("mvm-integrations {}", env!("CARGO_PKG_VERSION")),
            published => format!("mvm-guest {}", published.as_str()),
        }
    }

    /// The status names the peer knows, in its declaration order.
    pub fn known_statuses(self) -> &'static [&'static str] {
        match self {
            PeerVersion::V0_3_2 => STATUSES_0_3_2,
            // This crate knows exactly the statuses of 0.13.0 (`tests/compat.rs` checks it).
            PeerVersion::V0_13_0 | PeerVersion::Current => STATUSES_0_13_0,
        }
    }

    /// Whether the peer can read `status`.
    pub fn knows_status(self, status: &IntegrationStatus) -> bool {
        match self {
            PeerVersion::Current => true,
            published => status.is_known() && published.known_statuses().contains(&status.name()),
        }
    }

    /// The fields the peer reads in one element of `kind` (one entry of a manifest, one
    /// report of a list), in wire order. The published peers write exactly these fields;
    /// every other field is ignored ([`Reaction::IgnoresField`]).
    pub fn fields(self, kind: DocumentKind) -> &'static [&'static str] {
        let shape = match kind {
            DocumentKind::Manifest | DocumentKind::Entry => self.entry_shape(),
            DocumentKind::Report | DocumentKind::Reports => &REPORT_SHAPE,
        };
        shape.names
    }

    /// What the peer does with a field it does not know, at any depth: ignores it.
    pub fn on_unknown_field(self) -> Reaction {
        Reaction::IgnoresField
    }

    /// What the peer does with a status it does not know: the published peers reject the
    /// report (and so the whole list); this crate keeps it.
    pub fn on_unknown_status(self) -> Reaction {
        match self {
            PeerVersion::Current => Reaction::Keeps,
            _ => Reaction::RejectsDocument,
        }
    }

    /// What the peer does with a report it cannot read inside a list: the published peers
    /// reject the whole list; this crate drops that report.
    pub fn on_bad_list_element(self) -> Reaction {
        match self {
            PeerVersion::Current => Reaction::DropsElement,
            _ => Reaction::RejectsDocument,
        }
    }

    fn entry_shape(self) -> &'static Shape {
        match self {
            PeerVersion::V0_3_2 => &ENTRY_SHAPE_0_3_2,
            _ => &ENTRY_SHAPE_0_13_0,
        }
    }

    fn shape(self, kind: DocumentKind) -> Ty {
        match (self, kind) {
            (PeerVersion::V0_3_2, DocumentKind::Manifest) => Ty::Struct(&MANIFEST_SHAPE_0_3_2),
            (_, DocumentKind::Manifest) => Ty::Struct(&MANIFEST_SHAPE_0_13_0),
            (_, DocumentKind::Entry) => Ty::Struct(self.entry_shape()),
            (PeerVersion::V0_3_2, DocumentKind::Report) => Ty::Struct(&REPORT_SHAPE_0_3_2),
            (_, DocumentKind::Report) => Ty::Struct(&REPORT_SHAPE),
            (PeerVersion::V0_3_2, DocumentKind::Reports) => Ty::List(&REPORT_SHAPE_0_3_2),
            (_, DocumentKind::Reports) => Ty::List(&REPORT_SHAPE),
        }
    }

    /// Says what the peer would do with `text`, a document of `kind`.
    ///
    /// ```
    /// use mvm_integrations::{DocumentKind, PeerVersion, Verdict};
    ///
    /// let list = r#"[{"name":"a","status":"starting"}]"#;
    /// let old = PeerVersion::V0_3_2.assess(DocumentKind::Reports, list);
    /// assert_eq!(old.verdict(), Verdict::Rejects);
    /// assert_eq!(
    ///     old.rejection(),
    ///     Some("unknown variant `starting`, expected one of `active`, `paused`, `error`, `pending` at line 1 column 32"),
    /// );
    /// assert_eq!(PeerVersion::V0_13_0.assess(DocumentKind::Reports, list).verdict(), Verdict::ReadsFully);
    /// ```
    pub fn assess(self, kind: DocumentKind, text: &str) -> Assessment {
        let mut assessment = Assessment {
            peer: self,
            kind,
            rejection: None,
            dropped: Vec::new(),
            ignored: Vec::new(),
        };
        match self {
            PeerVersion::Current => read_current(kind, text, &mut assessment),
            published => {
                let mut de = serde_json::Deserializer::from_str(text);
                let mut ignored = Vec::new();
                let seed = Walk {
                    ty: published.shape(kind),
                    path: String::new(),
                    ignored: &mut ignored,
                };
                match seed.deserialize(&mut de).and_then(|()| de.end()) {
                    Ok(()) => assessment.ignored = ignored,
                    Err(e) => assessment.rejection = Some(e.to_string()),
                }
            }
        }
        assessment
    }

    /// Rewrites `text`, a document of `kind`, as this crate emits it for the peer: every
    /// status the peer does not know becomes the nearest one it knows
    /// ([`IntegrationStatus::for_peer`]). Manifests come out pretty, as the host writes
    /// them; entries, reports and lists compact, as `serde_json::to_string` writes them.
    ///
    /// Fields the peer ignores stay: they cost it nothing, and no rewrite can give the peer
    /// a feature it lacks (see [`Assessment::ignored`] on the result).
    ///
    /// ```
    /// use mvm_integrations::{DocumentKind, PeerVersion};
    ///
    /// let report = r#"{"name":"web","status":"starting"}"#;
    /// assert_eq!(
    ///     PeerVersion::V0_3_2.rewrite(DocumentKind::Report, report)?,
    ///     r#"{"name":"web","status":"pending","last_checkpoint_at":null,"state_size_bytes":0,"health":null}"#,
    /// );
    /// # Ok::<(), mvm_integrations::Unrewritable>(())
    /// ```
    ///
    /// # Errors
    /// Returns an error when this crate cannot read `text` as a `kind` document, for
    /// example `{"name":"web","status":{"error":5}}`: there is nothing to rewrite from.
    pub fn rewrite(self, kind: DocumentKind, text: &str) -> Result<String, Unrewritable> {
        let fail = |e: serde_json::Error| Unrewritable {
            kind,
            reason: e.to_string(),
        };
        // Through serde only, so that renamings of the wire types' methods do not reach
        // here; `read_current` below reads the same way.
        Ok(match kind {
            DocumentKind::Manifest => {
                let manifest: IntegrationManifest = serde_json::from_str(text).map_err(fail)?;
                serde_json::to_string_pretty(&manifest).map_err(fail)?
            }
            DocumentKind::Entry => {
                let entry: IntegrationEntry = serde_json::from_str(text).map_err(fail)?;
                serde_json::to_string(&entry).map_err(fail)?
            }
            DocumentKind::Report => {
                let report: IntegrationStateReport = serde_json::from_str(text).map_err(fail)?;
                serde_json::to_string(&report.for_peer(self)).map_err(fail)?
            }
            DocumentKind::Reports => {
                let reports: Vec<IntegrationStateReport> =
                    serde_json::from_str(text).map_err(fail)?;
                let reports: Vec<_> = reports.iter().map(|r| r.for_peer(self)).collect();
                serde_json::to_string(&reports).map_err(fail)?
            }
        })
    }
}

impl fmt::Display for PeerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PeerVersion {
    type Err = InvalidPeerVersion;

    /// Accepts `0.3.2`, `0.13.0`, `current`, and this crate's version number.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "0.3.2" => Ok(PeerVersion::V0_3_2),
            "0.13.0" => Ok(PeerVersion::V0_13_0),
            "current" | env!("CARGO_PKG_VERSION") => Ok(PeerVersion::Current),
            _ => Err(InvalidPeerVersion(InvalidName::new(
                "peer version",
                s,
                PeerVersion::ALL
                    .iter()
                    .map(|v| v.as_str().to_owned())
                    .chain([env!("CARGO_PKG_VERSION").to_owned()]),
            ))),
        }
    }
}

impl DocumentKind {
    /// Every kind.
    pub const ALL: [DocumentKind; 4] = [
        DocumentKind::Manifest,
        DocumentKind::Entry,
        DocumentKind::Report,
        DocumentKind::Reports,
    ];

    /// The kind's name: `manifest`, `entry`, `report` or `reports`.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Manifest => "manifest",
            DocumentKind::Entry => "entry",
            DocumentKind::Report => "report",
            DocumentKind::Reports => "reports",
        }
    }

    /// Guesses the kind of a JSON document from its shape: an array is a list of reports;
    /// an object with `integrations` a manifest, with `status` a report, with `name` an
    /// entry. `None` when the text is not JSON or fits none of these.
    ///
    /// ```
    /// use mvm_integrations::DocumentKind;
    ///
    /// assert_eq!(DocumentKind::detect(r#"{"name":"web","status":"active"}"#), Some(DocumentKind::Report));
    /// assert_eq!(DocumentKind::detect("[]"), Some(DocumentKind::Reports));
    /// assert_eq!(DocumentKind::detect("5"), None);
    /// ```
    pub fn detect(text: &str) -> Option<DocumentKind> {
        match serde_json::from_str::<Value>(text).ok()? {
            Value::Array(_) => Some(DocumentKind::Reports),
            Value::Object(map) if map.contains_key("integrations") => Some(DocumentKind::Manifest),
            Value::Object(map) if map.contains_key("status") => Some(DocumentKind::Report),
            Value::Object(map) if map.contains_key("name") => Some(DocumentKind::Entry),
            _ => None,
        }
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DocumentKind {
    type Err = InvalidDocumentKind;

    /// Accepts `manifest`, `entry`, `report` and `reports`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DocumentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                InvalidDocumentKind(InvalidName::new(
                    "document kind",
                    s,
                    DocumentKind::ALL.iter().map(|k| k.as_str().to_owned()),
                ))
            })
    }
}

/// The most severe thing a peer does with a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Verdict {
    /// The peer reads every field of the document, or ignores only fields whose value
    /// asks for what it does anyway (see [`IgnoredField::loss`]).
    ReadsFully,
    /// The peer reads the document but ignores some fields, losing their values.
    Ignores,
    /// The peer drops some elements of a list and reads the others.
    Drops,
    /// The peer rejects the whole document.
    Rejects,
}

impl Verdict {
    /// `reads fully`, `ignores`, `drops` or `rejects`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::ReadsFully => "reads fully",
            Verdict::Ignores => "ignores",
            Verdict::Drops => "drops",
            Verdict::Rejects => "rejects",
        }
    }
}

/// What one peer does with one document: the result of [`PeerVersion::assess`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    peer: PeerVersion,
    kind: DocumentKind,
    rejection: Option<String>,
    dropped: Vec<DroppedElement>,
    ignored: Vec<IgnoredField>,
}

impl Assessment {
    /// The peer.
    pub fn peer(&self) -> PeerVersion {
        self.peer
    }

    /// The kind the document was read as.
    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    /// The most severe thing the peer does.
    pub fn verdict(&self) -> Verdict {
        if self.rejection.is_some() {
            Verdict::Rejects
        } else if !self.dropped.is_empty() {
            Verdict::Drops
        } else if self.ignored.iter().any(|i| i.loss().is_some()) {
            Verdict::Ignores
        } else {
            Verdict::ReadsFully
        }
    }

    /// When the peer rejects the whole document, the error its parser gives, exactly.
    pub fn rejection(&self) -> Option<&str> {
        self.rejection.as_deref()
    }

    /// The elements of a list the peer drops (only this crate drops elements).
    pub fn dropped(&self) -> &[DroppedElement] {
        &self.dropped
    }

    /// The fields the peer ignores, in document order, lossless ones included; empty when
    /// it rejects the document.
    pub fn ignored(&self) -> &[IgnoredField] {
        &self.ignored
    }
}

/// An element of a list that a peer drops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedElement {
    index: usize,
    reason: String,
}

impl DroppedElement {
    /// The element's index in the list, from 0.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The peer's error for that element; its line and column count from the element's
    /// start.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// A field a peer reads past without using it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredField {
    path: String,
    field: String,
    lossless: bool,
}

impl IgnoredField {
    /// `value` is the field's value when the reader kept it (only for fields whose value
    /// can make the loss nil).
    fn new(path: String, field: String, value: Option<&Value>) -> Self {
        // `startup_grace_secs: 0` asks for no grace, which is what a peer without the field
        // gives anyway. 0.13.0 writes it in every entry.
        let lossless = field == "startup_grace_secs"
            && value.and_then(Value::as_u64) == Some(crate::DEFAULT_STARTUP_GRACE_SECS);
        IgnoredField {
            path,
            field,
            lossless,
        }
    }

    /// Where the field is, such as `integrations[0].startup_grace_secs` or
    /// `[1].health.latency_ms` (list elements are `[i]`, object fields `.name`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The field's name, as the document spells it.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// What the operator loses because the peer ignores the field, or `None` when the
    /// value asks for what the peer does anyway (`"startup_grace_secs": 0`).
    pub fn loss(&self) -> Option<&'static str> {
        if self.lossless {
            return None;
        }
        Some(match self.field.as_str() {
            "startup_grace_secs" => {
                "no startup grace on this guest: while the integration boots, a failing health check reports `error` at once, never `starting`"
            }
            _ => "the value is lost: no published version of the contract has this field",
        })
    }
}

/// The error of [`PeerVersion::rewrite`]: this crate cannot read the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot rewrite the {kind}: this crate cannot read it: {}", Escaped::new(.reason))]
pub struct Unrewritable {
    kind: DocumentKind,
    reason: String,
}

impl IntegrationStatus {
    /// The status as a host or agent running `peer` should receive it.
    ///
    /// A status the peer knows stays as it is. The others map to the nearest status it
    /// knows:
    ///
    /// | status | peer | becomes | why |
    /// |---|---|---|---|
    /// | `starting` | 0.3.2 | `pending` | both say "no passing health check yet, and not failed"; 0.3.2 itself reports `pending` for an integration it has not checked yet. `error` would make every booting VM look failed, which the startup grace exists to prevent |
    /// | a status this crate does not know (`"draining"`, `{"degraded": ...}`) | 0.3.2, 0.13.0 | `{"error": "unknown status `draining`"}` | nothing says it is healthy, so it must not pass for `active` or `pending`; `error` is the one status with room to keep the name, so an operator still sees it |
    ///
    /// This crate's own version keeps every status as it is.
    ///
    /// ```
    /// use mvm_integrations::{IntegrationStatus, PeerVersion};
    ///
    /// assert_eq!(IntegrationStatus::Starting.for_peer(PeerVersion::V0_3_2), IntegrationStatus::Pending);
    /// assert_eq!(IntegrationStatus::Starting.for_peer(PeerVersion::V0_13_0), IntegrationStatus::Starting);
    ///
    /// let draining: IntegrationStatus = serde_json::from_str(r#""draining""#)?;
    /// assert_eq!(
    ///     draining.for_peer(PeerVersion::V0_13_0),
    ///     IntegrationStatus::Error("unknown status `draining`".to_owned()),
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn for_peer(&self, peer: PeerVersion) -> IntegrationStatus {
        if peer.knows_status(self) {
            return self.clone();
        }
        match self {
            IntegrationStatus::Starting => IntegrationStatus::Pending,
            other => IntegrationStatus::Error(format!("unknown status `{}`", other.name())),
        }
    }
}

impl IntegrationStateReport {
    /// The report as a host running `peer` should receive it: its status goes through
    /// [`IntegrationStatus::for_peer`]; every other field stays, since every version reads
    /// the same report fields.
    ///
    /// ```
    /// use mvm_integrations::{IntegrationStateReport, IntegrationStatus, PeerVersion};
    ///
    /// let report = IntegrationStateReport::new("web", IntegrationStatus::Starting);
    /// let old = report.for_peer(PeerVersion::V0_3_2);
    /// assert_eq!(old.status(), &IntegrationStatus::Pending);
    /// assert_eq!(report.for_peer(PeerVersion::V0_13_0), report);
    /// ```
    pub fn for_peer(&self, peer: PeerVersion) -> IntegrationStateReport {
        self.clone().with_status(self.status().for_peer(peer))
    }
}

// ---------------------------------------------------------------------------------------
// This crate's own reading.

fn read_current(kind: DocumentKind, text: &str, out: &mut Assessment) {
    let result = match kind {
        DocumentKind::Manifest => serde_json::from_str::<IntegrationManifest>(text).map(drop),
        DocumentKind::Entry => serde_json::from_str::<IntegrationEntry>(text).map(drop),
        DocumentKind::Report => serde_json::from_str::<IntegrationStateReport>(text).map(drop),
        DocumentKind::Reports => serde_json::from_str::<Vec<Box<RawValue>>>(text).map(|items| {
            for (index, item) in items.iter().enumerate() {
                if let Err(e) = serde_json::from_str::<IntegrationStateReport>(item.get()) {
                    out.dropped.push(DroppedElement {
                        index,
                        reason: e.to_string(),
                    });
                }
            }
        }),
    };
    if let Err(e) = result {
        out.rejection = Some(e.to_string());
        return;
    }
    // This crate reads the fields of 0.13.0; list the others.
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        let dropped: Vec<usize> = out.dropped.iter().map(|d| d.index).collect();
        let ty = PeerVersion::V0_13_0.shape(kind);
        unknown_fields(&value, ty, "", &dropped, &mut out.ignored);
    }
}

fn unknown_fields(value: &Value, ty: Ty, path: &str, skip: &[usize], out: &mut Vec<IgnoredField>) {
    match (ty, value) {
        (Ty::List(shape), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate().filter(|(i, _)| !skip.contains(i)) {
                unknown_fields(item, Ty::Struct(shape), &format!("{path}[{i}]"), &[], out);
            }
        }
        (Ty::Struct(shape) | Ty::OptStruct(shape), Value::Object(map)) => {
            for (key, item) in map {
                let field_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match shape.fields.iter().find(|f| f.name == key) {
                    Some(field) => unknown_fields(item, field.ty, &field_path, &[], out),
                    None => out.push(IgnoredField::new(field_path, key.clone(), Some(item))),
                }
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// The published peers, as data.

/// A field's type, as the published peers declare it.
#[derive(Clone, Copy)]
enum Ty {
    Str,
    OptStr,
    Bool,
    U64,
    Status(&'static [&'static str]),
    Struct(&'static Shape),
    OptStruct(&'static Shape),
    List(&'static Shape),
}

struct Field {
    name: &'static str,
    ty: Ty,
    /// Required fields are an error when absent; the others take their default.
    required: bool,
}

/// A struct as the published peers' derived parser reads it.
struct Shape {
    /// What the parser says it expected: `struct IntegrationEntry`.
    expecting: &'static str,
    fields: &'static [Field],
    /// The fields' names, in order (the same as `fields`, for [`PeerVersion::fields`]).
    names: &'static [&'static str],
}

const fn field(name: &'static str, ty: Ty, required: bool) -> Field {
    Field { name, ty, required }
}

/// The entry's fields as 0.13.0 declares them; 0.3.2 declares the same fields but the last
/// (`startup_grace_secs`), in the same order.
const ENTRY_FIELDS_0_13_0: &[Field] = &[
    field("name", Ty::Str, true),
    field("checkpoint_cmd", Ty::OptStr, false),
    field("restore_cmd", Ty::OptStr, false),
    field("critical", Ty::Bool, false),
    field("health_cmd", Ty::OptStr, false),
    field("health_interval_secs", Ty::U64, false),
    field("health_timeout_secs", Ty::U64, false),
    field("startup_grace_secs", Ty::U64, false),
];

/// The names of [`ENTRY_FIELDS_0_13_0`], as serde wants them.
const ENTRY_NAMES_0_13_0: &[&str] = &[
    "name",
    "checkpoint_cmd",
    "restore_cmd",
    "critical",
    "health_cmd",
    "health_interval_secs",
    "health_timeout_secs",
    "startup_grace_secs",
];

static ENTRY_SHAPE_0_3_2: Shape = Shape {
    expecting: "struct IntegrationEntry",
    fields: ENTRY_FIELDS_0_13_0.split_at(7).0,
    names: ENTRY_NAMES_0_13_0.split_at(7).0,
};

static ENTRY_SHAPE_0_13_0: Shape = Shape {
    expecting: "struct IntegrationEntry",
    fields: ENTRY_FIELDS_0_13_0,
    names: ENTRY_NAMES_0_13_0,
};

static MANIFEST_SHAPE_0_3_2: Shape = Shape {
    expecting: "struct IntegrationManifest",
    fields: &[field("integrations", Ty::List(&ENTRY_SHAPE_0_3_2), true)],
    names: &["integrations"],
};

static MANIFEST_SHAPE_0_13_0: Shape = Shape {
    expecting: "struct IntegrationManifest",
    fields: &[field("integrations", Ty::List(&ENTRY_SHAPE_0_13_0), true)],
    names: &["integrations"],
};

static HEALTH_SHAPE: Shape = Shape {
    expecting: "struct IntegrationHealthResult",
    fields: &[
        field("healthy", Ty::Bool, true),
        field("detail", Ty::Str, true),
        field("checked_at", Ty::Str, true),
    ],
    names: &["healthy", "detail", "checked_at"],
};

const REPORT_NAMES: &[&str] = &[
    "name",
    "status",
    "last_checkpoint_at",
    "state_size_bytes",
    "health",
];

static REPORT_SHAPE_0_3_2: Shape = Shape {
    expecting: "struct IntegrationStateReport",
    fields: &[
        field("name", Ty::Str, true),
        field("status", Ty::Status(STATUSES_0_3_2), true),
        field("last_checkpoint_at", Ty::OptStr, false),
        field("state_size_bytes", Ty::U64, false),
        field("health", Ty::OptStruct(&HEALTH_SHAPE), false),
    ],
    names: REPORT_NAMES,
};

static REPORT_SHAPE: Shape = Shape {
    expecting: "struct IntegrationStateReport",
    fields: &[
        field("name", Ty::Str, true),
        field("status", Ty::Status(STATUSES_0_13_0), true),
        field("last_checkpoint_at", Ty::OptStr, false),
        field("state_size_bytes", Ty::U64, false),
        field("health", Ty::OptStruct(&HEALTH_SHAPE), false),
    ],
    names: REPORT_NAMES,
};

/// Reads a value of type `ty` the way the published peers' derived parsers do, noting
/// the fields they ignore.
struct Walk<'a> {
    ty: Ty,
    path: String,
    ignored: &'a mut Vec<IgnoredField>,
}

impl Walk<'_> {
    fn child(&mut self, ty: Ty, path: String) -> Walk<'_> {
        Walk {
            ty,
            path,
            ignored: self.ignored,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        match self.ty {
            Ty::Str => String::deserialize(de).map(drop),
            Ty::OptStr => Option::<String>::deserialize(de).map(drop),
            Ty::Bool => bool::deserialize(de).map(drop),
            Ty::U64 => u64::deserialize(de).map(drop),
            Ty::Status(known) => {
                de.deserialize_enum("IntegrationStatus", STATUSES_0_13_0, StatusVisitor(known))
            }
            Ty::Struct(shape) => de.deserialize_struct(shape.expecting, shape.names, self),
            Ty::OptStruct(_) => de.deserialize_option(self),
            Ty::List(_) => de.deserialize_seq(self),
        }
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ty {
            Ty::Struct(shape) => f.write_str(shape.expecting),
            Ty::OptStruct(_) => f.write_str("option"),
            _ => f.write_str("a sequence"),
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(mut self, de: D) -> Result<(), D::Error> {
        let Ty::OptStruct(shape) = self.ty else {
            return Err(de::Error::invalid_type(de::Unexpected::Option, &self));
        };
        let path = self.path.clone();
        self.child(Ty::Struct(shape), path).deserialize(de)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        match self.ty {
            Ty::List(shape) => {
                let mut i = 0;
                loop {
                    let path = format!("{}[{i}]", self.path);
                    if seq
                        .next_element_seed(self.child(Ty::Struct(shape), path))?
                        .is_none()
                    {
                        return Ok(());
                    }
                    i += 1;
                }
            }
            // A derived struct also reads an array, one field per element, in order.
            Ty::Struct(shape) => {
                for (i, field) in shape.fields.iter().enumerate() {
                    let path = self.join(field.name);
                    if seq.next_element_seed(self.child(field.ty, path))?.is_none()
                        && field.required
                    {
                        return Err(de::Error::invalid_length(
                            i,
                            &format!("{} with {} elements", shape.expecting, shape.fields.len())
                                .as_str(),
                        ));
                    }
                }
                Ok(())
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Seq, &self)),
        }
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let Ty::Struct(shape) = self.ty else {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        };
        let mut seen = vec![false; shape.fields.len()];
        while let Some(key) = map.next_key::<String>()? {
            match shape.fields.iter().position(|f| f.name == key) {
                Some(i) => {
                    if seen[i] {
                        return Err(de::Error::duplicate_field(shape.fields[i].name));
                    }
                    seen[i] = true;
                    let path = self.join(&key);
                    map.next_value_seed(self.child(shape.fields[i].ty, path))?;
                }
                None => {
                    let path = self.join(&key);
                    let value = if key == "startup_grace_secs" {
                        Some(map.next_value::<Value>()?)
                    } else {
                        map.next_value::<IgnoredAny>()?;
                        None
                    };
                    let field = IgnoredField::new(path, key, value.as_ref());
                    self.ignored.push(field);
                }
            }
        }
        for (field, seen) in shape.fields.iter().zip(seen) {
            if field.required && !seen {
                return Err(de::Error::missing_field(field.name));
            }
        }
        Ok(())
    }
}

impl Walk<'_> {
    fn join(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }
}

/// Reads a status as the peers' derived, externally tagged enum does.
struct StatusVisitor(&'static [&'static str]);

impl<'de> Visitor<'de> for StatusVisitor {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("enum IntegrationStatus")
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        use de::VariantAccess;
        let (name, variant) = data.variant_seed(VariantName(self.0))?;
        if name == "error" {
            variant.newtype_variant::<String>().map(drop)
        } else {
            variant.unit_variant()
        }
    }
}

/// A status name, checked against the names a peer knows.
struct VariantName(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for VariantName {
    type Value = &'static str;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<&'static str, D::Error> {
        de.deserialize_identifier(self)
    }
}

impl Visitor<'_> for VariantName {
    type Value = &'static str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("variant identifier")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<&'static str, E> {
        self.0
            .iter()
            .find(|known| **known == v)
            .copied()
            .ok_or_else(|| de::Error::unknown_variant(v, self.0))
    }
}
