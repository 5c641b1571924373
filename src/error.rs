//! The one error type for parsing any wire document, and the machinery that fills it.
//!
//! Every `from_json`/`from_slice` of the crate runs the parse inside a [`Scope`]: a
//! thread-local record, saved and restored around each parse so that parses may nest. While
//! a scope is open, the crate's visitors record what serde's string errors cannot carry:
//! the typed cause ([`InvalidEntry`], [`InvalidIntegrationName`]), the field and the index
//! of the list element being parsed. Outside a scope (a host embedding a wire type in its
//! own struct, another serde format) nothing is recorded and the serde error message is
//! the whole story.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Expected, Unexpected};
use serde_json::value::RawValue;

use crate::entry::InvalidEntry;
use crate::escape::Escaped;
use crate::field::Field;
use crate::manifest::DuplicateName;
use crate::name::InvalidIntegrationName;
use crate::position::{LineCounter, Position};

/// What kind of problem a [`ParseError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The text is not JSON: a stray character, a bad escape, trailing characters.
    Syntax,
    /// The text ends before the document does.
    Eof,
    /// The bytes are not UTF-8.
    NotUtf8,
    /// Arrays and objects are nested deeper than the parser allows (128 levels).
    TooDeep,
    /// A value of the wrong JSON type, such as a string where a number is expected, or an
    /// array where an object is expected.
    Type,
    /// A value of the right type that is not allowed, such as an invalid name or a number
    /// out of range.
    Value,
    /// A required field is absent.
    MissingField,
    /// A key appears twice in one object (I-JSON, RFC 7493, forbids it).
    DuplicateKey,
    /// Two entries of one manifest have the same name.
    DuplicateName,
}

/// The error returned by every `from_json` and `from_slice` of the crate.
///
/// It says what was wrong ([`kind`](Self::kind)), where ([`position`](Self::position),
/// line and column from 1), in which field ([`field`](Self::field)) and in which element of
/// a list ([`index`](Self::index)). When the problem is a value this crate validates, the
/// typed cause ([`InvalidEntry`] or [`InvalidIntegrationName`]) is its
/// [`source`](std::error::Error::source), and the message does not repeat it: the alternate
/// form `{:#}` appends the causes.
///
/// ```
/// use mvm_integrations::{Field, IntegrationEntry, InvalidEntry, ParseErrorKind, Position};
/// use std::error::Error;
///
/// let err = IntegrationEntry::from_json(r#"{"name":"a","health_interval_secs":0}"#).unwrap_err();
/// assert_eq!(err.kind(), ParseErrorKind::Value);
/// assert_eq!(err.field(), Some(Field::HealthIntervalSecs));
/// assert_eq!(err.position(), Some(Position { line: 1, column: 36 }));
/// assert_eq!(err.to_string(), "invalid value for `health_interval_secs` at line 1 column 36");
/// let cause = err.source().and_then(|e| e.downcast_ref::<InvalidEntry>()).unwrap();
/// assert_eq!(cause.field(), Field::HealthIntervalSecs);
/// assert_eq!(
///     format!("{err:#}"),
///     "invalid value for `health_interval_secs` at line 1 column 36: \
///      invalid `health_interval_secs` value `0`: must be between 1 and 86400",
/// );
/// ```
#[derive(Debug)]
pub struct ParseError(Box<Inner>);

/// Boxed, so that a `Result` of a wire type stays small on the path that succeeds.
#[derive(Debug)]
struct Inner {
    kind: ParseErrorKind,
    message: Box<str>,
    position: Option<Position>,
    field: Option<Field>,
    index: Option<usize>,
    cause: Option<Cause>,
}

/// A typed cause, kept as the error's `source`.
#[derive(Debug, Clone)]
pub(crate) enum Cause {
    Entry(InvalidEntry),
    Name(InvalidIntegrationName),
    Duplicate(DuplicateName),
}

impl Cause {
    fn kind(&self) -> ParseErrorKind {
        match self {
            Cause::Entry(_) | Cause::Name(_) => ParseErrorKind::Value,
            Cause::Duplicate(_) => ParseErrorKind::DuplicateName,
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::Entry(e) => e.fmt(f),
            Cause::Name(e) => e.fmt(f),
            Cause::Duplicate(e) => e.fmt(f),
        }
    }
}

