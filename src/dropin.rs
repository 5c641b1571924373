//! The drop-in loader: layering and bookkeeping. The only part of the crate that does I/O,
//! through `dropin_io.rs`; the text of each file is read by `dropin_text.rs`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::INTEGRATIONS_DROPIN_DIR;
use crate::diagnostic::{Diagnostic, DropinError, DropinWarning, ErrorKind, Severity};
use crate::dropin_io::{self, DirHandle, Listed, OpenDir, OpenFile};
use crate::dropin_text;
use crate::entry::IntegrationEntry;
use crate::escape::Escaped;
use crate::manifest::IntegrationManifest;

/// Default of [`DropinLoader::max_file_size`]: 64 KiB.
///
/// A typical drop-in is a few hundred bytes. A larger file is a
/// [`DropinErrorKind::TooLarge`](crate::DropinErrorKind::TooLarge) after at most this many
/// bytes plus one have been read.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024;

/// Default of [`DropinLoader::max_files`]: 1024 drop-ins per directory.
///
/// A directory with more `*.json` names is a
/// [`DropinErrorKind::TooManyFiles`](crate::DropinErrorKind::TooManyFiles), and only the
/// first names in byte order are loaded.
pub const DEFAULT_MAX_FILES: usize = 1024;

/// The most warnings kept for one file. Past it, the file gets one
/// [`DropinWarning::TooManyWarnings`] with the count of those left out.
pub const MAX_WARNINGS_PER_FILE: usize = 16;

/// Name endings that mark editor, package-manager and backup leftovers. A name that ends in
/// one of these, that starts with `.`, or whose last extension starts with `.dpkg-` or
/// `.ucf-` is skipped silently (see [`DropinLoader`]).
pub const SKIPPED_SUFFIXES: &[&str] = &[
    "~", ".swp", ".swo", ".swx", ".bak", ".old", ".orig", ".rej", ".tmp", ".rpmnew", ".rpmsave",
    ".rpmorig", ".pacnew", ".pacsave",
];

/// Last-extension prefixes that mark package-manager leftovers (`x.json.dpkg-old`).
const SKIPPED_EXTENSION_PREFIXES: &[&str] = &[".dpkg-", ".ucf-"];

