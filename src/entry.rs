//! An integration declared by a drop-in file or by the host's manifest.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::RangeInclusive;
use std::time::Duration;

use serde::Serialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Unexpected, Visitor};

use crate::error::{
    Cause, Keys, ParseError, duplicate_key, fail_with, float_for_integer, in_field, missing_field,
    wrong_type,
};
use crate::field::Field;
use crate::name::{IntegrationName, InvalidIntegrationName};
use crate::{
    DEFAULT_HEALTH_INTERVAL_SECS, DEFAULT_HEALTH_TIMEOUT_SECS, DEFAULT_STARTUP_GRACE_SECS,
    MAX_HEALTH_INTERVAL_SECS, MAX_HEALTH_TIMEOUT_SECS, MAX_STARTUP_GRACE_SECS,
};

/// One integration the guest agent manages.
///
/// Usually declared by a JSON drop-in file in
/// [`INTEGRATIONS_DROPIN_DIR`](crate::INTEGRATIONS_DROPIN_DIR), or listed in the host's
/// [`IntegrationManifest`](crate::IntegrationManifest).
///
/// # Wire format
/// Fields are emitted in this order, absent options as `null`, exactly as `mvm-guest`
/// 0.13.0 does:
///
/// | field | type | default when absent | constraint |
/// |---|---|---|---|
/// | `name` | string | required | an [`IntegrationName`] |
/// | `checkpoint_cmd` | string or null | `null` | |
/// | `restore_cmd` | string or null | `null` | |
/// | `critical` | bool | `false` | |
/// | `health_cmd` | string or null | `null` | |
/// | `health_interval_secs` | integer | 30 | 1 to 86400 |
/// | `health_timeout_secs` | integer | 10 | 1 to 86400 |
/// | `startup_grace_secs` | integer | 0 | 0 to 86400 |
///
/// Unknown fields are ignored, so a newer writer never breaks an older reader.
///
/// The fields are private so that every entry holds values this crate reads back: build one
/// with [`IntegrationEntry::new`] or [`IntegrationEntry::builder`], or parse one.
///
/// ```
/// use mvm_integrations::IntegrationEntry;
///
/// let entry = IntegrationEntry::from_json(r#"{"name": "signal"}"#)?;
/// assert_eq!(entry.name(), "signal");
/// assert_eq!(entry.health_interval_secs(), 30);
/// assert_eq!(
///     entry.to_json_compact(),
///     r#"{"name":"signal","checkpoint_cmd":null,"restore_cmd":null,"critical":false,"health_cmd":null,"health_interval_secs":30,"health_timeout_secs":10,"startup_grace_secs":0}"#,
/// );
/// # Ok::<(), mvm_integrations::ParseError>(())
/// ```
///
/// # Errors
/// Parsing fails on a document that is not a JSON object (an array too), a missing or
/// invalid `name`, a field of the wrong type, a number out of range such as
/// `"health_interval_secs": 0`, and a key that appears twice in one object, known or
/// unknown, at any depth (I-JSON, RFC 7493).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(transform = crate::schema::entry_schema)
)]
pub struct IntegrationEntry {
    /// The integration's name; also the name of its state directory,
    /// `/data/integrations/<name>/`. Required.
    name: IntegrationName,
    /// Command run before sleep to checkpoint state. Without one, the agent only makes sure
    /// the state directories exist.
    #[cfg_attr(feature = "schema", schemars(default))]
    checkpoint_cmd: Option<String>,
    /// Command run after wake to restore state.
    #[cfg_attr(feature = "schema", schemars(default))]
    restore_cmd: Option<String>,
    /// Whether sleep waits until this integration has checkpointed successfully. When
    /// `false`, a failed checkpoint is logged and sleep proceeds.
    #[cfg_attr(feature = "schema", schemars(default))]
    critical: bool,
    /// Command run for health checks: exit 0 is healthy, anything else unhealthy, with
    /// stderr as the detail.
    #[cfg_attr(feature = "schema", schemars(default))]
    health_cmd: Option<String>,
    /// Seconds between health checks.
    // Range and default: set from `SecsField::ALL` by `crate::schema::entry_schema`.
    #[cfg_attr(feature = "schema", schemars(default))]
    health_interval_secs: u64,
    /// Seconds one health check may run before it counts as failed.
    // Range and default: set from `SecsField::ALL` by `crate::schema::entry_schema`.
    #[cfg_attr(feature = "schema", schemars(default))]
    health_timeout_secs: u64,
    /// Seconds after start during which failed or missing health checks report `starting`
    /// rather than an error. Added in `mvm-guest` 0.13.0.
    // Range and default: set from `SecsField::ALL` by `crate::schema::entry_schema`.
    #[cfg_attr(feature = "schema", schemars(default))]
    startup_grace_secs: u64,
}

