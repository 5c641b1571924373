//! The timestamps in reports: `checked_at` and `last_checkpoint_at`.
//!
//! The published agents write `YYYY-MM-DDTHH:MM:SSZ`: RFC 3339, UTC, whole seconds, such as
//! `2025-06-01T12:00:05Z`. [`Timestamp`] writes exactly that form and reads it back. The
//! calendar arithmetic is `humantime`'s.
//!
//! The wire fields stay strings: a report whose timestamp does not parse is still a report,
//! and its string is still readable. Parse the string when a time is needed.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::Escaped;

/// Seconds from the Unix epoch to 9999-12-31T23:59:59Z, the last second `humantime` writes.
const MAX_UNIX_SECS: u64 = 253_402_300_799;

/// A point in time as the guest agent writes it: `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC,
/// whole seconds).
///
/// Its range is 1970-01-01T00:00:00Z ([`MIN`](Self::MIN)) to 9999-12-31T23:59:59Z
/// ([`MAX`](Self::MAX)). Building one from a [`SystemTime`] drops the fraction of a second.
///
/// Parsing accepts exactly the strings [`Display`](fmt::Display) writes, so
/// `text.parse::<Timestamp>()?.to_string() == text` for every accepted `text`.
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use mvm_integrations::Timestamp;
///
/// let time = UNIX_EPOCH + Duration::from_millis(1_748_779_205_750);
/// let stamp = Timestamp::from_system_time(time)?;
/// assert_eq!(stamp.to_string(), "2025-06-01T12:00:05Z");
///
/// let read: Timestamp = "2025-06-01T12:00:05Z".parse()?;
/// assert_eq!(read.to_system_time(), UNIX_EPOCH + Duration::from_secs(1_748_779_205));
/// # Ok::<(), mvm_integrations::InvalidTimestamp>(())
/// ```
///
/// # Errors
/// Parsing rejects anything but the written form, such as `2025-06-01T12:00:05.5Z`,
/// `2025-06-01T12:00:05+00:00`, `2025-06-01 12:00:05`, `2025-02-30T00:00:00Z` and
/// `1969-12-31T23:59:59Z`; see [`InvalidTimestamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    unix_secs: u64,
}

impl Timestamp {
    /// The earliest timestamp: `1970-01-01T00:00:00Z`.
    pub const MIN: Timestamp = Timestamp { unix_secs: 0 };

    /// The latest timestamp: `9999-12-31T23:59:59Z`.
    pub const MAX: Timestamp = Timestamp {
        unix_secs: MAX_UNIX_SECS,
    };

    /// The timestamp of `time`, rounded down to the whole second.
    ///
    /// # Errors
    /// Returns an error when `time` is before [`MIN`](Self::MIN) or after the last
    /// second of [`MAX`](Self::MAX).
    pub fn from_system_time(time: SystemTime) -> Result<Self, InvalidTimestamp> {
        match time.duration_since(UNIX_EPOCH) {
            Ok(since) if since.as_secs() <= MAX_UNIX_SECS => Ok(Timestamp {
                unix_secs: since.as_secs(),
            }),
            Ok(since) => Err(InvalidTimestamp::time(false, since)),
            Err(before) => Err(InvalidTimestamp::time(true, before.duration())),
        }
    }

    /// The current time, rounded down to the whole second, and clamped to
    /// [`MIN`](Self::MIN)..=[`MAX`](Self::MAX) if the clock is outside them.
    pub fn now() -> Self {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(since) => Timestamp {
                unix_secs: since.as_secs().min(MAX_UNIX_SECS),
            },
            Err(_) => Timestamp::MIN,
        }
    }

    /// The timestamp `unix_secs` seconds after the Unix epoch, or `None` after
    /// [`MAX`](Self::MAX).
    pub fn from_unix_secs(unix_secs: u64) -> Option<Self> {
        (unix_secs <= MAX_UNIX_SECS).then_some(Timestamp { unix_secs })
    }

    /// Whole seconds since the Unix epoch.
    pub fn unix_secs(self) -> u64 {
        self.unix_secs
    }

    /// The timestamp as a [`SystemTime`].
    pub fn to_system_time(self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.unix_secs)
    }
}

