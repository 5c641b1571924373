//! Every public type can cross threads and be moved freely (`Send + Sync + Unpin`), as
//! semver checks for its types. The wire types are unwind-safe too; the loader's error
//! types hold a `std::io::Error`, which is not, like `std::io::Error` itself.

#![allow(clippy::extra_unused_type_parameters)]

use std::panic::{RefUnwindSafe, UnwindSafe};

use mvm_integrations::{
    Diagnostic, DirOutcome, DirStatus, DropinError, DropinErrorKind, DropinLoader, DropinWarning,
    DuplicateName, EntryWarning, Field, FileFate, FileKind, FileOutcome, HeldBack,
    IntegrationEntry, IntegrationEntryBuilder, IntegrationHealthResult, IntegrationManifest,
    IntegrationName, IntegrationStateReport, IntegrationStatus, InvalidEntry,
    InvalidIntegrationName, LoadOutcome, LoadedEntry, ManifestParse, ParseError, ParseErrorKind,
    Position, SecsField, Severity, StateLayout, UnknownStatus,
};

fn assert_send_sync_unpin<T: Send + Sync + Unpin>() {}

fn assert_unwind_safe<T: UnwindSafe + RefUnwindSafe>() {}

/// Errors are also usable as `Box<dyn Error + Send + Sync>`.
fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}

macro_rules! wire_types {
    ($check:ident) => {
        $check::<IntegrationName>();
        $check::<InvalidIntegrationName>();
        $check::<IntegrationEntry>();
        $check::<IntegrationEntryBuilder>();
        $check::<EntryWarning>();
        $check::<InvalidEntry>();
        $check::<IntegrationManifest>();
        $check::<ManifestParse>();
        $check::<DuplicateName>();
        $check::<ParseError>();
        $check::<ParseErrorKind>();
        $check::<Field>();
        $check::<SecsField>();
        $check::<IntegrationStatus>();
        $check::<UnknownStatus>();
        $check::<IntegrationHealthResult>();
        $check::<IntegrationStateReport>();
        $check::<StateLayout>();
        $check::<DropinLoader>();
        $check::<DirStatus>();
        $check::<DropinErrorKind>();
        $check::<HeldBack>();
        $check::<Severity>();
        $check::<Diagnostic>();
        $check::<Position>();
        $check::<FileKind>();
    };
}

#[test]
fn public_types_are_send_sync_unpin() {
    wire_types!(assert_send_sync_unpin);
    assert_send_sync_unpin::<LoadOutcome>();
    assert_send_sync_unpin::<DirOutcome>();
    assert_send_sync_unpin::<FileOutcome>();
    assert_send_sync_unpin::<FileFate>();
    assert_send_sync_unpin::<LoadedEntry>();
    assert_send_sync_unpin::<DropinError>();
    assert_send_sync_unpin::<DropinWarning>();
}

#[test]
fn wire_types_are_unwind_safe() {
    wire_types!(assert_unwind_safe);
    assert_unwind_safe::<LoadedEntry>();
    assert_unwind_safe::<DropinWarning>();
}

#[cfg(feature = "schema")]
#[test]
fn schema_types_are_send_sync_unpin() {
    assert_send_sync_unpin::<mvm_integrations::SchemaDocument>();
    assert_send_sync_unpin::<mvm_integrations::UnknownSchemaDocument>();
    assert_unwind_safe::<mvm_integrations::SchemaDocument>();
    assert_unwind_safe::<mvm_integrations::UnknownSchemaDocument>();
    assert_error::<mvm_integrations::UnknownSchemaDocument>();
}

#[test]
fn errors_are_boxable_thread_safe_errors() {
    assert_error::<InvalidIntegrationName>();
    assert_error::<InvalidEntry>();
    assert_error::<ParseError>();
    assert_error::<DuplicateName>();
    assert_error::<DropinError>();
}