impl IntegrationEntry {
    /// An entry named `name` with every other field at its default: no commands, not
    /// critical, health checks every 30 s with a 10 s timeout, no startup grace.
    pub fn new(name: IntegrationName) -> Self {
        IntegrationEntry {
            name,
            checkpoint_cmd: None,
            restore_cmd: None,
            critical: false,
            health_cmd: None,
            health_interval_secs: SecsField::HEALTH_INTERVAL.default,
            health_timeout_secs: SecsField::HEALTH_TIMEOUT.default,
            startup_grace_secs: SecsField::STARTUP_GRACE.default,
        }
    }

    /// A builder for an entry named `name`, starting from the defaults of [`new`](Self::new).
    ///
    /// ```
    /// use mvm_integrations::IntegrationEntry;
    ///
    /// let entry = IntegrationEntry::builder("myapp".parse()?)
    ///     .health_cmd("systemctl is-active myapp")
    ///     .health_interval_secs(15)
    ///     .health_timeout_secs(5)
    ///     .build()?;
    /// assert_eq!(entry.health_interval(), std::time::Duration::from_secs(15));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder(name: IntegrationName) -> IntegrationEntryBuilder {
        IntegrationEntryBuilder {
            entry: IntegrationEntry::new(name),
            bad_name: None,
        }
    }

    /// A builder for an entry named `name`, not yet validated: a bad name is reported by
    /// [`build`](IntegrationEntryBuilder::build), with the same error type as a bad value.
    ///
    /// ```
    /// use mvm_integrations::{Field, IntegrationEntry};
    ///
    /// let entry = IntegrationEntry::builder_for("myapp").health_timeout_secs(5).build()?;
    /// assert_eq!(entry.name(), "myapp");
    ///
    /// let err = IntegrationEntry::builder_for("My App").build().unwrap_err();
    /// assert_eq!(err.field(), Field::Name);
    /// assert_eq!(err.to_string(), "invalid integration name `My App`: must not contain ` `");
    /// # Ok::<(), mvm_integrations::InvalidEntry>(())
    /// ```
    pub fn builder_for(name: &str) -> IntegrationEntryBuilder {
        match IntegrationName::new(name) {
            Ok(name) => IntegrationEntry::builder(name),
            Err(e) => IntegrationEntryBuilder {
                // A placeholder that `build` never returns.
                entry: IntegrationEntry::new(IntegrationName::placeholder()),
                bad_name: Some(e),
            },
        }
    }

    /// A builder that starts from this entry, to change some of its fields.
    pub fn to_builder(&self) -> IntegrationEntryBuilder {
        IntegrationEntryBuilder {
            entry: self.clone(),
            bad_name: None,
        }
    }

    /// Parses an entry from JSON text, as found in a drop-in file.
    ///
    /// # Errors
    /// A [`ParseError`] that says what was wrong, where, and in which field.
    #[inline]
    pub fn from_json(json: &str) -> Result<Self, ParseError> {
        crate::error::from_json(json)
    }

    /// Parses an entry from JSON bytes.
    ///
    /// # Errors
    /// As [`from_json`](Self::from_json). Bytes that are not UTF-8 are an error too, even
    /// inside a field that is ignored.
    pub fn from_slice(json: &[u8]) -> Result<Self, ParseError> {
        crate::error::from_slice(json)
    }

    /// Emits the entry as pretty JSON (two-space indent, no final newline).
    pub fn to_json(&self) -> String {
        crate::error::to_json(self, true)
    }

    /// Emits the entry as compact JSON, byte-identical to `serde_json::to_string` on
    /// `mvm-guest` 0.13.0's type.
    pub fn to_json_compact(&self) -> String {
        crate::error::to_json(self, false)
    }

    /// Parses an entry and records the names of the fields it ignored, in order of
    /// appearance. The drop-in loader uses this to warn about typos.
    pub(crate) fn from_str_noting_unknown(
        json: &str,
        unknown: &mut Vec<String>,
    ) -> Result<Self, ParseError> {
        crate::error::from_json_seed(
            json,
            EntrySeed {
                unknown: Some(unknown),
            },
        )
    }

    /// The integration's name; also its directory under
    /// [`INTEGRATIONS_BASE_PATH`](crate::INTEGRATIONS_BASE_PATH).
    pub fn name(&self) -> &IntegrationName {
        &self.name
    }

    /// Command run before sleep to checkpoint state. When absent, the agent only makes sure
    /// the state directories exist.
    pub fn checkpoint_cmd(&self) -> Option<&str> {
        self.checkpoint_cmd.as_deref()
    }

    /// Command run after wake to restore state.
    pub fn restore_cmd(&self) -> Option<&str> {
        self.restore_cmd.as_deref()
    }

    /// Whether sleep waits until this integration has checkpointed successfully. When
    /// `false`, a failed checkpoint is logged and sleep proceeds.
    pub fn critical(&self) -> bool {
        self.critical
    }

    /// Command run for health checks: exit 0 is healthy, anything else unhealthy, with
    /// stderr as the detail.
    pub fn health_cmd(&self) -> Option<&str> {
        self.health_cmd.as_deref()
    }

    /// Seconds between health checks, 1 to
    /// [`MAX_HEALTH_INTERVAL_SECS`](crate::MAX_HEALTH_INTERVAL_SECS).
    pub fn health_interval_secs(&self) -> u64 {
        self.health_interval_secs
    }

    /// [`health_interval_secs`](Self::health_interval_secs) as a [`Duration`].
    pub fn health_interval(&self) -> Duration {
        Duration::from_secs(self.health_interval_secs)
    }

    /// Seconds one health check may run before it counts as failed, 1 to
    /// [`MAX_HEALTH_TIMEOUT_SECS`](crate::MAX_HEALTH_TIMEOUT_SECS).
    pub fn health_timeout_secs(&self) -> u64 {
        self.health_timeout_secs
    }

    /// [`health_timeout_secs`](Self::health_timeout_secs) as a [`Duration`].
    pub fn health_timeout(&self) -> Duration {
        Duration::from_secs(self.health_timeout_secs)
    }

    /// Seconds after start during which failed or missing health checks report
    /// [`Starting`](crate::IntegrationStatus::Starting) rather than an error, 0 to
    /// [`MAX_STARTUP_GRACE_SECS`](crate::MAX_STARTUP_GRACE_SECS). Added in `mvm-guest` 0.13.0.
    pub fn startup_grace_secs(&self) -> u64 {
        self.startup_grace_secs
    }

    /// [`startup_grace_secs`](Self::startup_grace_secs) as a [`Duration`].
    pub fn startup_grace(&self) -> Duration {
        Duration::from_secs(self.startup_grace_secs)
    }

    /// Advisory findings about this entry: settings that are valid but probably not what
    /// was meant. They never stop an entry from loading.
    ///
    /// ```
    /// use mvm_integrations::{EntryWarning, IntegrationEntry};
    ///
    /// let entry = IntegrationEntry::builder("db".parse()?).critical(true).build()?;
    /// assert_eq!(entry.warnings(), vec![EntryWarning::CriticalWithoutCheckpoint]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn warnings(&self) -> Vec<EntryWarning> {
        let mut warnings = Vec::new();
        for (field, value) in [
            (Field::CheckpointCmd, &self.checkpoint_cmd),
            (Field::RestoreCmd, &self.restore_cmd),
            (Field::HealthCmd, &self.health_cmd),
        ] {
            if value.as_deref().is_some_and(|cmd| cmd.trim().is_empty()) {
                warnings.push(EntryWarning::BlankCommand { field });
            }
        }
        if self.critical && self.checkpoint_cmd.is_none() {
            warnings.push(EntryWarning::CriticalWithoutCheckpoint);
        }
        if self.health_timeout_secs >= self.health_interval_secs {
            warnings.push(EntryWarning::TimeoutNotBelowInterval {
                timeout_secs: self.health_timeout_secs,
                interval_secs: self.health_interval_secs,
            });
        }
        warnings
    }
}

