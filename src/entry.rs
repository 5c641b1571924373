//! An integration declared by a drop-in file or by the host's manifest.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::name::IntegrationName;
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
/// let entry: IntegrationEntry = serde_json::from_str(r#"{"name": "signal"}"#)?;
/// assert_eq!(entry.name(), "signal");
/// assert_eq!(entry.health_interval_secs(), 30);
/// assert_eq!(
///     serde_json::to_string(&entry)?,
///     r#"{"name":"signal","checkpoint_cmd":null,"restore_cmd":null,"critical":false,"health_cmd":null,"health_interval_secs":30,"health_timeout_secs":10,"startup_grace_secs":0}"#,
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// # Errors
/// Parsing fails on a missing or invalid `name`, a field of the wrong type, a duplicated
/// field, and a number out of range, such as `"health_interval_secs": 0`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(transform = crate::schema::tidy_docs)
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
    #[cfg_attr(
        feature = "schema",
        schemars(
            default = "crate::schema::default_health_interval_secs",
            range(min = 1, max = MAX_HEALTH_INTERVAL_SECS)
        )
    )]
    health_interval_secs: u64,
    /// Seconds one health check may run before it counts as failed.
    #[cfg_attr(
        feature = "schema",
        schemars(
            default = "crate::schema::default_health_timeout_secs",
            range(min = 1, max = MAX_HEALTH_TIMEOUT_SECS)
        )
    )]
    health_timeout_secs: u64,
    /// Seconds after start during which failed or missing health checks report `starting`
    /// rather than an error. Added in `mvm-guest` 0.13.0.
    #[cfg_attr(
        feature = "schema",
        schemars(default, range(max = MAX_STARTUP_GRACE_SECS))
    )]
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
            health_interval_secs: DEFAULT_HEALTH_INTERVAL_SECS,
            health_timeout_secs: DEFAULT_HEALTH_TIMEOUT_SECS,
            startup_grace_secs: DEFAULT_STARTUP_GRACE_SECS,
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
        }
    }

    /// A builder that starts from this entry, to change some of its fields.
    pub fn to_builder(&self) -> IntegrationEntryBuilder {
        IntegrationEntryBuilder {
            entry: self.clone(),
        }
    }

    /// Parses an entry from JSON text, as found in a drop-in file.
    ///
    /// # Errors
    /// The [`serde_json::Error`] says what was wrong and where (line and column).
    #[inline]
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Emits the entry as compact JSON, byte-identical to `serde_json::to_string` on
    /// `mvm-guest` 0.13.0's type.
    #[inline]
    pub fn to_json(&self) -> String {
        // Writing these fields to a `Vec` cannot fail: every key is a string and no
        // `Serialize` impl in this crate returns an error.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses an entry and records the names of the fields it ignored, in order of
    /// appearance. The drop-in loader uses this to warn about typos.
    pub(crate) fn from_str_noting_unknown(
        json: &str,
        unknown: &mut Vec<String>,
    ) -> Result<Self, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(json);
        let entry = EntrySeed {
            unknown: Some(unknown),
        }
        .deserialize(&mut de)?;
        de.end()?;
        Ok(entry)
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
            ("checkpoint_cmd", &self.checkpoint_cmd),
            ("restore_cmd", &self.restore_cmd),
            ("health_cmd", &self.health_cmd),
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

/// Builds an [`IntegrationEntry`], checking the numeric ranges in [`build`](Self::build).
///
/// Created by [`IntegrationEntry::builder`] or [`IntegrationEntry::to_builder`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct IntegrationEntryBuilder {
    entry: IntegrationEntry,
}

impl IntegrationEntryBuilder {
    /// Sets the name.
    pub fn name(mut self, name: IntegrationName) -> Self {
        self.entry.name = name;
        self
    }

    /// Sets the checkpoint command.
    pub fn checkpoint_cmd(mut self, cmd: impl Into<String>) -> Self {
        self.entry.checkpoint_cmd = Some(cmd.into());
        self
    }

    /// Sets the restore command.
    pub fn restore_cmd(mut self, cmd: impl Into<String>) -> Self {
        self.entry.restore_cmd = Some(cmd.into());
        self
    }

    /// Sets whether sleep waits for this integration's checkpoint.
    pub fn critical(mut self, critical: bool) -> Self {
        self.entry.critical = critical;
        self
    }

    /// Sets the health-check command.
    pub fn health_cmd(mut self, cmd: impl Into<String>) -> Self {
        self.entry.health_cmd = Some(cmd.into());
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

    /// Checks the numeric fields and returns the entry.
    ///
    /// # Errors
    /// Returns [`InvalidEntry`] for the first field out of its range, checked in wire
    /// order: `health_interval_secs` (1 to 86400), `health_timeout_secs` (1 to 86400),
    /// `startup_grace_secs` (0 to 86400).
    pub fn build(self) -> Result<IntegrationEntry, InvalidEntry> {
        let e = &self.entry;
        Secs::INTERVAL.check(e.health_interval_secs)?;
        Secs::TIMEOUT.check(e.health_timeout_secs)?;
        Secs::GRACE.check(e.startup_grace_secs)?;
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
        /// The field: `checkpoint_cmd`, `restore_cmd` or `health_cmd`.
        field: &'static str,
    },
}

impl EntryWarning {
    /// The wire name of the field the warning is about.
    pub fn field(&self) -> &'static str {
        match self {
            EntryWarning::CriticalWithoutCheckpoint => "critical",
            EntryWarning::TimeoutNotBelowInterval { .. } => "health_timeout_secs",
            EntryWarning::BlankCommand { field } => field,
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

/// The error returned when an entry's numeric field is out of range.
///
/// ``invalid `health_interval_secs` value `0`: must be between 1 and 86400``
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEntry {
    field: &'static str,
    value: i128,
    min: u64,
    max: u64,
}

impl InvalidEntry {
    /// The wire name of the offending field, such as `health_interval_secs`.
    pub fn field(&self) -> &'static str {
        self.field
    }
}

impl fmt::Display for InvalidEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid `{}` value `{}`: must be between {} and {}",
            self.field, self.value, self.min, self.max
        )
    }
}

