//! The manifest the host writes to the config drive.

use serde::{Deserialize, Serialize};

use crate::entry::IntegrationEntry;

/// The integrations an instance runs, written by the host to the config drive so that the
/// guest agent knows what to manage.
///
/// # Wire format
/// `{"integrations": [ ...entries... ]}`. The `integrations` field is required; an empty
/// list is `{"integrations": []}`. Unknown fields are ignored.
///
/// [`to_json`](Self::to_json) writes pretty JSON byte-identical to `mvm-guest` 0.13.0's
/// `IntegrationManifest::to_json`, so equal manifests always hash equal.
///
/// ```
/// use mvm_integrations::IntegrationManifest;
///
/// let manifest = IntegrationManifest::from_json(r#"{"integrations": [{"name": "signal"}]}"#)?;
/// assert_eq!(manifest.integrations[0].name(), "signal");
/// assert_eq!(IntegrationManifest::from_json(&manifest.to_json())?, manifest);
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// # Errors
/// Parsing fails when `integrations` is missing or is not a list, and when any entry is
/// invalid (see [`IntegrationEntry`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(transform = crate::schema::tidy_docs)
)]
#[non_exhaustive]
pub struct IntegrationManifest {
    /// The integrations, in the order the guest agent should handle them. Required.
    pub integrations: Vec<IntegrationEntry>,
}

impl IntegrationManifest {
    /// A manifest listing `integrations`.
    pub fn new(integrations: Vec<IntegrationEntry>) -> Self {
        IntegrationManifest { integrations }
    }

    /// Parses a manifest from JSON text.
    ///
    /// # Errors
    /// The [`serde_json::Error`] says what was wrong and where (line and column).
    #[inline]
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Parses a manifest from JSON bytes.
    ///
    /// # Errors
    /// As [`from_json`](Self::from_json). Bytes that are not UTF-8 are an error too, even
    /// inside a field that is ignored: ``invalid UTF-8 at byte 21: expected JSON text``.
    pub fn from_slice(json: &[u8]) -> Result<Self, serde_json::Error> {
        match std::str::from_utf8(json) {
            Ok(text) => IntegrationManifest::from_json(text),
            Err(e) => Err(serde::de::Error::custom(format_args!(
                "invalid UTF-8 at byte {}: expected JSON text",
                e.valid_up_to()
            ))),
        }
    }

    /// Emits the manifest as pretty JSON (two-space indent, no final newline), the form
    /// written to the config drive.
    #[inline]
    pub fn to_json(&self) -> String {
        // Serializing to a `Vec` cannot fail for these types: every key is a string and no
        // `Serialize` impl in this crate returns an error.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Emits the manifest as compact JSON, as `serde_json::to_string` does.
    #[inline]
    pub fn to_json_compact(&self) -> String {
        // As in `to_json`, this cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl From<Vec<IntegrationEntry>> for IntegrationManifest {
    fn from(integrations: Vec<IntegrationEntry>) -> Self {
        IntegrationManifest::new(integrations)
    }
}

impl FromIterator<IntegrationEntry> for IntegrationManifest {
    fn from_iter<I: IntoIterator<Item = IntegrationEntry>>(iter: I) -> Self {
        IntegrationManifest::new(iter.into_iter().collect())
    }
}