/// Builds an [`IntegrationEntry`], checking the name and the numeric ranges in
/// [`build`](Self::build).
///
/// Created by [`IntegrationEntry::builder`], [`IntegrationEntry::builder_for`] or
/// [`IntegrationEntry::to_builder`]. Each optional command has a setter that sets it and a
/// `maybe_` setter that takes an `Option`, so that `None` clears it.
///
/// ```
/// use mvm_integrations::IntegrationEntry;
///
/// let entry = IntegrationEntry::builder_for("myapp").health_cmd("true").build()?;
/// let cleared = entry.to_builder().maybe_health_cmd(None).build()?;
/// assert_eq!(cleared.health_cmd(), None);
/// # Ok::<(), mvm_integrations::InvalidEntry>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct IntegrationEntryBuilder {
    entry: IntegrationEntry,
    bad_name: Option<InvalidIntegrationName>,
}

impl IntegrationEntryBuilder {
    /// Sets the name.
    pub fn name(mut self, name: IntegrationName) -> Self {
        self.entry.name = name;
        self.bad_name = None;
        self
    }

    /// Sets the checkpoint command.
    pub fn checkpoint_cmd(self, cmd: impl Into<String>) -> Self {
        self.maybe_checkpoint_cmd(Some(cmd.into()))
    }