/// Loads [`IntegrationEntry`] drop-ins from layered directories, the way the guest agent does
/// at boot.
///
/// # Semantics
/// - **Layered directories**, like systemd: directories are given highest precedence first.
///   A file in a higher directory replaces the file of the same name in a lower one, which
///   is then never opened. A higher file that is empty, or that resolves to `/dev/null` (a
///   symlink to it, for instance), *masks* the name: nothing is loaded for it.
/// - **Which names**: names ending in `.json` (and longer than `.json`). Hidden and backup
///   names are skipped silently, like systemd: names starting with `.` (Emacs `.#x.json`
///   locks, macOS `._x.json` metadata), names ending in one of [`SKIPPED_SUFFIXES`], and
///   names whose last extension starts with `.dpkg-` or `.ucf-`. Every other name is
///   ignored. Files are taken in byte order of their names, whatever order the file system
///   lists them in.
/// - **One outcome per file**: [`load`](Self::load) returns a [`LoadOutcome`] that says, for
///   each file in order, whether it loaded (with its warnings), masked its name, was held
///   back or failed. A bad file never hides a good one. A missing directory is not an error.
/// - **Duplicates**: when two files declare the same integration name, the first in order
///   wins and the later one is a [`DropinErrorKind::DuplicateName`](crate::DropinErrorKind::DuplicateName).
///   A name that differs from an earlier one only by ASCII case is a
///   [`DropinWarning::NameCase`].
/// - **Warnings** are attached to the entry, which still loads: unknown top-level fields
///   (with a did-you-mean suggestion), the entry's [`IntegrationEntry::warnings`] and a UTF-8
///   byte-order mark, each at the position of its own key; at most
///   [`MAX_WARNINGS_PER_FILE`] per file, then one summary warning with a count.
///
/// # Layers fail closed
/// A mask or an override in a higher directory is never bypassed:
/// - if a higher directory exists but cannot be listed (or is not a directory, or its
///   listing fails midway), no file of the directories below it loads: each is
///   [`FileFate::HeldBack`] with [`HeldBack::LayerUnreadable`];
/// - if a higher directory holds more than [`max_files`](Self::max_files) names, a lower
///   file whose name exists past the cap in the higher directory is held back with
///   [`HeldBack::ShadowedPastCap`].
///
/// A guest agent that wants to go on anyway can read exactly which files it would choose.
///
/// # Hostile directories
/// A drop-in directory may hold anything. Each directory is opened once, and every name is
/// opened relative to that handle. On Linux, a name is first opened with
/// `O_PATH | O_NOFOLLOW` (which reads nothing and reaches no device), checked with `fstat`,
/// and only a regular file (or a symlink resolving to one) is re-opened for reading, through
/// the checked handle. FIFOs, sockets, devices (`/dev/zero`), directories, dangling links and
/// link loops are each reported without being opened for reading. Reads use `O_NONBLOCK`
/// and `O_NOCTTY`.
///
/// # Memory and time
/// At most [`max_file_size`](Self::max_file_size) + 1 bytes are read from each file,
/// whatever size it claims, into one buffer that grows with the bytes actually read; an
/// allocation failure is that file's [`DropinErrorKind::OutOfMemory`](crate::DropinErrorKind::OutOfMemory).
/// Per directory at most 2 × [`max_files`](Self::max_files) names are held while listing
/// and [`max_files`](Self::max_files) hidden or backup names are kept. What the outcome
/// keeps is, per file, the entry (no larger than the file) and at most
/// [`MAX_WARNINGS_PER_FILE`] + 1 warnings, each with a message of bounded length. So the
/// memory of [`load`](Self::load) is bounded by the number of directories ×
/// [`max_files`](Self::max_files) × ([`max_file_size`](Self::max_file_size) + a few KiB),
/// and the time is linear in the bytes read.
///
/// ```
/// use mvm_integrations::DropinLoader;
///
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("10-signal.json"), r#"{"name": "signal", "critcal": true}"#)?;
///
/// let outcome = DropinLoader::with_dirs([dir.path()]).load();
/// assert!(!outcome.has_problems());
/// let loaded = outcome.entries().next().unwrap();
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
    /// A larger file is a [`DropinErrorKind::TooLarge`](crate::DropinErrorKind::TooLarge).
    #[must_use]
    pub fn with_max_file_size(mut self, bytes: u64) -> Self {
        self.max_file_size = bytes;
        self
    }

    /// Sets how many `*.json` names are taken from each directory; [`DEFAULT_MAX_FILES`] by
    /// default. Beyond it, the first names in byte order are loaded and the directory gets a
    /// [`DropinErrorKind::TooManyFiles`](crate::DropinErrorKind::TooManyFiles).
    #[must_use]
    pub fn with_max_files(mut self, count: usize) -> Self {
        self.max_files = count;
        self
    }

    /// The largest drop-in accepted, in bytes.
    pub fn max_file_size(&self) -> u64 {
        self.max_file_size
    }

    /// How many `*.json` names are taken from each directory.
    pub fn max_files(&self) -> usize {
        self.max_files
    }

    /// The directories, highest precedence first.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// Loads the drop-ins. Never fails as a whole and never panics: every problem is in the
    /// returned outcome.
    pub fn load(&self) -> LoadOutcome {
        let mut dirs = Vec::with_capacity(self.dirs.len());
        let mut layers = Vec::with_capacity(self.dirs.len());
        let mut candidates: Vec<Candidate> = Vec::new();
        for (dir_index, dir) in self.dirs.iter().enumerate() {
            let (outcome, layer) = self.list_dir(dir, dir_index, &mut candidates);
            dirs.push(outcome);
            layers.push(layer);
        }
        // Keep the first occurrence of each name: a stable sort keeps directory order.
        if self.dirs.len() > 1 {
            candidates.sort_by(|a, b| name_bytes(&a.name).cmp(name_bytes(&b.name)));
            candidates.dedup_by(|later, first| later.name == first.name);
        }

        let mut files: Vec<FileOutcome> = Vec::with_capacity(candidates.len());
        let mut names: HashMap<String, NameSlot> = HashMap::with_capacity(candidates.len());
        // One buffer for every file; a typical drop-in fits without growing it.
        let mut buf = Vec::with_capacity(4096);
        for candidate in candidates {
            let path = self.dirs[candidate.dir_index].join(&candidate.name);
            let fate = match (
                self.held_back(&layers, &candidate),
                &layers[candidate.dir_index].handle,
            ) {
                (Some(reason), _) => FileFate::HeldBack(reason),
                (None, Some(handle)) => self.load_file(
                    handle,
                    &candidate.name,
                    candidate.listed,
                    &path,
                    &mut buf,
                    &files,
                    &mut names,
                ),
                // Candidates come only from directories that were opened.
                (None, None) => continue,
            };
            files.push(FileOutcome { path, fate });
        }
        LoadOutcome { dirs, files }
    }

    /// Why a candidate of a lower layer must not load, if it must not.
    fn held_back(&self, layers: &[Layer], candidate: &Candidate) -> Option<HeldBack> {
        for (higher, layer) in layers[..candidate.dir_index].iter().enumerate() {
            if layer.unreadable {
                return Some(HeldBack::LayerUnreadable {
                    dir: self.dirs[higher].clone(),
                });
            }
            if layer.truncated
                && layer
                    .handle
                    .as_ref()
                    .is_some_and(|h| h.holds(&candidate.name))
            {
                return Some(HeldBack::ShadowedPastCap {
                    by: self.dirs[higher].join(&candidate.name),
                });
            }
        }
        None
    }

    /// Lists the drop-in names of `dir` into `out`, keeping at most `max_files` of them: the
    /// first in byte order, so the result does not depend on the listing order.
    fn list_dir(
        &self,
        dir: &Path,
        dir_index: usize,
        out: &mut Vec<Candidate>,
    ) -> (DirOutcome, Layer) {
        let mut outcome = DirOutcome {
            path: dir.to_path_buf(),
            status: DirStatus::Present,
            problems: Vec::new(),
            skipped: Vec::new(),
            skipped_count: 0,
        };
        let mut layer = Layer {
            handle: None,
            unreadable: false,
            truncated: false,
        };
        let mut handle = match dropin_io::open_dir(dir) {
            OpenDir::Opened(handle) => handle,
            OpenDir::Missing => {
                outcome.status = DirStatus::Missing;
                return (outcome, layer);
            }
            OpenDir::NotADirectory => {
                outcome.status = DirStatus::Unreadable;
                outcome.problems.push(DropinError::new(
                    dir.to_path_buf(),
                    ErrorKind::NotADirectory,
                ));
                layer.unreadable = true;
                return (outcome, layer);
            }
            OpenDir::Failed(source) => {
                outcome.status = DirStatus::Unreadable;
                outcome.problems.push(DropinError::new(
                    dir.to_path_buf(),
                    ErrorKind::ReadDir(source),
                ));
                layer.unreadable = true;
                return (outcome, layer);
            }
        };

        let start = out.len();
        let max = self.max_files;
        let mut found = 0usize;
        let listed = handle.list(|name, listed| {
            match classify(&name) {
                Name::Dropin => {}
                Name::Ignored => return,
                Name::Skipped => {
                    outcome.skipped_count = outcome.skipped_count.saturating_add(1);
                    if outcome.skipped.len() < max {
                        outcome.skipped.push(name);
                    }
                    return;
                }
            }
            found = found.saturating_add(1);
            out.push(Candidate {
                name,
                dir_index,
                listed,
            });
            // Keep memory bounded: past twice the cap, keep only the first `max` by name.
            if out.len() - start >= max.saturating_mul(2).max(1) {
                sort_names(&mut out[start..]);
                out.truncate(start + max);
            }
        });
        sort_names(&mut out[start..]);
        out.truncate(start + max);
        outcome
            .skipped
            .sort_unstable_by(|a, b| name_bytes(a).cmp(name_bytes(b)));
        if let Err(source) = listed {
            outcome.status = DirStatus::Unreadable;
            outcome.problems.push(DropinError::new(
                dir.to_path_buf(),
                ErrorKind::ReadDir(source),
            ));
            layer.unreadable = true;
        }
        if found > max {
            outcome.problems.push(DropinError::new(
                dir.to_path_buf(),
                ErrorKind::TooManyFiles { found, max },
            ));
            layer.truncated = true;
        }
        layer.handle = Some(handle);
        (outcome, layer)
    }

    /// Opens, reads and parses one drop-in, and checks its name against the earlier ones.
    #[allow(clippy::too_many_arguments)]
    fn load_file(
        &self,
        handle: &DirHandle,
        name: &OsStr,
        listed: Listed,
        path: &Path,
        buf: &mut Vec<u8>,
        files: &[FileOutcome],
        names: &mut HashMap<String, NameSlot>,
    ) -> FileFate {
        let fail = |kind| FileFate::Failed(DropinError::new(path.to_path_buf(), kind));
        if name.to_str().is_none() {
            return fail(ErrorKind::NonUtf8FileName);
        }
        let (file, claimed) = match handle.open(name, listed) {
            OpenFile::File(file, claimed) => (file, claimed),
            OpenFile::Masked => return FileFate::Masked,
            OpenFile::Problem(kind) => return fail(kind),
        };
        if let Err(kind) = dropin_io::read_capped(file, claimed, self.max_file_size, buf) {
            return fail(kind);
        }
        if buf.is_empty() {
            return FileFate::Masked;
        }
        let parsed = match dropin_text::parse(buf) {
            Ok(parsed) => parsed,
            Err(kind) => return fail(kind),
        };
        let name = parsed.entry.name();
        let mut warnings = parsed.warnings;
        let index = files.len();
        // Names that differ only by ASCII case share a slot: an exact repeat is a duplicate,
        // any other is a case warning against the first. Most names are lowercase already,
        // so the lookup seldom allocates.
        let folded: Cow<'_, str> = if name.as_str().bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.as_str().to_ascii_lowercase())
        } else {
            Cow::Borrowed(name.as_str())
        };
        match names.get_mut(folded.as_ref()) {
            Some(slot) => {
                let loaded = |i: usize| match &files[i].fate {
                    FileFate::Loaded(loaded) => Some(loaded),
                    _ => None,
                };
                let same = std::iter::once(slot.first)
                    .chain(slot.others.iter().copied())
                    .find(|&i| loaded(i).is_some_and(|l| l.entry.name() == name));
                if let Some(first) = same {
                    return fail(ErrorKind::DuplicateName {
                        name: name.clone(),
                        first: files[first].path.clone(),
                    });
                }
                if let Some(other) = loaded(slot.first) {
                    warnings.push(DropinWarning::NameCase {
                        other: other.entry.name().clone(),
                        other_path: files[slot.first].path.clone(),
                        position: dropin_text::name_position(buf),
                    });
                }
                slot.others.push(index);
            }
            None => {
                names.insert(
                    folded.into_owned(),
                    NameSlot {
                        first: index,
                        others: Vec::new(),
                    },
                );
            }
        }
        FileFate::Loaded(LoadedEntry {
            entry: parsed.entry,
            path: path.to_path_buf(),
            warnings: warnings.finish(),
        })
    }
}

