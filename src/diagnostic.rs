//! What the drop-in loader reports: problems with files ([`DropinError`]), warnings about
//! entries ([`DropinWarning`]) and where they are ([`Position`], [`FileKind`]).

use std::fmt;
use std::fs::FileType;
use std::io;
use std::path::{Path, PathBuf};

use crate::entry::{EntryWarning, FIELDS};
use crate::escape::Escaped;
use crate::name::IntegrationName;
use crate::position::Position;

/// What kind of file system object a drop-in path turned out to be, when it is not a
/// regular file.
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
    /// A symbolic link.
    Symlink,
    /// Anything else.
    Other,
}

impl FileKind {
    pub(crate) fn of(file_type: FileType) -> FileKind {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if file_type.is_fifo() {
                return FileKind::Fifo;
            }
            if file_type.is_socket() {
                return FileKind::Socket;
            }
            if file_type.is_char_device() {
                return FileKind::CharDevice;
            }
            if file_type.is_block_device() {
                return FileKind::BlockDevice;
            }
        }
        if file_type.is_dir() {
            FileKind::Directory
        } else if file_type.is_symlink() {
            FileKind::Symlink
        } else {
            FileKind::Other
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Directory => "a directory",
            FileKind::Fifo => "a fifo",
            FileKind::Socket => "a socket",
            FileKind::CharDevice => "a character device",
            FileKind::BlockDevice => "a block device",
            FileKind::Symlink => "a symlink",
            FileKind::Other => "not a regular file",
        })
    }
}

/// A problem with one drop-in file or directory. The file is skipped; other files still load.
///
/// Every variant carries the `path` of the file (or directory). [`Display`](fmt::Display) is
/// one lowercase line starting with the path, and for parse problems the line and column:
///
/// ```text
/// /etc/mvm/integrations.d/a.json:3:28: invalid `health_interval_secs` value `0`: must be between 1 and 86400
/// ```
///
/// Control characters in paths are escaped, so the line stays one line whatever the file
/// names. [`message`](Self::message) is the same line without the location.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DropinError {
    /// The directory exists but could not be listed.
    ReadDir {
        /// The directory.
        path: PathBuf,
        /// Why listing failed.
        #[source]
        source: io::Error,
    },
    /// A directory given to the loader is not a directory.
    NotADirectory {
        /// The path given as a directory.
        path: PathBuf,
    },
    /// The directory holds more `*.json` names than [`DropinLoader::max_files`](crate::DropinLoader::max_files); the first
    /// `max` in byte order were loaded.
    TooManyFiles {
        /// The directory.
        path: PathBuf,
        /// How many `*.json` names it holds.
        found: usize,
        /// The limit.
        max: usize,
    },
    /// The file name ends in `.json` but is not UTF-8.
    NonUtf8FileName {
        /// The file.
        path: PathBuf,
    },
    /// The file is not a regular file (a FIFO, a socket, a device, a directory...). It was
    /// not opened.
    NotARegularFile {
        /// The file.
        path: PathBuf,
        /// What it is.
        kind: FileKind,
    },
    /// The file is a symlink to something that is not a regular file (nor `/dev/null`, which
    /// masks). The target was not opened.
    SymlinkTarget {
        /// The symlink.
        path: PathBuf,
        /// Where it points, as written in the link.
        target: PathBuf,
        /// What it resolves to.
        kind: FileKind,
    },
    /// The file is a symlink to nothing.
    DanglingSymlink {
        /// The symlink.
        path: PathBuf,
        /// Where it points, as written in the link.
        target: PathBuf,
    },
    /// The file is a symlink that never resolves: a loop, or too many levels.
    SymlinkLoop {
        /// The symlink.
        path: PathBuf,
        /// The error from resolving it.
        #[source]
        source: io::Error,
    },
    /// The file's type or size could not be read.
    Metadata {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The file could not be opened, for instance for lack of permission.
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Reading the file failed.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The file is larger than [`DropinLoader::max_file_size`](crate::DropinLoader::max_file_size).
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        max: u64,
    },
    /// The file is not UTF-8; the position is that of the first bad byte.
    InvalidUtf8 {
        /// The file.
        path: PathBuf,
        /// The line of the first bad byte.
        line: usize,
        /// The column of the first bad byte.
        column: usize,
    },
    /// The file is not a valid entry: bad JSON, a missing or invalid name, a wrong type, a
    /// number out of range, nesting too deep.
    Parse {
        /// The file.
        path: PathBuf,
        /// Where parsing stopped: the line.
        line: usize,
        /// Where parsing stopped: the column.
        column: usize,
        /// The parser's error.
        #[source]
        source: crate::ParseError,
    },
    /// The file declares an integration name that an earlier file already declared; the
    /// earlier one wins.
    DuplicateName {
        /// The later file, which was skipped.
        path: PathBuf,
        /// The integration name.
        name: IntegrationName,
        /// The earlier file, whose entry was loaded.
        first: PathBuf,
    },
}

