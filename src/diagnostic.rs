//! What the drop-in loader reports: problems with files and directories ([`DropinError`]),
//! warnings about entries that loaded ([`DropinWarning`]), and both as one shape for
//! printing or forwarding ([`Diagnostic`]).

use std::error::Error as _;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::entry::{EntryWarning, FIELDS};
use crate::escape::Escaped;
use crate::name::IntegrationName;
use crate::position::Position;

/// What kind of file system object a drop-in path turned out to be, when it is not a
/// regular file (nor a symlink to one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileKind {
    /// A directory.
    Directory,
    /// A named pipe: opening one could block forever.
    Fifo,
    /// A unix socket.
    Socket,
    /// A character device, such as `/dev/zero`, which never ends.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// Anything else.
    Other,
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Directory => "a directory",
            FileKind::Fifo => "a fifo",
            FileKind::Socket => "a socket",
            FileKind::CharDevice => "a character device",
            FileKind::BlockDevice => "a block device",
            FileKind::Other => "not a regular file",
        })
    }
}

/// A problem with one drop-in file or directory. The file is skipped; other files still load.
///
/// [`Display`](fmt::Display) is one line: the path (escaped, see [`Escaped`]), the position
/// for problems with the contents, and what went wrong. The cause, when there is one (an
/// I/O error, the parser's error), is the [`source`](std::error::Error::source) and is not
/// repeated in the line; [`message`](Self::message) joins both without the location:
///
/// ```
/// use mvm_integrations::{DropinErrorKind, load_dropin_dir};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("a.json");
/// std::fs::write(&path, "{\"name\": \"a\",\n \"health_interval_secs\": 0}")?;
///
/// let outcome = load_dropin_dir(dir.path());
/// let problem = outcome.problems().next().unwrap();
/// assert_eq!(problem.kind(), DropinErrorKind::Parse);
/// assert_eq!(problem.to_string(), format!("{}:2:26: not a valid integration entry", path.display()));
/// assert_eq!(
///     problem.message(),
///     "invalid `health_interval_secs` value `0`: must be between 1 and 86400",
/// );
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct DropinError {
    path: PathBuf,
    kind: ErrorKind,
}

/// The data of each kind of [`DropinError`]; private so that fields can be added.
#[derive(Debug)]
pub(crate) enum ErrorKind {
    ReadDir(io::Error),
    NotADirectory,
    TooManyFiles {
        found: usize,
        max: usize,
    },
    NonUtf8FileName,
    NotARegularFile(FileKind),
    SymlinkTarget {
        target: Option<PathBuf>,
        kind: FileKind,
    },
    DanglingSymlink {
        target: Option<PathBuf>,
    },
    SymlinkLoop,
    Metadata(io::Error),
    Open(io::Error),
    Read(io::Error),
    OutOfMemory {
        bytes: usize,
    },
    TooLarge {
        max: u64,
    },
    InvalidUtf8(Position),
    /// The parser's error, with the position it stopped at.
    Parse(Position, Box<crate::dropin_text::EntryParseError>),
    DuplicateName {
        name: IntegrationName,
        first: PathBuf,
    },
}

/// Which problem a [`DropinError`] is. [`as_str`](Self::as_str) is the stable kebab-case
/// code the CLI prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropinErrorKind {
    /// The directory exists but could not be listed, or its listing failed midway.
    ReadDir,
    /// A directory given to the loader is not a directory.
    NotADirectory,
    /// The directory holds more `*.json` names than
    /// [`DropinLoader::max_files`](crate::DropinLoader::max_files).
    TooManyFiles,
    /// The file name ends in `.json` but is not UTF-8.
    NonUtf8FileName,
    /// The file is not a regular file (a FIFO, a socket, a device, a directory). It was not
    /// opened for reading.
    NotARegularFile,
    /// The file is a symlink to something that is neither a regular file nor `/dev/null`.
    SymlinkTarget,
    /// The file is a symlink to nothing.
    DanglingSymlink,
    /// The file is a symlink that never resolves: a loop, or too many levels.
    SymlinkLoop,
    /// The file's type or size could not be read.
    Metadata,
    /// The file could not be opened, for instance for lack of permission.
    Open,
    /// Reading the file failed.
    Read,
    /// Memory for the file's bytes could not be allocated.
    OutOfMemory,
    /// The file is larger than
    /// [`DropinLoader::max_file_size`](crate::DropinLoader::max_file_size).
    TooLarge,
    /// The file is not UTF-8.
    InvalidUtf8,
    /// The file is not a valid entry: bad JSON, a missing or invalid name, a wrong type, a
    /// number out of range, a duplicate key, nesting too deep.
    Parse,
    /// The file declares an integration name that an earlier file already declared.
    DuplicateName,
}