    /// Sets the checkpoint command, or clears it with `None`.
    pub fn maybe_checkpoint_cmd(mut self, cmd: Option<String>) -> Self {
        self.entry.checkpoint_cmd = cmd;
        self
    }

    /// Sets the restore command.
    pub fn restore_cmd(self, cmd: impl Into<String>) -> Self {
        self.maybe_restore_cmd(Some(cmd.into()))
    }

    /// Sets the restore command, or clears it with `None`.
    pub fn maybe_restore_cmd(mut self, cmd: Option<String>) -> Self {
        self.entry.restore_cmd = cmd;
        self
    }

    /// Sets whether sleep waits for this integration's checkpoint.
    pub fn critical(mut self, critical: bool) -> Self {
        self.entry.critical = critical;
        self
    }

    /// Sets the health-check command.
    pub fn health_cmd(self, cmd: impl Into<String>) -> Self {
        self.maybe_health_cmd(Some(cmd.into()))
    }

    /// Sets the health-check command, or clears it with `None`.
    pub fn maybe_health_cmd(mut self, cmd: Option<String>) -> Self {
        self.entry.health_cmd = cmd;
        self
    }

    /// Sets the seconds between health checks; checked by [`build`](Self::build).
    pub fn health_interval_secs(mut self, secs: u64) -> Self {
        self.entry.health_interval_secs = secs;
        self
    }

    /// Sets the health-check timeout in seconds; checked by [`build`](Self::build).
    pub fn health_timeout_secs(mut self, secs: u64) -> Self {
        self.entry.health_timeout_secs = secs;
        self
    }

    /// Sets the startup grace in seconds; checked by [`build`](Self::build).
    pub fn startup_grace_secs(mut self, secs: u64) -> Self {
        self.entry.startup_grace_secs = secs;
        self
    }

    /// Checks the name and the numeric fields and returns the entry.
    ///
    /// # Errors
    /// Returns [`InvalidEntry`] for the first problem, checked in wire order: a name given
    /// to [`IntegrationEntry::builder_for`] that is not valid, then `health_interval_secs`
    /// (1 to 86400), `health_timeout_secs` (1 to 86400) and `startup_grace_secs` (0 to 86400),
    /// the ranges of [`SecsField::ALL`].
    pub fn build(self) -> Result<IntegrationEntry, InvalidEntry> {
        if let Some(e) = self.bad_name {
            return Err(e.into());
        }
        let e = &self.entry;
        SecsField::HEALTH_INTERVAL.check(e.health_interval_secs)?;
        SecsField::HEALTH_TIMEOUT.check(e.health_timeout_secs)?;
        SecsField::STARTUP_GRACE.check(e.startup_grace_secs)?;
        Ok(self.entry)
    }
}

/// An advisory finding about an [`IntegrationEntry`], from [`IntegrationEntry::warnings`].
///
/// Warnings are not errors: the entry is valid and loads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EntryWarning {
    /// `critical` is true but there is no `checkpoint_cmd`, so sleep would wait on nothing.
    CriticalWithoutCheckpoint,
    /// `health_timeout_secs` is at or above `health_interval_secs`, so checks may overlap.
    TimeoutNotBelowInterval {
        /// The entry's `health_timeout_secs`.
        timeout_secs: u64,
        /// The entry's `health_interval_secs`.
        interval_secs: u64,
    },
    /// A command field is set to an empty or all-whitespace string, which cannot run.
    BlankCommand {
        /// The field: [`Field::CheckpointCmd`], [`Field::RestoreCmd`] or
        /// [`Field::HealthCmd`].
        field: Field,
    },
}