/// The message of a parse error whose cause says the rest.
fn cause_message(cause: &Cause, field: Option<Field>) -> Box<str> {
    if let Cause::Duplicate(_) = cause {
        return "duplicate value for `name`".into();
    }
    match field {
        Some(field) => format!("invalid value for `{field}`").into(),
        None => "invalid value".into(),
    }
}

impl ParseError {
    /// The message without the position that `Display` appends, for callers that show the
    /// position their own way (a `file:line:column:` prefix, say). Outside text in it is
    /// already escaped and bounded.
    ///
    /// ```
    /// use mvm_integrations::IntegrationEntry;
    ///
    /// let error = IntegrationEntry::from_json(r#"{"name": 5}"#).unwrap_err();
    /// assert_eq!(error.to_string(), format!("{} at line 1 column 10", error.message()));
    /// ```
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> ParseErrorKind {
        self.0.kind
    }

    /// Where parsing stopped, line and column from 1 (columns in bytes), counted in the whole
    /// document given to `from_json`, `from_slice` or `parse_lenient`. `None` only when the
    /// parser could not place the error.
    pub fn position(&self) -> Option<Position> {
        self.0.position
    }

    /// The innermost field being parsed when the problem was found, when there was one.
    pub fn field(&self) -> Option<Field> {
        self.0.field
    }

    /// The index of the list element (a manifest's entry) the problem is in, from 0.
    pub fn index(&self) -> Option<usize> {
        self.0.index
    }

    /// One line without the position, for the loader, which shows the position its own way:
    /// the typed cause when there is one (it names the field and the value), else the
    /// message.
    pub(crate) fn detail(&self) -> impl fmt::Display + '_ {
        struct Detail<'a>(&'a ParseError);
        impl fmt::Display for Detail<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match &self.0.0.cause {
                    Some(cause) => cause.fmt(f),
                    None => f.write_str(&self.0.0.message),
                }
            }
        }
        Detail(self)
    }

    pub(crate) fn new(kind: ParseErrorKind, message: impl Into<Box<str>>) -> Self {
        ParseError(Box::new(Inner {
            kind,
            message: message.into(),
            position: None,
            field: None,
            index: None,
            cause: None,
        }))
    }

    /// An error whose typed cause says what is wrong, in the field `name`.
    pub(crate) fn with_cause(cause: Cause) -> Self {
        let field = match cause {
            Cause::Entry(ref e) => e.field(),
            Cause::Name(_) | Cause::Duplicate(_) => Field::Name,
        };
        ParseError(Box::new(Inner {
            kind: cause.kind(),
            message: cause_message(&cause, Some(field)),
            position: None,
            field: Some(field),
            index: None,
            cause: Some(cause),
        }))
    }

    pub(crate) fn with_position(mut self, position: Option<Position>) -> Self {
        self.0.position = position;
        self
    }

    pub(crate) fn with_index(mut self, index: usize) -> Self {
        self.0.index = Some(index);
        self
    }

    /// Moves the error from a sub-document that starts at `base` into the whole document;
    /// an error without a position is placed at `base`.
    pub(crate) fn offset_by(mut self, base: Position) -> Self {
        match &mut self.0.position {
            Some(p) => {
                if p.line == 1 {
                    p.column += base.column - 1;
                }
                p.line += base.line - 1;
            }
            None => self.0.position = Some(base),
        }
        self
    }

    /// Converts a serde_json error raised while `context` was recorded.
    fn from_json_error(err: serde_json::Error, context: Context) -> Self {
        let position = (err.line() > 0).then(|| Position {
            line: err.line(),
            column: err.column().max(1),
        });
        let text = err.to_string();
        let suffix = format!(" at line {} column {}", err.line(), err.column());
        let text = text.strip_suffix(&suffix).unwrap_or(&text);
        let (kind, message, cause) = match context.detail {
            Some(detail) if *detail.serde_message == *text => {
                let message = match &detail.cause {
                    Some(cause) => cause_message(cause, context.field),
                    None => detail.message,
                };
                (detail.kind, message, detail.cause)
            }
            _ => {
                let (kind, message) = classify(&err, text);
                (kind, message, None)
            }
        };
        ParseError(Box::new(Inner {
            kind,
            message,
            position,
            field: context.field,
            index: context.index,
            cause,
        }))
    }
}

