//! What the guest agent reports to the host: status, health result and state report.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::time::SystemTime;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::error::{
    AnyKey, Keys, ParseError, ParseErrorKind, duplicate_key, fail, from_json_seed, in_field,
    missing_field, skip_value,
};
use crate::escape::Escaped;
use crate::field::Field;
use crate::position::LineCounter;

/// One status this version of the crate knows: its wire name and whether it carries a
/// detail. [`KNOWN_STATUSES`] is the one list that the parser, `name()`,
/// `Display` and the JSON Schema read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KnownStatus {
    /// The wire name.
    pub(crate) name: &'static str,
    /// `true` for `error`, whose object form carries a string detail; `false` for the
    /// statuses written as a bare string.
    pub(crate) takes_detail: bool,
}

/// The known statuses, in the order of [`IntegrationStatus`]'s variants (which is also the
/// serde variant index).
pub(crate) const KNOWN_STATUSES: [KnownStatus; 5] = [
    KnownStatus {
        name: "active",
        takes_detail: false,
    },
    KnownStatus {
        name: "paused",
        takes_detail: false,
    },
    KnownStatus {
        name: "error",
        takes_detail: true,
    },
    KnownStatus {
        name: "pending",
        takes_detail: false,
    },
    KnownStatus {
        name: "starting",
        takes_detail: false,
    },
];

const ACTIVE: usize = 0;
const PAUSED: usize = 1;
const ERROR: usize = 2;
const PENDING: usize = 3;
const STARTING: usize = 4;

/// The index in [`KNOWN_STATUSES`] of `name`, if this version knows it.
#[inline]
fn known_index(name: &str) -> Option<usize> {
    KNOWN_STATUSES.iter().position(|known| known.name == name)
}

/// Deepest nesting of arrays and objects inside an unknown status's payload, or inside the
/// value of an unknown field of a report or health result. Deeper values are an error.
pub(crate) const MAX_PAYLOAD_DEPTH: usize = 64;

/// The runtime status of one integration on a guest.
///
/// # Wire format
/// Externally tagged, as `mvm-guest` writes it: `"active"`, `"paused"`, `"pending"`,
/// `"starting"` (added in 0.13.0), and `{"error": "<detail>"}`. `{"active": null}` and the
/// like are accepted on input and never emitted.
///
/// A status this version does not know, from a newer guest, such as `"degraded"` or
/// `{"degraded": <any JSON>}`, parses into [`Unknown`](Self::Unknown), which keeps it and
/// emits it again (see [`UnknownStatus`] for exactly when the bytes are the same). A known
/// status in the wrong shape, such as `{"error": 5}` or `"error"`, is an error.
///
/// The serde impls work with any self-describing format (JSON, CBOR, ...), and inside
/// `#[serde(flatten)]`, internally tagged, adjacently tagged and untagged enums.
///
/// ```
/// use mvm_integrations::IntegrationStatus;
///
/// let status = IntegrationStatus::from_json(r#"{"degraded":{"since":3}}"#)?;
/// assert_eq!(status.name(), "degraded");
/// assert_eq!(status.to_json_compact(), r#"{"degraded":{"since":3}}"#);
///
/// assert!(IntegrationStatus::from_json(r#"{"error":5}"#).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Matching
/// The enum has both an [`Unknown`](Self::Unknown) variant and `#[non_exhaustive]`, for two
/// different kinds of "newer":
/// - `Unknown` is for **data** from a newer guest: a host built against this version
///   receives a status it has no variant for, and must keep it rather than drop the report.
/// - `#[non_exhaustive]` is for a **newer version of this crate**: it may give a status a
///   variant of its own (a name that is `Unknown` today) in a minor release.
///
/// A host needs only one catch-all arm for both: handle the statuses it acts on, and show
/// any other by [`name`](Self::name), which is the same whichever variant holds it.
///
/// ```
/// use mvm_integrations::IntegrationStatus;
///
/// fn describe(status: &IntegrationStatus) -> String {
///     match status {
///         IntegrationStatus::Active => "up".to_owned(),
///         IntegrationStatus::Error(detail) => format!("down: {}", detail.len()),
///         // `Unknown` from a newer guest, or a variant a later version of this crate adds.
///         other => format!("{other} (known: {})", other.is_known()),
///     }
/// }
///
/// assert_eq!(describe(&IntegrationStatus::Active), "up");
/// let degraded = IntegrationStatus::from_json(r#""degraded""#)?;
/// assert_eq!(describe(&degraded), "degraded (known: false)");
/// assert_eq!(describe(&IntegrationStatus::Paused), "paused (known: true)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IntegrationStatus {
    /// Running and connected.
    Active,
    /// Paused, for example while it checkpoints.
    Paused,
    /// Failing, with a human-readable detail.
    Error(String),
    /// Not initialised yet; the default.
    #[default]
    Pending,
    /// Inside its startup grace and not yet healthy. Added in `mvm-guest` 0.13.0.
    Starting,
    /// A status from a newer guest that this version does not know, kept as it came.
    Unknown(UnknownStatus),
}