/// Loads the drop-ins of the single directory `dir` with the default limits: a
/// replacement for the `mvm-guest` function of the same name that reports instead of printing.
///
/// ```
/// use mvm_integrations::{load_dropin_dir, DirStatus};
///
/// let outcome = load_dropin_dir("/nonexistent/integrations.d");
/// assert!(outcome.files().is_empty() && !outcome.has_problems());
/// assert_eq!(outcome.dirs()[0].status(), DirStatus::Missing);
/// ```
pub fn load_dropin_dir(dir: impl AsRef<Path>) -> LoadOutcome {
    DropinLoader::with_dirs([dir.as_ref()]).load()
}

/// What [`DropinLoader::load`] found: each directory, and each drop-in file after layering
/// with what became of it.
///
/// Everything is in a deterministic order: directories in precedence order, files in byte
/// order of file name.
#[derive(Debug)]
pub struct LoadOutcome {
    dirs: Vec<DirOutcome>,
    files: Vec<FileOutcome>,
}

impl LoadOutcome {
    /// Each directory the loader was given, in precedence order.
    pub fn dirs(&self) -> &[DirOutcome] {
        &self.dirs
    }

    /// Each drop-in file considered after layering, in byte order of file name.
    pub fn files(&self) -> &[FileOutcome] {
        &self.files
    }