impl EntryWarning {
    /// The field the warning is about.
    pub fn field(&self) -> Field {
        match self {
            EntryWarning::CriticalWithoutCheckpoint => Field::Critical,
            EntryWarning::TimeoutNotBelowInterval { .. } => Field::HealthTimeoutSecs,
            EntryWarning::BlankCommand { field } => *field,
        }
    }
}

impl fmt::Display for EntryWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryWarning::CriticalWithoutCheckpoint => f.write_str(
                "`critical` is true but `checkpoint_cmd` is not set: sleep would wait on nothing",
            ),
            EntryWarning::TimeoutNotBelowInterval {
                timeout_secs,
                interval_secs,
            } => write!(
                f,
                "`health_timeout_secs` `{timeout_secs}` is not below `health_interval_secs` \
                 `{interval_secs}`: health checks may overlap"
            ),
            EntryWarning::BlankCommand { field } => {
                write!(
                    f,
                    "`{field}` is blank: expected a command to run, or no field"
                )
            }
        }
    }
}

/// The error returned when an entry's field has a value this crate does not accept: a
/// `*_secs` number out of its range, or (from
/// [`IntegrationEntry::builder_for`]) an invalid name.
///
/// ``invalid `health_interval_secs` value `0`: must be between 1 and 86400``
///
/// For a name, the message is the [`InvalidIntegrationName`]'s own, and `source()` is
/// `None`: the error stands for it rather than wrapping it. Get it with
/// [`invalid_name`](Self::invalid_name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEntry {
    kind: InvalidKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum InvalidKind {
    Range { secs: SecsField, value: i128 },
    Name(InvalidIntegrationName),
}

impl InvalidEntry {
    /// The offending field, such as [`Field::HealthIntervalSecs`] or [`Field::Name`].
    pub fn field(&self) -> Field {
        match &self.kind {
            InvalidKind::Range { secs, .. } => secs.field,
            InvalidKind::Name(_) => Field::Name,
        }
    }

    /// The name error, when the problem is the name.
    pub fn invalid_name(&self) -> Option<&InvalidIntegrationName> {
        match &self.kind {
            InvalidKind::Name(e) => Some(e),
            InvalidKind::Range { .. } => None,
        }
    }
}

impl From<InvalidIntegrationName> for InvalidEntry {
    fn from(e: InvalidIntegrationName) -> Self {
        InvalidEntry {
            kind: InvalidKind::Name(e),
        }
    }
}

impl fmt::Display for InvalidEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            InvalidKind::Range { secs, value } => write!(
                f,
                "invalid `{}` value `{value}`: must be between {} and {}",
                secs.field, secs.min, secs.max
            ),
            InvalidKind::Name(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for InvalidEntry {}

/// A ranged `*_secs` field of an [`IntegrationEntry`]: its range and its default.
///
/// [`SecsField::ALL`] is the one table of these facts: the parser, the builder, the JSON
/// Schema and the docs' contract test all read it.
///
/// ```
/// use mvm_integrations::{Field, SecsField};
///
/// let interval = SecsField::HEALTH_INTERVAL;
/// assert_eq!(interval.field(), Field::HealthIntervalSecs);
/// assert_eq!((interval.min(), interval.max(), interval.default()), (1, 86_400, 30));
/// assert_eq!(SecsField::of(Field::StartupGraceSecs), Some(SecsField::STARTUP_GRACE));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecsField {
    field: Field,
    min: u64,
    max: u64,
    default: u64,
}

impl SecsField {
    /// `health_interval_secs`: 1 to [`MAX_HEALTH_INTERVAL_SECS`], default
    /// [`DEFAULT_HEALTH_INTERVAL_SECS`]. A zero interval would make an agent spin.
    pub const HEALTH_INTERVAL: SecsField = SecsField {
        field: Field::HealthIntervalSecs,
        min: 1,
        max: MAX_HEALTH_INTERVAL_SECS,
        default: DEFAULT_HEALTH_INTERVAL_SECS,
    };

