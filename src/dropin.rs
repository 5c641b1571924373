//! The drop-in loader: the only part of the crate that does I/O.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File, FileType, Metadata, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::INTEGRATIONS_DROPIN_DIR;
use crate::diagnostic::{DropinError, DropinWarning, FileKind};
use crate::entry::{FIELDS, IntegrationEntry};
use crate::manifest::IntegrationManifest;
use crate::name::IntegrationName;
use crate::position::Position;

/// Default of [`DropinLoader::max_file_size`]: 64 KiB.
///
/// A typical drop-in is a few hundred bytes. A larger file is reported as
/// [`DropinError::TooLarge`] after at most this many bytes plus one have been read.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024;

/// Default of [`DropinLoader::max_files`]: 1024 drop-ins per directory.
///
/// A directory with more `*.json` names is reported as [`DropinError::TooManyFiles`], and
/// only the first names in byte order are loaded.
pub const DEFAULT_MAX_FILES: usize = 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Loads [`IntegrationEntry`] drop-ins from layered directories, the way the guest agent does
/// at boot.
///
/// # Semantics
/// - **Layered directories**, like systemd: directories are given highest precedence first.
///   A file in a higher directory replaces the file of the same name in a lower one, which
///   is then never opened. A higher file that is empty, or that resolves to `/dev/null` (a
///   symlink to it, for instance), *masks* the name: nothing is loaded for it.
/// - **Which files**: names ending in `.json` (and longer than `.json`); every other name is
///   skipped silently. Files are taken in byte order of their names, whatever order the file
///   system lists them in, so `10-foo.json` comes before `20-bar.json`.
/// - **Structured result**: [`load`](Self::load) returns a [`LoadReport`] with every good
///   entry and one [`DropinError`] per bad file. A bad file never hides a good one. A
///   missing directory is not an error: its [`DirReport`] says [`DirStatus::Missing`].
/// - **Duplicates**: when two files declare the same integration name, the first in order
///   wins and the later one is a [`DropinError::DuplicateName`] naming both files.
/// - **Warnings** are attached to the entry, which still loads: unknown fields (with a
///   did-you-mean suggestion), the entry's [`IntegrationEntry::warnings`] and a UTF-8
///   byte-order mark. See [`DropinWarning`].
///
/// # Hostile directories
/// A drop-in directory may hold anything. The loader never opens a file before it knows
/// that it is a regular file, or a symlink that resolves to one, so FIFOs, sockets, devices
/// (`/dev/zero`), directories, dangling links and link loops are each reported without being
/// opened. Files are opened non-blocking (on Linux, macOS and the BSDs) and checked again on
/// the open handle, and at most [`max_file_size`](Self::max_file_size) + 1 bytes are read
/// from each, whatever size the file claims. Deeply nested JSON is stopped by serde_json's
/// recursion limit. So memory stays bounded by
/// [`max_files`](Self::max_files) × [`max_file_size`](Self::max_file_size) per directory, and
/// the loader does not hang on anything but a file system that itself hangs (a stuck network
/// mount, for instance).
///
/// ```
/// use mvm_integrations::DropinLoader;
///
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("10-signal.json"), r#"{"name": "signal", "critcal": true}"#)?;
///
/// let report = DropinLoader::with_dirs([dir.path()]).load();
/// assert!(report.problems.is_empty());
/// let loaded = &report.entries[0];
/// assert_eq!(loaded.entry.name(), "signal");
/// assert_eq!(
///     loaded.warnings[0].to_string(),
///     "unknown field `critcal` is ignored: did you mean `critical`?",
/// );
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropinLoader {
    dirs: Vec<PathBuf>,
    max_file_size: u64,
    max_files: usize,
}

impl Default for DropinLoader {
    fn default() -> Self {
        DropinLoader::new()
    }
}

impl DropinLoader {
    /// A loader for the single default directory,
    /// [`INTEGRATIONS_DROPIN_DIR`](crate::INTEGRATIONS_DROPIN_DIR).
    pub fn new() -> Self {
        DropinLoader::with_dirs([INTEGRATIONS_DROPIN_DIR])
    }