    /// The entries that loaded, in file order, no two sharing an integration name.
    pub fn entries(&self) -> impl Iterator<Item = &LoadedEntry> {
        self.files.iter().filter_map(|f| match &f.fate {
            FileFate::Loaded(loaded) => Some(loaded),
            _ => None,
        })
    }

    /// Every problem: the directories' first, in precedence order, then the files', in file
    /// order.
    pub fn problems(&self) -> impl Iterator<Item = &DropinError> {
        let dirs = self.dirs.iter().flat_map(|d| d.problems.iter());
        let files = self.files.iter().filter_map(|f| match &f.fate {
            FileFate::Failed(problem) => Some(problem),
            _ => None,
        });
        dirs.chain(files)
    }

    /// The files that mask a name: empty files and links to `/dev/null`.
    pub fn masked(&self) -> impl Iterator<Item = &Path> {
        self.files
            .iter()
            .filter(|f| matches!(f.fate, FileFate::Masked))
            .map(|f| f.path.as_path())
    }

    /// The files held back because a higher layer could not be fully read, with why.
    pub fn held_back(&self) -> impl Iterator<Item = (&Path, &HeldBack)> {
        self.files.iter().filter_map(|f| match &f.fate {
            FileFate::HeldBack(reason) => Some((f.path.as_path(), reason)),
            _ => None,
        })
    }