    /// `health_timeout_secs`: 1 to [`MAX_HEALTH_TIMEOUT_SECS`], default
    /// [`DEFAULT_HEALTH_TIMEOUT_SECS`]. A zero timeout would fail every check before it
    /// starts.
    pub const HEALTH_TIMEOUT: SecsField = SecsField {
        field: Field::HealthTimeoutSecs,
        min: 1,
        max: MAX_HEALTH_TIMEOUT_SECS,
        default: DEFAULT_HEALTH_TIMEOUT_SECS,
    };

    /// `startup_grace_secs`: 0 to [`MAX_STARTUP_GRACE_SECS`], default
    /// [`DEFAULT_STARTUP_GRACE_SECS`] (no grace).
    pub const STARTUP_GRACE: SecsField = SecsField {
        field: Field::StartupGraceSecs,
        min: 0,
        max: MAX_STARTUP_GRACE_SECS,
        default: DEFAULT_STARTUP_GRACE_SECS,
    };

    /// Every ranged field, in wire order.
    pub const ALL: [SecsField; 3] = [
        SecsField::HEALTH_INTERVAL,
        SecsField::HEALTH_TIMEOUT,
        SecsField::STARTUP_GRACE,
    ];

    /// The ranged field named `field`, if it is one.
    pub fn of(field: Field) -> Option<SecsField> {
        SecsField::ALL.into_iter().find(|s| s.field == field)
    }

    /// The field.
    pub fn field(self) -> Field {
        self.field
    }

    /// The smallest accepted value.
    pub fn min(self) -> u64 {
        self.min
    }

    /// The largest accepted value.
    pub fn max(self) -> u64 {
        self.max
    }

    /// The value when the field is absent.
    pub fn default(self) -> u64 {
        self.default
    }

    /// The accepted values.
    pub fn range(self) -> RangeInclusive<u64> {
        self.min..=self.max
    }

    fn check(self, value: u64) -> Result<u64, InvalidEntry> {
        if self.range().contains(&value) {
            Ok(value)
        } else {
            Err(self.error(i128::from(value)))
        }
    }

    fn error(self, value: i128) -> InvalidEntry {
        InvalidEntry {
            kind: InvalidKind::Range { secs: self, value },
        }
    }
}

impl<'de> DeserializeSeed<'de> for SecsField {
    type Value = u64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_u64(self)
    }
}

impl Visitor<'_> for SecsField {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` as an integer between {} and {}",
            self.field, self.min, self.max
        )
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        self.check(v).map_err(|e| fail_with(Cause::Entry(e)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(fail_with(Cause::Entry(self.error(i128::from(v))))),
        }
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<u64, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(self.past_u64()),
        }
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<u64, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) if v < 0 => Err(fail_with(Cause::Entry(self.error(v)))),
            Err(_) => Err(self.past_u64()),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        Err(float_for_integer(self.field, v, self.min, self.max, &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        Err(wrong_type(Unexpected::Str(v), &self))
    }
}

impl SecsField {
    fn past_u64<E: de::Error>(self) -> E {
        float_for_integer(
            self.field,
            18_446_744_073_709_551_616.0,
            self.min,
            self.max,
            &self,
        )
    }
}

/// `critical`: a boolean, with a bounded message for a string.
struct Bool;

impl<'de> DeserializeSeed<'de> for Bool {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_bool(self)
    }
}

impl Visitor<'_> for Bool {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Err(wrong_type(Unexpected::Str(v), &self))
    }
}

impl<'de> serde::Deserialize<'de> for IntegrationEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        EntrySeed { unknown: None }.deserialize(deserializer)
    }
}

/// The wire names of an entry's fields, in wire order. The loader also offers them as
/// did-you-mean suggestions for unknown fields.
pub(crate) const FIELDS: &[&str] = &[
    Field::Name.as_str(),
    Field::CheckpointCmd.as_str(),
    Field::RestoreCmd.as_str(),
    Field::Critical.as_str(),
    Field::HealthCmd.as_str(),
    Field::HealthIntervalSecs.as_str(),
    Field::HealthTimeoutSecs.as_str(),
    Field::StartupGraceSecs.as_str(),
];

/// Deserializes an entry in one pass, optionally noting the keys it ignores.
pub(crate) struct EntrySeed<'a> {
    pub(crate) unknown: Option<&'a mut Vec<String>>,
}