impl fmt::Display for Timestamp {
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // In range by construction, so humantime never returns its out-of-range error.
        fmt::Display::fmt(&humantime::format_rfc3339_seconds(self.to_system_time()), f)
    }
}

impl FromStr for Timestamp {
    type Err = InvalidTimestamp;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let form_ok = text.len() == "YYYY-MM-DDTHH:MM:SSZ".len() && text.ends_with('Z');
        if !form_ok {
            return Err(InvalidTimestamp::text(text, TextProblem::Form));
        }
        let time = humantime::parse_rfc3339(text).map_err(|e| {
            let problem = match e {
                humantime::TimestampError::OutOfRange => TextProblem::Range,
                _ => TextProblem::Form,
            };
            InvalidTimestamp::text(text, problem)
        })?;
        let stamp = Timestamp::from_system_time(time)
            .map_err(|_| InvalidTimestamp::text(text, TextProblem::Range))?;
        // humantime reads a leap second `:60` as `:59`; only the written form is accepted.
        if stamp.to_string() != text {
            return Err(InvalidTimestamp::text(text, TextProblem::Range));
        }
        Ok(stamp)
    }
}

impl TryFrom<&str> for Timestamp {
    type Error = InvalidTimestamp;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl TryFrom<SystemTime> for Timestamp {
    type Error = InvalidTimestamp;

    fn try_from(time: SystemTime) -> Result<Self, Self::Error> {
        Timestamp::from_system_time(time)
    }
}

impl From<Timestamp> for SystemTime {
    fn from(stamp: Timestamp) -> SystemTime {
        stamp.to_system_time()
    }
}

/// The error returned when a string or a [`SystemTime`] is not a [`Timestamp`].
///
/// | input | message |
/// |---|---|
/// | `"2025-06-01 12:00:05"` | ``invalid timestamp `2025-06-01 12:00:05`: expected the form `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC, whole seconds)`` |
/// | `"2025-02-30T00:00:00Z"` | ``invalid timestamp `2025-02-30T00:00:00Z`: expected a date and time between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z`` |
/// | one second before the epoch | ``time out of range: `-1` seconds from the Unix epoch, expected 0 to 253402300799`` |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidTimestamp {
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Text { text: String, problem: TextProblem },
    Time { before_epoch: bool, secs: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextProblem {
    Form,
    Range,
}

impl InvalidTimestamp {
    fn text(text: &str, problem: TextProblem) -> Self {
        InvalidTimestamp {
            kind: Kind::Text {
                text: text.to_owned(),
                problem,
            },
        }
    }

    fn time(before_epoch: bool, distance: Duration) -> Self {
        // Round away from the epoch, so that a time just past a bound never shows as in range.
        let secs = distance
            .as_secs()
            .saturating_add(u64::from(distance.subsec_nanos() > 0 && before_epoch));
        InvalidTimestamp {
            kind: Kind::Time { before_epoch, secs },
        }
    }
}

impl fmt::Display for InvalidTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Text {
                text,
                problem: TextProblem::Form,
            } => write!(
                f,
                "invalid timestamp `{}`: expected the form `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC, whole seconds)",
                Escaped::quoted(text)
            ),
            Kind::Text {
                text,
                problem: TextProblem::Range,
            } => write!(
                f,
                "invalid timestamp `{}`: expected a date and time between {} and {}",
                Escaped::quoted(text),
                Timestamp::MIN,
                Timestamp::MAX
            ),
            Kind::Time { before_epoch, secs } => write!(
                f,
                "time out of range: `{}{secs}` seconds from the Unix epoch, expected 0 to {MAX_UNIX_SECS}",
                if *before_epoch { "-" } else { "" }
            ),
        }
    }
}

impl std::error::Error for InvalidTimestamp {}