impl DropinErrorKind {
    /// The stable kebab-case code, such as `parse` or `duplicate-name`.
    pub fn as_str(self) -> &'static str {
        match self {
            DropinErrorKind::ReadDir => "read-dir",
            DropinErrorKind::NotADirectory => "not-a-directory",
            DropinErrorKind::TooManyFiles => "too-many-files",
            DropinErrorKind::NonUtf8FileName => "non-utf8-file-name",
            DropinErrorKind::NotARegularFile => "not-a-regular-file",
            DropinErrorKind::SymlinkTarget => "symlink-target",
            DropinErrorKind::DanglingSymlink => "dangling-symlink",
            DropinErrorKind::SymlinkLoop => "symlink-loop",
            DropinErrorKind::Metadata => "metadata",
            DropinErrorKind::Open => "open",
            DropinErrorKind::Read => "read",
            DropinErrorKind::OutOfMemory => "out-of-memory",
            DropinErrorKind::TooLarge => "too-large",
            DropinErrorKind::InvalidUtf8 => "invalid-utf8",
            DropinErrorKind::Parse => "parse",
            DropinErrorKind::DuplicateName => "duplicate-name",
        }
    }
}

impl DropinError {
    pub(crate) fn new(path: PathBuf, kind: ErrorKind) -> Self {
        DropinError { path, kind }
    }

    /// The file or directory the problem is about.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Which problem this is.
    pub fn kind(&self) -> DropinErrorKind {
        match &self.kind {
            ErrorKind::ReadDir(_) => DropinErrorKind::ReadDir,
            ErrorKind::NotADirectory => DropinErrorKind::NotADirectory,
            ErrorKind::TooManyFiles { .. } => DropinErrorKind::TooManyFiles,
            ErrorKind::NonUtf8FileName => DropinErrorKind::NonUtf8FileName,
            ErrorKind::NotARegularFile(_) => DropinErrorKind::NotARegularFile,
            ErrorKind::SymlinkTarget { .. } => DropinErrorKind::SymlinkTarget,
            ErrorKind::DanglingSymlink { .. } => DropinErrorKind::DanglingSymlink,
            ErrorKind::SymlinkLoop => DropinErrorKind::SymlinkLoop,
            ErrorKind::Metadata(_) => DropinErrorKind::Metadata,
            ErrorKind::Open(_) => DropinErrorKind::Open,
            ErrorKind::Read(_) => DropinErrorKind::Read,
            ErrorKind::OutOfMemory { .. } => DropinErrorKind::OutOfMemory,
            ErrorKind::TooLarge { .. } => DropinErrorKind::TooLarge,
            ErrorKind::InvalidUtf8(_) => DropinErrorKind::InvalidUtf8,
            ErrorKind::Parse(..) => DropinErrorKind::Parse,
            ErrorKind::DuplicateName { .. } => DropinErrorKind::DuplicateName,
        }
    }

    /// The stable kebab-case code of [`kind`](Self::kind), such as `parse`.
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
    }

    /// Where in the file the problem is, for problems with the contents. Lines and columns
    /// start at 1.
    pub fn position(&self) -> Option<Position> {
        match self.kind {
            ErrorKind::InvalidUtf8(position) | ErrorKind::Parse(position, _) => Some(position),
            _ => None,
        }
    }

    /// What the path turned out to be, for [`DropinErrorKind::NotARegularFile`] and
    /// [`DropinErrorKind::SymlinkTarget`].
    pub fn file_kind(&self) -> Option<FileKind> {
        match self.kind {
            ErrorKind::NotARegularFile(kind) | ErrorKind::SymlinkTarget { kind, .. } => Some(kind),
            _ => None,
        }
    }

    /// Where a symlink points, as written in the link, when it could be read.
    pub fn link_target(&self) -> Option<&Path> {
        match &self.kind {
            ErrorKind::SymlinkTarget { target, .. } | ErrorKind::DanglingSymlink { target } => {
                target.as_deref()
            }
            _ => None,
        }
    }

    /// For [`DropinErrorKind::DuplicateName`]: the integration name and the earlier file,
    /// whose entry was loaded.
    pub fn duplicate_of(&self) -> Option<(&IntegrationName, &Path)> {
        match &self.kind {
            ErrorKind::DuplicateName { name, first } => Some((name, first)),
            _ => None,
        }
    }

    /// The limit that was passed, for [`DropinErrorKind::TooLarge`] (bytes) and
    /// [`DropinErrorKind::TooManyFiles`] (names).
    pub fn limit(&self) -> Option<u64> {
        match self.kind {
            ErrorKind::TooLarge { max } => Some(max),
            ErrorKind::TooManyFiles { max, .. } => Some(max as u64),
            _ => None,
        }
    }

    /// The message without the location, followed by its causes (`: cause`), on one line;
    /// for a parse error, the parser's message alone. This is what the CLI prints after
    /// `path:line:column: error: `.
    pub fn message(&self) -> String {
        // A parse error's cause is the whole story: "not a valid integration entry" would
        // add nothing.
        // The parser's one line: its typed cause (field and value) or its message.
        if let ErrorKind::Parse(_, source) = &self.kind {
            return source.detail().to_string();
        }
        let mut text = Message(self).to_string();
        let mut source = self.source();
        while let Some(cause) = source {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&cause_text(cause));
            source = cause.source();
        }
        text
    }
}

