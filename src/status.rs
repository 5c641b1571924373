//! What the guest agent reports to the host: status, health result and state report.

use std::fmt;
use std::hash::{Hash, Hasher};

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The runtime status of one integration on a guest.
///
/// # Wire format
/// Externally tagged, as `mvm-guest` writes it: `"active"`, `"paused"`, `"pending"`,
/// `"starting"` (added in 0.13.0), and `{"error": "<detail>"}`.
///
/// A status this version does not know, from a newer guest, such as `"degraded"` or
/// `{"degraded": <any JSON>}`, parses into [`Unknown`](Self::Unknown), which keeps it and
/// emits it again byte-identical (compact). A known status in the wrong shape, such as
/// `{"error": 5}` or `"error"`, is an error.
///
/// ```
/// use mvm_integrations::IntegrationStatus;
///
/// let status: IntegrationStatus = serde_json::from_str(r#"{"degraded":{"since":3}}"#)?;
/// assert_eq!(status.name(), "degraded");
/// assert_eq!(serde_json::to_string(&status)?, r#"{"degraded":{"since":3}}"#);
///
/// assert!(serde_json::from_str::<IntegrationStatus>(r#"{"error":5}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
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

    /// The status's wire name: `active`, `paused`, `error`, `pending`, `starting`, or the
    /// name of an unknown status.
    pub fn name(&self) -> &str {
        match self {
            IntegrationStatus::Active => "active",
            IntegrationStatus::Paused => "paused",
            IntegrationStatus::Error(_) => "error",
            IntegrationStatus::Pending => "pending",
            IntegrationStatus::Starting => "starting",
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
    /// The wire name, followed by `: <detail>` for an error.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntegrationStatus::Error(detail) => write!(f, "error: {detail}"),
            other => f.write_str(other.name()),
        }
    }
}

/// A status value from a newer guest that this version does not know.
///
/// It is only obtained by parsing, never built by hand, so its name is never one of the
/// known names and its payload is always valid JSON: emitting it and parsing again gives
/// an equal value.
#[derive(Clone)]
pub struct UnknownStatus {
    // Boxed: unknown statuses are rare, and a pointer keeps every `IntegrationStatus` as
    // small as an `Error(String)`, which makes lists of reports faster to parse.
    inner: Box<UnknownInner>,
}

#[derive(Clone)]
struct UnknownInner {
    name: String,
    payload: Option<Box<RawValue>>,
}

impl UnknownStatus {
    fn new(name: String, payload: Option<Box<RawValue>>) -> Self {
        UnknownStatus {
            inner: Box::new(UnknownInner { name, payload }),
        }
    }

    /// The status's name: the string itself, or the object's single key.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The object form's value as the JSON text it arrived as, or `None` for the bare
    /// string form.
    pub fn payload(&self) -> Option<&str> {
        self.inner.payload.as_deref().map(RawValue::get)
    }
}

impl fmt::Debug for UnknownStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnknownStatus")
            .field("name", &self.inner.name)
            .field("payload", &self.inner.payload)
            .finish()
    }
}

impl PartialEq for UnknownStatus {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name() && self.payload() == other.payload()
    }
}

impl Eq for UnknownStatus {}

impl Hash for UnknownStatus {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name().hash(state);
        self.payload().hash(state);
    }
}

impl Serialize for IntegrationStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        const TYPE: &str = "IntegrationStatus";
        match self {
            IntegrationStatus::Active => serializer.serialize_unit_variant(TYPE, 0, "active"),
            IntegrationStatus::Paused => serializer.serialize_unit_variant(TYPE, 1, "paused"),
            IntegrationStatus::Error(detail) => {
                serializer.serialize_newtype_variant(TYPE, 2, "error", detail)
            }
            IntegrationStatus::Pending => serializer.serialize_unit_variant(TYPE, 3, "pending"),
            IntegrationStatus::Starting => serializer.serialize_unit_variant(TYPE, 4, "starting"),
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

#[inline]
fn unit_status(name: &str) -> Option<IntegrationStatus> {
    match name {
        "active" => Some(IntegrationStatus::Active),
        "paused" => Some(IntegrationStatus::Paused),
        "pending" => Some(IntegrationStatus::Pending),
        "starting" => Some(IntegrationStatus::Starting),
        _ => None,
    }
}

impl<'de> Visitor<'de> for StatusVisitor {
    type Value = IntegrationStatus;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a status string such as `\"active\"` or an object with one key such as `{\"error\": \"...\"}`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if let Some(status) = unit_status(v) {
            return Ok(status);
        }
        if v == "error" {
            return Err(E::custom(
                "invalid status `error`: expected an object with the detail, like `{\"error\": \"...\"}`",
            ));
        }
        Ok(IntegrationStatus::Unknown(UnknownStatus::new(
            v.to_owned(),
            None,
        )))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some(key) = map.next_key::<StatusKey>()? else {
            return Err(de::Error::custom(
                "invalid status object `{}`: expected exactly one key, the status name",
            ));
        };
        let status = match key {
            StatusKey::Error => IntegrationStatus::Error(map.next_value()?),
            StatusKey::Unit(status) => {
                // `mvm-guest` accepts `{"active": null}` for a unit variant; so does this.
                map.next_value::<()>()?;
                status
            }
            StatusKey::Other(name) => {
                let payload = map.next_value::<Box<RawValue>>()?;
                IntegrationStatus::Unknown(UnknownStatus::new(name, Some(payload)))
            }
        };
        if map.next_key::<IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(
                "invalid status object: expected exactly one key, the status name, found more",
            ));
        }
        Ok(status)
    }
}