impl DropinError {
    /// The file or directory the problem is about.
    pub fn path(&self) -> &Path {
        match self {
            DropinError::ReadDir { path, .. }
            | DropinError::NotADirectory { path }
            | DropinError::TooManyFiles { path, .. }
            | DropinError::NonUtf8FileName { path }
            | DropinError::NotARegularFile { path, .. }
            | DropinError::SymlinkTarget { path, .. }
            | DropinError::DanglingSymlink { path, .. }
            | DropinError::SymlinkLoop { path, .. }
            | DropinError::Metadata { path, .. }
            | DropinError::Open { path, .. }
            | DropinError::Read { path, .. }
            | DropinError::TooLarge { path, .. }
            | DropinError::InvalidUtf8 { path, .. }
            | DropinError::Parse { path, .. }
            | DropinError::DuplicateName { path, .. } => path,
        }
    }

    /// Where in the file the problem is, for problems with the contents.
    pub fn position(&self) -> Option<Position> {
        match *self {
            DropinError::InvalidUtf8 { line, column, .. }
            | DropinError::Parse { line, column, .. } => Some(Position { line, column }),
            _ => None,
        }
    }

    /// A stable kebab-case name of the variant, for machine-readable output, such as
    /// `parse` or `duplicate-name`.
    pub fn code(&self) -> &'static str {
        match self {
            DropinError::ReadDir { .. } => "read-dir",
            DropinError::NotADirectory { .. } => "not-a-directory",
            DropinError::TooManyFiles { .. } => "too-many-files",
            DropinError::NonUtf8FileName { .. } => "non-utf8-file-name",
            DropinError::NotARegularFile { .. } => "not-a-regular-file",
            DropinError::SymlinkTarget { .. } => "symlink-target",
            DropinError::DanglingSymlink { .. } => "dangling-symlink",
            DropinError::SymlinkLoop { .. } => "symlink-loop",
            DropinError::Metadata { .. } => "metadata",
            DropinError::Open { .. } => "open",
            DropinError::Read { .. } => "read",
            DropinError::TooLarge { .. } => "too-large",
            DropinError::InvalidUtf8 { .. } => "invalid-utf8",
            DropinError::Parse { .. } => "parse",
            DropinError::DuplicateName { .. } => "duplicate-name",
        }
    }

    /// The message without the path and position in front.
    ///
    /// ```
    /// use mvm_integrations::load_dropin_dir;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("a.json");
    /// std::fs::write(&path, "{\"name\": \"a\",\n \"health_interval_secs\": 0}")?;
    ///
    /// let report = load_dropin_dir(dir.path());
    /// let problem = &report.problems[0];
    /// assert_eq!(
    ///     problem.message(),
    ///     "invalid `health_interval_secs` value `0`: must be between 1 and 86400",
    /// );
    /// assert_eq!(
    ///     problem.to_string(),
    ///     format!("{}:2:26: {}", path.display(), problem.message()),
    /// );
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn message(&self) -> String {
        Message(self).to_string()
    }
}

impl fmt::Display for DropinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Escaped::path(self.path()))?;
        if let Some(position) = self.position() {
            write!(f, ":{position}")?;
        }
        write!(f, ": {}", Message(self))
    }
}