impl IntegrationStatus {
    /// Derives the status from the last health result and the startup grace, the rule both
    /// published guest agents implement:
    ///
    /// | last health result | inside startup grace | status |
    /// |---|---|---|
    /// | healthy | either | [`Active`](Self::Active) |
    /// | unhealthy | yes | [`Starting`](Self::Starting) |
    /// | unhealthy | no | [`Error`](Self::Error) with the result's detail |
    /// | none yet | yes | [`Starting`](Self::Starting) |
    /// | none yet | no | [`Pending`](Self::Pending) |
    ///
    /// ```
    /// use mvm_integrations::{IntegrationHealthResult, IntegrationStatus};
    ///
    /// let failed = IntegrationHealthResult::new(false, "exit code 1", "2025-06-01T12:00:00Z");
    /// assert_eq!(IntegrationStatus::from_health(Some(&failed), true), IntegrationStatus::Starting);
    /// assert_eq!(
    ///     IntegrationStatus::from_health(Some(&failed), false),
    ///     IntegrationStatus::Error("exit code 1".to_owned()),
    /// );
    /// assert_eq!(IntegrationStatus::from_health(None, false), IntegrationStatus::Pending);
    /// ```
    pub fn from_health(last: Option<&IntegrationHealthResult>, within_grace: bool) -> Self {
        match last {
            Some(result) if result.healthy => IntegrationStatus::Active,
            Some(_) | None if within_grace => IntegrationStatus::Starting,
            Some(result) => IntegrationStatus::Error(result.detail.clone()),
            None => IntegrationStatus::Pending,
        }
    }

    /// The known status without a detail at `index` in [`KNOWN_STATUSES`].
    #[inline]
    fn unit(index: usize) -> Option<Self> {
        match index {
            ACTIVE => Some(IntegrationStatus::Active),
            PAUSED => Some(IntegrationStatus::Paused),
            PENDING => Some(IntegrationStatus::Pending),
            STARTING => Some(IntegrationStatus::Starting),
            _ => None,
        }
    }

    /// The status's wire name: `active`, `paused`, `error`, `pending`, `starting`, or the
    /// name of an unknown status.
    pub fn name(&self) -> &str {
        match self {
            IntegrationStatus::Active => KNOWN_STATUSES[ACTIVE].name,
            IntegrationStatus::Paused => KNOWN_STATUSES[PAUSED].name,
            IntegrationStatus::Error(_) => KNOWN_STATUSES[ERROR].name,
            IntegrationStatus::Pending => KNOWN_STATUSES[PENDING].name,
            IntegrationStatus::Starting => KNOWN_STATUSES[STARTING].name,
            IntegrationStatus::Unknown(unknown) => unknown.name(),
        }
    }

    /// Whether the status is one this version knows, that is, not
    /// [`Unknown`](Self::Unknown).
    pub fn is_known(&self) -> bool {
        !matches!(self, IntegrationStatus::Unknown(_))
    }
}

impl fmt::Display for IntegrationStatus {
    /// The wire name, followed by `: <detail>` for an error. The detail and an unknown name
    /// come from a guest: they are shown through [`Escaped::quoted`], so they hold no
    /// control, bidi or invisible character and are cut after
    /// [`MAX_QUOTED_CHARS`](crate::MAX_QUOTED_CHARS) characters.
    ///
    /// ```
    /// use mvm_integrations::IntegrationStatus;
    ///
    /// let status = IntegrationStatus::Error("boom\u{1b}[2J\nok".to_owned());
    /// assert_eq!(status.to_string(), r"error: boom\u{1b}[2J\nok");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntegrationStatus::Error(detail) => write!(f, "error: {}", Escaped::quoted(detail)),
            IntegrationStatus::Unknown(unknown) => {
                write!(f, "{}", Escaped::quoted(unknown.name()))
            }
            other => f.write_str(other.name()),
        }
    }
}