/// Words serde_json's message better where it can, and bounds the values it quotes.
fn classify(err: &serde_json::Error, text: &str) -> (ParseErrorKind, Box<str>) {
    use serde_json::error::Category;
    let kind = match err.classify() {
        Category::Eof => ParseErrorKind::Eof,
        Category::Syntax | Category::Io => ParseErrorKind::Syntax,
        Category::Data => ParseErrorKind::Type,
    };
    if let Some(rest) = text.strip_prefix("EOF while parsing ") {
        return (
            ParseErrorKind::Eof,
            format!("unexpected end of input while parsing {rest}").into(),
        );
    }
    match text {
        "recursion limit exceeded" => {
            return (
                ParseErrorKind::TooDeep,
                "nesting too deep: expected at most 128 levels of arrays and objects".into(),
            );
        }
        "unexpected end of hex escape"
        | "lone leading surrogate in hex escape"
        | "invalid unicode code point" => {
            return (ParseErrorKind::Syntax, LONE_SURROGATE.into());
        }
        _ => {}
    }
    if let Some(rest) = text.strip_prefix("missing field ") {
        return (
            ParseErrorKind::MissingField,
            format!("missing field {rest}").into(),
        );
    }
    if text.starts_with("duplicate field ") {
        return (ParseErrorKind::DuplicateKey, text.into());
    }
    if let Some(rest) = text.strip_prefix("invalid value: ") {
        return (ParseErrorKind::Value, bound(rest, "invalid value: "));
    }
    if let Some(rest) = text.strip_prefix("invalid type: ") {
        return (ParseErrorKind::Type, bound(rest, "invalid type: "));
    }
    (kind, text.into())
}

/// Bounds a `string "…", expected …` message from serde, whose string is quoted whole.
fn bound(rest: &str, prefix: &str) -> Box<str> {
    let quoted = rest.strip_prefix("string \"");
    if let Some((value, expected)) = quoted.and_then(|q| q.rsplit_once("\", expected ")) {
        return format!(
            "{prefix}string `{}`, expected {expected}",
            Escaped::quoted(&undebug(value))
        )
        .into();
    }
    format!("{prefix}{rest}").into()
}

/// Undoes `str`'s `Debug` escaping, with which serde quotes a string: `\\`, `\"`, `\'`,
/// `\n`, `\r`, `\t`, `\0` and `\u{…}`.
fn undebug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some('u') => {
                let rest = chars.as_str();
                let code = rest
                    .strip_prefix('{')
                    .and_then(|r| r.split_once('}'))
                    .and_then(|(hex, _)| u32::from_str_radix(hex, 16).ok().map(|v| (hex.len(), v)))
                    .and_then(|(len, v)| char::from_u32(v).map(|c| (len, c)));
                match code {
                    Some((len, c)) => {
                        out.push(c);
                        chars = rest[len + 2..].chars();
                    }
                    None => out.push_str("\\u"),
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

impl fmt::Display for ParseError {
    /// The message and the position. The alternate form (`{:#}`) appends the causes,
    /// each after `: `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)?;
        if let Some(Position { line, column }) = self.0.position {
            write!(f, " at line {line} column {column}")?;
        }
        if f.alternate() {
            let mut source = std::error::Error::source(self);
            while let Some(cause) = source {
                write!(f, ": {cause}")?;
                source = cause.source();
            }
        }
        Ok(())
    }
}

impl std::error::Error for ParseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0.cause {
            Some(Cause::Entry(e)) => Some(e),
            Some(Cause::Name(e)) => Some(e),
            Some(Cause::Duplicate(e)) => Some(e),
            None => None,
        }
    }
}

/// What a visitor recorded about the error it raised.
struct Detail {
    kind: ParseErrorKind,
    /// The message given to serde, to recognise the error when it comes back.
    serde_message: Box<str>,
    /// The message of the [`ParseError`] when there is no cause.
    message: Box<str>,
    cause: Option<Cause>,
    /// The address of the byte where the error is, when the visitor knows it better than
    /// serde_json's position.
    address: Option<usize>,
}

#[derive(Default)]
struct Context {
    detail: Option<Detail>,
    field: Option<Field>,
    index: Option<usize>,
}