    /// A loader for layered directories, **highest precedence first**: a file in an earlier
    /// directory replaces or masks the file of the same name in a later one.
    ///
    /// ```
    /// use mvm_integrations::DropinLoader;
    ///
    /// // Admin overrides win over the image's defaults.
    /// let loader = DropinLoader::with_dirs(["/etc/mvm/integrations.d", "/usr/lib/mvm/integrations.d"]);
    /// assert_eq!(loader.dirs().len(), 2);
    /// ```
    pub fn with_dirs<I, P>(dirs: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<PathBuf>,
    {
        DropinLoader {
            dirs: dirs.into_iter().map(Into::into).collect(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_files: DEFAULT_MAX_FILES,
        }
    }

    /// Sets the largest drop-in accepted, in bytes; [`DEFAULT_MAX_FILE_SIZE`] by default.
    /// A larger file is a [`DropinError::TooLarge`].
    #[must_use]
    pub fn max_file_size(mut self, bytes: u64) -> Self {
        self.max_file_size = bytes;
        self
    }

    /// Sets how many `*.json` names are taken from each directory; [`DEFAULT_MAX_FILES`] by
    /// default. Beyond it, the first names in byte order are loaded and the directory gets a
    /// [`DropinError::TooManyFiles`]. This bounds memory whatever the directory holds.
    #[must_use]
    pub fn max_files(mut self, count: usize) -> Self {
        self.max_files = count;
        self
    }

    /// The directories, highest precedence first.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// Loads the drop-ins. Never fails as a whole and never panics: every problem is in the
    /// returned report.
    pub fn load(&self) -> LoadReport {
        let mut report = LoadReport {
            entries: Vec::new(),
            problems: Vec::new(),
            dirs: Vec::with_capacity(self.dirs.len()),
            files: Vec::new(),
            masked: Vec::new(),
        };

        // Collect the names of every directory, highest precedence first, then keep the
        // first occurrence of each name: a stable sort keeps directory order among equals.
        let mut candidates: Vec<Candidate> = Vec::new();
        for (dir_index, dir) in self.dirs.iter().enumerate() {
            let status = self.list_dir(dir, dir_index, &mut candidates, &mut report.problems);
            report.dirs.push(DirReport {
                path: dir.clone(),
                status,
            });
        }
        if self.dirs.len() > 1 {
            candidates.sort_by(|a, b| name_bytes(&a.name).cmp(name_bytes(&b.name)));
            candidates.dedup_by(|later, first| later.name == first.name);
        }

        report.files.reserve(candidates.len());
        report.entries.reserve(candidates.len());
        let mut seen: HashMap<IntegrationName, usize> = HashMap::with_capacity(candidates.len());
        // One read buffer for all files: it never grows past `max_file_size + 1` bytes.
        let mut buf = Vec::new();
        for candidate in candidates {
            let path = self.dirs[candidate.dir_index].join(&candidate.name);
            report.files.push(path.clone());
            match self.load_file(path, candidate, &mut buf) {
                Outcome::Entry(loaded) => match seen.get(loaded.entry.name()) {
                    Some(&first) => report.problems.push(DropinError::DuplicateName {
                        name: loaded.entry.name().clone(),
                        first: report.entries[first].path.clone(),
                        path: loaded.path,
                    }),
                    None => {
                        seen.insert(loaded.entry.name().clone(), report.entries.len());
                        report.entries.push(loaded);
                    }
                },
                Outcome::Masked(path) => report.masked.push(path),
                Outcome::Problem(problem) => report.problems.push(problem),
            }
        }
        report
    }

    /// Lists the `*.json` names of `dir` into `out`, keeping at most `max_files` of them: the
    /// first in byte order, so the result does not depend on the listing order.
    fn list_dir(
        &self,
        dir: &Path,
        dir_index: usize,
        out: &mut Vec<Candidate>,
        problems: &mut Vec<DropinError>,
    ) -> DirStatus {
        let read_dir = match fs::read_dir(dir) {
            Ok(read_dir) => read_dir,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return DirStatus::Missing,
            Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
                problems.push(DropinError::NotADirectory {
                    path: dir.to_path_buf(),
                });
                return DirStatus::Unreadable;
            }
            Err(source) => {
                problems.push(DropinError::ReadDir {
                    path: dir.to_path_buf(),
                    source,
                });
                return DirStatus::Unreadable;
            }
        };

        let start = out.len();
        let max = self.max_files;
        let mut found = 0usize;
        let mut sorted_prefix = true;
        for dir_entry in read_dir {
            let dir_entry = match dir_entry {
                Ok(dir_entry) => dir_entry,
                Err(source) => {
                    // std ends the listing after an error; stop here either way.
                    problems.push(DropinError::ReadDir {
                        path: dir.to_path_buf(),
                        source,
                    });
                    break;
                }
            };
            let name = dir_entry.file_name();
            if !is_dropin_name(&name) {
                continue;
            }
            found = found.saturating_add(1);
            out.push(Candidate {
                file_type: dir_entry.file_type(),
                name,
                dir_index,
            });
            // Keep memory bounded: past twice the cap, keep only the first `max` by name.
            if out.len() - start >= max.saturating_mul(2).max(1) {
                out[start..].sort_unstable_by(|a, b| name_bytes(&a.name).cmp(name_bytes(&b.name)));
                out.truncate(start + max);
                sorted_prefix = true;
            } else {
                sorted_prefix = false;
            }
        }
        if !sorted_prefix || out.len() - start > max {
            out[start..].sort_unstable_by(|a, b| name_bytes(&a.name).cmp(name_bytes(&b.name)));
            out.truncate(start + max);
        }
        if found > max {
            problems.push(DropinError::TooManyFiles {
                path: dir.to_path_buf(),
                found,
                max,
            });
        }
        DirStatus::Present
    }

    /// Classifies, reads and parses one drop-in.
    fn load_file(&self, path: PathBuf, candidate: Candidate, buf: &mut Vec<u8>) -> Outcome {
        if candidate.name.to_str().is_none() {
            return Outcome::Problem(DropinError::NonUtf8FileName { path });
        }
        let file_type = match candidate.file_type {
            Ok(file_type) => file_type,
            Err(source) => return Outcome::Problem(DropinError::Metadata { path, source }),
        };

        // Never open anything before knowing that it is a regular file.
        if file_type.is_symlink() {
            match fs::metadata(&path) {
                Ok(meta) if meta.is_file() => {}
                Ok(meta) if is_dev_null(&meta) => return Outcome::Masked(path),
                Ok(meta) => {
                    let target = fs::read_link(&path).unwrap_or_default();
                    return Outcome::Problem(DropinError::SymlinkTarget {
                        kind: FileKind::of(meta.file_type()),
                        target,
                        path,
                    });
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                    ) =>
                {
                    let target = fs::read_link(&path).unwrap_or_default();
                    return Outcome::Problem(DropinError::DanglingSymlink { path, target });
                }
                Err(e) if is_loop(&e) => {
                    return Outcome::Problem(DropinError::SymlinkLoop { path, source: e });
                }
                Err(source) => return Outcome::Problem(DropinError::Metadata { path, source }),
            }
        } else if !file_type.is_file() {
            if is_char_device(file_type) {
                // A device node named `x.json` that is `/dev/null` itself masks too.
                if let Ok(meta) = fs::symlink_metadata(&path) {
                    if is_dev_null(&meta) {
                        return Outcome::Masked(path);
                    }
                }
            }
            return Outcome::Problem(DropinError::NotARegularFile {
                kind: FileKind::of(file_type),
                path,
            });
        }

        if let Err(problem) = read_capped(&path, self.max_file_size, buf) {
            return Outcome::Problem(problem.at(path));
        }
        if buf.is_empty() {
            return Outcome::Masked(path);
        }
        parse(path, buf)
    }
}

/// Reads a drop-in that is a regular file, or a symlink to one, into `buf`, holding at most
/// `cap + 1` bytes whatever the file claims. `buf` is reused from file to file.
fn read_capped(path: &Path, cap: u64, buf: &mut Vec<u8>) -> Result<(), FileProblem> {
    buf.clear();
    let file = match open_nonblocking(path) {
        Ok(file) => file,
        Err(source) => return Err(FileProblem::Open(source)),
    };
    // The file may have been replaced between the listing and the open: check the handle.
    let meta = match file.metadata() {
        Ok(meta) => meta,
        Err(source) => return Err(FileProblem::Metadata(source)),
    };
    if !meta.is_file() {
        return Err(FileProblem::NotRegular(FileKind::of(meta.file_type())));
    }
    let expected = meta.len();
    if expected > cap {
        return Err(FileProblem::TooLarge(cap));
    }
    // Never hold more than `cap + 1` bytes: one more than the cap shows the file is too
    // large. Files in /proc and the like claim a size of 0 and are read up to the limit.
    let limit = usize::try_from(cap.saturating_add(1)).unwrap_or(usize::MAX);
    let first = usize::try_from(expected.saturating_add(1))
        .unwrap_or(usize::MAX)
        .min(limit);
    buf.resize(first, 0);
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            if buf.len() >= limit {
                break;
            }
            let grown = buf.len().saturating_mul(2).max(8192).min(limit);
            buf.resize(grown, 0);
        }
        let requested = buf.len() - filled;
        match (&file).read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => {
                filled += n;
                // A short read that completes the size the file reported is the end of a
                // regular file: skip the extra read that would return 0.
                if n < requested && expected > 0 && filled as u64 == expected {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(source) => {
                buf.clear();
                return Err(FileProblem::Read(source));
            }
        }
    }
    buf.truncate(filled);
    if filled as u64 > cap {
        buf.clear();
        return Err(FileProblem::TooLarge(cap));
    }
    Ok(())
}

