//! The manifest the host writes to the config drive.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde_json::value::RawValue;

use crate::entry::{EntrySeed, IntegrationEntry};
use crate::error::{
    Cause, Keys, ParseError, RawList, duplicate_key, fail_with, in_element, in_field,
    missing_field, wrong_type,
};
use crate::escape::Escaped;
use crate::field::Field;
use crate::name::IntegrationName;

/// The integrations an instance runs, written by the host to the config drive so that the
/// guest agent knows what to manage.
///
/// # Wire format
/// `{"integrations": [ ...entries... ]}`, a JSON object (an array is refused). The
/// `integrations` field is required; an empty list is `{"integrations": []}`. Unknown
/// fields are ignored. Each name appears at most once: two entries of the same name would
/// share one state directory.
///
/// [`to_json`](Self::to_json) writes pretty JSON byte-identical to `mvm-guest` 0.13.0's
/// `IntegrationManifest::to_json`, so equal manifests always hash equal.
///
/// The entries are private, so that every manifest keeps the rule on names: build one
/// with [`new`](Self::new) or [`push`](Self::push), or parse one.
///
/// ```
/// use mvm_integrations::IntegrationManifest;
///
/// let manifest = IntegrationManifest::from_json(r#"{"integrations": [{"name": "signal"}]}"#)?;
/// assert_eq!(manifest.entries()[0].name(), "signal");
/// assert!(manifest.get("signal").is_some());
/// assert_eq!(IntegrationManifest::from_json(&manifest.to_json())?, manifest);
/// # Ok::<(), mvm_integrations::ParseError>(())
/// ```
///
/// # Errors
/// Strict parsing ([`from_json`](Self::from_json)) fails when the document is not an
/// object, when `integrations` is missing or is not a list, when a key appears twice in one
/// object, when any entry is invalid (see [`IntegrationEntry`]), and when two entries have
/// the same name. [`parse_lenient`](Self::parse_lenient) keeps the good entries instead.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(transform = crate::schema::tidy_docs)
)]
pub struct IntegrationManifest {
    /// The integrations, in the order the guest agent should handle them, each name at most
    /// once. Required.
    integrations: Vec<IntegrationEntry>,
}