thread_local! {
    /// How many of the crate's JSON parses are open on this thread.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// Whether `CONTEXT` holds anything: kept apart so that a parse that succeeds touches
    /// only these two cells.
    static DIRTY: Cell<bool> = const { Cell::new(false) };
    static CONTEXT: RefCell<Context> = RefCell::new(Context::default());
}

/// An open parse: records details until [`finish`](Self::finish); sets aside what an
/// enclosing parse recorded and restores it when it ends, so that parses may nest.
struct Scope {
    saved: Option<Context>,
    open: bool,
}

impl Scope {
    fn open() -> Self {
        let saved = take_context();
        DEPTH.with(|d| d.set(d.get() + 1));
        Scope { saved, open: true }
    }

    fn finish(mut self) -> Context {
        self.close().unwrap_or_default()
    }

    fn close(&mut self) -> Option<Context> {
        if !self.open {
            return None;
        }
        self.open = false;
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
        let recorded = take_context();
        if let Some(saved) = self.saved.take() {
            CONTEXT.with(|c| {
                if let Ok(mut c) = c.try_borrow_mut() {
                    *c = saved;
                    DIRTY.with(|d| d.set(true));
                }
            });
        }
        recorded
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        self.close();
    }
}

/// Takes what was recorded, if anything.
fn take_context() -> Option<Context> {
    if !DIRTY.with(Cell::get) {
        return None;
    }
    DIRTY.with(|d| d.set(false));
    CONTEXT.with(|c| c.try_borrow_mut().ok().map(|mut c| std::mem::take(&mut *c)))
}

/// Whether one of the crate's JSON parses is open on this thread.
fn in_json_parse() -> bool {
    DEPTH.with(Cell::get) > 0
}

fn with_context(f: impl FnOnce(&mut Context)) {
    if !in_json_parse() {
        return;
    }
    CONTEXT.with(|c| {
        if let Ok(mut context) = c.try_borrow_mut() {
            f(&mut context);
            DIRTY.with(|d| d.set(true));
        }
    });
}

/// Raises a serde error with `message`, recording its kind for the enclosing parse.
pub(crate) fn fail<E: de::Error>(kind: ParseErrorKind, message: impl fmt::Display) -> E {
    let message = message.to_string();
    with_context(|c| {
        if c.detail.is_none() {
            c.detail = Some(Detail {
                kind,
                serde_message: message.as_str().into(),
                message: message.as_str().into(),
                cause: None,
                address: None,
            });
        }
    });
    E::custom(message)
}

/// Raises a serde error for a typed cause, recording the cause for the enclosing parse.
pub(crate) fn fail_with<E: de::Error>(cause: Cause) -> E {
    let message = cause.to_string();
    with_context(|c| {
        if c.detail.is_none() {
            c.detail = Some(Detail {
                kind: cause.kind(),
                serde_message: message.as_str().into(),
                message: Box::default(),
                cause: Some(cause),
                address: None,
            });
        }
    });
    E::custom(message)
}

/// A wrong-type error whose quoted string, if any, is bounded and escaped.
pub(crate) fn wrong_type<E: de::Error>(unexpected: Unexpected<'_>, expected: &dyn Expected) -> E {
    match unexpected {
        Unexpected::Str(s) => fail(
            ParseErrorKind::Type,
            format_args!(
                "invalid type: string `{}`, expected {expected}",
                Escaped::quoted(s)
            ),
        ),
        other => fail(
            ParseErrorKind::Type,
            format_args!("invalid type: {other}, expected {expected}"),
        ),
    }
}

/// The error for a float where an integer between `min` and `max` is expected. serde_json
/// reads `-0` and integers past `u64` as floats; this says what they are instead of showing
/// `-0.0` or `1.8446744073709552e19`.
pub(crate) fn float_for_integer<E: de::Error>(
    field: Field,
    v: f64,
    min: u64,
    max: u64,
    expected: &dyn Expected,
) -> E {
    if v == 0.0 && v.is_sign_negative() {
        fail(
            ParseErrorKind::Value,
            format_args!(
                "invalid `{field}` value `-0`: expected an integer between {min} and {max}, \
                 without a minus sign"
            ),
        )
    } else if v.fract() == 0.0 && v >= 18_446_744_073_709_551_616.0 {
        fail(
            ParseErrorKind::Value,
            format_args!(
                "invalid `{field}` value: a number past 2^64 - 1, expected an integer between \
                 {min} and {max}"
            ),
        )
    } else {
        wrong_type(Unexpected::Float(v), expected)
    }
}

