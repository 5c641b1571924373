//! The drop-in loader's I/O job: listing a directory through one handle and opening and
//! reading hostile files without ever reading from anything but a regular file.
//!
//! On Linux and Android each name is first opened with `O_PATH | O_NOFOLLOW`, relative to
//! the directory's handle (`openat`). An `O_PATH` open never reaches a device driver, never
//! blocks on a FIFO and reads nothing. The handle is checked with `fstat`:
//! - a regular file is re-opened for reading through `/proc/self/fd/N`, which reaches the
//!   very inode that was checked, so no name swap can slip a device in;
//! - a symlink is resolved the same way (`O_PATH` without `O_NOFOLLOW`, then `fstat`), since
//!   symlinked drop-ins are followed like systemd's;
//! - anything else is reported without being opened for reading.
//!
//! Every open for reading uses `O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC`, and every
//! handle is checked again with `fstat` before the first read.
//!
//! The remaining window: where `/proc` is not mounted, the file is opened by name after the check, so a name swapped
//! for a device between the check and the open is opened (non-blocking, without becoming
//! the controlling terminal), then recognised by `fstat` (a different inode, or not a
//! regular file) and closed without a single read. On targets other than Linux and Android
//! the loader uses `std::fs`: it checks the type by path, opens by path and checks the
//! handle, so the window there is between the check and the open.

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

/// Reads `file` into `buf`, holding at most `cap + 1` bytes whatever the file claims. The
/// buffer grows with the bytes actually read, and an allocation failure is this file's
/// problem.
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
    let mut chunk = [0u8; 8192];
    while buf.len() < limit {
        let want = chunk.len().min(limit - buf.len());
        match file.read(&mut chunk[..want]) {
            Ok(0) => break,
            Ok(n) => {
                if buf.try_reserve(n).is_err() {
                    let bytes = buf.len().saturating_add(n);
                    *buf = Vec::new();
                    return Err(ErrorKind::OutOfMemory { bytes });
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(source) => {
                buf.clear();
                return Err(ErrorKind::Read(source));
            }
        }
    }
    if buf.len() as u64 > cap {
        buf.clear();
        return Err(ErrorKind::TooLarge { max: cap });
    }
    Ok(())
}

#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) use unix::{DirHandle, open_dir};

#[cfg(any(target_os = "linux", target_os = "android"))]
mod unix {
    use super::*;
    use rustix::fs::{AtFlags, CWD, Dir, FileType, Mode, OFlags, Stat, fstat, openat, statat};
    use rustix::io::Errno;
    use std::os::fd::{AsFd, AsRawFd, OwnedFd};
    use std::os::unix::ffi::OsStringExt;

    const READ_FLAGS: OFlags = OFlags::RDONLY
        .union(OFlags::NOCTTY)
        .union(OFlags::NONBLOCK)
        .union(OFlags::CLOEXEC);

    /// An open directory: every name in it is opened relative to this handle.
    pub(crate) struct DirHandle {
        fd: OwnedFd,
        dev_null: Option<u64>,
    }

    pub(crate) fn open_dir(path: &Path) -> OpenDir {
        let flags = OFlags::RDONLY
            | OFlags::DIRECTORY
            | OFlags::CLOEXEC
            | OFlags::NOCTTY
            | OFlags::NONBLOCK;
        match openat(CWD, path, flags, Mode::empty()) {
            Ok(fd) => OpenDir::Opened(DirHandle {
                fd,
                dev_null: dev_null_rdev(),
            }),
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
        pub(crate) fn list(&self, mut f: impl FnMut(OsString)) -> io::Result<()> {
            let dir = Dir::read_from(&self.fd)?;
            for entry in dir {
                let entry = entry?;
                let name = entry.file_name().to_bytes();
                if name == b"." || name == b".." {
                    continue;
                }
                f(OsString::from_vec(name.to_vec()));
            }
            Ok(())
        }

        /// Whether `name` exists in the directory (without following it). An error other
        /// than "no such file" counts as existing: the caller fails closed.
        pub(crate) fn holds(&self, name: &OsStr) -> bool {
            !matches!(
                statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW),
                Err(Errno::NOENT)
            )
        }

        // `st_rdev` is not a `u64` on every target.
        #[allow(clippy::unnecessary_cast)]
        fn is_dev_null(&self, stat: &Stat) -> bool {
            FileType::from_raw_mode(stat.st_mode) == FileType::CharacterDevice
                && self.dev_null == Some(stat.st_rdev as u64)
        }

        /// Opens `name` for reading if, and only if, it is a regular file or a symlink to
        /// one; see the module docs.
        pub(crate) fn open(&self, name: &OsStr) -> OpenFile {
            let path_flags = OFlags::PATH | OFlags::CLOEXEC | OFlags::NOFOLLOW;
            let handle = match openat(&self.fd, name, path_flags, Mode::empty()) {
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
                rustix::fs::readlinkat(&self.fd, name, Vec::new())
                    .ok()
                    .map(|t| PathBuf::from(OsString::from_vec(t.into_bytes())))
            };
            let handle = match openat(
                &self.fd,
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
                    openat(&self.fd, name, flags, Mode::empty())
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
        pub(crate) fn list(&self, mut f: impl FnMut(OsString)) -> io::Result<()> {
            for entry in fs::read_dir(&self.path)? {
                f(entry?.file_name());
            }
            Ok(())
        }

        pub(crate) fn holds(&self, name: &OsStr) -> bool {
            !matches!(fs::symlink_metadata(self.path.join(name)), Err(e) if e.kind() == io::ErrorKind::NotFound)
        }

        pub(crate) fn open(&self, name: &OsStr) -> OpenFile {
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