    /// Every finding as a [`Diagnostic`], in output order: each directory's (a missing
    /// directory is a note, a problem an error), then each file's in file order (its error,
    /// or its warnings, or a note that it masks a name or was held back).
    pub fn diagnostics(&self) -> impl Iterator<Item = Diagnostic> + '_ {
        let dirs = self.dirs.iter().flat_map(|d| {
            let missing = (d.status == DirStatus::Missing).then(|| {
                Diagnostic::new(
                    Severity::Note,
                    "missing-directory",
                    &d.path,
                    None,
                    "no such directory: nothing to load from it".to_owned(),
                )
            });
            missing
                .into_iter()
                .chain(d.problems.iter().map(Diagnostic::of_error))
        });
        let files = self.files.iter().flat_map(|f| {
            let (single, warnings) = match &f.fate {
                FileFate::Loaded(loaded) => (None, &loaded.warnings[..]),
                FileFate::Failed(problem) => (Some(Diagnostic::of_error(problem)), &[][..]),
                FileFate::Masked => (
                    Some(Diagnostic::new(
                        Severity::Note,
                        "masked",
                        &f.path,
                        None,
                        "masked: an empty file or a link to `/dev/null` hides this name".to_owned(),
                    )),
                    &[][..],
                ),
                FileFate::HeldBack(reason) => (
                    Some(Diagnostic::new(
                        Severity::Note,
                        "held-back",
                        &f.path,
                        None,
                        reason.to_string(),
                    )),
                    &[][..],
                ),
            };
            single.into_iter().chain(
                warnings
                    .iter()
                    .map(move |w| Diagnostic::of_warning(&f.path, w)),
            )
        });
        dirs.chain(files)
    }

    /// Whether any file or directory had a problem.
    pub fn has_problems(&self) -> bool {
        self.problems().next().is_some()
    }

    /// The number of warnings over all entries.
    pub fn warning_count(&self) -> usize {
        self.entries().map(|e| e.warnings.len()).sum()
    }

    /// The manifest formed by the loaded entries, in load order (cloned).
    pub fn manifest(&self) -> IntegrationManifest {
        // The loader already keeps one entry per name.
        IntegrationManifest::keeping_first(self.entries().map(|e| e.entry.clone()))
    }

    /// The manifest formed by the loaded entries, in load order, without cloning them.
    pub fn into_manifest(self) -> IntegrationManifest {
        IntegrationManifest::keeping_first(self.files.into_iter().filter_map(|f| match f.fate {
            FileFate::Loaded(loaded) => Some(loaded.entry),
            _ => None,
        }))
    }
}

/// One drop-in file after layering, and what became of it.
#[derive(Debug)]
pub struct FileOutcome {
    path: PathBuf,
    fate: FileFate,
}

impl FileOutcome {
    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What became of it.
    pub fn fate(&self) -> &FileFate {
        &self.fate
    }
}

/// What became of one drop-in file.
#[derive(Debug)]
#[non_exhaustive]
pub enum FileFate {
    /// It loaded, perhaps with warnings.
    Loaded(LoadedEntry),
    /// It masks its name: an empty file, `/dev/null` or a link to it.
    Masked,
    /// It was not opened, because a higher layer could not be fully read and might hide or
    /// mask it.
    HeldBack(HeldBack),
    /// It could not be loaded.
    Failed(DropinError),
}