impl IntegrationManifest {
    /// A manifest listing `entries`, in order.
    ///
    /// # Errors
    /// Returns [`DuplicateName`] when two entries have the same name.
    ///
    /// ```
    /// use mvm_integrations::{IntegrationEntry, IntegrationManifest};
    ///
    /// let a = IntegrationEntry::new("a".parse()?);
    /// let err = IntegrationManifest::new(vec![a.clone(), a]).unwrap_err();
    /// assert_eq!(err.index(), 1);
    /// assert_eq!(err.to_string(), "duplicate integration name `a`: entry 1 has the name of entry 0, expected each name once");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(entries: Vec<IntegrationEntry>) -> Result<Self, DuplicateName> {
        let mut names = Names::default();
        for (index, entry) in entries.iter().enumerate() {
            names.insert(entry.name(), index)?;
        }
        Ok(IntegrationManifest {
            integrations: entries,
        })
    }

    /// A manifest of `entries` keeping the first entry of each name: for the loader, whose
    /// entries are unique already.
    pub(crate) fn keeping_first(entries: impl IntoIterator<Item = IntegrationEntry>) -> Self {
        let mut integrations: Vec<IntegrationEntry> = Vec::new();
        for entry in entries {
            if integrations.iter().all(|e| e.name() != entry.name()) {
                integrations.push(entry);
            }
        }
        IntegrationManifest { integrations }
    }

    /// Appends `entry`.
    ///
    /// # Errors
    /// Returns [`DuplicateName`], and leaves the manifest as it was, when an entry of the
    /// same name is already listed.
    pub fn push(&mut self, entry: IntegrationEntry) -> Result<(), DuplicateName> {
        if let Some(first) = self.position(entry.name().as_str()) {
            return Err(DuplicateName {
                name: entry.name().clone(),
                index: self.integrations.len(),
                first,
            });
        }
        self.integrations.push(entry);
        Ok(())
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.integrations.iter().position(|e| e.name() == name)
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[IntegrationEntry] {
        &self.integrations
    }

    /// The entry named `name`, if there is one.
    pub fn get(&self, name: &str) -> Option<&IntegrationEntry> {
        self.position(name).map(|i| &self.integrations[i])
    }

    /// An iterator over the entries, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, IntegrationEntry> {
        self.integrations.iter()
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.integrations.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.integrations.is_empty()
    }

    /// The entries, in order, without copying them.
    pub fn into_entries(self) -> Vec<IntegrationEntry> {
        self.integrations
    }

    /// Parses a manifest from JSON text, strictly: any problem fails the whole manifest.
    ///
    /// # Errors
    /// A [`ParseError`] for the first problem in the document. For a problem in an entry,
    /// [`index`](ParseError::index) is the entry's index; a name that an earlier entry
    /// already has is a [`DuplicateName`](crate::ParseErrorKind::DuplicateName) error on the
    /// later entry, placed at its start.
    pub fn from_json(json: &str) -> Result<Self, ParseError> {
        // One pass when the manifest is good; on an error, the entry-by-entry parse places
        // it as `parse_lenient` does, so that both parses report a problem the same way.
        let error = match crate::error::from_json::<IntegrationManifest>(json) {
            Ok(manifest) => return Ok(manifest),
            Err(error) => error,
        };
        match IntegrationManifest::parse_lenient(json) {
            Err(error) => Err(error),
            Ok(parsed) => Err(parsed.problems.into_iter().next().unwrap_or(error)),
        }
    }

    /// Parses a manifest from JSON bytes, strictly.
    ///
    /// # Errors
    /// As [`from_json`](Self::from_json). Bytes that are not UTF-8 are an error too, even
    /// inside a field that is ignored: ``invalid UTF-8: expected JSON text at line 1 column 22``.
    pub fn from_slice(json: &[u8]) -> Result<Self, ParseError> {
        IntegrationManifest::from_json(crate::error::utf8(json)?)
    }

    /// Parses a manifest entry by entry, so that one bad entry does not cost the others:
    /// for hosts, which must not lose every integration of a VM over one legacy entry.
    ///
    /// The result holds every valid entry, in order, and one [`ParseError`] per invalid
    /// element, each with its [`index`](ParseError::index) and its
    /// [`position`](ParseError::position) counted in the whole document. An entry whose name
    /// an earlier valid entry already has is a problem too
    /// ([`DuplicateName`](crate::ParseErrorKind::DuplicateName)), placed at its start; the
    /// earlier entry is kept.
    ///
    /// ```
    /// use mvm_integrations::{IntegrationManifest, ParseErrorKind, Position};
    ///
    /// let json = r#"{"integrations": [
    ///   {"name": "a"},
    ///   {"name": "My App"},
    ///   {"name": "b", "health_interval_secs": 0},
    ///   {"name": "a"}
    /// ]}"#;
    /// let parsed = IntegrationManifest::parse_lenient(json)?;
    /// let names: Vec<&str> = parsed.manifest().iter().map(|e| e.name().as_str()).collect();
    /// assert_eq!(names, ["a"]);
    /// let problems: Vec<(Option<usize>, ParseErrorKind, Option<Position>)> = parsed
    ///     .problems()
    ///     .iter()
    ///     .map(|p| (p.index(), p.kind(), p.position()))
    ///     .collect();
    /// assert_eq!(problems, [
    ///     (Some(1), ParseErrorKind::Value, Some(Position { line: 3, column: 19 })),
    ///     (Some(2), ParseErrorKind::Value, Some(Position { line: 4, column: 41 })),
    ///     (Some(3), ParseErrorKind::DuplicateName, Some(Position { line: 5, column: 3 })),
    /// ]);
    /// # Ok::<(), mvm_integrations::ParseError>(())
    /// ```
    ///
    /// # Errors
    /// Returns a [`ParseError`] when the document as a whole is not a manifest: not JSON, not
    /// an object, no `integrations` list, a key twice in the top-level object or in an
    /// unknown field.
    pub fn parse_lenient(json: &str) -> Result<ManifestParse, ParseError> {
        let raw = crate::error::from_json_seed(json, RawManifest)?;
        let mut integrations = Vec::with_capacity(raw.len());
        let mut problems = Vec::new();
        let mut names = Names::default();
        let parsed = crate::error::parse_elements(json, raw, |index, text| {
            let entry = crate::error::from_json::<IntegrationEntry>(text)?;
            match names.insert(entry.name(), index) {
                Ok(()) => Ok(entry),
                Err(duplicate) => Err(duplicate.into_parse_error()),
            }
        });
        for result in parsed {
            match result {
                Ok(entry) => integrations.push(entry),
                Err(e) => problems.push(e),
            }
        }
        Ok(ManifestParse {
            manifest: IntegrationManifest { integrations },
            problems,
        })
    }

    /// Emits the manifest as pretty JSON (two-space indent, no final newline), the form
    /// written to the config drive.
    pub fn to_json(&self) -> String {
        crate::error::to_json(self, true)
    }

    /// Emits the manifest as compact JSON.
    pub fn to_json_compact(&self) -> String {
        crate::error::to_json(self, false)
    }
}