impl std::error::Error for InvalidEntry {}

/// A ranged `*_secs` field: its wire name and bounds. The one place the ranges are checked,
/// for both the builder and the parser.
#[derive(Clone, Copy)]
struct Secs {
    name: &'static str,
    min: u64,
    max: u64,
}

impl Secs {
    const INTERVAL: Secs = Secs {
        name: "health_interval_secs",
        min: 1,
        max: MAX_HEALTH_INTERVAL_SECS,
    };
    const TIMEOUT: Secs = Secs {
        name: "health_timeout_secs",
        min: 1,
        max: MAX_HEALTH_TIMEOUT_SECS,
    };
    const GRACE: Secs = Secs {
        name: "startup_grace_secs",
        min: 0,
        max: MAX_STARTUP_GRACE_SECS,
    };

    fn check(self, value: u64) -> Result<u64, InvalidEntry> {
        if (self.min..=self.max).contains(&value) {
            Ok(value)
        } else {
            Err(self.error(i128::from(value)))
        }
    }

    fn error(self, value: i128) -> InvalidEntry {
        InvalidEntry {
            field: self.name,
            value,
            min: self.min,
            max: self.max,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Secs {
    type Value = u64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_u64(self)
    }
}

impl Visitor<'_> for Secs {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` as an integer between {} and {}",
            self.name, self.min, self.max
        )
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        self.check(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::custom(self.error(i128::from(v)))),
        }
    }
}

impl<'de> serde::Deserialize<'de> for IntegrationEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        EntrySeed { unknown: None }.deserialize(deserializer)
    }
}

/// The wire fields of an entry, in wire order. The loader also offers them as did-you-mean
/// suggestions for unknown fields.
pub(crate) const FIELDS: &[&str] = &[
    "name",
    "checkpoint_cmd",
    "restore_cmd",
    "critical",
    "health_cmd",
    "health_interval_secs",
    "health_timeout_secs",
    "startup_grace_secs",
];

/// Deserializes an entry in one pass, optionally noting the keys it ignores.
struct EntrySeed<'a> {
    unknown: Option<&'a mut Vec<String>>,
}

enum Field {
    Known(usize),
    Unknown(String),
}

impl<'de> serde::Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;

        impl Visitor<'_> for FieldVisitor {
            type Value = Field;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                // The indexes of `FIELDS`, matched without a linear search.
                Ok(Field::Known(match v {
                    "name" => 0,
                    "checkpoint_cmd" => 1,
                    "restore_cmd" => 2,
                    "critical" => 3,
                    "health_cmd" => 4,
                    "health_interval_secs" => 5,
                    "health_timeout_secs" => 6,
                    "startup_grace_secs" => 7,
                    _ => return Ok(Field::Unknown(v.to_owned())),
                }))
            }
        }

        deserializer.deserialize_identifier(FieldVisitor)
    }
}

impl<'de> DeserializeSeed<'de> for EntrySeed<'_> {
    type Value = IntegrationEntry;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_struct("IntegrationEntry", FIELDS, self)
    }
}

impl<'de> Visitor<'de> for EntrySeed<'_> {
    type Value = IntegrationEntry;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integration entry object")
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

        fn set<T, E: de::Error>(slot: &mut Option<T>, field: usize, value: T) -> Result<(), E> {
            if slot.is_some() {
                return Err(E::duplicate_field(FIELDS[field]));
            }
            *slot = Some(value);
            Ok(())
        }

        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::Known(i @ 0) => set(&mut name, i, map.next_value()?)?,
                Field::Known(i @ 1) => set(&mut checkpoint_cmd, i, map.next_value()?)?,
                Field::Known(i @ 2) => set(&mut restore_cmd, i, map.next_value()?)?,
                Field::Known(i @ 3) => set(&mut critical, i, map.next_value()?)?,
                Field::Known(i @ 4) => set(&mut health_cmd, i, map.next_value()?)?,
                Field::Known(i @ 5) => {
                    set(&mut interval, i, map.next_value_seed(Secs::INTERVAL)?)?;
                }
                Field::Known(i @ 6) => {
                    set(&mut timeout, i, map.next_value_seed(Secs::TIMEOUT)?)?;
                }
                Field::Known(i) => set(&mut grace, i, map.next_value_seed(Secs::GRACE)?)?,
                Field::Unknown(key) => {
                    map.next_value::<IgnoredAny>()?;
                    if let Some(unknown) = unknown.as_deref_mut() {
                        unknown.push(key);
                    }
                }
            }
        }

        Ok(IntegrationEntry {
            name: name.ok_or_else(|| de::Error::missing_field("name"))?,
            checkpoint_cmd: checkpoint_cmd.flatten(),
            restore_cmd: restore_cmd.flatten(),
            critical: critical.unwrap_or(false),
            health_cmd: health_cmd.flatten(),
            health_interval_secs: interval.unwrap_or(DEFAULT_HEALTH_INTERVAL_SECS),
            health_timeout_secs: timeout.unwrap_or(DEFAULT_HEALTH_TIMEOUT_SECS),
            startup_grace_secs: grace.unwrap_or(DEFAULT_STARTUP_GRACE_SECS),
        })
    }
}
