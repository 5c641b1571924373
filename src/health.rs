//! Health results from what a health command actually did, and the startup grace window.
//!
//! Running the command is the agent's business; this module only turns what happened into
//! the [`IntegrationHealthResult`] every agent reports, with one detail format.

use std::process::ExitStatus;
use std::time::Duration;

use crate::{IntegrationEntry, IntegrationHealthResult, IntegrationStatus, Timestamp};

/// The longest detail a [`HealthOutcome`] writes, in bytes: 4 KiB, as much of a probe's
/// output as Docker keeps.
pub const MAX_DETAIL_BYTES: usize = 4096;

/// The marker that ends a detail cut to [`MAX_DETAIL_BYTES`].
pub const DETAIL_CUT_MARKER: &str = "…[truncated]";

/// What happened when the agent ran an entry's `health_cmd` once.
///
/// [`to_health_result`](Self::to_health_result) turns it into the
/// [`IntegrationHealthResult`] sent to the host. The detail format, written once here:
///
/// | outcome | `healthy` | `detail` |
/// |---|---|---|
/// | [`Passed`](Self::Passed) | `true` | `ok` |
/// | [`Failed`](Self::Failed) with stderr | `false` | the stderr, trimmed and bounded (see [`stderr_detail`]) |
/// | [`Failed`](Self::Failed), stderr empty or only white space | `false` | `exit code N` |
/// | [`Signalled`](Self::Signalled) | `false` | `killed by signal N` |
/// | [`TimedOut`](Self::TimedOut) | `false` | `timed out after Ns` (whole seconds, rounded down) |
/// | [`NotStarted`](Self::NotStarted) | `false` | `failed to execute: <error>`, bounded |
/// | [`NotConfigured`](Self::NotConfigured) | `true` | `no health_cmd configured` |
///
/// These are the published `mvm-guest` strings, with two corrections: a timeout is never
/// healthy (0.13.0 reports a timed-out command as healthy `ok`), and a command killed by a
/// signal says so instead of `exit code -1`. No detail is longer than
/// [`MAX_DETAIL_BYTES`]. An entry without a `health_cmd` is healthy, as in the published
/// agents.
///
/// ```
/// use std::time::Duration;
/// use mvm_integrations::{HealthOutcome, Timestamp};
///
/// let at: Timestamp = "2025-06-01T12:00:05Z".parse()?;
/// let timed_out = HealthOutcome::TimedOut { after: Duration::from_secs(5) };
/// let result = timed_out.to_health_result(at);
/// assert!(!result.healthy());
/// assert_eq!(result.detail(), "timed out after 5s");
/// assert_eq!(result.checked_at(), "2025-06-01T12:00:05Z");
///
/// let failed = HealthOutcome::Failed { code: 3, stderr: b"  db down\n".to_vec() };
/// assert_eq!(failed.detail(), "db down");
/// # Ok::<(), mvm_integrations::InvalidTimestamp>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HealthOutcome {
    /// The command exited 0.
    Passed,
    /// The command exited with a non-zero code.
    Failed {
        /// The exit code.
        code: i32,
        /// What the command wrote on stderr; only the first [`MAX_DETAIL_BYTES`] bytes
        /// are used, so an agent need not keep more than one byte past them.
        stderr: Vec<u8>,
    },
    /// The command was ended by a signal (Unix).
    Signalled {
        /// The signal number, such as 9 for `SIGKILL`.
        signal: i32,
    },
    /// The command ran past its timeout and was killed.
    TimedOut {
        /// The timeout it ran past, usually the entry's
        /// [`health_timeout`](IntegrationEntry::health_timeout).
        after: Duration,
    },
    /// The command could not be started.
    NotStarted {
        /// Why, such as the operating system's error message.
        error: String,
    },
    /// The entry has no `health_cmd`.
    NotConfigured,
}

impl HealthOutcome {
    /// The outcome of a command that ran to its end with `status`, having written `stderr`.
    ///
    /// Exit code 0 is [`Passed`](Self::Passed), another code [`Failed`](Self::Failed), and
    /// on Unix a status without a code [`Signalled`](Self::Signalled) (a stopped process's
    /// stop signal counts as the signal; `wait` does not report those).
    ///
    /// A timeout is not an exit status: report it as [`TimedOut`](Self::TimedOut), whatever
    /// status the killed command left.
    pub fn from_exit_status(status: ExitStatus, stderr: &[u8]) -> Self {
        if status.success() {
            return HealthOutcome::Passed;
        }
        if let Some(code) = status.code() {
            return HealthOutcome::Failed {
                code,
                stderr: stderr[..stderr.len().min(MAX_DETAIL_BYTES + 1)].to_vec(),
            };
        }
        HealthOutcome::Signalled {
            signal: signal_of(status),
        }
    }

    /// Whether the outcome counts as healthy: [`Passed`](Self::Passed) and
    /// [`NotConfigured`](Self::NotConfigured).
    pub fn is_healthy(&self) -> bool {
        matches!(self, HealthOutcome::Passed | HealthOutcome::NotConfigured)
    }

    /// The detail the host receives, in the format of the [table](Self); at most
    /// [`MAX_DETAIL_BYTES`] bytes.
    pub fn detail(&self) -> String {
        match self {
            HealthOutcome::Passed => "ok".to_owned(),
            HealthOutcome::Failed { code, stderr } => {
                let detail = stderr_detail(stderr);
                if detail.is_empty() {
                    format!("exit code {code}")
                } else {
                    detail
                }
            }
            HealthOutcome::Signalled { signal } => format!("killed by signal {signal}"),
            HealthOutcome::TimedOut { after } => format!("timed out after {}s", after.as_secs()),
            HealthOutcome::NotStarted { error } => {
                stderr_detail(format!("failed to execute: {error}").as_bytes())
            }
            HealthOutcome::NotConfigured => "no health_cmd configured".to_owned(),
        }
    }