/// A duplicate-key error.
pub(crate) fn duplicate_key<E: de::Error>(key: &str) -> E {
    fail(
        ParseErrorKind::DuplicateKey,
        format_args!(
            "duplicate key `{}`: expected each key once in an object",
            Escaped::quoted(key)
        ),
    )
}

/// A missing-field error.
pub(crate) fn missing_field<E: de::Error>(field: Field) -> E {
    fail(
        ParseErrorKind::MissingField,
        format_args!("missing field `{field}`"),
    )
}

/// Records that the error in `result`, if any, was raised while parsing `field`. The
/// innermost field wins.
#[inline]
pub(crate) fn in_field<T, E>(field: Field, result: Result<T, E>) -> Result<T, E> {
    if result.is_err() {
        with_context(|c| {
            c.field.get_or_insert(field);
        });
    }
    result
}

/// Records that the error in `result`, if any, was raised in list element `index`.
#[inline]
pub(crate) fn in_element<T, E>(index: usize, result: Result<T, E>) -> Result<T, E> {
    if result.is_err() {
        with_context(|c| {
            c.index.get_or_insert(index);
        });
    }
    result
}

/// Parses JSON text into `T` through `T`'s `Deserialize`, the crate's way: the whole text
/// must be one document, errors are [`ParseError`]s.
pub(crate) fn from_json<T: DeserializeOwned>(json: &str) -> Result<T, ParseError> {
    from_json_seed(json, std::marker::PhantomData::<T>)
}

/// Parses JSON text through a seed, the crate's way.
pub(crate) fn from_json_seed<'de, S: DeserializeSeed<'de>>(
    json: &'de str,
    seed: S,
) -> Result<S::Value, ParseError> {
    let scope = Scope::open();
    let mut de = serde_json::Deserializer::from_str(json);
    let result = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    let context = scope.finish();
    result.map_err(|e| {
        let address = context.detail.as_ref().and_then(|d| d.address);
        let mut error = ParseError::from_json_error(e, context);
        let offset = address.and_then(|a| a.checked_sub(json.as_ptr() as usize));
        // Set only by a visitor that knows the place better than serde_json does: a repeated
        // key or a lone surrogate inside a skipped value.
        if let Some(offset) = offset.filter(|&o| o < json.len()) {
            error.0.position = Some(Position::at_offset(json.as_bytes(), offset));
        }
        error
    })
}

/// Parses JSON bytes into `T`: bytes that are not UTF-8 are an error, even inside a field
/// that would be ignored.
pub(crate) fn from_slice<T: DeserializeOwned>(json: &[u8]) -> Result<T, ParseError> {
    from_json(utf8(json)?)
}

/// Checks that `json` is UTF-8, with the position of the first bad byte.
pub(crate) fn utf8(json: &[u8]) -> Result<&str, ParseError> {
    std::str::from_utf8(json).map_err(|e| {
        let at = e.valid_up_to();
        ParseError::new(ParseErrorKind::NotUtf8, "invalid UTF-8: expected JSON text")
            .with_position(Some(Position::at_offset(json, at)))
    })
}

/// Serializes a value the crate built; fails only on a bug, which it reports instead of
/// writing an empty document.
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T, pretty: bool) -> String {
    let result = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    match result {
        Ok(json) => json,
        // Every key of the crate's types is a string and no `Serialize` impl of the crate
        // returns an error, so this cannot happen; if a bug made it happen, fail loudly
        // rather than write an empty document.
        Err(e) => unreachable!("serializing a wire type failed: {e}"),
    }
}

/// The keys seen in one object, to reject a duplicate. Allocates only when a key is added;
/// a few keys are searched in a list, many in a hash set.
#[derive(Default)]
pub(crate) struct Keys<'de> {
    few: Vec<Cow<'de, str>>,
    many: Option<HashSet<Cow<'de, str>>>,
}

impl<'de> Keys<'de> {
    const FEW: usize = 16;

    /// Adds `key`; a key seen before is a duplicate-key error.
    pub(crate) fn insert<E: de::Error>(&mut self, key: Cow<'de, str>) -> Result<(), E> {
        match self.add(key) {
            Ok(()) => Ok(()),
            Err(key) => Err(duplicate_key(&key)),
        }
    }