/// Why a file could not be read, before its path is attached.
enum FileProblem {
    Open(io::Error),
    Metadata(io::Error),
    NotRegular(FileKind),
    TooLarge(u64),
    Read(io::Error),
}

impl FileProblem {
    fn at(self, path: PathBuf) -> DropinError {
        match self {
            FileProblem::Open(source) => DropinError::Open { path, source },
            FileProblem::Metadata(source) => DropinError::Metadata { path, source },
            FileProblem::NotRegular(kind) => DropinError::NotARegularFile { path, kind },
            FileProblem::TooLarge(max) => DropinError::TooLarge { path, max },
            FileProblem::Read(source) => DropinError::Read { path, source },
        }
    }
}

/// Parses the bytes of one drop-in into an entry with its warnings, or a problem.
fn parse(path: PathBuf, bytes: &[u8]) -> Outcome {
    let mut warnings = Vec::new();
    let text = match bytes.strip_prefix(BOM) {
        Some(rest) => {
            warnings.push(DropinWarning::ByteOrderMark);
            rest
        }
        None => bytes,
    };
    // Checked once here, so the parser need not check the strings again.
    let text = match std::str::from_utf8(text) {
        Ok(text) => text,
        Err(e) => {
            let Position { line, column } = position_of(text, e.valid_up_to());
            return Outcome::Problem(DropinError::InvalidUtf8 { path, line, column });
        }
    };

    let mut unknown = Vec::new();
    let entry = match IntegrationEntry::from_str_noting_unknown(text, &mut unknown) {
        Ok(entry) => entry,
        Err(source) => {
            let Position { line, column } =
                source.position().unwrap_or(Position { line: 1, column: 1 });
            return Outcome::Problem(DropinError::Parse {
                line,
                column,
                path,
                source,
            });
        }
    };
    for (i, field) in unknown.into_iter().enumerate() {
        warnings.push(DropinWarning::UnknownField {
            suggestion: suggest(&field),
            position: (i < MAX_LOCATED_KEYS)
                .then(|| find_key(text.as_bytes(), &field))
                .flatten(),
            field,
        });
    }
    for warning in entry.warnings() {
        warnings.push(DropinWarning::Entry {
            position: find_key(text.as_bytes(), warning.field().as_str()),
            warning,
        });
    }
    Outcome::Entry(LoadedEntry {
        entry,
        path,
        warnings,
    })
}