/// A status value from a newer guest that this version does not know.
///
/// It is only obtained by parsing, never built by hand, so its name is never one of the
/// known names: emitting it and parsing again gives an equal value, in JSON and in any other
/// self-describing format.
///
/// # What is kept
/// The name, and for the object form `{"<name>": <payload>}` the payload as a tree of JSON
/// values: key order, strings, integers and floats. Two unknown statuses are equal when
/// their names are equal and their payloads are equal as JSON values (object key order does
/// not count; `1` and `1.0` differ).
///
/// # When the emitted JSON is byte-identical to the input
/// Emitted compact (`to_json_compact`, `serde_json::to_string`), an unknown status is
/// byte-identical to its input exactly when the input is written the way serde_json writes
/// the same value:
/// - no whitespace outside strings (pretty output, `to_json`, indents the payload as
///   serde_json's pretty printer does);
/// - in every string, key or value, the status name included, a character is escaped only
///   when serde_json escapes it, and the same way: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`,
///   and `\u00xx` with lowercase hex for the other characters U+0000 to U+001F. Any other
///   escape is emitted as the character itself: `\/` as `/`, `\u00e9` as `é`, `\u007f` as
///   a raw DEL, a surrogate pair as the character; `\u001F` becomes `\u001f`, `\u0008`
///   becomes `\b`;
/// - an integer without a fraction or exponent from -2^63 to 2^64 - 1 is kept digit for
///   digit, except `-0`, which becomes `-0.0`;
/// - any other number is read as the nearest `f64` and emitted as serde_json writes an
///   `f64`: the shortest digits that read back to it, with `.0` on whole values below 10^16
///   and an exponent on large and small ones. With serde_json 1.0.154: `1.5`, `100.0`,
///   `0.00001`, `1e-6`, `1e+16`, `-0.0` are kept, while `1e2`, `1.0e2` and `1E2` become
///   `100.0`, `1.50` becomes `1.5`, `1e300` becomes `1e+300`, `18446744073709551616`
///   becomes `1.8446744073709552e+19`, and a number with more digits than an `f64` holds is
///   rounded (`0.30000000000000000001` becomes `0.3`). Older serde_json releases write the
///   exponent without `+` (`1e300`).
///
/// Key order is kept, and parsing the emitted text again always gives an equal value.
///
/// # Errors
/// Parsing fails on a payload with a repeated key in any object, nested deeper than 64
/// arrays and objects, or holding a value JSON cannot hold (bytes, a map key that is not a
/// string, a non-finite float: possible in CBOR).
///
/// ```
/// use mvm_integrations::IntegrationStatus;
///
/// let status = IntegrationStatus::from_json(r#"{"draining":{"left":[1,2.5,"x"]}}"#)?;
/// let IntegrationStatus::Unknown(unknown) = &status else { unreachable!() };
/// assert_eq!(unknown.name(), "draining");
/// assert_eq!(unknown.payload_json().as_deref(), Some(r#"{"left":[1,2.5,"x"]}"#));
///
/// assert!(IntegrationStatus::from_json(r#"{"draining":{"a":1,"a":2}}"#).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct UnknownStatus {
    // Boxed: unknown statuses are rare, and a pointer keeps every `IntegrationStatus` as
    // small as an `Error(String)`, which makes lists of reports faster to parse.
    inner: Box<UnknownInner>,
}

#[derive(Clone)]
struct UnknownInner {
    name: String,
    payload: Option<Tree>,
}

impl UnknownStatus {
    fn new(name: String, payload: Option<Tree>) -> Self {
        UnknownStatus {
            inner: Box::new(UnknownInner { name, payload }),
        }
    }

    /// The status's name: the string itself, or the object's single key.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Whether the status came in the object form, `{"<name>": <payload>}`.
    pub fn has_payload(&self) -> bool {
        self.inner.payload.is_some()
    }

    /// The object form's payload as compact JSON text, or `None` for the bare string form.
    /// The text is the input's bytes under the rules in the [type docs](Self).
    pub fn payload_json(&self) -> Option<String> {
        self.inner
            .payload
            .as_ref()
            .map(|tree| crate::error::to_json(tree, false))
    }
}

impl fmt::Debug for UnknownStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnknownStatus")
            .field("name", &self.inner.name)
            .field("payload", &self.payload_json())
            .finish()
    }
}

impl PartialEq for UnknownStatus {
    fn eq(&self, other: &Self) -> bool {
        self.inner.name == other.inner.name && self.inner.payload == other.inner.payload
    }
}

impl Eq for UnknownStatus {}

impl Hash for UnknownStatus {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.name.hash(state);
        self.inner.payload.hash(state);
    }
}

/// A JSON value, kept in the order it came: the payload of an unknown status. Private, so
/// that no dependency's value type is part of the API. Its depth is at most
/// [`MAX_PAYLOAD_DEPTH`], so the recursive `Drop`, `Eq`, `Hash` and `Serialize` are bounded.
#[derive(Clone, Debug)]
enum Tree {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(String),
    Seq(Vec<Tree>),
    Map(Vec<(String, Tree)>),
}

/// The entries of an object sorted by key, for comparing and hashing as JSON values (keys
/// are unique, so the order is total).
fn sorted(entries: &[(String, Tree)]) -> Vec<&(String, Tree)> {
    let mut sorted: Vec<&(String, Tree)> = entries.iter().collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    sorted
}

impl PartialEq for Tree {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Tree::Null, Tree::Null) => true,
            (Tree::Bool(a), Tree::Bool(b)) => a == b,
            (Tree::U64(a), Tree::U64(b)) => a == b,
            (Tree::I64(a), Tree::I64(b)) => a == b,
            (Tree::F64(a), Tree::F64(b)) => a.to_bits() == b.to_bits(),
            (Tree::Str(a), Tree::Str(b)) => a == b,
            (Tree::Seq(a), Tree::Seq(b)) => a == b,
            (Tree::Map(a), Tree::Map(b)) => a.len() == b.len() && sorted(a) == sorted(b),
            _ => false,
        }
    }
}

impl Eq for Tree {}

impl Hash for Tree {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Tree::Null => {}
            Tree::Bool(b) => b.hash(state),
            Tree::U64(n) => n.hash(state),
            Tree::I64(n) => n.hash(state),
            Tree::F64(n) => n.to_bits().hash(state),
            Tree::Str(s) => s.hash(state),
            Tree::Seq(items) => items.hash(state),
            Tree::Map(entries) => sorted(entries).hash(state),
        }
    }
}