/// One cause of an error chain, on one line: the crate's own causes are escaped already,
/// and the system's messages get a lowercase first letter.
fn cause_text(cause: &(dyn std::error::Error + 'static)) -> String {
    let text = cause.to_string();
    // Lowercase the first letter of a sentence, not of an acronym (`EOF`).
    let mut chars = text.chars();
    match (chars.next(), chars.clone().next()) {
        (Some(first), second) if !second.is_some_and(char::is_uppercase) => {
            format!("{}{}", first.to_lowercase(), chars.as_str())
        }
        _ => text,
    }
}

impl std::error::Error for DropinError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::ReadDir(e)
            | ErrorKind::Metadata(e)
            | ErrorKind::Open(e)
            | ErrorKind::Read(e) => Some(e),
            ErrorKind::Parse(_, e) => Some(&**e),
            _ => None,
        }
    }
}

impl fmt::Display for DropinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Escaped::path(&self.path))?;
        if let Some(position) = self.position() {
            write!(f, ":{position}")?;
        }
        write!(f, ": {}", Message(self))
    }
}

/// The message of a [`DropinError`] without its location and without its source.
struct Message<'a>(&'a DropinError);

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
            ErrorKind::ReadDir(_) => f.write_str("cannot list directory"),
            ErrorKind::NotADirectory => {
                f.write_str("not a directory: expected a directory of `*.json` drop-ins")
            }
            ErrorKind::TooManyFiles { found, max } => write!(
                f,
                "{found} `*.json` files, expected at most {max}: only the first {max} by name \
                 were loaded, and names past them still hide the same names in lower directories"
            ),
            ErrorKind::NonUtf8FileName => {
                f.write_str("file name is not UTF-8: expected a UTF-8 name ending in `.json`")
            }
            ErrorKind::NotARegularFile(kind) => write!(f, "{kind}: expected a regular file"),
            ErrorKind::SymlinkTarget { target, kind } => {
                write!(f, "symlink to {kind}")?;
                if let Some(target) = target {
                    write!(f, " `{}`", Escaped::path(target))?;
                }
                f.write_str(": expected a link to a regular file or to `/dev/null`")
            }
            ErrorKind::DanglingSymlink { target } => {
                f.write_str("dangling symlink")?;
                if let Some(target) = target {
                    write!(f, " to `{}`", Escaped::path(target))?;
                }
                f.write_str(": expected a link to an existing regular file")
            }
            ErrorKind::SymlinkLoop => {
                f.write_str("symlink loop: expected a link that resolves to a regular file")
            }
            ErrorKind::Metadata(_) => f.write_str("cannot read file metadata"),
            ErrorKind::Open(_) => f.write_str("cannot open file"),
            ErrorKind::Read(_) => f.write_str("cannot read file"),
            ErrorKind::OutOfMemory { bytes } => write!(
                f,
                "cannot allocate {bytes} bytes for the file: expected a smaller drop-in or more memory"
            ),
            ErrorKind::TooLarge { max } => write!(
                f,
                "file is larger than {max} bytes: expected a drop-in of at most {max} bytes"
            ),
            ErrorKind::InvalidUtf8(_) => {
                f.write_str("invalid UTF-8: expected a UTF-8 JSON document")
            }
            ErrorKind::Parse(..) => f.write_str("not a valid integration entry"),
            ErrorKind::DuplicateName { name, first } => write!(
                f,
                "duplicate integration `{name}`: already declared in `{}`, expected each name in one file",
                Escaped::path(first)
            ),
        }
    }
}

