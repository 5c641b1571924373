//! The wire contract for *integrations* in mvm microVMs.
//!
//! An integration is a workload (a chat connector, a worker, any service) that the guest
//! agent inside a microVM checkpoints before the VM sleeps, restores after it wakes and
//! health-checks while it runs. This crate holds the types that cross the VM boundary:
//!
//! | type | who writes it | who reads it |
//! |---|---|---|
//! | [`IntegrationEntry`] | a workload, as a JSON drop-in in [`INTEGRATIONS_DROPIN_DIR`] | the guest agent |
//! | [`IntegrationManifest`] | the host, on the config drive | the guest agent |
//! | [`IntegrationStateReport`] (with [`IntegrationStatus`] and [`IntegrationHealthResult`]) | the guest agent, over vsock | the host |
//!
//! The JSON these types emit is byte-identical to what the published `mvm-guest` 0.13.0
//! emits, and everything `mvm-guest` 0.3.2 and 0.13.0 emit parses. Every value that can be
//! built with this crate emits JSON that parses back to an equal value: an
//! [`IntegrationEntry`] cannot hold a name or a number that this crate would refuse to read.
//!
//! ```
//! use mvm_integrations::{IntegrationEntry, IntegrationManifest, IntegrationName};
//!
//! let name: IntegrationName = "whatsapp".parse()?;
//! let entry = IntegrationEntry::builder(name)
//!     .checkpoint_cmd("/opt/openclaw/bin/whatsapp-checkpoint")
//!     .critical(true)
//!     .health_interval_secs(15)
//!     .build()?;
//! let manifest = IntegrationManifest::new(vec![entry])?;
//! let json = manifest.to_json();
//! assert_eq!(IntegrationManifest::from_json(&json)?, manifest);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Every wire type parses with `from_json` (text) and `from_slice` (bytes), and emits with
//! `to_json` (pretty) and `to_json_compact`. Parsing accepts JSON objects only and refuses a
//! key repeated in any object (I-JSON, RFC 7493). Every parse error is a [`ParseError`]: its
//! [`kind`](ParseError::kind), its [`position`](ParseError::position), the [`Field`] being
//! parsed and, for a value the crate validates, the typed cause as its `source()`.
//! [`IntegrationManifest::parse_lenient`] keeps the good entries of a manifest with a bad one.
//!
//! Names become directory names on the guest, so they are validated
//! ([`IntegrationName`]); the path helpers ([`integration_state_dir`],
//! [`integration_checkpoint_path`], [`StateLayout`]) take only validated names and can never
//! point outside [`INTEGRATIONS_BASE_PATH`].
//!
//! Reports are observational data from guests that may be older than this crate, so
//! [`IntegrationStateReport::name`] is a plain string and unknown statuses from newer guests
//! are kept ([`IntegrationStatus::Unknown`]) rather than rejected.
//!
//! The drop-in loader ([`DropinLoader`], [`load_dropin_dir`]) is the only part of the crate
//! that does I/O. It never prints: it returns a [`LoadOutcome`] that says what became of
//! each file, with one [`DropinError`] per bad file.
//!
//! # Features
//! - `cli`: the `mvm-integrations` binary (`check`, `manifest`, `schema`), built with clap.
//! - `schema`: [`schemars::JsonSchema`](https://docs.rs/schemars) for the wire types.
//!
//! The default build depends on `serde`, `serde_json`, `thiserror` and `humantime` (for
//! [`Timestamp`]), and on Unix `rustix`.

#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod compat;
mod diagnostic;
mod dropin;
mod dropin_io;
mod dropin_text;
mod entry;
mod error;
mod escape;
mod field;
mod health;
mod manifest;
mod name;
mod paths;
mod position;
#[cfg(feature = "schema")]
mod schema;
mod status;
mod timestamp;

pub use crate::compat::{
    Assessment, DocumentKind, DroppedElement, IgnoredField, InvalidDocumentKind,
    InvalidPeerVersion, PeerVersion, Reaction, Unrewritable, Verdict,
};
pub use crate::diagnostic::{
    Diagnostic, DropinError, DropinErrorKind, DropinWarning, FileKind, Severity,
};
pub use crate::dropin::{
    DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_FILES, DirOutcome, DirStatus, DropinLoader, FileFate,
    FileOutcome, HeldBack, LoadOutcome, LoadedEntry, MAX_WARNINGS_PER_FILE, SKIPPED_SUFFIXES,
    load_dropin_dir,
};
pub use crate::entry::{
    EntryWarning, IntegrationEntry, IntegrationEntryBuilder, InvalidEntry, SecsField,
};
pub use crate::error::{ParseError, ParseErrorKind};
pub use crate::escape::{Escaped, MAX_QUOTED_CHARS};
pub use crate::field::Field;
pub use crate::health::{DETAIL_CUT_MARKER, HealthOutcome, MAX_DETAIL_BYTES, stderr_detail};
pub use crate::manifest::{DuplicateName, IntegrationManifest, ManifestParse};
pub use crate::name::{IntegrationName, InvalidIntegrationName};
pub use crate::paths::{StateLayout, integration_checkpoint_path, integration_state_dir};
pub use crate::position::Position;
#[cfg(feature = "schema")]
pub use crate::schema::{SchemaDocument, UnknownSchemaDocument};
pub use crate::status::{
    IntegrationHealthResult, IntegrationStateReport, IntegrationStatus, UnknownStatus,
};
pub use crate::timestamp::{InvalidTimestamp, Timestamp};

/// Base path inside the guest where integration state is stored.
///
/// Each integration owns `INTEGRATIONS_BASE_PATH/<name>/`; see [`StateLayout`].
pub const INTEGRATIONS_BASE_PATH: &str = "/data/integrations";

/// Directory where integration drop-in files are placed.
///
/// Each `*.json` file in it declares one [`IntegrationEntry`] the guest agent manages.
pub const INTEGRATIONS_DROPIN_DIR: &str = "/etc/mvm/integrations.d";

/// Longest accepted [`IntegrationName`], in bytes.
pub const MAX_NAME_LEN: usize = 64;

/// Default of [`IntegrationEntry::health_interval_secs`] when the field is absent.
pub const DEFAULT_HEALTH_INTERVAL_SECS: u64 = 30;

/// Default of [`IntegrationEntry::health_timeout_secs`] when the field is absent.
pub const DEFAULT_HEALTH_TIMEOUT_SECS: u64 = 10;

/// Default of [`IntegrationEntry::startup_grace_secs`] when the field is absent.
pub const DEFAULT_STARTUP_GRACE_SECS: u64 = 0;

/// Largest accepted [`IntegrationEntry::health_interval_secs`]: one day.
///
/// The smallest is 1: a zero interval would make an agent spin.
pub const MAX_HEALTH_INTERVAL_SECS: u64 = 86_400;

/// Largest accepted [`IntegrationEntry::health_timeout_secs`]: one day.
///
/// The smallest is 1: a zero timeout would fail every check before it starts.
pub const MAX_HEALTH_TIMEOUT_SECS: u64 = 86_400;

/// Largest accepted [`IntegrationEntry::startup_grace_secs`]: one day.
///
/// The smallest is 0 (no grace). The bound keeps `Instant + grace` from overflowing.
pub const MAX_STARTUP_GRACE_SECS: u64 = 86_400;

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The migration guide, `docs/migration.md`, compiled so that its examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/migration.md")]
pub struct MigrationGuide;

/// `docs/compat.md` and `docs/contract.md`, compiled so that their Rust examples run as
/// doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/compat.md")]
#[doc = include_str!("../docs/contract.md")]
pub struct ReferenceDocs;
