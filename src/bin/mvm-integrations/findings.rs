//! What `check` found, in the small shape the CI formats read: [`Finding`] and [`Summary`].
//!
//! `github.rs` (GitHub Actions workflow commands) and `sarif.rs` (SARIF 2.1.0) each write a
//! list of findings. A finding holds raw text: its path and message as they are, never
//! pre-escaped; each format escapes them as it requires.
//!
//! # From the library's diagnostics
//!
//! `check` maps each of the library's diagnostics to a finding (`Report::findings` in
//! `check.rs`): the path, position, severity and code as they are, and the message from
//! `Diagnostic::raw_message`, the message with the library's escapes undone, so that no
//! format escapes twice.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

use mvm_integrations::Position;
use serde::Serialize;

/// One problem, warning or note about one file or directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    /// The file or directory, as the loader named it (relative when the directory given was).
    pub(crate) path: PathBuf,
    /// Where in the file, when the finding is about its contents.
    pub(crate) position: Option<Position>,
    /// How bad it is.
    pub(crate) severity: Severity,
    /// A stable kebab-case name, such as `parse`, `unknown-field` or `masked`.
    pub(crate) code: &'static str,
    /// The message without path, position and severity, unescaped: bytes, as a path quoted
    /// in it may not be UTF-8.
    pub(crate) message: Vec<u8>,
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Severity {
    /// The file is skipped: `check` exits 1.
    Error,
    /// The entry loads, but something is likely wrong: `check --deny-warnings` exits 1.
    Warning,
    /// For information only.
    Note,
}

/// The counts `check` ends with, shown as its summary line (text and `github` formats) and
/// as the `summary` object of the JSON format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Summary {
    /// Directories given (or the default one).
    pub(crate) directories: usize,
    /// Of those, the ones that do not exist.
    pub(crate) missing_directories: usize,
    /// `*.json` files found.
    pub(crate) files: usize,
    /// Entries that loaded.
    pub(crate) entries: usize,
    /// Names hidden by an empty file or a link to `/dev/null`.
    pub(crate) masked: usize,
    /// Files held back by a layer that failed.
    pub(crate) held_back: usize,
    /// Findings of severity error.
    pub(crate) errors: usize,
    /// Findings of severity warning.
    pub(crate) warnings: usize,
    /// Whether warnings count as errors (`--deny-warnings`).
    pub(crate) deny_warnings: bool,
}

impl Summary {
    /// No errors, and no warnings under `--deny-warnings`: `check` exits 0.
    pub(crate) fn ok(&self) -> bool {
        self.errors == 0 && !(self.deny_warnings && self.warnings > 0)
    }
}

/// The line `check` ends with, the same in the text and `github` formats:
/// `checked 2 files in 1 directory: 1 entry, 1 error, 0 warnings`.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "checked {} {} in {} {}",
            self.files,
            plural(self.files, "file", "files"),
            self.directories,
            plural(self.directories, "directory", "directories"),
        )?;
        if self.missing_directories > 0 {
            write!(f, " ({} missing)", self.missing_directories)?;
        }
        write!(
            f,
            ": {} {}",
            self.entries,
            plural(self.entries, "entry", "entries")
        )?;
        if self.masked > 0 {
            write!(f, ", {} masked", self.masked)?;
        }
        if self.held_back > 0 {
            write!(f, ", {} held back", self.held_back)?;
        }
        write!(
            f,
            ", {} {}, {} {}",
            self.errors,
            plural(self.errors, "error", "errors"),
            self.warnings,
            plural(self.warnings, "warning", "warnings"),
        )?;
        if self.deny_warnings && self.warnings > 0 {
            f.write_str(" (warnings denied)")?;
        }
        Ok(())
    }
}