    /// The health result to report, checked at `checked_at`.
    pub fn to_health_result(&self, checked_at: Timestamp) -> IntegrationHealthResult {
        // The one call into the health result's constructor.
        IntegrationHealthResult::new(self.is_healthy(), self.detail(), checked_at.to_string())
    }
}

#[cfg(unix)]
fn signal_of(status: ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .signal()
        .or_else(|| status.stopped_signal())
        .unwrap_or(0)
}

#[cfg(not(unix))]
fn signal_of(_status: ExitStatus) -> i32 {
    0
}

/// A command's stderr as a health detail: at most [`MAX_DETAIL_BYTES`] bytes of UTF-8.
///
/// - Bytes that are not UTF-8 become U+FFFD (`�`). The detail is data: the JSON carries it
///   as it is, and [`Escaped`](crate::Escaped) makes it safe for a terminal.
/// - White space at both ends is trimmed.
/// - Input longer than [`MAX_DETAIL_BYTES`] bytes is cut on a character boundary and ends
///   with [`DETAIL_CUT_MARKER`], and the whole detail, marker included, stays within the
///   bound. Only the first `MAX_DETAIL_BYTES + 1` bytes of input are ever read, so an agent
///   can stop reading there.
///
/// ```
/// use mvm_integrations::{DETAIL_CUT_MARKER, MAX_DETAIL_BYTES, stderr_detail};
///
/// assert_eq!(stderr_detail(b"\tno route to host\n"), "no route to host");
/// assert_eq!(stderr_detail(b"bad \xff byte"), "bad \u{fffd} byte");
///
/// let long = stderr_detail(&vec![b'x'; 10_000]);
/// assert!(long.len() <= MAX_DETAIL_BYTES);
/// assert!(long.ends_with(DETAIL_CUT_MARKER));
/// ```
pub fn stderr_detail(stderr: &[u8]) -> String {
    let over = stderr.len() > MAX_DETAIL_BYTES;
    let head = if over {
        drop_partial_char(&stderr[..MAX_DETAIL_BYTES])
    } else {
        stderr
    };
    let text = String::from_utf8_lossy(head);
    let text = text.trim();
    if !over && text.len() <= MAX_DETAIL_BYTES {
        return text.to_owned();
    }
    let mut keep = MAX_DETAIL_BYTES - DETAIL_CUT_MARKER.len();
    while !text.is_char_boundary(keep.min(text.len())) {
        keep -= 1;
    }
    let kept = text[..keep.min(text.len())].trim_end();
    format!("{kept}{DETAIL_CUT_MARKER}")
}

/// `bytes` without a UTF-8 sequence cut short at its end, so that a cut in the middle of a
/// character does not show as U+FFFD.
fn drop_partial_char(bytes: &[u8]) -> &[u8] {
    match bytes.utf8_chunks().last() {
        Some(chunk) if is_partial(chunk.invalid()) => &bytes[..bytes.len() - chunk.invalid().len()],
        _ => bytes,
    }
}

/// Whether `tail` (the invalid bytes at the end of the input) is the start of a multi-byte
/// sequence that the cut made short.
fn is_partial(tail: &[u8]) -> bool {
    let want = match tail.first() {
        Some(0xC2..=0xDF) => 2,
        Some(0xE0..=0xEF) => 3,
        Some(0xF0..=0xF4) => 4,
        _ => return false,
    };
    tail.len() < want && tail[1..].iter().all(|b| b & 0xC0 == 0x80)
}

impl IntegrationEntry {
    /// Whether `since_start` (the time since the integration started) is inside the entry's
    /// startup grace: `since_start < startup_grace`.
    ///
    /// The window is half-open: at exactly `startup_grace` it is over, and a grace of 0
    /// (the default) is never inside.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mvm_integrations::IntegrationEntry;
    ///
    /// let entry = IntegrationEntry::builder("worker".parse()?).startup_grace_secs(30).build()?;
    /// assert!(entry.within_startup_grace(Duration::from_millis(29_999)));
    /// assert!(!entry.within_startup_grace(Duration::from_secs(30)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn within_startup_grace(&self, since_start: Duration) -> bool {
        since_start < self.startup_grace()
    }
}

impl IntegrationStatus {
    /// The status of `entry`, `since_start` after it started, given its last health
    /// result: [`from_health`](Self::from_health) with
    /// [`within_startup_grace`](IntegrationEntry::within_startup_grace).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mvm_integrations::{HealthOutcome, IntegrationEntry, IntegrationStatus, Timestamp};
    ///
    /// let entry = IntegrationEntry::builder("worker".parse()?).startup_grace_secs(30).build()?;
    /// let failed = HealthOutcome::Failed { code: 1, stderr: Vec::new() }.to_health_result(Timestamp::now());
    /// let early = IntegrationStatus::for_entry(&entry, Duration::from_secs(5), Some(&failed));
    /// assert_eq!(early, IntegrationStatus::Starting);
    /// let late = IntegrationStatus::for_entry(&entry, Duration::from_secs(30), Some(&failed));
    /// assert_eq!(late, IntegrationStatus::Error("exit code 1".to_owned()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_entry(
        entry: &IntegrationEntry,
        since_start: Duration,
        last: Option<&IntegrationHealthResult>,
    ) -> Self {
        IntegrationStatus::from_health(last, entry.within_startup_grace(since_start))
    }
}