    /// Adds `key`, or gives it back when it was seen before.
    fn add(&mut self, key: Cow<'de, str>) -> Result<(), Cow<'de, str>> {
        if let Some(many) = &mut self.many {
            if many.contains(&key) {
                return Err(key);
            }
            many.insert(key);
            return Ok(());
        }
        if self.few.contains(&key) {
            return Err(key);
        }
        if self.few.len() < Self::FEW {
            self.few.push(key);
        } else {
            let mut many: HashSet<Cow<'de, str>> = self.few.drain(..).collect();
            many.insert(key);
            self.many = Some(many);
        }
        Ok(())
    }
}

/// Skips the value of an unknown key, rejecting a key repeated in any object inside it.
///
/// In the crate's own JSON parses the value is skipped by serde_json without recursion (so
/// nesting deeper than serde_json's limit is still skipped) and its text is then scanned
/// for repeated keys, also without recursion. Elsewhere (another format, a host's parse)
/// it is walked with [`Ignored`].
pub(crate) fn skip_value<'de, A: de::MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    if !in_json_parse() {
        return map.next_value_seed(Ignored);
    }
    let raw: &'de RawValue = map.next_value()?;
    // serde_json does not decode the strings it skips: check their escapes here, as it does
    // for the strings it reads, so that every parse path rejects a lone surrogate (I-JSON).
    if raw.get().contains('\\') {
        if let Some(offset) = lone_surrogate(raw.get()) {
            let error = fail(ParseErrorKind::Syntax, LONE_SURROGATE);
            with_context(|c| {
                if let Some(detail) = &mut c.detail {
                    detail.address = Some(raw.get().as_ptr() as usize + offset);
                }
            });
            return Err(error);
        }
    }
    // Nor does it check the range of the numbers it skips; every other path does.
    if !raw.get().starts_with('"') {
        if let Some(offset) = number_out_of_range(raw.get()) {
            let error = fail(ParseErrorKind::Syntax, "number out of range");
            with_context(|c| {
                if let Some(detail) = &mut c.detail {
                    detail.address = Some(raw.get().as_ptr() as usize + offset);
                }
            });
            return Err(error);
        }
    }
    // Only an object can repeat a key.
    if !raw.get().contains('{') {
        return Ok(());
    }
    match repeated_key(raw.get()) {
        Some((key, end)) => {
            let error = duplicate_key(&key);
            // Placed at the repeated key, not where serde_json stopped.
            with_context(|c| {
                if let Some(detail) = &mut c.detail {
                    detail.address = Some(raw.get().as_ptr() as usize + end);
                }
            });
            Err(error)
        }
        None => Ok(()),
    }
}

/// The message for a `\u` escape of half a surrogate pair, wherever it is found.
const LONE_SURROGATE: &str = "lone surrogate in a `\\u` escape: expected a high surrogate \
     followed by a low surrogate, or another character";

/// The offset of the first `\u` escape in `json` (valid JSON text as far as serde_json's
/// skipping checks it) that is half of a surrogate pair without its other half.
fn lone_surrogate(json: &str) -> Option<usize> {
    let bytes = json.as_bytes();
    let hex = |at: usize| -> Option<u16> {
        let digits = json.get(at..at + 4)?;
        u16::from_str_radix(digits, 16).ok()
    };
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        if bytes.get(i + 1) != Some(&b'u') {
            i += 2; // `\\`, `\"` and the other one-letter escapes
            continue;
        }
        let Some(unit) = hex(i + 2) else {
            return Some(i);
        };
        match unit {
            0xD800..=0xDBFF => {
                let low = (bytes.get(i + 6) == Some(&b'\\') && bytes.get(i + 7) == Some(&b'u'))
                    .then(|| hex(i + 8))
                    .flatten();
                if !matches!(low, Some(0xDC00..=0xDFFF)) {
                    return Some(i);
                }
                i += 12;
            }
            0xDC00..=0xDFFF => return Some(i),
            _ => i += 6,
        }
    }
    None
}