/// A key of an entry: one of [`FIELDS`] or another.
enum Key<'de> {
    Known(Field),
    Unknown(Cow<'de, str>),
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key<'de>, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(known(v).unwrap_or_else(|| Key::Unknown(Cow::Owned(v.to_owned()))))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(known(v).unwrap_or(Key::Unknown(Cow::Borrowed(v))))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
        Ok(known(&v).unwrap_or(Key::Unknown(Cow::Owned(v))))
    }
}

fn known<'de>(v: &str) -> Option<Key<'de>> {
    // Matched without a linear search.
    Some(Key::Known(match v {
        "name" => Field::Name,
        "checkpoint_cmd" => Field::CheckpointCmd,
        "restore_cmd" => Field::RestoreCmd,
        "critical" => Field::Critical,
        "health_cmd" => Field::HealthCmd,
        "health_interval_secs" => Field::HealthIntervalSecs,
        "health_timeout_secs" => Field::HealthTimeoutSecs,
        "startup_grace_secs" => Field::StartupGraceSecs,
        _ => return None,
    }))
}

impl<'de> DeserializeSeed<'de> for EntrySeed<'_> {
    type Value = IntegrationEntry;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        // `deserialize_map`, not `deserialize_struct`: serde_json would also accept an array
        // for a struct, and the wire format is an object.
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed<'_> {
    type Value = IntegrationEntry;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integration entry object")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Err(wrong_type(Unexpected::Str(v), &self))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut name: Option<IntegrationName> = None;
        let mut checkpoint_cmd: Option<Option<String>> = None;
        let mut restore_cmd: Option<Option<String>> = None;
        let mut critical: Option<bool> = None;
        let mut health_cmd: Option<Option<String>> = None;
        let mut interval: Option<u64> = None;
        let mut timeout: Option<u64> = None;
        let mut grace: Option<u64> = None;
        let mut unknown = self.unknown;
        let mut seen = Keys::default();

        fn set<'de, T, A: MapAccess<'de>>(
            map: &mut A,
            slot: &mut Option<T>,
            field: Field,
            seed: impl DeserializeSeed<'de, Value = T>,
        ) -> Result<(), A::Error> {
            if slot.is_some() {
                return in_field(field, Err(duplicate_key(field.as_str())));
            }
            *slot = Some(in_field(field, map.next_value_seed(seed))?);
            Ok(())
        }
        let string = PhantomData::<Option<String>>;

        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key {
                Key::Known(f @ Field::Name) => {
                    set(&mut map, &mut name, f, PhantomData::<IntegrationName>)?;
                }
                Key::Known(f @ Field::CheckpointCmd) => {
                    set(&mut map, &mut checkpoint_cmd, f, string)?;
                }
                Key::Known(f @ Field::RestoreCmd) => set(&mut map, &mut restore_cmd, f, string)?,
                Key::Known(f @ Field::Critical) => set(&mut map, &mut critical, f, Bool)?,
                Key::Known(f @ Field::HealthCmd) => set(&mut map, &mut health_cmd, f, string)?,
                Key::Known(f @ Field::HealthIntervalSecs) => {
                    set(&mut map, &mut interval, f, SecsField::HEALTH_INTERVAL)?;
                }
                Key::Known(f @ Field::HealthTimeoutSecs) => {
                    set(&mut map, &mut timeout, f, SecsField::HEALTH_TIMEOUT)?;
                }
                Key::Known(f) => set(&mut map, &mut grace, f, SecsField::STARTUP_GRACE)?,
                Key::Unknown(key) => {
                    if let Some(unknown) = unknown.as_deref_mut() {
                        unknown.push(key.clone().into_owned());
                    }
                    seen.insert(key)?;
                    crate::error::skip_value(&mut map)?;
                }
            }
        }

        Ok(IntegrationEntry {
            name: match name {
                Some(name) => name,
                None => return in_field(Field::Name, Err(missing_field(Field::Name))),
            },
            checkpoint_cmd: checkpoint_cmd.flatten(),
            restore_cmd: restore_cmd.flatten(),
            critical: critical.unwrap_or(false),
            health_cmd: health_cmd.flatten(),
            health_interval_secs: interval.unwrap_or(SecsField::HEALTH_INTERVAL.default),
            health_timeout_secs: timeout.unwrap_or(SecsField::HEALTH_TIMEOUT.default),
            startup_grace_secs: grace.unwrap_or(SecsField::STARTUP_GRACE.default),
        })
    }
}