/// A finding about a drop-in that loaded: the entry is valid and is used.
///
/// [`Display`](fmt::Display) is the message alone, with every outside value (a field name)
/// escaped and cut (see [`Escaped::quoted`]); [`Diagnostic`] adds the path and position.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DropinWarning {
    /// A top-level field the entry does not have; it is ignored. Usually a typo.
    UnknownField {
        /// The field name, as in the file (escapes decoded).
        field: String,
        /// The closest known field, if one is close.
        suggestion: Option<&'static str>,
        /// Where the key is.
        position: Option<Position>,
    },
    /// An advisory finding about the entry, from
    /// [`IntegrationEntry::warnings`](crate::IntegrationEntry::warnings).
    Entry {
        /// The finding.
        warning: EntryWarning,
        /// Where the key of the field it is about is, if it is in the file.
        position: Option<Position>,
    },
    /// The file starts with a UTF-8 byte-order mark, which is ignored.
    ByteOrderMark,
    /// The integration name differs from an earlier loaded one only by ASCII case: both
    /// would share one state directory on a case-insensitive file system.
    NameCase {
        /// The earlier entry's name.
        other: IntegrationName,
        /// The earlier entry's file.
        other_path: PathBuf,
        /// Where this file's `name` key is.
        position: Option<Position>,
    },
    /// The file had more warnings than
    /// [`MAX_WARNINGS_PER_FILE`](crate::MAX_WARNINGS_PER_FILE); this many more were left out.
    TooManyWarnings {
        /// How many warnings were left out.
        omitted: usize,
    },
}

impl DropinWarning {
    /// Where in the file the warning is, when known. Lines and columns start at 1.
    pub fn position(&self) -> Option<Position> {
        match self {
            DropinWarning::UnknownField { position, .. }
            | DropinWarning::Entry { position, .. }
            | DropinWarning::NameCase { position, .. } => *position,
            DropinWarning::ByteOrderMark => Some(Position { line: 1, column: 1 }),
            DropinWarning::TooManyWarnings { .. } => None,
        }
    }

    /// A stable kebab-case code, for machine-readable output, such as `unknown-field`.
    pub fn code(&self) -> &'static str {
        match self {
            DropinWarning::UnknownField { .. } => "unknown-field",
            DropinWarning::Entry { .. } => "entry",
            DropinWarning::ByteOrderMark => "byte-order-mark",
            DropinWarning::NameCase { .. } => "name-case",
            DropinWarning::TooManyWarnings { .. } => "too-many-warnings",
        }
    }
}

impl fmt::Display for DropinWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DropinWarning::UnknownField {
                field,
                suggestion: Some(suggestion),
                ..
            } => write!(
                f,
                "unknown field `{}` is ignored: did you mean `{suggestion}`?",
                Escaped::quoted(field)
            ),
            DropinWarning::UnknownField { field, .. } => {
                write!(
                    f,
                    "unknown field `{}` is ignored: expected one of ",
                    Escaped::quoted(field)
                )?;
                for (i, known) in FIELDS.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}`{known}`")?;
                }
                Ok(())
            }
            DropinWarning::Entry { warning, .. } => write!(f, "{warning}"),
            DropinWarning::ByteOrderMark => {
                f.write_str("byte-order mark is ignored: expected UTF-8 without a byte-order mark")
            }
            DropinWarning::NameCase {
                other, other_path, ..
            } => write!(
                f,
                "name differs only by case from `{other}` in `{}`: expected names that differ \
                 beyond case, as both would share a state directory on a case-insensitive file system",
                Escaped::path(other_path)
            ),
            DropinWarning::TooManyWarnings { omitted } => write!(
                f,
                "{omitted} more {} left out: expected at most {} per file",
                if *omitted == 1 { "warning" } else { "warnings" },
                crate::MAX_WARNINGS_PER_FILE
            ),
        }
    }
}

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Severity {
    /// A file or directory that did not load as it should: a [`DropinError`].
    Error,
    /// An entry that loaded, with a finding worth fixing: a [`DropinWarning`].
    Warning,
    /// Information: a masked name, a missing directory, a file held back.
    Note,
}

impl Severity {
    /// `error`, `warning` or `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding of a load, in one shape for printing, logging or forwarding: from
/// [`LoadOutcome::diagnostics`](crate::LoadOutcome::diagnostics).
///
/// [`Display`](fmt::Display) is the line `check` prints:
/// `path:line:column: severity: message`, or `path: severity: message` without a position.
/// The path is escaped and the message escapes every outside value, so one diagnostic is
/// always one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    severity: Severity,
    code: &'static str,
    path: PathBuf,
    position: Option<Position>,
    message: String,
}