/// The offset of the first number in `json` (valid JSON text) whose magnitude no `f64` holds,
/// such as `1e400`: serde_json refuses to read one, but skips one without looking.
fn number_out_of_range(json: &str) -> Option<usize> {
    let bytes = json.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    i += 1;
                }
                let number = json.get(start..i).unwrap_or_default();
                // Short plain numbers always fit; only long ones and exponents can overflow.
                let suspicious = number.len() > 300 || number.contains(['e', 'E']);
                if suspicious && number.parse::<f64>().is_ok_and(|n| n.is_infinite()) {
                    return Some(start);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The first key repeated in one object of `json`, valid JSON text, at any depth, with the
/// offset of its closing quote. Scans without recursion; allocates only for objects.
fn repeated_key(json: &str) -> Option<(String, usize)> {
    let bytes = json.as_bytes();
    // One entry per open container: the keys of an object, `None` for an array.
    let mut open: Vec<Option<Keys<'_>>> = Vec::new();
    let mut expect_key = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                open.push(Some(Keys::default()));
                expect_key = true;
            }
            b'[' => {
                open.push(None);
                expect_key = false;
            }
            b'}' | b']' => {
                open.pop();
                expect_key = false;
            }
            b',' => expect_key = matches!(open.last(), Some(Some(_))),
            b'"' => {
                let start = i;
                let mut escaped = false;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    escaped |= bytes[i] == b'\\';
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if expect_key {
                    let text = json.get(start + 1..i).unwrap_or_default();
                    let key = if escaped {
                        let quoted = json.get(start..=i).unwrap_or_default();
                        // Keys compare decoded: `"\\u0061"` is `"a"`.
                        serde_json::from_str::<String>(quoted)
                            .map_or(Cow::Borrowed(text), Cow::Owned)
                    } else {
                        Cow::Borrowed(text)
                    };
                    if let Some(Some(keys)) = open.last_mut() {
                        if let Err(key) = keys.add(key) {
                            return Some((key.into_owned(), i));
                        }
                    }
                    expect_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Skips any value, as `IgnoredAny` does, but rejects duplicate keys in every object inside
/// it, as I-JSON requires.
#[derive(Clone, Copy)]
pub(crate) struct Ignored;

impl<'de> DeserializeSeed<'de> for Ignored {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> de::Visitor<'de> for Ignored {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Ignored)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys = Keys::default();
        while let Some(key) = map.next_key_seed(AnyKey)? {
            if let Some(key) = key {
                keys.insert(key)?;
            }
            map.next_value_seed(Ignored)?;
        }
        Ok(())
    }
}

/// A key of an ignored object: its text when it is a string (always, in JSON).
pub(crate) struct AnyKey;

impl<'de> DeserializeSeed<'de> for AnyKey {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> de::Visitor<'de> for AnyKey {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v)))
    }

    // Other self-describing formats may have keys that are not strings.
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A JSON list whose elements are kept as text, for parsing one by one. The string says
/// what the list holds, for messages: `a list of integration entries`.
#[derive(Clone, Copy)]
pub(crate) struct RawList(pub(crate) &'static str);

impl<'de> DeserializeSeed<'de> for RawList {
    type Value = Vec<&'de RawValue>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> de::Visitor<'de> for RawList {
    type Value = Vec<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Err(wrong_type(Unexpected::Str(v), &self))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut elements = Vec::new();
        loop {
            let index = elements.len();
            match in_element(index, seq.next_element::<&'de RawValue>())? {
                Some(element) => elements.push(element),
                None => return Ok(elements),
            }
        }
    }
}

/// The offset of `part`, a slice of `text`, in `text` (its end if `part` is not a slice of it).
fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize)
        .wrapping_sub(text.as_ptr() as usize)
        .min(text.len())
}

/// Parses each element of `elements`, slices of `json` from a [`RawList`], with
/// `parse(index, text)`. Each error gets the element's index and its position in the whole
/// of `json`.
pub(crate) fn parse_elements<'a, T>(
    json: &'a str,
    elements: Vec<&'a RawValue>,
    mut parse: impl FnMut(usize, &'a str) -> Result<T, ParseError>,
) -> impl Iterator<Item = Result<T, ParseError>> {
    let mut lines = LineCounter::new(json.as_bytes());
    elements
        .into_iter()
        .enumerate()
        .map(move |(index, element)| {
            let text = element.get();
            parse(index, text).map_err(|e| {
                e.offset_by(lines.position(offset_in(json, text)))
                    .with_index(index)
            })
        })
}
