//! The drop-in loader's I/O job: listing a directory through one handle and opening and
//! reading hostile files without ever reading from anything but a regular file.
//!
//! On Linux and Android every name is opened relative to the directory's handle (`openat`),
//! and every open for reading uses `O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC`:
//! - a name the listing reports as a regular file is opened with `O_NOFOLLOW` as well, so a
//!   name swapped for a symlink fails (`ELOOP`) and is then resolved as a symlink below;
//! - a symlink, or a name whose type the listing does not give, is first opened with
//!   `O_PATH` (which never reaches a device driver, never blocks on a FIFO and reads
//!   nothing) and checked with `fstat`; only a regular file is then re-opened for reading,
//!   through `/proc/self/fd/N`, which reaches the very inode that was checked. Symlinked
//!   drop-ins are followed like systemd's;
//! - a name the listing reports as anything else is never opened for reading.
//!
//! Every handle opened for reading is checked with `fstat` before the first read: only a
//! regular file is read.
//!
//! The remaining windows, each needing someone who can already write the directory:
//! - A name listed as a regular file and replaced, before the open, by a device node (which
//!   takes `CAP_MKNOD`) or a FIFO is opened, non-blocking and without becoming the controlling
//!   terminal, recognised by `fstat` and closed without a single read. A FIFO's writer is not
//!   blocked by it; a device's driver sees one open and one close.
//! - Where `/proc` is not mounted, a symlink's target is opened by name after the check, with
//!   the same flags, and the handle's inode is compared with the checked one before any read.
//! - On targets other than Linux and Android the loader uses `std::fs`: it checks the type by
//!   path, opens by path and checks the handle, so the window there is between the check and
//!   the open.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::diagnostic::{ErrorKind, FileKind};

/// What opening a directory gave.
pub(crate) enum OpenDir {
    Opened(DirHandle),
    Missing,
    NotADirectory,
    Failed(io::Error),
}

/// What the directory listing says a name is (`d_type`), so that a regular file can be
/// opened in one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Listed {
    /// A regular file.
    Regular,
    /// A symlink, or a type the listing does not give: resolved with care.
    Unresolved,
    /// Anything else: never opened for reading.
    Other,
}

/// What opening a drop-in name gave.
pub(crate) enum OpenFile {
    /// A regular file, open for reading, with the size it claims.
    File(File, u64),
    /// `/dev/null`, or a link to it: the name is masked.
    Masked,
    /// Anything else, with the problem to report.
    Problem(ErrorKind),
}

fn dev_null_rdev() -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/dev/null")
            .ok()
            .filter(|m| {
                use std::os::unix::fs::FileTypeExt;
                m.file_type().is_char_device()
            })
            .map(|m| m.rdev())
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// What one read asks for at most while the buffer grows: the default cap, so that a typical
/// drop-in takes one allocation and one read.
const READ_CHUNK: usize = 64 * 1024;