impl Serialize for Tree {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Tree::Null => serializer.serialize_unit(),
            Tree::Bool(b) => serializer.serialize_bool(*b),
            Tree::U64(n) => serializer.serialize_u64(*n),
            Tree::I64(n) => serializer.serialize_i64(*n),
            Tree::F64(n) => serializer.serialize_f64(*n),
            Tree::Str(s) => serializer.serialize_str(s),
            Tree::Seq(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Tree::Map(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

/// Reads a [`Tree`] through `deserialize_any`, `depth` levels of arrays and objects below
/// the payload's parent.
#[derive(Clone, Copy)]
struct TreeSeed {
    depth: usize,
}

impl TreeSeed {
    fn deeper<E: de::Error>(self) -> Result<TreeSeed, E> {
        if self.depth >= MAX_PAYLOAD_DEPTH {
            return Err(fail(
                ParseErrorKind::TooDeep,
                format_args!(
                    "unknown status payload nested too deeply: expected at most {MAX_PAYLOAD_DEPTH} levels of arrays and objects"
                ),
            ));
        }
        Ok(TreeSeed {
            depth: self.depth + 1,
        })
    }
}

impl<'de> DeserializeSeed<'de> for TreeSeed {
    type Value = Tree;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Tree, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TreeSeed {
    type Value = Tree;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Tree, E> {
        Ok(Tree::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Tree, E> {
        Ok(match u64::try_from(v) {
            Ok(v) => Tree::U64(v),
            Err(_) => Tree::I64(v),
        })
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Tree, E> {
        Ok(Tree::U64(v))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Tree, E> {
        if let Ok(v) = u64::try_from(v) {
            return Ok(Tree::U64(v));
        }
        match i64::try_from(v) {
            Ok(v) => Ok(Tree::I64(v)),
            Err(_) => Err(fail(
                ParseErrorKind::Value,
                format_args!("integer `{v}` out of range: expected -2^63 to 2^64 - 1"),
            )),
        }
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Tree, E> {
        match u64::try_from(v) {
            Ok(v) => Ok(Tree::U64(v)),
            Err(_) => Err(fail(
                ParseErrorKind::Value,
                format_args!("integer `{v}` out of range: expected -2^63 to 2^64 - 1"),
            )),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Tree, E> {
        if v.is_finite() {
            Ok(Tree::F64(v))
        } else {
            Err(fail(
                ParseErrorKind::Value,
                format_args!("number `{v}` is not finite: expected a JSON number"),
            ))
        }
    }

    fn visit_char<E: de::Error>(self, v: char) -> Result<Tree, E> {
        Ok(Tree::Str(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Tree, E> {
        Ok(Tree::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Tree, E> {
        Ok(Tree::Str(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Tree, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Tree, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let inner = self.deeper()?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Tree::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let inner = self.deeper()?;
        let mut entries: Vec<(String, Tree)> = Vec::new();
        let mut seen = Keys::default();
        while let Some(key) = map.next_key::<String>()? {
            seen.insert(key.as_str().to_owned().into())?;
            let value = map.next_value_seed(inner)?;
            entries.push((key, value));
        }
        Ok(Tree::Map(entries))
    }
}

impl Serialize for IntegrationStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        const TYPE: &str = "IntegrationStatus";
        fn unit<S: Serializer>(serializer: S, index: usize) -> Result<S::Ok, S::Error> {
            // `index` is below 5.
            serializer.serialize_unit_variant(TYPE, index as u32, KNOWN_STATUSES[index].name)
        }
        match self {
            IntegrationStatus::Active => unit(serializer, ACTIVE),
            IntegrationStatus::Paused => unit(serializer, PAUSED),
            IntegrationStatus::Pending => unit(serializer, PENDING),
            IntegrationStatus::Starting => unit(serializer, STARTING),
            IntegrationStatus::Error(detail) => serializer.serialize_newtype_variant(
                TYPE,
                ERROR as u32,
                KNOWN_STATUSES[ERROR].name,
                detail,
            ),
            IntegrationStatus::Unknown(unknown) => match &unknown.inner.payload {
                None => serializer.serialize_str(&unknown.inner.name),
                Some(payload) => {
                    let mut map = serializer.serialize_map(Some(1))?;
                    map.serialize_entry(&unknown.inner.name, payload)?;
                    map.end()
                }
            },
        }
    }
}

impl<'de> Deserialize<'de> for IntegrationStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StatusVisitor)
    }
}

struct StatusVisitor;

impl<'de> Visitor<'de> for StatusVisitor {
    type Value = IntegrationStatus;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a status string such as `\"active\"` or an object with one key such as `{\"error\": \"...\"}`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match known_index(v) {
            Some(index) if KNOWN_STATUSES[index].takes_detail => Err(fail(
                ParseErrorKind::Value,
                format_args!(
                    "invalid status `{}`: expected an object with the detail, like `{{\"{}\": \"...\"}}`",
                    KNOWN_STATUSES[index].name, KNOWN_STATUSES[index].name,
                ),
            )),
            Some(index) => Ok(IntegrationStatus::unit(index).unwrap_or_default()),
            None => Ok(IntegrationStatus::Unknown(UnknownStatus::new(
                v.to_owned(),
                None,
            ))),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some(key) = map.next_key::<StatusKey>()? else {
            return Err(fail(
                ParseErrorKind::Value,
                "invalid status object `{}`: expected exactly one key, the status name",
            ));
        };
        let status = match key {
            StatusKey::Known(index) if KNOWN_STATUSES[index].takes_detail => {
                IntegrationStatus::Error(map.next_value()?)
            }
            StatusKey::Known(index) => {
                // `mvm-guest` accepts `{"active": null}` for a unit variant; so does this.
                map.next_value::<()>()?;
                IntegrationStatus::unit(index).unwrap_or_default()
            }
            StatusKey::Other(name) => {
                let payload = map.next_value_seed(TreeSeed { depth: 0 })?;
                IntegrationStatus::Unknown(UnknownStatus::new(name, Some(payload)))
            }
        };
        match map.next_key_seed(AnyKey)? {
            None => Ok(status),
            Some(Some(second)) if *second == *status.name() => Err(duplicate_key(&second)),
            Some(_) => Err(fail(
                ParseErrorKind::Value,
                "invalid status object: expected exactly one key, the status name, found more",
            )),
        }
    }
}

/// The key of a status object, read without allocating for the known names.
enum StatusKey {
    Known(usize),
    Other(String),
}

impl<'de> Deserialize<'de> for StatusKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl Visitor<'_> for KeyVisitor {
            type Value = StatusKey;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<StatusKey, E> {
                Ok(known_index(v).map_or_else(|| StatusKey::Other(v.to_owned()), StatusKey::Known))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<StatusKey, E> {
                Ok(known_index(&v).map_or(StatusKey::Other(v), StatusKey::Known))
            }
        }

        deserializer.deserialize_string(KeyVisitor)
    }
}

/// Reads one field's value into `slot`; a field seen before is a duplicate-key error.
#[inline]
fn set_once<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    field: Field,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return in_field(field, Err(duplicate_key(field.as_str())));
    }
    *slot = Some(in_field(field, map.next_value())?);
    Ok(())
}

/// The value of a required field, or a missing-field error.
#[inline]
fn required<T, E: de::Error>(slot: Option<T>, field: Field) -> Result<T, E> {
    match slot {
        Some(value) => Ok(value),
        None => in_field(field, Err(missing_field(field))),
    }
}

/// The result of one health-check run.
///
/// # Wire format
/// A JSON object `{"healthy": bool, "detail": string, "checked_at": string}`, all three
/// required. Unknown fields are ignored. A repeated field, known or not, or a repeated key
/// at any depth inside an unknown field's value, is an error (RFC 7493), as is the array form
/// `[true, "ok", "..."]` that a serde derive would accept.
///
/// ```
/// use mvm_integrations::IntegrationHealthResult;
///
/// let result = IntegrationHealthResult::new(false, "exit code 1", "2025-06-01T12:00:00Z");
/// assert!(!result.healthy());
/// assert_eq!(result.detail(), "exit code 1");
/// let json = result.to_json_compact();
/// assert_eq!(json, r#"{"healthy":false,"detail":"exit code 1","checked_at":"2025-06-01T12:00:00Z"}"#);
/// assert_eq!(IntegrationHealthResult::from_json(&json)?, result);
/// assert!(IntegrationHealthResult::from_json(r#"[false,"exit code 1","t"]"#).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(transform = crate::schema::tidy_docs)
)]
pub struct IntegrationHealthResult {
    /// Whether the check passed (the command exited 0).
    healthy: bool,
    /// Human-readable detail: `ok` on success, stderr or the exit code on failure.
    detail: String,
    /// When the check ran, as an ISO 8601 timestamp. Not validated: reports are
    /// observational data and are kept as they came.
    checked_at: String,
}

/// `text` as a time, when it is a [`Timestamp`](crate::Timestamp).
fn parse_time(text: &str) -> Option<SystemTime> {
    text.parse::<crate::Timestamp>()
        .ok()
        .map(crate::Timestamp::to_system_time)
}

const HEALTH_FIELDS: &[&str] = &["healthy", "detail", "checked_at"];

impl IntegrationHealthResult {
    /// A health result: whether the check passed, its detail (`ok` on success, stderr or the
    /// exit code on failure), and when it ran.
    pub fn new(healthy: bool, detail: impl Into<String>, checked_at: impl Into<String>) -> Self {
        IntegrationHealthResult {
            healthy,
            detail: detail.into(),
            checked_at: checked_at.into(),
        }
    }

    /// Whether the check passed.
    pub fn healthy(&self) -> bool {
        self.healthy
    }

    /// The human-readable detail, exactly as the guest sent it. Show it through
    /// [`Escaped::quoted`](crate::Escaped::quoted): it may hold any character.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// When the check ran, as the guest wrote it (not validated).
    pub fn checked_at(&self) -> &str {
        &self.checked_at
    }

    /// When the check ran, read with [`Timestamp`](crate::Timestamp): `None` when
    /// [`checked_at`](Self::checked_at) is not in the form `YYYY-MM-DDTHH:MM:SSZ` (an older
    /// agent's value stays readable as a string).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use mvm_integrations::IntegrationHealthResult;
    ///
    /// let result = IntegrationHealthResult::new(true, "ok", "2025-06-01T12:00:05Z");
    /// assert_eq!(result.checked_at_time(), Some(UNIX_EPOCH + Duration::from_secs(1_748_779_205)));
    /// let odd = IntegrationHealthResult::new(true, "ok", "2025-06-01T12:00:05.5Z");
    /// assert_eq!(odd.checked_at_time(), None);
    /// assert_eq!(odd.checked_at(), "2025-06-01T12:00:05.5Z");
    /// ```
    pub fn checked_at_time(&self) -> Option<SystemTime> {
        parse_time(&self.checked_at)
    }

    /// Emits the result as pretty JSON (two-space indent).
    pub fn to_json(&self) -> String {
        crate::error::to_json(self, true)
    }

    /// Emits the result as compact JSON, byte-identical to `mvm-guest` 0.13.0.
    pub fn to_json_compact(&self) -> String {
        crate::error::to_json(self, false)
    }
}

impl<'de> Deserialize<'de> for IntegrationHealthResult {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("IntegrationHealthResult", HEALTH_FIELDS, HealthVisitor)
    }
}

enum HealthKey {
    Healthy,
    Detail,
    CheckedAt,
    Other(String),
}

impl<'de> Deserialize<'de> for HealthKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl Visitor<'_> for KeyVisitor {
            type Value = HealthKey;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<HealthKey, E> {
                Ok(match v {
                    "healthy" => HealthKey::Healthy,
                    "detail" => HealthKey::Detail,
                    "checked_at" => HealthKey::CheckedAt,
                    other => HealthKey::Other(other.to_owned()),
                })
            }
        }

        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct HealthVisitor;

impl<'de> Visitor<'de> for HealthVisitor {
    type Value = IntegrationHealthResult;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a health result object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut healthy = None;
        let mut detail = None;
        let mut checked_at = None;
        let mut unknown = Keys::default();
        while let Some(key) = map.next_key::<HealthKey>()? {
            match key {
                HealthKey::Healthy => set_once(&mut map, &mut healthy, Field::Healthy)?,
                HealthKey::Detail => set_once(&mut map, &mut detail, Field::Detail)?,
                HealthKey::CheckedAt => set_once(&mut map, &mut checked_at, Field::CheckedAt)?,
                HealthKey::Other(key) => {
                    unknown.insert(key.into())?;
                    skip_value(&mut map)?;
                }
            }
        }
        Ok(IntegrationHealthResult {
            healthy: required(healthy, Field::Healthy)?,
            detail: required(detail, Field::Detail)?,
            checked_at: required(checked_at, Field::CheckedAt)?,
        })
    }
}

/// The state of one integration, as the guest agent reports it to the host.
///
/// # Wire format
/// A JSON object; fields are emitted in this order, absent options as `null`, exactly as
/// `mvm-guest` 0.13.0 does:
///
/// | field | type | default when absent |
/// |---|---|---|
/// | `name` | string | required; any string |
/// | `status` | [`IntegrationStatus`] | required |
/// | `last_checkpoint_at` | string or null | `null` |
/// | `state_size_bytes` | integer, 0 to 2^64 - 1 | 0 |
/// | `health` | [`IntegrationHealthResult`] or null | `null` |
///
/// Unknown fields are ignored. A repeated field, known or not, or a repeated key at any
/// depth inside an unknown field's value, is an error (RFC 7493), as is the array form
/// `["a", "active"]` that a serde derive would accept.
///
/// `name` is not validated as an [`IntegrationName`](crate::IntegrationName): guests older
/// than this crate may carry legacy names, and a host must not lose a report over one. Use
/// [`validated_name`](Self::validated_name) to check it.
///
/// ```
/// use mvm_integrations::{IntegrationHealthResult, IntegrationStateReport, IntegrationStatus};
///
/// let report = IntegrationStateReport::new("signal", IntegrationStatus::Active)
///     .with_state_size_bytes(4096)
///     .with_health(IntegrationHealthResult::new(true, "ok", "2025-06-01T12:00:00Z"));
/// assert_eq!(report.name(), "signal");
/// assert_eq!(report.last_checkpoint_at(), None);
/// let json = report.to_json_compact();
/// assert_eq!(IntegrationStateReport::from_json(&json)?, report);
/// assert!(IntegrationStateReport::from_json(r#"["signal","active"]"#).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(transform = crate::schema::tidy_docs)
)]
pub struct IntegrationStateReport {
    /// The integration's name, as the guest sent it.
    name: String,
    /// The integration's status.
    status: IntegrationStatus,
    /// When the last successful checkpoint finished, as an ISO 8601 timestamp.
    #[serde(default)]
    last_checkpoint_at: Option<String>,
    /// Bytes of state data on disk.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(max = u64::MAX)))]
    state_size_bytes: u64,
    /// The latest health-check result, when the integration has a `health_cmd`.
    #[serde(default)]
    health: Option<IntegrationHealthResult>,
}

const REPORT_FIELDS: &[&str] = &[
    "name",
    "status",
    "last_checkpoint_at",
    "state_size_bytes",
    "health",
];

impl IntegrationStateReport {
    /// A report for `name` with `status`, no checkpoint, no state and no health result.
    pub fn new(name: impl Into<String>, status: IntegrationStatus) -> Self {
        IntegrationStateReport {
            name: name.into(),
            status,
            last_checkpoint_at: None,
            state_size_bytes: 0,
            health: None,
        }
    }

    /// A report for `entry`, under the entry's name, with `status`.
    ///
    /// ```
    /// use mvm_integrations::{IntegrationEntry, IntegrationStateReport, IntegrationStatus};
    ///
    /// let entry = IntegrationEntry::new("signal".parse()?);
    /// let report = IntegrationStateReport::for_entry(&entry, IntegrationStatus::Pending);
    /// assert_eq!(report.name(), "signal");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_entry(entry: &crate::IntegrationEntry, status: IntegrationStatus) -> Self {
        Self::new(entry.name().as_str(), status)
    }

    /// Replaces the status.
    #[must_use]
    pub fn with_status(mut self, status: IntegrationStatus) -> Self {
        self.status = status;
        self
    }

    /// Sets when the last successful checkpoint finished, or clears it with `None`.
    #[must_use]
    pub fn with_last_checkpoint_at(mut self, at: impl Into<Option<String>>) -> Self {
        self.last_checkpoint_at = at.into();
        self
    }

    /// Sets the bytes of state data on disk.
    #[must_use]
    pub fn with_state_size_bytes(mut self, bytes: u64) -> Self {
        self.state_size_bytes = bytes;
        self
    }

    /// Sets the latest health-check result, or clears it with `None`.
    #[must_use]
    pub fn with_health(mut self, health: impl Into<Option<IntegrationHealthResult>>) -> Self {
        self.health = health.into();
        self
    }

    /// The integration's name, exactly as the guest sent it. Show it through
    /// [`Escaped`](crate::Escaped): it may hold any character.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The integration's status.
    pub fn status(&self) -> &IntegrationStatus {
        &self.status
    }

    /// When the last successful checkpoint finished, as the guest wrote it (not validated).
    pub fn last_checkpoint_at(&self) -> Option<&str> {
        self.last_checkpoint_at.as_deref()
    }

    /// When the last successful checkpoint finished, read with
    /// [`Timestamp`](crate::Timestamp): `None` when there was none, or when
    /// [`last_checkpoint_at`](Self::last_checkpoint_at) is not in the form
    /// `YYYY-MM-DDTHH:MM:SSZ` (an older agent's value stays readable as a string).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use mvm_integrations::{IntegrationStateReport, IntegrationStatus};
    ///
    /// let report = IntegrationStateReport::new("a", IntegrationStatus::Active)
    ///     .with_last_checkpoint_at("2025-06-01T11:59:00Z".to_owned());
    /// assert_eq!(report.last_checkpoint_time(), Some(UNIX_EPOCH + Duration::from_secs(1_748_779_140)));
    /// let odd = report.with_last_checkpoint_at("yesterday".to_owned());
    /// assert_eq!(odd.last_checkpoint_time(), None);
    /// assert_eq!(odd.last_checkpoint_at(), Some("yesterday"));
    /// ```
    pub fn last_checkpoint_time(&self) -> Option<SystemTime> {
        self.last_checkpoint_at.as_deref().and_then(parse_time)
    }

    /// Bytes of state data on disk.
    pub fn state_size_bytes(&self) -> u64 {
        self.state_size_bytes
    }

    /// The latest health-check result, if any.
    pub fn health(&self) -> Option<&IntegrationHealthResult> {
        self.health.as_ref()
    }

    /// The report's name as an [`IntegrationName`](crate::IntegrationName).
    ///
    /// # Errors
    /// Returns the validation error when the guest sent a name this crate would not accept
    /// in an entry.
    pub fn validated_name(&self) -> Result<crate::IntegrationName, crate::InvalidIntegrationName> {
        crate::IntegrationName::new(&self.name)
    }

    /// Emits the report as pretty JSON (two-space indent).
    pub fn to_json(&self) -> String {
        crate::error::to_json(self, true)
    }

    /// Emits the report as compact JSON, byte-identical to `serde_json::to_string` on
    /// `mvm-guest` 0.13.0's type.
    pub fn to_json_compact(&self) -> String {
        crate::error::to_json(self, false)
    }

    /// Emits a list of reports as a pretty JSON array, so that a host or agent need not
    /// depend on serde_json to write one.
    ///
    /// ```
    /// use mvm_integrations::{IntegrationStateReport, IntegrationStatus};
    ///
    /// let reports = [IntegrationStateReport::new("a", IntegrationStatus::Active)];
    /// let compact = IntegrationStateReport::list_to_json_compact(&reports);
    /// assert_eq!(
    ///     compact,
    ///     r#"[{"name":"a","status":"active","last_checkpoint_at":null,"state_size_bytes":0,"health":null}]"#,
    /// );
    /// assert!(IntegrationStateReport::list_to_json(&reports).starts_with("[\n  {\n    \"name\": \"a\","));
    /// ```
    pub fn list_to_json(reports: &[IntegrationStateReport]) -> String {
        crate::error::to_json(reports, true)
    }

    /// Emits a list of reports as a compact JSON array, as a guest agent sends it.
    pub fn list_to_json_compact(reports: &[IntegrationStateReport]) -> String {
        crate::error::to_json(reports, false)
    }
}

impl<'de> Deserialize<'de> for IntegrationStateReport {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("IntegrationStateReport", REPORT_FIELDS, ReportVisitor)
    }
}