impl TryFrom<Vec<IntegrationEntry>> for IntegrationManifest {
    type Error = DuplicateName;

    fn try_from(entries: Vec<IntegrationEntry>) -> Result<Self, DuplicateName> {
        IntegrationManifest::new(entries)
    }
}

/// Collects entries into a manifest, or the first [`DuplicateName`].
///
/// ```
/// use mvm_integrations::{DuplicateName, IntegrationEntry, IntegrationManifest};
///
/// let manifest: IntegrationManifest = ["a", "b"]
///     .into_iter()
///     .map(|n| IntegrationEntry::builder_for(n).build())
///     .collect::<Result<Vec<_>, _>>()?
///     .into_iter()
///     .collect::<Result<_, DuplicateName>>()?;
/// assert_eq!(manifest.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl FromIterator<IntegrationEntry> for Result<IntegrationManifest, DuplicateName> {
    fn from_iter<I: IntoIterator<Item = IntegrationEntry>>(iter: I) -> Self {
        let mut manifest = IntegrationManifest::default();
        for entry in iter {
            manifest.push(entry)?;
        }
        Ok(manifest)
    }
}

impl From<IntegrationManifest> for Vec<IntegrationEntry> {
    fn from(manifest: IntegrationManifest) -> Self {
        manifest.integrations
    }
}

impl<'a> IntoIterator for &'a IntegrationManifest {
    type Item = &'a IntegrationEntry;
    type IntoIter = std::slice::Iter<'a, IntegrationEntry>;

    fn into_iter(self) -> Self::IntoIter {
        self.integrations.iter()
    }
}

impl IntoIterator for IntegrationManifest {
    type Item = IntegrationEntry;
    type IntoIter = std::vec::IntoIter<IntegrationEntry>;

    fn into_iter(self) -> Self::IntoIter {
        self.integrations.into_iter()
    }
}

/// The result of [`IntegrationManifest::parse_lenient`]: the valid entries and one problem
/// per invalid element.
#[derive(Debug)]
pub struct ManifestParse {
    manifest: IntegrationManifest,
    problems: Vec<ParseError>,
}

impl ManifestParse {
    /// The manifest of the valid entries, in document order.
    pub fn manifest(&self) -> &IntegrationManifest {
        &self.manifest
    }

    /// One error per invalid element, in document order, each with its index and its
    /// position in the whole document.
    pub fn problems(&self) -> &[ParseError] {
        &self.problems
    }

    /// Whether every element was a valid entry.
    pub fn is_complete(&self) -> bool {
        self.problems.is_empty()
    }

    /// The manifest and the problems.
    pub fn into_parts(self) -> (IntegrationManifest, Vec<ParseError>) {
        (self.manifest, self.problems)
    }
}

/// The error returned when two entries of a manifest have the same name.
///
/// ``duplicate integration name `a`: entry 3 has the name of entry 0, expected each name once``
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateName {
    name: IntegrationName,
    index: usize,
    first: usize,
}

impl DuplicateName {
    /// The name both entries have.
    pub fn name(&self) -> &IntegrationName {
        &self.name
    }

    /// The index of the later entry, the one refused.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The index of the earlier entry, the one kept.
    pub fn first_index(&self) -> usize {
        self.first
    }

    fn into_parse_error(self) -> ParseError {
        ParseError::with_cause(Cause::Duplicate(self))
    }
}