/// Loads the drop-ins of the single directory `dir` with the default limits: a
/// replacement for the `mvm-guest` function of the same name that reports instead of printing.
///
/// ```
/// use mvm_integrations::{load_dropin_dir, DirStatus};
///
/// let report = load_dropin_dir("/nonexistent/integrations.d");
/// assert!(report.entries.is_empty() && report.problems.is_empty());
/// assert_eq!(report.dirs[0].status, DirStatus::Missing);
/// ```
pub fn load_dropin_dir(dir: impl AsRef<Path>) -> LoadReport {
    DropinLoader::with_dirs([dir.as_ref()]).load()
}

/// What [`DropinLoader::load`] found: the good entries, one problem per bad file, and what
/// each directory looked like.
///
/// Everything is in a deterministic order: entries, files and masked paths in byte order
/// of file name; problems first for the directories, in precedence order, then for the
/// files, in file name order.
#[derive(Debug)]
#[non_exhaustive]
pub struct LoadReport {
    /// The entries that loaded, in byte order of their file names, with no two sharing an
    /// integration name.
    pub entries: Vec<LoadedEntry>,
    /// One problem per bad file (and per directory that could not be listed).
    pub problems: Vec<DropinError>,
    /// Each directory the loader was given, in precedence order, and whether it existed.
    pub dirs: Vec<DirReport>,
    /// Every drop-in file considered after layering, in byte order of file name: the paths
    /// of the entries, of the problems with files, and of the masks.
    pub files: Vec<PathBuf>,
    /// The files that mask a name: empty files and links to `/dev/null`.
    pub masked: Vec<PathBuf>,
}