enum ReportKey {
    Name,
    Status,
    LastCheckpointAt,
    StateSizeBytes,
    Health,
    Other(String),
}

impl<'de> Deserialize<'de> for ReportKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl Visitor<'_> for KeyVisitor {
            type Value = ReportKey;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }

            #[inline]
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ReportKey, E> {
                Ok(match v {
                    "name" => ReportKey::Name,
                    "status" => ReportKey::Status,
                    "last_checkpoint_at" => ReportKey::LastCheckpointAt,
                    "state_size_bytes" => ReportKey::StateSizeBytes,
                    "health" => ReportKey::Health,
                    other => ReportKey::Other(other.to_owned()),
                })
            }
        }

        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct ReportVisitor;

impl<'de> Visitor<'de> for ReportVisitor {
    type Value = IntegrationStateReport;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a state report object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut name = None;
        let mut status = None;
        let mut last_checkpoint_at = None;
        let mut state_size_bytes = None;
        let mut health = None;
        let mut unknown = Keys::default();
        while let Some(key) = map.next_key::<ReportKey>()? {
            match key {
                ReportKey::Name => set_once(&mut map, &mut name, Field::Name)?,
                ReportKey::Status => set_once(&mut map, &mut status, Field::Status)?,
                ReportKey::LastCheckpointAt => {
                    set_once(&mut map, &mut last_checkpoint_at, Field::LastCheckpointAt)?;
                }
                ReportKey::StateSizeBytes => {
                    set_once(&mut map, &mut state_size_bytes, Field::StateSizeBytes)?;
                }
                ReportKey::Health => set_once(&mut map, &mut health, Field::Health)?,
                ReportKey::Other(key) => {
                    unknown.insert(key.into())?;
                    skip_value(&mut map)?;
                }
            }
        }
        Ok(IntegrationStateReport {
            name: required(name, Field::Name)?,
            status: required(status, Field::Status)?,
            last_checkpoint_at: last_checkpoint_at.unwrap_or_default(),
            state_size_bytes: state_size_bytes.unwrap_or_default(),
            health: health.unwrap_or_default(),
        })
    }
}