/// The message of a [`DropinError`] without its location.
struct Message<'a>(&'a DropinError);

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            DropinError::ReadDir { source, .. } => {
                write!(f, "cannot list directory: {}", Lower(source))
            }
            DropinError::NotADirectory { .. } => {
                f.write_str("not a directory: expected a directory of `*.json` drop-ins")
            }
            DropinError::TooManyFiles { found, max, .. } => write!(
                f,
                "{found} `*.json` files, expected at most {max}: only the first {max} by name were loaded"
            ),
            DropinError::NonUtf8FileName { .. } => {
                f.write_str("file name is not UTF-8: expected a UTF-8 name ending in `.json`")
            }
            DropinError::NotARegularFile { kind, .. } => {
                write!(f, "{kind}: expected a regular file")
            }
            DropinError::SymlinkTarget { target, kind, .. } => write!(
                f,
                "symlink to {kind} `{}`: expected a link to a regular file or to `/dev/null`",
                Escaped::path(target)
            ),
            DropinError::DanglingSymlink { target, .. } => write!(
                f,
                "dangling symlink to `{}`: expected a link to an existing regular file",
                Escaped::path(target)
            ),
            DropinError::SymlinkLoop { .. } => {
                f.write_str("symlink loop: expected a link that resolves to a regular file")
            }
            DropinError::Metadata { source, .. } => {
                write!(f, "cannot read file metadata: {}", Lower(source))
            }
            DropinError::Open { source, .. } => {
                write!(f, "cannot open file: {}", Lower(source))
            }
            DropinError::Read { source, .. } => {
                write!(f, "cannot read file: {}", Lower(source))
            }
            DropinError::TooLarge { max, .. } => write!(
                f,
                "file is larger than {max} bytes: expected a drop-in of at most {max} bytes"
            ),
            DropinError::InvalidUtf8 { .. } => {
                f.write_str("invalid UTF-8: expected a UTF-8 JSON document")
            }
            DropinError::Parse { source, .. } => write!(f, "{}", source.detail()),
            DropinError::DuplicateName { name, first, .. } => write!(
                f,
                "duplicate integration `{name}`: already declared in `{}`, expected each name in one file",
                Escaped::path(first)
            ),
        }
    }
}

/// Shows an error with its first letter in lowercase (`permission denied (os error 13)`).
struct Lower<'a>(&'a io::Error);

impl fmt::Display for Lower<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_string();
        let mut chars = text.chars();
        if let Some(first) = chars.next() {
            write!(f, "{}{}", first.to_lowercase(), chars.as_str())?;
        }
        Ok(())
    }
}

/// A finding about a drop-in that loaded: the entry is valid and is used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DropinWarning {
    /// A field the entry does not have; it is ignored. Usually a typo.
    UnknownField {
        /// The field name, as in the file.
        field: String,
        /// The closest known field, if one is close.
        suggestion: Option<&'static str>,
        /// Where the field's key is, if it could be found.
        position: Option<Position>,
    },
    /// An advisory finding about the entry, from [`IntegrationEntry::warnings`](crate::IntegrationEntry::warnings).
    Entry {
        /// The finding.
        warning: EntryWarning,
        /// Where the field it is about is, if it is in the file.
        position: Option<Position>,
    },
    /// The file starts with a UTF-8 byte-order mark, which is ignored.
    ByteOrderMark,
}

impl DropinWarning {
    /// Where in the file the warning is, when known.
    pub fn position(&self) -> Option<Position> {
        match self {
            DropinWarning::UnknownField { position, .. }
            | DropinWarning::Entry { position, .. } => *position,
            DropinWarning::ByteOrderMark => Some(Position { line: 1, column: 1 }),
        }
    }

    /// A stable kebab-case name of the variant, for machine-readable output, such as
    /// `unknown-field`.
    pub fn code(&self) -> &'static str {
        match self {
            DropinWarning::UnknownField { .. } => "unknown-field",
            DropinWarning::Entry { .. } => "entry",
            DropinWarning::ByteOrderMark => "byte-order-mark",
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
                "unknown field `{field}` is ignored: did you mean `{suggestion}`?"
            ),
            DropinWarning::UnknownField { field, .. } => {
                write!(f, "unknown field `{field}` is ignored: expected one of ")?;
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
        }
    }
}
