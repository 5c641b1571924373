//! The names of the fields on the wire.

use std::fmt;

/// A field of a wire document: an [`IntegrationEntry`](crate::IntegrationEntry), an
/// [`IntegrationManifest`](crate::IntegrationManifest), an
/// [`IntegrationStateReport`](crate::IntegrationStateReport) or an
/// [`IntegrationHealthResult`](crate::IntegrationHealthResult).
///
/// The wire names are fixed by the contract; [`as_str`](Self::as_str) gives them, and so
/// does [`Display`](fmt::Display).
///
/// ```
/// use mvm_integrations::Field;
///
/// assert_eq!(Field::HealthIntervalSecs.as_str(), "health_interval_secs");
/// assert_eq!(Field::Integrations.to_string(), "integrations");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Field {
    /// `name`, in an entry and in a report.
    Name,
    /// `checkpoint_cmd`, in an entry.
    CheckpointCmd,
    /// `restore_cmd`, in an entry.
    RestoreCmd,
    /// `critical`, in an entry.
    Critical,
    /// `health_cmd`, in an entry.
    HealthCmd,
    /// `health_interval_secs`, in an entry.
    HealthIntervalSecs,
    /// `health_timeout_secs`, in an entry.
    HealthTimeoutSecs,
    /// `startup_grace_secs`, in an entry.
    StartupGraceSecs,
    /// `integrations`, in a manifest.
    Integrations,
    /// `status`, in a report.
    Status,
    /// `last_checkpoint_at`, in a report.
    LastCheckpointAt,
    /// `state_size_bytes`, in a report.
    StateSizeBytes,
    /// `health`, in a report.
    Health,
    /// `healthy`, in a health result.
    Healthy,
    /// `detail`, in a health result.
    Detail,
    /// `checked_at`, in a health result.
    CheckedAt,
}

impl Field {
    /// The fields of an [`IntegrationEntry`](crate::IntegrationEntry), in wire order.
    pub const ENTRY: [Field; 8] = [
        Field::Name,
        Field::CheckpointCmd,
        Field::RestoreCmd,
        Field::Critical,
        Field::HealthCmd,
        Field::HealthIntervalSecs,
        Field::HealthTimeoutSecs,
        Field::StartupGraceSecs,
    ];

    /// The fields of an [`IntegrationManifest`](crate::IntegrationManifest), in wire order.
    pub const MANIFEST: [Field; 1] = [Field::Integrations];

    /// The fields of an [`IntegrationStateReport`](crate::IntegrationStateReport), in wire
    /// order.
    pub const REPORT: [Field; 5] = [
        Field::Name,
        Field::Status,
        Field::LastCheckpointAt,
        Field::StateSizeBytes,
        Field::Health,
    ];

    /// The fields of an [`IntegrationHealthResult`](crate::IntegrationHealthResult), in
    /// wire order.
    pub const HEALTH_RESULT: [Field; 3] = [Field::Healthy, Field::Detail, Field::CheckedAt];

    /// The field's name on the wire, such as `health_interval_secs`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::CheckpointCmd => "checkpoint_cmd",
            Field::RestoreCmd => "restore_cmd",
            Field::Critical => "critical",
            Field::HealthCmd => "health_cmd",
            Field::HealthIntervalSecs => "health_interval_secs",
            Field::HealthTimeoutSecs => "health_timeout_secs",
            Field::StartupGraceSecs => "startup_grace_secs",
            Field::Integrations => "integrations",
            Field::Status => "status",
            Field::LastCheckpointAt => "last_checkpoint_at",
            Field::StateSizeBytes => "state_size_bytes",
            Field::Health => "health",
            Field::Healthy => "healthy",
            Field::Detail => "detail",
            Field::CheckedAt => "checked_at",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for Field {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}