macro_rules! json_io {
    ($type:ty, $what:literal) => {
        impl $type {
            #[doc = concat!("Parses ", $what, " from JSON text.")]
            ///
            /// # Errors
            /// The [`ParseError`](crate::ParseError) says what was wrong and where.
            pub fn from_json(json: &str) -> Result<Self, ParseError> {
                crate::error::from_json(json)
            }

            #[doc = concat!("Parses ", $what, " from JSON bytes, which must be UTF-8.")]
            ///
            /// # Errors
            /// The [`ParseError`](crate::ParseError) says what was wrong and where.
            pub fn from_slice(json: &[u8]) -> Result<Self, ParseError> {
                crate::error::from_slice(json)
            }
        }
    };
}

json_io!(IntegrationStatus, "a status");
json_io!(IntegrationHealthResult, "a health result");
json_io!(IntegrationStateReport, "a state report");

impl IntegrationStatus {
    /// Emits the status as pretty JSON (two-space indent).
    pub fn to_json(&self) -> String {
        crate::error::to_json(self, true)
    }

    /// Emits the status as compact JSON, byte-identical to `mvm-guest` 0.13.0 for the known
    /// statuses.
    pub fn to_json_compact(&self) -> String {
        crate::error::to_json(self, false)
    }
}

impl IntegrationStateReport {
    /// Parses a JSON list of reports one element at a time, so that one malformed report
    /// does not cost the host the others.
    ///
    /// The outer `Result` fails only when `json` is not a JSON array. Each bad element gives
    /// a [`ParseError`] whose [`index`](ParseError::index) is the element's, and whose
    /// [`position`](ParseError::position) is counted in the whole document.
    ///
    /// ```
    /// use mvm_integrations::{IntegrationStateReport, Position};
    ///
    /// let json = "[{\"name\":\"a\",\"status\":\"active\"},\n {\"name\":\"b\",\"status\":{\"error\":5}}]";
    /// let reports = IntegrationStateReport::parse_list(json)?;
    /// assert_eq!(reports[0].as_ref().unwrap().name(), "a");
    /// let problem = reports[1].as_ref().unwrap_err();
    /// assert_eq!(problem.index(), Some(1));
    /// assert_eq!(problem.position(), Some(Position { line: 2, column: 32 }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// Returns an error when `json` is not an array of JSON values.
    pub fn parse_list(json: &str) -> Result<Vec<Result<Self, ParseError>>, ParseError> {
        let raw: Vec<&serde_json::value::RawValue> =
            from_json_seed(json, std::marker::PhantomData)?;
        let base = json.as_ptr() as usize;
        let mut lines = LineCounter::new(json.as_bytes());
        Ok(raw
            .into_iter()
            .enumerate()
            .map(|(index, element)| {
                let text = element.get();
                crate::error::from_json(text).map_err(|error: ParseError| {
                    // `text` is a slice of `json`, so this is its offset there.
                    let start = lines.position((text.as_ptr() as usize).saturating_sub(base));
                    error.offset_by(start).with_index(index)
                })
            })
            .collect())
    }
}