impl Diagnostic {
    /// A diagnostic from its parts, for a caller that adds findings of its own. `message`
    /// is shown as given: escape outside text in it with [`Escaped`].
    pub fn new(
        severity: Severity,
        code: &'static str,
        path: &Path,
        position: Option<Position>,
        message: String,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            path: path.to_path_buf(),
            position,
            message,
        }
    }

    pub(crate) fn of_error(error: &DropinError) -> Self {
        Self::new(
            Severity::Error,
            error.code(),
            error.path(),
            error.position(),
            error.message(),
        )
    }

    pub(crate) fn of_warning(path: &Path, warning: &DropinWarning) -> Self {
        Self::new(
            Severity::Warning,
            warning.code(),
            path,
            warning.position(),
            warning.to_string(),
        )
    }

    /// The same diagnostic with another severity: for a caller with stricter rules, such as
    /// `check` making a missing directory given on its command line a warning.
    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// How serious it is.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// A stable kebab-case code: a [`DropinErrorKind::as_str`], a
    /// [`DropinWarning::code`], or for notes `masked`, `held-back` or `missing-directory`.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The file or directory it is about, exact.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where in the file, when known.
    pub fn position(&self) -> Option<Position> {
        self.position
    }

    /// The message, one line, every outside value escaped.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The message with the escapes of [`Escaped`] undone: outside values as they were, for
    /// a writer that escapes them its own way (JSON, SARIF, CI annotations). Bytes, because
    /// a path quoted in the message may not be UTF-8 (`String::from_utf8_lossy` gives text);
    /// they may hold any character, line breaks included. Quoted values stay cut after
    /// [`MAX_QUOTED_CHARS`](crate::MAX_QUOTED_CHARS) characters. A backslash that starts no
    /// escape of the rule is kept.
    ///
    /// ```
    /// use mvm_integrations::load_dropin_dir;
    ///
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("a.json"), r#"{"name": "a", "x\u001b[2J": 1}"#)?;
    /// let outcome = load_dropin_dir(dir.path());
    /// let warning = outcome.diagnostics().next().unwrap();
    /// assert!(warning.message().starts_with(r"unknown field `x\u{1b}[2J` is ignored"));
    /// assert!(warning.raw_message().starts_with(b"unknown field `x\x1b[2J` is ignored"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn raw_message(&self) -> std::borrow::Cow<'_, [u8]> {
        unescape(&self.message)
    }
}

/// Undoes [`Escaped`]'s rule (which is injective); a backslash that starts no escape of the
/// rule is kept as it is.
fn unescape(shown: &str) -> std::borrow::Cow<'_, [u8]> {
    if !shown.contains('\\') {
        return std::borrow::Cow::Borrowed(shown.as_bytes());
    }
    let mut out: Vec<u8> = Vec::with_capacity(shown.len());
    let mut rest = shown;
    while let Some(at) = rest.find('\\') {
        out.extend_from_slice(&rest.as_bytes()[..at]);
        let escape = &rest[at..];
        let (bytes, used): (Vec<u8>, usize) = match escape.as_bytes().get(1) {
            Some(b'\\') => (vec![b'\\'], 2),
            Some(b'n') => (vec![b'\n'], 2),
            Some(b'r') => (vec![b'\r'], 2),
            Some(b't') => (vec![b'\t'], 2),
            Some(b'x') => match escape
                .get(2..4)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(byte) => (vec![byte], 4),
                None => (vec![b'\\'], 1),
            },
            Some(b'u') => {
                let code = escape
                    .strip_prefix("\\u{")
                    .and_then(|tail| tail.split_once('}'))
                    .filter(|(hex, _)| (1..=6).contains(&hex.len()))
                    .and_then(|(hex, _)| Some((u32::from_str_radix(hex, 16).ok()?, hex.len())))
                    .and_then(|(code, len)| Some((char::from_u32(code)?, len)));
                match code {
                    Some((c, len)) => (c.to_string().into_bytes(), len + 4),
                    None => (vec![b'\\'], 1),
                }
            }
            _ => (vec![b'\\'], 1),
        };
        out.extend_from_slice(&bytes);
        rest = &escape[used..];
    }
    out.extend_from_slice(rest.as_bytes());
    std::borrow::Cow::Owned(out)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Escaped::path(&self.path))?;
        if let Some(position) = self.position {
            write!(f, ":{position}")?;
        }
        write!(f, ": {}: {}", self.severity, self.message)
    }
}