impl LoadReport {
    /// The manifest formed by the loaded entries, in load order.
    pub fn manifest(&self) -> IntegrationManifest {
        IntegrationManifest::keeping_first(self.entries.iter().map(|e| e.entry.clone()))
    }

    /// Whether any file or directory had a problem.
    pub fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }

    /// The number of warnings over all entries.
    pub fn warning_count(&self) -> usize {
        self.entries.iter().map(|e| e.warnings.len()).sum()
    }
}

/// An entry loaded from a drop-in file, with the warnings about it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadedEntry {
    /// The entry.
    pub entry: IntegrationEntry,
    /// The file it was loaded from.
    pub path: PathBuf,
    /// Findings that did not stop the entry from loading, in file order, then the
    /// entry's own [`IntegrationEntry::warnings`].
    pub warnings: Vec<DropinWarning>,
}

/// One directory given to the loader, and what it looked like.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DirReport {
    /// The directory, as given.
    pub path: PathBuf,
    /// Whether it existed.
    pub status: DirStatus,
}

/// Whether a directory given to the loader existed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DirStatus {
    /// It exists and was listed (it may be empty).
    Present,
    /// It does not exist: no entries, and not an error.
    Missing,
    /// It exists but could not be listed, or is not a directory; the report has a problem
    /// for it.
    Unreadable,
}

/// A `*.json` name found in a directory.
struct Candidate {
    name: OsString,
    file_type: io::Result<FileType>,
    dir_index: usize,
}

/// What became of one file.
enum Outcome {
    Entry(LoadedEntry),
    Masked(PathBuf),
    Problem(DropinError),
}

fn name_bytes(name: &OsStr) -> &[u8] {
    name.as_encoded_bytes()
}

/// Whether a directory entry is a drop-in: a name ending in `.json` with something before
/// it (so `.json` itself is skipped, as `mvm-guest` did).
fn is_dropin_name(name: &OsStr) -> bool {
    let bytes = name_bytes(name);
    bytes.len() > 5 && bytes.ends_with(b".json")
}