/// Reads `file` into `buf`, holding at most `cap + 1` bytes whatever the file claims. The
/// buffer grows with the bytes actually read (never to what the file claims beyond one chunk),
/// and an allocation failure is this file's problem.
///
/// A regular file's read returns fewer bytes than asked only at its end, so a file no larger
/// than it claimed is read with one `read`, without a second one to see the end.
pub(crate) fn read_capped(
    mut file: File,
    claimed: u64,
    cap: u64,
    buf: &mut Vec<u8>,
) -> Result<(), ErrorKind> {
    buf.clear();
    if claimed > cap {
        return Err(ErrorKind::TooLarge { max: cap });
    }
    let limit = usize::try_from(cap.saturating_add(1)).unwrap_or(usize::MAX);
    let claimed = usize::try_from(claimed).unwrap_or(usize::MAX);
    // Ask for one byte more than claimed, so that a file that grew is seen to be larger.
    let mut want = claimed.saturating_add(1).min(READ_CHUNK).min(limit);
    loop {
        let len = buf.len();
        if buf.try_reserve(want).is_err() {
            *buf = Vec::new();
            return Err(ErrorKind::OutOfMemory {
                bytes: len.saturating_add(want),
            });
        }
        buf.resize(len + want, 0);
        let read = loop {
            match file.read(&mut buf[len..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => break other,
            }
        };
        let n = match read {
            Ok(n) => n,
            Err(source) => {
                buf.clear();
                return Err(ErrorKind::Read(source));
            }
        };
        buf.truncate(len + n);
        if buf.len() >= limit {
            buf.clear();
            return Err(ErrorKind::TooLarge { max: cap });
        }
        if n < want {
            return Ok(()); // a short read: the end of the file
        }
        want = buf.len().min(READ_CHUNK).min(limit - buf.len());
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) use unix::{DirHandle, open_dir};

#[cfg(any(target_os = "linux", target_os = "android"))]
mod unix {
    use super::*;
    use rustix::fs::{AtFlags, CWD, Dir, FileType, Mode, OFlags, Stat, fstat, openat, statat};
    use rustix::io::Errno;
    use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
    use std::os::unix::ffi::OsStringExt;

    const READ_FLAGS: OFlags = OFlags::RDONLY
        .union(OFlags::NOCTTY)
        .union(OFlags::NONBLOCK)
        .union(OFlags::CLOEXEC);

    /// An open directory: it is listed through this handle, and every name in it is opened
    /// relative to it.
    pub(crate) struct DirHandle {
        /// The handle the `*at` calls use.
        fd: OwnedFd,
        /// The listing, through a duplicate of the same handle.
        dir: Dir,
        /// `/dev/null`'s device number, looked up the first time a character device is met.
        dev_null: std::cell::OnceCell<Option<u64>>,
    }

    pub(crate) fn open_dir(path: &Path) -> OpenDir {
        let flags = OFlags::RDONLY
            | OFlags::DIRECTORY
            | OFlags::CLOEXEC
            | OFlags::NOCTTY
            | OFlags::NONBLOCK;
        match openat(CWD, path, flags, Mode::empty()) {
            // The listing reads through a duplicate of the handle (`fcntl`), not a second
            // open of the directory by name.
            Ok(fd) => match fd.try_clone().map(Dir::new) {
                Ok(Ok(dir)) => OpenDir::Opened(DirHandle {
                    fd,
                    dir,
                    dev_null: std::cell::OnceCell::new(),
                }),
                Ok(Err(e)) => OpenDir::Failed(e.into()),
                Err(e) => OpenDir::Failed(e),
            },
            Err(Errno::NOENT) => OpenDir::Missing,
            Err(Errno::NOTDIR) => OpenDir::NotADirectory,
            Err(e) => OpenDir::Failed(e.into()),
        }
    }

    fn kind_of(file_type: FileType) -> FileKind {
        match file_type {
            FileType::Directory => FileKind::Directory,
            FileType::Fifo => FileKind::Fifo,
            FileType::Socket => FileKind::Socket,
            FileType::CharacterDevice => FileKind::CharDevice,
            FileType::BlockDevice => FileKind::BlockDevice,
            _ => FileKind::Other,
        }
    }

    impl DirHandle {
        /// Calls `f` with every name in the directory but `.` and `..`. An error ends the
        /// listing and is returned.
        pub(crate) fn list(&mut self, mut f: impl FnMut(OsString, Listed)) -> io::Result<()> {
            while let Some(entry) = self.dir.read() {
                let entry = entry?;
                let name = entry.file_name().to_bytes();
                if name == b"." || name == b".." {
                    continue;
                }
                let listed = match entry.file_type() {
                    FileType::RegularFile => Listed::Regular,
                    FileType::Symlink | FileType::Unknown => Listed::Unresolved,
                    _ => Listed::Other,
                };
                f(OsString::from_vec(name.to_vec()), listed);
            }
            Ok(())
        }

        /// Whether `name` exists in the directory (without following it). An error other
        /// than "no such file" counts as existing: the caller fails closed.
        pub(crate) fn holds(&self, name: &OsStr) -> bool {
            !matches!(
                statat(self.fd(), name, AtFlags::SYMLINK_NOFOLLOW),
                Err(Errno::NOENT)
            )
        }

        /// The directory's handle, for the `*at` calls.
        fn fd(&self) -> BorrowedFd<'_> {
            self.fd.as_fd()
        }

        // `st_rdev` is not a `u64` on every target.
        #[allow(clippy::unnecessary_cast)]
        fn is_dev_null(&self, stat: &Stat) -> bool {
            FileType::from_raw_mode(stat.st_mode) == FileType::CharacterDevice
                && *self.dev_null.get_or_init(dev_null_rdev) == Some(stat.st_rdev as u64)
        }

        /// Opens `name` for reading if, and only if, it is a regular file or a symlink to
        /// one; see the module docs.
        pub(crate) fn open(&self, name: &OsStr, listed: Listed) -> OpenFile {
            if listed == Listed::Regular {
                match openat(
                    self.fd(),
                    name,
                    READ_FLAGS | OFlags::NOFOLLOW,
                    Mode::empty(),
                ) {
                    Ok(fd) => return self.checked(fd),
                    // Swapped for a symlink since the listing: resolve it as one.
                    Err(Errno::LOOP) => return self.open_link(name),
                    Err(e) => return OpenFile::Problem(ErrorKind::Open(e.into())),
                }
            }
            let path_flags = OFlags::PATH | OFlags::CLOEXEC | OFlags::NOFOLLOW;
            let handle = match openat(self.fd(), name, path_flags, Mode::empty()) {
                Ok(handle) => handle,
                Err(e) => return OpenFile::Problem(ErrorKind::Open(e.into())),
            };
            let stat = match fstat(&handle) {
                Ok(stat) => stat,
                Err(e) => return OpenFile::Problem(ErrorKind::Metadata(e.into())),
            };
            match FileType::from_raw_mode(stat.st_mode) {
                FileType::RegularFile => self.reopen(name, &handle, &stat, false),
                FileType::Symlink => self.open_link(name),
                _ if self.is_dev_null(&stat) => OpenFile::Masked,
                other => OpenFile::Problem(ErrorKind::NotARegularFile(kind_of(other))),
            }
        }

        fn open_link(&self, name: &OsStr) -> OpenFile {
            let target = || {
                rustix::fs::readlinkat(self.fd(), name, Vec::new())
                    .ok()
                    .map(|t| PathBuf::from(OsString::from_vec(t.into_bytes())))
            };
            let handle = match openat(
                self.fd(),
                name,
                OFlags::PATH | OFlags::CLOEXEC,
                Mode::empty(),
            ) {
                Ok(handle) => handle,
                Err(Errno::NOENT | Errno::NOTDIR) => {
                    return OpenFile::Problem(ErrorKind::DanglingSymlink { target: target() });
                }
                Err(Errno::LOOP) => {
                    return OpenFile::Problem(ErrorKind::SymlinkLoop);
                }
                Err(e) => return OpenFile::Problem(ErrorKind::Metadata(e.into())),
            };
            let stat = match fstat(&handle) {
                Ok(stat) => stat,
                Err(e) => return OpenFile::Problem(ErrorKind::Metadata(e.into())),
            };
            match FileType::from_raw_mode(stat.st_mode) {
                FileType::RegularFile => self.reopen(name, &handle, &stat, true),
                _ if self.is_dev_null(&stat) => OpenFile::Masked,
                other => OpenFile::Problem(ErrorKind::SymlinkTarget {
                    target: target(),
                    kind: kind_of(other),
                }),
            }
        }

        /// Keeps `fd`, just opened for reading, only if it is a regular file: the check before
        /// the first read. `/dev/null` masks.
        fn checked(&self, fd: OwnedFd) -> OpenFile {
            let stat = match fstat(&fd) {
                Ok(stat) => stat,
                Err(e) => return OpenFile::Problem(ErrorKind::Metadata(e.into())),
            };
            match FileType::from_raw_mode(stat.st_mode) {
                FileType::RegularFile => {
                    OpenFile::File(File::from(fd), u64::try_from(stat.st_size).unwrap_or(0))
                }
                _ if self.is_dev_null(&stat) => OpenFile::Masked,
                other => OpenFile::Problem(ErrorKind::NotARegularFile(kind_of(other))),
            }
        }

        /// Opens the regular file that `handle` (an `O_PATH` handle) was checked to be.
        fn reopen(&self, name: &OsStr, handle: &OwnedFd, checked: &Stat, follow: bool) -> OpenFile {
            let proc_path = format!("/proc/self/fd/{}", handle.as_fd().as_raw_fd());
            let opened = match openat(CWD, proc_path.as_str(), READ_FLAGS, Mode::empty()) {
                Ok(fd) => Ok(fd),
                // No /proc: open by name, then make sure it is the inode that was checked.
                Err(Errno::NOENT) => {
                    let flags = if follow {
                        READ_FLAGS
                    } else {
                        READ_FLAGS | OFlags::NOFOLLOW
                    };
                    openat(self.fd(), name, flags, Mode::empty())
                }
                Err(e) => Err(e),
            };
            let fd = match opened {
                Ok(fd) => fd,
                Err(e) => return OpenFile::Problem(ErrorKind::Open(e.into())),
            };
            let stat = match fstat(&fd) {
                Ok(stat) => stat,
                Err(e) => return OpenFile::Problem(ErrorKind::Metadata(e.into())),
            };
            let file_type = FileType::from_raw_mode(stat.st_mode);
            if file_type != FileType::RegularFile {
                return OpenFile::Problem(ErrorKind::NotARegularFile(kind_of(file_type)));
            }
            if (stat.st_dev, stat.st_ino) != (checked.st_dev, checked.st_ino) {
                return OpenFile::Problem(ErrorKind::Open(io::Error::other(
                    "the file was replaced while it was being opened",
                )));
            }
            let size = u64::try_from(stat.st_size).unwrap_or(0);
            OpenFile::File(File::from(fd), size)
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) use other::{DirHandle, open_dir};

/// Without `O_PATH`, names are resolved from the directory's path: the check before the
/// open and the check of the open handle are the protection.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
mod other {
    use super::*;
    use std::fs;

    pub(crate) struct DirHandle {
        path: PathBuf,
    }

    pub(crate) fn open_dir(path: &Path) -> OpenDir {
        match fs::metadata(path) {
            Ok(m) if m.is_dir() => OpenDir::Opened(DirHandle {
                path: path.to_path_buf(),
            }),
            Ok(_) => OpenDir::NotADirectory,
            Err(e) if e.kind() == io::ErrorKind::NotFound => OpenDir::Missing,
            Err(e) => OpenDir::Failed(e),
        }
    }

    impl DirHandle {
        pub(crate) fn list(&mut self, mut f: impl FnMut(OsString, Listed)) -> io::Result<()> {
            for entry in fs::read_dir(&self.path)? {
                f(entry?.file_name(), Listed::Unresolved);
            }
            Ok(())
        }

        pub(crate) fn holds(&self, name: &OsStr) -> bool {
            !matches!(fs::symlink_metadata(self.path.join(name)), Err(e) if e.kind() == io::ErrorKind::NotFound)
        }

        pub(crate) fn open(&self, name: &OsStr, _listed: Listed) -> OpenFile {
            let path = self.path.join(name);
            match fs::metadata(&path) {
                Ok(m) if m.is_file() => {}
                Ok(m) if m.is_dir() => {
                    return OpenFile::Problem(ErrorKind::NotARegularFile(FileKind::Directory));
                }
                Ok(_) => return OpenFile::Problem(ErrorKind::NotARegularFile(FileKind::Other)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return OpenFile::Problem(ErrorKind::DanglingSymlink {
                        target: fs::read_link(&path).ok(),
                    });
                }
                Err(e) => return OpenFile::Problem(ErrorKind::Metadata(e)),
            }
            let file = match fs::File::open(&path) {
                Ok(file) => file,
                Err(e) => return OpenFile::Problem(ErrorKind::Open(e)),
            };
            match file.metadata() {
                Ok(m) if m.is_file() => OpenFile::File(file, m.len()),
                Ok(_) => OpenFile::Problem(ErrorKind::NotARegularFile(FileKind::Other)),
                Err(e) => OpenFile::Problem(ErrorKind::Metadata(e)),
            }
        }
    }
}