/// Why a file of a lower layer was held back (see [`DropinLoader`]'s "Layers fail closed").
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeldBack {
    /// A higher directory exists but could not be listed, or its listing failed midway.
    #[non_exhaustive]
    LayerUnreadable {
        /// The higher directory.
        dir: PathBuf,
    },
    /// A higher directory holds the same name past its
    /// [`max_files`](DropinLoader::max_files) cap, so that file hides this one.
    #[non_exhaustive]
    ShadowedPastCap {
        /// The higher file.
        by: PathBuf,
    },
}

impl fmt::Display for HeldBack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeldBack::LayerUnreadable { dir } => write!(
                f,
                "held back: the higher directory `{}` could not be listed and may hide or mask this name",
                Escaped::path(dir)
            ),
            HeldBack::ShadowedPastCap { by } => write!(
                f,
                "held back: `{}` hides this name but lies past the file cap of its directory",
                Escaped::path(by)
            ),
        }
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
    /// entry's own [`IntegrationEntry::warnings`]; at most [`MAX_WARNINGS_PER_FILE`], then
    /// one [`DropinWarning::TooManyWarnings`].
    pub warnings: Vec<DropinWarning>,
}

/// One directory given to the loader, and what it looked like.
#[derive(Debug)]
pub struct DirOutcome {
    path: PathBuf,
    status: DirStatus,
    problems: Vec<DropinError>,
    skipped: Vec<OsString>,
    skipped_count: usize,
}

impl DirOutcome {
    /// The directory, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether it existed and could be listed.
    pub fn status(&self) -> DirStatus {
        self.status
    }

    /// The problems with the directory itself: it could not be listed, it is not a
    /// directory, it holds too many files.
    pub fn problems(&self) -> &[DropinError] {
        &self.problems
    }

    /// The hidden and backup names skipped, in byte order: at most
    /// [`max_files`](DropinLoader::max_files) of them (see [`skipped_count`](Self::skipped_count)).
    pub fn skipped(&self) -> &[OsString] {
        &self.skipped
    }

    /// How many hidden and backup names were skipped.
    pub fn skipped_count(&self) -> usize {
        self.skipped_count
    }
}

/// Whether a directory given to the loader existed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DirStatus {
    /// It exists and was listed (it may be empty).
    Present,
    /// It does not exist: no entries, and not an error.
    Missing,
    /// It exists but could not be listed, its listing failed midway, or it is not a
    /// directory; the outcome has a problem for it, and the directories below are held back.
    Unreadable,
}

impl DirStatus {
    /// `present`, `missing` or `unreadable`.
    pub fn as_str(self) -> &'static str {
        match self {
            DirStatus::Present => "present",
            DirStatus::Missing => "missing",
            DirStatus::Unreadable => "unreadable",
        }
    }
}

/// A drop-in name found in a directory.
/// The loaded entries whose names are equal but for ASCII case, by index in the outcome's
/// files: the first, and any later ones.
struct NameSlot {
    first: usize,
    others: Vec<usize>,
}

struct Candidate {
    name: OsString,
    dir_index: usize,
    listed: Listed,
}

/// What the loader knows of a directory while loading.
struct Layer {
    handle: Option<DirHandle>,
    unreadable: bool,
    truncated: bool,
}

fn name_bytes(name: &OsStr) -> &[u8] {
    name.as_encoded_bytes()
}

fn sort_names(names: &mut [Candidate]) {
    names.sort_unstable_by(|a, b| name_bytes(&a.name).cmp(name_bytes(&b.name)));
}

enum Name {
    Dropin,
    Skipped,
    Ignored,
}

/// Whether a name is a drop-in, a hidden or backup name (skipped, listed for `--verbose`),
/// or any other name.
fn classify(name: &OsStr) -> Name {
    let bytes = name_bytes(name);
    let ext_start = bytes.iter().rposition(|&b| b == b'.');
    let is_backup = SKIPPED_SUFFIXES
        .iter()
        .any(|s| bytes.ends_with(s.as_bytes()))
        || ext_start.is_some_and(|i| {
            SKIPPED_EXTENSION_PREFIXES
                .iter()
                .any(|p| bytes[i..].starts_with(p.as_bytes()))
        });
    if bytes.starts_with(b".") || is_backup {
        Name::Skipped
    } else if bytes.len() > 5 && bytes.ends_with(b".json") {
        Name::Dropin
    } else {
        Name::Ignored
    }
}