/// The key of a status object, read without allocating for the known names.
enum StatusKey {
    Error,
    Unit(IntegrationStatus),
    Other(String),
}

impl StatusKey {
    #[inline]
    fn known(name: &str) -> Option<StatusKey> {
        if name == "error" {
            Some(StatusKey::Error)
        } else {
            unit_status(name).map(StatusKey::Unit)
        }
    }
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
                Ok(StatusKey::known(v).unwrap_or_else(|| StatusKey::Other(v.to_owned())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<StatusKey, E> {
                Ok(StatusKey::known(&v).unwrap_or(StatusKey::Other(v)))
            }
        }

        deserializer.deserialize_string(KeyVisitor)
    }
}

/// The result of one health-check run.
///
/// # Wire format
/// `{"healthy": bool, "detail": string, "checked_at": string}`, all three required.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(transform = crate::schema::tidy_docs)
)]
#[non_exhaustive]
pub struct IntegrationHealthResult {
    /// Whether the check passed (the command exited 0).
    pub healthy: bool,
    /// Human-readable detail: `ok` on success, stderr or the exit code on failure.
    pub detail: String,
    /// When the check ran, as an ISO 8601 timestamp. Not validated: reports are
    /// observational data and are kept as they came.
    pub checked_at: String,
}

impl IntegrationHealthResult {
    /// A health result.
    pub fn new(healthy: bool, detail: impl Into<String>, checked_at: impl Into<String>) -> Self {
        IntegrationHealthResult {
            healthy,
            detail: detail.into(),
            checked_at: checked_at.into(),
        }
    }
}

/// The state of one integration, as the guest agent reports it to the host.
///
/// # Wire format
///
/// | field | type | default when absent |
/// |---|---|---|
/// | `name` | string | required; any string |
/// | `status` | [`IntegrationStatus`] | required |
/// | `last_checkpoint_at` | string or null | `null` |
/// | `state_size_bytes` | integer, 0 to 2^64 - 1 | 0 |
/// | `health` | [`IntegrationHealthResult`] or null | `null` |
///
/// `name` is not validated as an [`IntegrationName`](crate::IntegrationName): guests older
/// than this crate may carry legacy names, and a host must not lose a report over one. Use
/// [`validated_name`](Self::validated_name) to check it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(transform = crate::schema::tidy_docs)
)]
#[non_exhaustive]
pub struct IntegrationStateReport {
    /// The integration's name, as the guest sent it.
    pub name: String,
    /// The integration's status.
    pub status: IntegrationStatus,
    /// When the last successful checkpoint finished, as an ISO 8601 timestamp.
    #[serde(default)]
    pub last_checkpoint_at: Option<String>,
    /// Bytes of state data on disk.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(max = u64::MAX)))]
    pub state_size_bytes: u64,
    /// The latest health-check result, when the integration has a `health_cmd`.
    #[serde(default)]
    pub health: Option<IntegrationHealthResult>,
}

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

    /// The report's name as an [`IntegrationName`](crate::IntegrationName).
    ///
    /// # Errors
    /// Returns the validation error when the guest sent a name this crate would not accept
    /// in an entry.
    pub fn validated_name(&self) -> Result<crate::IntegrationName, crate::InvalidIntegrationName> {
        crate::IntegrationName::new(&self.name)
    }

    /// Parses a JSON list of reports one element at a time, so that one malformed report
    /// does not cost the host the others.
    ///
    /// The outer `Result` fails only when `json` is not a JSON array. Each inner error's
    /// line and column count from the start of that element.
    ///
    /// ```
    /// use mvm_integrations::IntegrationStateReport;
    ///
    /// let json = r#"[{"name":"a","status":"active"},{"name":"b","status":{"error":5}}]"#;
    /// let reports = IntegrationStateReport::parse_list(json)?;
    /// assert_eq!(reports[0].as_ref().unwrap().name, "a");
    /// assert!(reports[1].is_err());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    ///
    /// # Errors
    /// Returns an error when `json` is not an array of JSON values.
    #[allow(clippy::type_complexity)]
    pub fn parse_list(
        json: &str,
    ) -> Result<Vec<Result<Self, serde_json::Error>>, serde_json::Error> {
        let raw: Vec<&RawValue> = serde_json::from_str(json)?;
        Ok(raw
            .into_iter()
            .map(|r| serde_json::from_str(r.get()))
            .collect())
    }
}