/// The line and column (from 1, in bytes) of byte `offset` of `text`.
fn position_of(text: &[u8], offset: usize) -> Position {
    let before = &text[..offset.min(text.len())];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    Position {
        line,
        column: before.len() - line_start + 1,
    }
}

/// How many unknown keys are located in the text; beyond, warnings have no position. This
/// keeps a file made of thousands of tiny unknown keys from costing quadratic time.
const MAX_LOCATED_KEYS: usize = 64;

/// The position of the first `"key"` followed by `:` in `text`, if any. Keys written with
/// escapes are not found.
fn find_key(text: &[u8], key: &str) -> Option<Position> {
    let needle_len = key.len() + 2;
    let mut from = 0;
    while from + needle_len <= text.len() {
        let rel = text[from..].windows(needle_len).position(|w| {
            w[0] == b'"' && w[needle_len - 1] == b'"' && &w[1..needle_len - 1] == key.as_bytes()
        })?;
        let at = from + rel;
        let after = &text[at + needle_len..];
        let next = after
            .iter()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        if next == Some(&b':') {
            return Some(position_of(text, at));
        }
        from = at + 1;
    }
    None
}

/// The known field closest to `field`, if it is close enough to be a typo.
fn suggest(field: &str) -> Option<&'static str> {
    if field.len() > 64 {
        return None;
    }
    let lower = field.to_ascii_lowercase();
    let mut best: Option<(usize, &'static str)> = None;
    for &known in FIELDS {
        let distance = edit_distance(&lower, known);
        let limit = (known.len() / 3).max(1);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, known));
        }
    }
    best.map(|(_, known)| known)
}

/// Optimal string alignment distance over characters: insertions, deletions,
/// substitutions and transpositions of neighbours each cost 1.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, row) in d.chunks_mut(width).enumerate() {
        row[0] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = v;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(unix)]
fn is_char_device(file_type: FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    file_type.is_char_device()
}

#[cfg(not(unix))]
fn is_char_device(_: FileType) -> bool {
    false
}

/// Whether `meta` describes `/dev/null` (the same character device), which masks a name.
#[cfg(unix)]
fn is_dev_null(meta: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    is_char_device(meta.file_type())
        && fs::metadata("/dev/null")
            .is_ok_and(|null| is_char_device(null.file_type()) && null.rdev() == meta.rdev())
}

#[cfg(not(unix))]
fn is_dev_null(_: &Metadata) -> bool {
    false
}

/// `O_NONBLOCK` for this target, so that opening a file that turned into a FIFO after it
/// was classified cannot block. The default build has no `libc`, so the values are spelled
/// out here from the platforms' headers; on other targets no flag is added and only the
/// check before opening protects.
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    not(any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "sparc",
        target_arch = "sparc64"
    ))
))]
const O_NONBLOCK: i32 = 0o4000;
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    any(target_arch = "mips", target_arch = "mips64")
))]
const O_NONBLOCK: i32 = 0x80;
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    any(target_arch = "sparc", target_arch = "sparc64")
))]
const O_NONBLOCK: i32 = 0x4000;
#[cfg(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
))]
const O_NONBLOCK: i32 = 0x4;
#[cfg(all(
    unix,
    not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    ))
))]
const O_NONBLOCK: i32 = 0;

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

/// Whether resolving a path failed because of a symlink loop (`ELOOP`).
fn is_loop(e: &io::Error) -> bool {
    #[cfg(all(
        any(target_os = "linux", target_os = "android"),
        not(any(target_arch = "mips", target_arch = "mips64"))
    ))]
    const ELOOP: Option<i32> = Some(40);
    #[cfg(all(
        any(target_os = "linux", target_os = "android"),
        any(target_arch = "mips", target_arch = "mips64")
    ))]
    const ELOOP: Option<i32> = Some(90);
    #[cfg(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    ))]
    const ELOOP: Option<i32> = Some(62);
    #[cfg(not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    )))]
    const ELOOP: Option<i32> = None;
    ELOOP.is_some_and(|eloop| e.raw_os_error() == Some(eloop))
}