impl fmt::Display for DuplicateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "duplicate integration name `{}`: entry {} has the name of entry {}, expected each name once",
            Escaped::new(self.name.as_str()),
            self.index,
            self.first
        )
    }
}

impl std::error::Error for DuplicateName {}

/// The names seen so far, with the index of the first entry of each.
#[derive(Default)]
struct Names {
    seen: HashMap<IntegrationName, usize>,
}

impl Names {
    fn insert(&mut self, name: &IntegrationName, index: usize) -> Result<(), DuplicateName> {
        match self.seen.get(name) {
            Some(&first) => Err(DuplicateName {
                name: name.clone(),
                index,
                first,
            }),
            None => {
                self.seen.insert(name.clone(), index);
                Ok(())
            }
        }
    }
}

/// The top level of a manifest, with each entry's text left unparsed.
struct RawManifest;

impl<'de> DeserializeSeed<'de> for RawManifest {
    type Value = Vec<&'de RawValue>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(ManifestVisitor {
            entries: RawList(ENTRIES),
        })
    }
}

/// Parses the top-level object of a manifest; `entries` parses the list.
struct ManifestVisitor<S> {
    entries: S,
}

impl<'de, S: DeserializeSeed<'de> + Copy> Visitor<'de> for ManifestVisitor<S> {
    type Value = S::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integration manifest object")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Err(wrong_type(Unexpected::Str(v), &self))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut integrations = None;
        let mut keys = Keys::default();
        while let Some(key) = map.next_key_seed(crate::error::AnyKey)? {
            match key.as_deref() {
                Some("integrations") => {
                    if integrations.is_some() {
                        return in_field(
                            Field::Integrations,
                            Err(duplicate_key(Field::Integrations.as_str())),
                        );
                    }
                    integrations = Some(in_field(
                        Field::Integrations,
                        map.next_value_seed(self.entries),
                    )?);
                }
                _ => {
                    if let Some(key) = key {
                        keys.insert(key)?;
                    }
                    crate::error::skip_value(&mut map)?;
                }
            }
        }
        match integrations {
            Some(integrations) => Ok(integrations),
            None => in_field(Field::Integrations, Err(missing_field(Field::Integrations))),
        }
    }
}

const ENTRIES: &str = "a list of integration entries";

/// The list of entries, parsed: the serde path, for any self-describing format.
#[derive(Clone, Copy)]
struct Entries;

impl<'de> DeserializeSeed<'de> for Entries {
    type Value = Vec<IntegrationEntry>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

/// The indexes of the first entry whose name an earlier entry already has, and of that
/// earlier entry. A few entries are compared pairwise, which costs less than a hash map.
fn first_repeated_name(entries: &[IntegrationEntry]) -> Option<(usize, usize)> {
    const FEW: usize = 16;
    if entries.len() <= FEW {
        return entries.iter().enumerate().find_map(|(index, entry)| {
            entries[..index]
                .iter()
                .position(|earlier| earlier.name() == entry.name())
                .map(|first| (first, index))
        });
    }
    let mut names: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        if let Some(&first) = names.get(entry.name().as_str()) {
            return Some((first, index));
        }
        names.insert(entry.name().as_str(), index);
    }
    None
}

impl<'de> Visitor<'de> for Entries {
    type Value = Vec<IntegrationEntry>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(ENTRIES)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Err(wrong_type(Unexpected::Str(v), &self))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut entries: Vec<IntegrationEntry> = Vec::new();
        loop {
            let index = entries.len();
            let next = seq.next_element_seed(EntrySeed { unknown: None });
            match in_element(index, next)? {
                Some(entry) => entries.push(entry),
                None => break,
            }
        }
        // Names are checked once the list is read, without copying them; `from_json` then
        // places the error at the later entry.
        match first_repeated_name(&entries) {
            Some((first, index)) => {
                let duplicate = DuplicateName {
                    name: entries[index].name().clone(),
                    index,
                    first,
                };
                in_element(
                    index,
                    in_field(Field::Name, Err(fail_with(Cause::Duplicate(duplicate)))),
                )
            }
            None => Ok(entries),
        }
    }
}

impl<'de> serde::Deserialize<'de> for IntegrationManifest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let integrations = deserializer.deserialize_map(ManifestVisitor { entries: Entries })?;
        Ok(IntegrationManifest { integrations })
    }
}
