//! Every public type can cross threads and be moved freely: `Send + Sync + Unpin`, and
//! unwind-safe, as semver checks for its types.

#![allow(clippy::extra_unused_type_parameters)]

use std::panic::{RefUnwindSafe, UnwindSafe};

use mvm_integrations::{
    EntryWarning, IntegrationEntry, IntegrationEntryBuilder, IntegrationHealthResult,
    IntegrationManifest, IntegrationName, IntegrationStateReport, IntegrationStatus, InvalidEntry,
    InvalidIntegrationName, StateLayout, UnknownStatus,
};

fn assert_auto_traits<T: Send + Sync + Unpin + UnwindSafe + RefUnwindSafe>() {}

/// Errors are also usable as `Box<dyn Error + Send + Sync>`.
fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}

#[test]
fn public_types_are_send_sync_unpin() {
    assert_auto_traits::<IntegrationName>();
    assert_auto_traits::<InvalidIntegrationName>();
    assert_auto_traits::<IntegrationEntry>();
    assert_auto_traits::<IntegrationEntryBuilder>();
    assert_auto_traits::<EntryWarning>();
    assert_auto_traits::<InvalidEntry>();
    assert_auto_traits::<IntegrationManifest>();
    assert_auto_traits::<IntegrationStatus>();
    assert_auto_traits::<UnknownStatus>();
    assert_auto_traits::<IntegrationHealthResult>();
    assert_auto_traits::<IntegrationStateReport>();
    assert_auto_traits::<StateLayout>();
}

#[test]
fn errors_are_boxable_thread_safe_errors() {
    assert_error::<InvalidIntegrationName>();
    assert_error::<InvalidEntry>();
}