/// `one` when `n` is 1, else `many`.
pub(crate) fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// The bytes of `path` with `/` between components on every platform: on Windows `\` is
/// a separator (it cannot be part of a name) and becomes `/`; elsewhere the bytes are kept.
pub(crate) fn slashed(path: &Path) -> Cow<'_, [u8]> {
    let bytes = path.as_os_str().as_encoded_bytes();
    if cfg!(windows) && bytes.contains(&b'\\') {
        Cow::Owned(
            bytes
                .iter()
                .map(|&b| if b == b'\\' { b'/' } else { b })
                .collect(),
        )
    } else {
        Cow::Borrowed(bytes)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A writer whose every write fails, as on a full disk.
    pub(crate) struct Full;

    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "full"))
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Findings of every kind, with hostile paths and messages: the corpus both formats
    /// are snapshot-tested on.
    pub(crate) fn hostile() -> Vec<Finding> {
        vec![
            Finding {
                path: PathBuf::from("drop-ins/a.json"),
                position: Some(Position {
                    line: 2,
                    column: 26,
                }),
                severity: Severity::Error,
                code: "parse",
                message: "invalid `health_interval_secs` value `0`: must be between 1 and 86400"
                    .into(),
            },
            Finding {
                path: PathBuf::from("drop-ins/dir"),
                position: None,
                severity: Severity::Error,
                code: "not-a-regular-file",
                message: "a directory: expected a regular file".into(),
            },
            Finding {
                path: PathBuf::from("drop-ins/100%,a:b c#d?.json"),
                position: Some(Position { line: 1, column: 3 }),
                severity: Severity::Warning,
                code: "unknown-field",
                message: "unknown field `a%0A,b:c` is ignored: 100% sure,\nline two\r\n::error::forged"
                    .into(),
            },
            Finding {
                path: PathBuf::from("drop-ins/\u{1b}]0;pwned\u{7}\u{202e}nosj.txt\n.json"),
                position: Some(Position { line: 1, column: 1 }),
                severity: Severity::Warning,
                code: "byte-order-mark",
                message: "value `\u{1b}[31mred\u{1b}[0m` with \u{202e}bidi\u{2066} and \u{200b}zero width, \u{9b}csi, back\\slash, caf\u{e9}"
                    .into(),
            },
            Finding {
                path: PathBuf::from("c:odd/masked.json"),
                position: None,
                severity: Severity::Note,
                code: "masked",
                message: "masked: an empty file or a link to `/dev/null` hides this name"
                    .into(),
            },
            Finding {
                path: PathBuf::from("/etc/mvm/integrations.d"),
                position: None,
                severity: Severity::Note,
                code: "missing-directory",
                message: "no such directory: nothing to load from it".into(),
            },
        ]
    }

    /// The summary of [`hostile`], two of whose directories were given.
    pub(crate) fn hostile_summary() -> Summary {
        Summary {
            directories: 2,
            missing_directories: 1,
            files: 4,
            entries: 2,
            masked: 1,
            held_back: 1,
            errors: 2,
            warnings: 2,
            deny_warnings: true,
        }
    }

    /// A finding about a file whose name is not UTF-8.
    #[cfg(unix)]
    pub(crate) fn non_utf8() -> Finding {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        Finding {
            path: PathBuf::from(OsStr::from_bytes(b"drop-ins/bad\xff\xfe.json")),
            position: None,
            severity: Severity::Error,
            code: "non-utf8-file-name",
            message: "file name is not UTF-8: expected a UTF-8 name ending in `.json`".into(),
        }
    }

    #[test]
    fn summary_reads_like_the_text_format() {
        let table = [
            (
                Summary {
                    directories: 1,
                    files: 1,
                    entries: 1,
                    ..Summary::default()
                },
                "checked 1 file in 1 directory: 1 entry, 0 errors, 0 warnings",
                true,
            ),
            (
                hostile_summary(),
                "checked 4 files in 2 directories (1 missing): 2 entries, 1 masked, 1 held back, 2 errors, 2 warnings (warnings denied)",
                false,
            ),
            (
                Summary {
                    warnings: 1,
                    ..Summary::default()
                },
                "checked 0 files in 0 directories: 0 entries, 0 errors, 1 warning",
                true,
            ),
            (
                Summary {
                    warnings: 1,
                    deny_warnings: true,
                    ..Summary::default()
                },
                "checked 0 files in 0 directories: 0 entries, 0 errors, 1 warning (warnings denied)",
                false,
            ),
        ];
        for (summary, line, ok) in table {
            assert_eq!(summary.to_string(), line);
            assert_eq!(summary.ok(), ok, "{line}");
        }
    }

    #[test]
    fn slashed_keeps_unix_paths_and_turns_windows_separators() {
        assert_eq!(&*slashed(Path::new("a/b.json")), b"a/b.json");
        let expected: &[u8] = if cfg!(windows) {
            b"a/b.json"
        } else {
            b"a\\b.json"
        };
        assert_eq!(&*slashed(Path::new("a\\b.json")), expected);
    }
}
