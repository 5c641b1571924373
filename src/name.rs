//! The validated integration name.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

use crate::MAX_NAME_LEN;
use crate::error::{Cause, fail_with, wrong_type};
use crate::escape::Escaped;

/// The name of an integration, validated so that it is safe as a directory name.
///
/// A name is 1 to [`MAX_NAME_LEN`] (64) bytes of ASCII letters, digits, `.`, `_` and `-`,
/// and starts with a letter or a digit. That rules out `.`, `..`, hidden names, path
/// separators and anything a shell or a file system would treat specially, so the paths
/// built from a name ([`StateLayout`](crate::StateLayout)) always stay under the base.
///
/// [`new`](Self::new), [`FromStr`], [`TryFrom`] and [`Deserialize`] all run the same
/// validator: there is no way to obtain an `IntegrationName` that breaks the rule.
///
/// ```
/// use mvm_integrations::IntegrationName;
///
/// let name = IntegrationName::new("openclaw-worker")?;
/// assert_eq!(name.as_str(), "openclaw-worker");
/// assert_eq!(name, "openclaw-worker");
///
/// let err = IntegrationName::new("../etc").unwrap_err();
/// assert_eq!(err.to_string(), "invalid integration name `../etc`: must not contain `/`");
/// # Ok::<(), mvm_integrations::InvalidIntegrationName>(())
/// ```
///
/// # Errors
/// These are rejected: `""` (empty), a 65-byte name (too long), `"my app"`, `"a/b"`,
/// `"é"` (a character outside the set), `".hidden"`, `"-x"` and `"_x"` (bad first character).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IntegrationName(String);

impl IntegrationName {
    /// Validates `name` and returns it as an `IntegrationName`.
    ///
    /// # Errors
    /// Returns [`InvalidIntegrationName`] when `name` is empty, longer than
    /// [`MAX_NAME_LEN`] bytes, contains a byte outside `[A-Za-z0-9._-]` or does not start
    /// with a letter or a digit.
    pub fn new(name: &str) -> Result<Self, InvalidIntegrationName> {
        match check(name) {
            Ok(()) => Ok(IntegrationName(name.to_owned())),
            Err(kind) => Err(InvalidIntegrationName::new(name.to_owned(), kind)),
        }
    }

    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A valid name that is never shown: what a builder holds while its given name is
    /// invalid.
    pub(crate) fn placeholder() -> Self {
        IntegrationName(String::from("placeholder"))
    }

    /// Consumes the name and returns the inner `String`.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// The one validator behind every way of building an [`IntegrationName`].
fn check(name: &str) -> Result<(), ErrorKind> {
    if name.is_empty() {
        return Err(ErrorKind::Empty);
    }
    if name.len() > MAX_NAME_LEN {
        return Err(ErrorKind::TooLong(name.len()));
    }
    // Scan bytes, not chars: it is faster, and every byte before the first bad one is
    // ASCII, so the bad one starts a character.
    if let Some(i) = name
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')))
    {
        let bad = name.get(i..).and_then(|rest| rest.chars().next());
        return Err(ErrorKind::Char(bad.unwrap_or(char::REPLACEMENT_CHARACTER)));
    }
    // Only ASCII is left, so the first byte is the first character.
    let first = char::from(name.as_bytes()[0]);
    if !first.is_ascii_alphanumeric() {
        return Err(ErrorKind::Start(first));
    }
    Ok(())
}

impl FromStr for IntegrationName {
    type Err = InvalidIntegrationName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IntegrationName::new(s)
    }
}

impl TryFrom<&str> for IntegrationName {
    type Error = InvalidIntegrationName;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        IntegrationName::new(s)
    }
}

impl TryFrom<String> for IntegrationName {
    type Error = InvalidIntegrationName;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        match check(&s) {
            Ok(()) => Ok(IntegrationName(s)),
            Err(kind) => Err(InvalidIntegrationName::new(s, kind)),
        }
    }
}

impl From<IntegrationName> for String {
    fn from(name: IntegrationName) -> String {
        name.0
    }
}

impl AsRef<str> for IntegrationName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl AsRef<std::path::Path> for IntegrationName {
    fn as_ref(&self) -> &std::path::Path {
        std::path::Path::new(&self.0)
    }
}

impl Borrow<str> for IntegrationName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for IntegrationName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for IntegrationName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<IntegrationName> for str {
    fn eq(&self, other: &IntegrationName) -> bool {
        self == other.0
    }
}

impl PartialEq<IntegrationName> for &str {
    fn eq(&self, other: &IntegrationName) -> bool {
        *self == other.0
    }
}

impl fmt::Display for IntegrationName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for IntegrationName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl Serialize for IntegrationName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for IntegrationName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;

        impl Visitor<'_> for NameVisitor {
            type Value = IntegrationName;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integration name string")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                IntegrationName::new(v).map_err(|e| fail_with(Cause::Name(e)))
            }

            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
                Err(wrong_type(de::Unexpected::Bytes(v), &self))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                IntegrationName::try_from(v).map_err(|e| fail_with(Cause::Name(e)))
            }
        }

        deserializer.deserialize_str(NameVisitor)
    }
}

/// The error returned when a string is not a valid [`IntegrationName`].
///
/// Its message names the rejected value and the rule it breaks:
/// ``invalid integration name `../etc`: must not contain `/` ``.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidIntegrationName {
    name: String,
    kind: ErrorKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorKind {
    Empty,
    TooLong(usize),
    Char(char),
    Start(char),
}

impl InvalidIntegrationName {
    fn new(name: String, kind: ErrorKind) -> Self {
        InvalidIntegrationName { name, kind }
    }

    /// The rejected input, exactly as it was given.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for InvalidIntegrationName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let ErrorKind::Empty = self.kind {
            return f.write_str("invalid integration name: must not be empty");
        }
        write!(
            f,
            "invalid integration name `{}`: ",
            Escaped::quoted(&self.name)
        )?;
        match self.kind {
            ErrorKind::Empty => Ok(()),
            ErrorKind::TooLong(len) => {
                write!(f, "must be at most {MAX_NAME_LEN} bytes, got {len}")
            }
            // Quotes and the backslash are shown as they are: `escape_debug` would add a
            // backslash that is not in the input.
            ErrorKind::Char(c @ ('"' | '\'' | '\\')) => write!(f, "must not contain `{c}`"),
            ErrorKind::Char(c) => {
                write!(f, "must not contain `{}`", c.escape_debug())
            }
            ErrorKind::Start(c) => write!(f, "must start with a letter or a digit, not `{c}`"),
        }
    }
}

impl std::error::Error for InvalidIntegrationName {}
