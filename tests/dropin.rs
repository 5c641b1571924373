//! The drop-in loader: order, layering, duplicates, hostile directories, messages.

mod support;

use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use mvm_integrations::{
    DEFAULT_MAX_FILE_SIZE, DirOutcome, DirStatus, DropinError, DropinErrorKind, DropinLoader,
    DropinWarning, EntryWarning, Field, FileKind, HeldBack, IntegrationManifest, LoadOutcome,
    LoadedEntry, MAX_WARNINGS_PER_FILE, Position, Severity, load_dropin_dir,
};
use tempfile::TempDir;

/// A load outcome seen as lists, for short asserts.
struct View<'a> {
    entries: Vec<&'a LoadedEntry>,
    problems: Vec<&'a DropinError>,
    dirs: &'a [DirOutcome],
    files: Vec<PathBuf>,
    masked: Vec<PathBuf>,
    outcome: &'a LoadOutcome,
}

fn view(outcome: &LoadOutcome) -> View<'_> {
    View {
        entries: outcome.entries().collect(),
        problems: outcome.problems().collect(),
        dirs: outcome.dirs(),
        files: outcome
            .files()
            .iter()
            .map(|f| f.path().to_path_buf())
            .collect(),
        masked: outcome.masked().map(Path::to_path_buf).collect(),
        outcome,
    }
}

impl View<'_> {
    fn manifest(&self) -> IntegrationManifest {
        self.outcome.manifest()
    }

    fn warning_count(&self) -> usize {
        self.outcome.warning_count()
    }
}

fn tempdir() -> TempDir {
    tempfile::tempdir().expect("create a temporary directory")
}

#[track_caller]
fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, contents).expect("write a drop-in");
    path
}

fn entry_json(name: &str) -> String {
    format!(r#"{{"name": "{name}", "checkpoint_cmd": "/bin/{name}-checkpoint"}}"#)
}

fn names(report: &View<'_>) -> Vec<String> {
    report
        .entries
        .iter()
        .map(|e| e.entry.name().to_string())
        .collect()
}

fn file_names(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// The single problem of a report, which must have no entries.
#[track_caller]
fn only_problem<'a>(report: &View<'a>) -> &'a DropinError {
    assert!(report.entries.is_empty(), "entries: {:?}", report.entries);
    assert_eq!(report.problems.len(), 1, "problems: {:?}", report.problems);
    report.problems[0]
}

/// Loads a directory holding a single file `name` written with `contents`, and returns the
/// single problem's message (without location) and position.
#[track_caller]
fn problem_for(contents: &str) -> (String, Option<Position>) {
    let dir = tempdir();
    write(dir.path(), "a.json", contents);
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    let problem = only_problem(&report);
    assert_eq!(problem.path(), dir.path().join("a.json"));
    (problem.message(), problem.position())
}

#[track_caller]
fn loaded_one<'a>(report: &View<'a>) -> &'a LoadedEntry {
    assert!(
        report.problems.is_empty(),
        "problems: {:?}",
        report.problems
    );
    assert_eq!(report.entries.len(), 1);
    report.entries[0]
}

// ---------------------------------------------------------------------------------------
// Order, filtering, missing directories

#[test]
fn entries_come_in_byte_order_of_file_name_whatever_the_creation_order() {
    let names_in_order = [
        "10-foo.json",
        "20-bar.json",
        "9-baz.json",
        "A.json",
        "a.json",
    ];
    let expected = vec!["foo", "bar", "baz", "upper", "lower"];
    for creation_order in [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3]] {
        let dir = tempdir();
        for i in creation_order {
            write(dir.path(), names_in_order[i], entry_json(expected[i]));
        }
        let outcome = load_dropin_dir(dir.path());
        let report = view(&outcome);
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(names(&report), expected);
        assert_eq!(file_names(&report.files), names_in_order);
    }
}

#[test]
fn names_not_ending_in_json_are_skipped_silently() {
    let dir = tempdir();
    write(dir.path(), "README", "not json");
    write(dir.path(), "a.json~", "{");
    write(dir.path(), "a.json.swp", "{");
    write(dir.path(), "a.JSON", "{");
    write(dir.path(), ".json", "{");
    write(dir.path(), "jsonjson", "{");
    fs::create_dir(dir.path().join("sub")).unwrap();
    write(dir.path(), "ok.json", entry_json("ok"));
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(names(&report), ["ok"]);
    assert_eq!(file_names(&report.files), ["ok.json"]);
}

#[test]
fn a_missing_directory_is_not_an_error_and_differs_from_an_empty_one() {
    let dir = tempdir();
    let missing = dir.path().join("nope");
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();

    let outcome = load_dropin_dir(&missing);
    let report = view(&outcome);
    assert!(report.entries.is_empty() && report.problems.is_empty() && report.files.is_empty());
    assert_eq!(report.dirs.len(), 1);
    assert_eq!(report.dirs[0].path(), missing);
    assert_eq!(report.dirs[0].status(), DirStatus::Missing);

    let outcome = load_dropin_dir(&empty);
    let report = view(&outcome);
    assert!(report.entries.is_empty() && report.problems.is_empty());
    assert_eq!(report.dirs[0].status(), DirStatus::Present);
}

#[test]
fn a_directory_that_is_a_file_is_a_problem() {
    let dir = tempdir();
    let file = write(dir.path(), "dir", "x");
    let outcome = load_dropin_dir(&file);
    let report = view(&outcome);
    let problem = only_problem(&report);
    assert!(problem.kind() == DropinErrorKind::NotADirectory);
    assert_eq!(
        problem.to_string(),
        format!(
            "{}: not a directory: expected a directory of `*.json` drop-ins",
            file.display()
        )
    );
    assert_eq!(report.dirs[0].status(), DirStatus::Unreadable);
}

#[test]
fn the_default_loader_reads_the_default_directory() {
    assert_eq!(
        DropinLoader::new().dirs(),
        [PathBuf::from(mvm_integrations::INTEGRATIONS_DROPIN_DIR)]
    );
    assert_eq!(DropinLoader::default(), DropinLoader::new());
}

#[test]
fn the_manifest_lists_the_loaded_entries_in_order() {
    let dir = tempdir();
    write(dir.path(), "20-b.json", entry_json("b"));
    write(dir.path(), "10-a.json", entry_json("a"));
    write(dir.path(), "30-bad.json", "{");
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    let expected = IntegrationManifest::from_json(
        r#"{"integrations": [
            {"name": "a", "checkpoint_cmd": "/bin/a-checkpoint"},
            {"name": "b", "checkpoint_cmd": "/bin/b-checkpoint"}
        ]}"#,
    )
    .unwrap();
    assert_eq!(report.manifest(), expected);
}

// ---------------------------------------------------------------------------------------
// Layers, masks, duplicates

#[test]
fn a_higher_directory_replaces_masks_and_adds_files() {
    let root = tempdir();
    let high = root.path().join("etc");
    let low = root.path().join("usr");
    fs::create_dir(&high).unwrap();
    fs::create_dir(&low).unwrap();

    write(&low, "10-a.json", entry_json("a"));
    write(&low, "20-b.json", entry_json("b"));
    write(&low, "30-c.json", entry_json("c"));
    write(&low, "40-d.json", entry_json("d"));
    // Replace a with a critical a; mask b with an empty file and c with /dev/null; add e.
    write(
        &high,
        "10-a.json",
        r#"{"name": "a", "checkpoint_cmd": "x", "critical": true}"#,
    );
    write(&high, "20-b.json", "");
    symlink("/dev/null", high.join("30-c.json")).unwrap();
    write(&high, "50-e.json", entry_json("e"));

    let outcome = DropinLoader::with_dirs([&high, &low]).load();
    let report = view(&outcome);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(names(&report), ["a", "d", "e"]);
    assert!(report.entries[0].entry.critical());
    assert_eq!(report.entries[0].path, high.join("10-a.json"));
    assert_eq!(report.entries[1].path, low.join("40-d.json"));
    assert_eq!(
        report.masked,
        [high.join("20-b.json"), high.join("30-c.json")]
    );
    assert_eq!(
        report.files,
        [
            high.join("10-a.json"),
            high.join("20-b.json"),
            high.join("30-c.json"),
            low.join("40-d.json"),
            high.join("50-e.json"),
        ]
    );
    assert_eq!(report.dirs.len(), 2);
    assert!(report.dirs.iter().all(|d| d.status() == DirStatus::Present));

    // In the other order, the image's files win.
    let outcome = DropinLoader::with_dirs([&low, &high]).load();
    let report = view(&outcome);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(names(&report), ["a", "b", "c", "d", "e"]);
    assert!(!report.entries[0].entry.critical());
}

#[test]
fn a_shadowed_file_is_never_opened() {
    let root = tempdir();
    let high = root.path().join("high");
    let low = root.path().join("low");
    fs::create_dir(&high).unwrap();
    fs::create_dir(&low).unwrap();
    // A FIFO in the lower directory would be a problem if it were looked at.
    rustix::fs::mkfifoat(rustix::fs::CWD, low.join("a.json"), 0o644.into()).unwrap();
    write(&high, "a.json", entry_json("a"));
    let outcome = DropinLoader::with_dirs([&high, &low]).load();
    let report = view(&outcome);
    assert_eq!(names(&report), ["a"]);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn a_missing_layer_is_skipped() {
    let root = tempdir();
    write(root.path(), "a.json", entry_json("a"));
    let missing = root.path().join("missing");
    let outcome = DropinLoader::with_dirs([&missing, &root.path().to_path_buf()]).load();
    let report = view(&outcome);
    assert_eq!(names(&report), ["a"]);
    assert_eq!(report.dirs[0].status(), DirStatus::Missing);
    assert_eq!(report.dirs[1].status(), DirStatus::Present);
}

#[test]
fn an_empty_file_or_a_dev_null_link_masks_even_alone() {
    let dir = tempdir();
    write(dir.path(), "a.json", "");
    symlink("/dev/null", dir.path().join("b.json")).unwrap();
    // A link to a link to /dev/null masks as well.
    symlink(dir.path().join("b.json"), dir.path().join("c.json")).unwrap();
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    assert!(report.entries.is_empty() && report.problems.is_empty());
    assert_eq!(file_names(&report.masked), ["a.json", "b.json", "c.json"]);
}

#[test]
fn the_first_file_wins_a_duplicate_name_and_the_later_one_is_a_problem() {
    let dir = tempdir();
    let first = write(dir.path(), "10-a.json", entry_json("a"));
    let later = write(
        dir.path(),
        "20-a.json",
        r#"{"name": "a", "critical": true}"#,
    );
    write(dir.path(), "30-b.json", entry_json("b"));
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    assert_eq!(names(&report), ["a", "b"]);
    assert_eq!(report.entries[0].path, first);
    assert!(!report.entries[0].entry.critical());
    assert_eq!(report.problems.len(), 1);
    let problem = &report.problems[0];
    assert_eq!(problem.path(), later);
    let (name, f) = problem.duplicate_of().expect("a duplicate");
    assert_eq!(name, "a");
    assert_eq!(f, first);
    assert_eq!(
        problem.to_string(),
        format!(
            "{}: duplicate integration `a`: already declared in `{}`, expected each name in one file",
            later.display(),
            first.display()
        )
    );
    assert_eq!(problem.code(), "duplicate-name");
}

#[test]
fn duplicates_across_layers_keep_the_first_in_name_order() {
    let root = tempdir();
    let high = root.path().join("high");
    let low = root.path().join("low");
    fs::create_dir(&high).unwrap();
    fs::create_dir(&low).unwrap();
    let first = write(&low, "10-x.json", entry_json("x"));
    let later = write(&high, "20-x.json", entry_json("x"));
    let outcome = DropinLoader::with_dirs([&high, &low]).load();
    let report = view(&outcome);
    assert_eq!(report.entries.len(), 1);
    assert_eq!(report.entries[0].path, first);
    assert!(matches!(
        &report.problems[..],
        [p] if p.kind() == DropinErrorKind::DuplicateName && p.path() == later
    ));
}

// ---------------------------------------------------------------------------------------
// Hostile directories

#[test]
fn a_fifo_is_reported_without_being_opened() {
    let dir = tempdir();
    let path = dir.path().join("fifo.json");
    rustix::fs::mkfifoat(rustix::fs::CWD, &path, 0o644.into()).unwrap();
    // Opening a FIFO for reading with no writer blocks forever: reaching the asserts at all
    // shows it was not opened.
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    let problem = only_problem(&report);
    assert!(
        (problem.kind() == DropinErrorKind::NotARegularFile
            && problem.file_kind() == Some(FileKind::Fifo))
    );
    assert_eq!(
        problem.to_string(),
        format!("{}: a fifo: expected a regular file", path.display())
    );
}

#[test]
fn a_unix_socket_is_reported() {
    let dir = tempdir();
    let path = dir.path().join("sock.json");
    let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    assert!(
        (only_problem(&report).kind() == DropinErrorKind::NotARegularFile
            && only_problem(&report).file_kind() == Some(FileKind::Socket))
    );
}

#[test]
fn a_directory_named_json_is_reported() {
    let dir = tempdir();
    fs::create_dir(dir.path().join("x.json")).unwrap();
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    let problem = only_problem(&report);
    assert!(
        (problem.kind() == DropinErrorKind::NotARegularFile
            && problem.file_kind() == Some(FileKind::Directory))
    );
    assert_eq!(problem.message(), "a directory: expected a regular file");
}

#[test]
fn a_dangling_symlink_is_reported_with_its_target() {
    let dir = tempdir();
    symlink("nowhere.txt", dir.path().join("a.json")).unwrap();
    symlink("/etc/passwd/below-a-file", dir.path().join("b.json")).unwrap();
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    assert!(report.entries.is_empty());
    let messages: Vec<String> = report.problems.iter().map(|p| p.message()).collect();
    assert_eq!(
        messages,
        [
            "dangling symlink to `nowhere.txt`: expected a link to an existing regular file",
            "dangling symlink to `/etc/passwd/below-a-file`: expected a link to an existing regular file",
        ]
    );
    assert!(
        report
            .problems
            .iter()
            .all(|p| p.kind() == DropinErrorKind::DanglingSymlink)
    );
}

#[test]
fn a_symlink_loop_is_reported() {
    let dir = tempdir();
    symlink("b.json", dir.path().join("a.json")).unwrap();
    symlink("a.json", dir.path().join("b.json")).unwrap();
    symlink("self.json", dir.path().join("self.json")).unwrap();
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    assert!(report.entries.is_empty());
    assert_eq!(report.problems.len(), 3);
    for problem in &report.problems {
        assert!(
            problem.kind() == DropinErrorKind::SymlinkLoop,
            "{problem:?}"
        );
        assert_eq!(
            problem.message(),
            "symlink loop: expected a link that resolves to a regular file"
        );
        assert!(std::error::Error::source(problem).is_none());
    }
}

#[test]
fn a_symlink_to_a_directory_is_reported() {
    let dir = tempdir();
    symlink("/", dir.path().join("root.json")).unwrap();
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    let problem = only_problem(&report);
    assert!(
        (problem.kind() == DropinErrorKind::SymlinkTarget
            && problem.file_kind() == Some(FileKind::Directory))
    );
    assert_eq!(
        problem.message(),
        "symlink to a directory `/`: expected a link to a regular file or to `/dev/null`"
    );
}

#[test]
fn a_symlink_to_an_endless_device_is_reported_without_being_opened() {
    let dir = tempdir();
    symlink("/dev/zero", dir.path().join("zero.json")).unwrap();
    symlink("/dev/urandom", dir.path().join("random.json")).unwrap();
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    assert!(report.entries.is_empty() && report.masked.is_empty());
    assert_eq!(report.problems.len(), 2);
    for problem in &report.problems {
        assert!(
            (problem.kind() == DropinErrorKind::SymlinkTarget
                && problem.file_kind() == Some(FileKind::CharDevice))
        );
    }
    assert_eq!(
        report.problems[1].message(),
        "symlink to a character device `/dev/zero`: expected a link to a regular file or to `/dev/null`"
    );
}

#[test]
fn a_device_node_is_reported_and_dev_null_itself_masks() {
    let dir = tempdir();
    // Making device nodes needs CAP_MKNOD; without it there is nothing to test.
    let zero = rustix::fs::mknodat(
        rustix::fs::CWD,
        dir.path().join("zero.json"),
        rustix::fs::FileType::CharacterDevice,
        0o644.into(),
        rustix::fs::makedev(1, 5),
    );
    let null = rustix::fs::mknodat(
        rustix::fs::CWD,
        dir.path().join("null.json"),
        rustix::fs::FileType::CharacterDevice,
        0o644.into(),
        rustix::fs::makedev(1, 3),
    );
    if zero.is_err() || null.is_err() {
        eprintln!("skipped: cannot make device nodes here ({zero:?}, {null:?})");
        return;
    }
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    assert_eq!(file_names(&report.masked), ["null.json"]);
    assert!(
        (only_problem(&report).kind() == DropinErrorKind::NotARegularFile
            && only_problem(&report).file_kind() == Some(FileKind::CharDevice))
    );
}

#[test]
fn a_symlink_to_a_regular_file_anywhere_is_followed() {
    let dir = tempdir();
    let elsewhere = tempdir();
    let target = write(elsewhere.path(), "real.txt", entry_json("linked"));
    let link = dir.path().join("linked.json");
    symlink(&target, &link).unwrap();
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    let loaded = loaded_one(&report);
    assert_eq!(loaded.entry.name(), "linked");
    assert_eq!(loaded.path, link);
}

#[test]
fn a_file_that_fails_to_read_is_a_read_problem() {
    // /proc/self/mem is a regular file that opens, but reading address 0 fails (EIO).
    let dir = tempdir();
    symlink("/proc/self/mem", dir.path().join("mem.json")).unwrap();
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    let problem = only_problem(&report);
    assert!(problem.kind() == DropinErrorKind::Read, "{problem:?}");
    assert_eq!(
        problem.message(),
        "cannot read file: input/output error (os error 5)"
    );
    assert!(std::error::Error::source(problem).is_some());
}

#[test]
fn a_file_larger_than_its_size_claims_is_capped() {
    // /proc/self/maps claims size 0 but holds more than 16 bytes.
    let dir = tempdir();
    symlink("/proc/self/maps", dir.path().join("maps.json")).unwrap();
    let outcome = DropinLoader::with_dirs([dir.path()])
        .with_max_file_size(16)
        .load();
    let report = view(&outcome);
    let problem = only_problem(&report);
    assert_eq!(
        (problem.kind(), problem.limit()),
        (DropinErrorKind::TooLarge, Some(16))
    );
    assert_eq!(
        problem.message(),
        "file is larger than 16 bytes: expected a drop-in of at most 16 bytes"
    );
}

#[test]
fn the_size_cap_is_inclusive_and_configurable() {
    let dir = tempdir();
    let cap = DEFAULT_MAX_FILE_SIZE as usize;
    let base = entry_json("big");
    let mut at_cap = base.clone();
    at_cap.push_str(&" ".repeat(cap - base.len()));
    let mut over_cap = at_cap.clone();
    over_cap.push(' ');
    write(dir.path(), "at-cap.json", &at_cap);
    write(dir.path(), "over-cap.json", &over_cap);
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    assert_eq!(names(&report), ["big"]);
    assert!(matches!(
        &report.problems[..],
        [p] if p.kind() == DropinErrorKind::TooLarge && p.limit() == Some(65536) && p.path().ends_with("over-cap.json")
    ));

    let outcome = DropinLoader::with_dirs([dir.path()])
        .with_max_file_size(cap as u64 + 1)
        .load();
    let report = view(&outcome);
    assert_eq!(report.entries.len(), 1);
    assert!(matches!(
        &report.problems[..],
        [p] if p.kind() == DropinErrorKind::DuplicateName
    ));
}

#[test]
fn a_huge_sparse_file_is_rejected_without_reading_it() {
    let dir = tempdir();
    let file = fs::File::create(dir.path().join("huge.json")).unwrap();
    file.set_len(1 << 40).unwrap();
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    assert!(only_problem(&report).limit() == Some(DEFAULT_MAX_FILE_SIZE));
}

/// Runs `test` as an unprivileged user when this process is privileged enough that a mode
/// of 000 does not stop reads (tests run as root): the test re-runs itself as `nobody`,
/// where the kernel really answers EACCES.
#[test]
fn an_unreadable_file_and_an_unreadable_directory_are_open_problems() {
    const CHILD: &str = "MVM_DROPIN_TEST_UNREADABLE_DIR";
    if let Some(dir) = std::env::var_os(CHILD) {
        check_unreadable(Path::new(&dir));
        println!("checked unreadable files as a child");
        return;
    }

    let root = tempdir();
    fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let dir = root.path().join("d");
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    let secret = write(&dir, "secret.json", entry_json("secret"));
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    write(&dir, "public.json", entry_json("public"));
    fs::set_permissions(dir.join("public.json"), fs::Permissions::from_mode(0o644)).unwrap();
    let locked = dir.join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();

    if fs::read(&secret).is_err() {
        check_unreadable(&dir);
        return;
    }
    // Privileged: mode 000 does not stop us, so ask the kernel as `nobody`.
    support::rerun_as_nobody(
        "an_unreadable_file_and_an_unreadable_directory_are_open_problems",
        CHILD,
        dir.as_os_str(),
        "checked unreadable files as a child",
    );
}

fn check_unreadable(dir: &Path) {
    let outcome = load_dropin_dir(dir);
    let report = view(&outcome);
    assert_eq!(names(&report), ["public"]);
    let problem = &report.problems[..];
    assert_eq!(problem.len(), 1, "{problem:?}");
    assert_eq!(problem[0].kind(), DropinErrorKind::Open);
    assert_eq!(problem[0].path(), dir.join("secret.json"));
    let source = std::error::Error::source(problem[0]).expect("a source");
    let source = source
        .downcast_ref::<std::io::Error>()
        .expect("an io error");
    assert_eq!(source.kind(), ErrorKind::PermissionDenied);
    assert_eq!(
        problem[0].message(),
        "cannot open file: permission denied (os error 13)"
    );

    let outcome = load_dropin_dir(dir.join("locked"));
    let report = view(&outcome);
    let problem = only_problem(&report);
    assert!(problem.kind() == DropinErrorKind::ReadDir, "{problem:?}");
    assert_eq!(
        problem.message(),
        "cannot list directory: permission denied (os error 13)"
    );
    assert_eq!(report.dirs[0].status(), DirStatus::Unreadable);
}

#[test]
fn a_file_name_that_is_not_utf8_is_reported() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempdir();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.json");
    fs::write(dir.path().join(name), entry_json("cafe")).unwrap();
    write(dir.path(), "ok.json", entry_json("ok"));
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    assert_eq!(names(&report), ["ok"]);
    assert_eq!(report.problems.len(), 1);
    let problem = &report.problems[0];
    assert!(problem.kind() == DropinErrorKind::NonUtf8FileName);
    assert_eq!(problem.path(), dir.path().join(name));
    assert_eq!(
        problem.message(),
        "file name is not UTF-8: expected a UTF-8 name ending in `.json`"
    );
}

#[test]
fn contents_that_are_not_utf8_give_the_position_of_the_first_bad_byte() {
    let dir = tempdir();
    write(
        dir.path(),
        "a.json",
        b"{\"name\": \"a\",\n  \"health_cmd\": \"caf\xe9\"}",
    );
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    let problem = only_problem(&report);
    assert!(
        problem.kind() == DropinErrorKind::InvalidUtf8
            && problem.position()
                == Some(Position {
                    line: 2,
                    column: 21
                })
    );
    assert_eq!(
        problem.to_string(),
        format!(
            "{}:2:21: invalid UTF-8: expected a UTF-8 JSON document",
            dir.path().join("a.json").display()
        )
    );
}

#[test]
fn a_byte_order_mark_is_accepted_with_a_warning() {
    let dir = tempdir();
    write(dir.path(), "a.json", format!("\u{feff}{}", entry_json("a")));
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    let loaded = loaded_one(&report);
    assert_eq!(loaded.entry.name(), "a");
    assert_eq!(loaded.warnings, [DropinWarning::ByteOrderMark]);
    assert_eq!(
        loaded.warnings[0].to_string(),
        "byte-order mark is ignored: expected UTF-8 without a byte-order mark"
    );
    assert_eq!(
        loaded.warnings[0].position(),
        Some(Position { line: 1, column: 1 })
    );
}

#[test]
fn deeply_nested_json_is_a_clean_parse_problem_not_a_stack_overflow() {
    let deep = 100_000;
    let cases = [
        "[".repeat(deep),
        format!(r#"{{"name": "a", "x": {}"#, "[".repeat(deep)),
        format!(r#"{{"name": {}"#, "[".repeat(deep)),
        format!(r#"{{"name": "a", "x": {}"#, r#"{"a":"#.repeat(deep)),
        format!(r#"{{"name": "a", "critical": {}"#, "[".repeat(deep)),
    ];
    for json in cases {
        let dir = tempdir();
        write(dir.path(), "deep.json", &json);
        let outcome = DropinLoader::with_dirs([dir.path()])
            .with_max_file_size(1 << 20)
            .load();
        let report = view(&outcome);
        assert!(report.entries.is_empty(), "{:?}", report.entries);
        let problem = only_problem(&report);
        assert!(problem.kind() == DropinErrorKind::Parse, "{problem:?}");
    }
}

#[test]
fn deeply_nested_but_valid_json_in_an_unknown_field_is_skipped_without_recursion() {
    let deep = 100_000;
    let dir = tempdir();
    let json = format!(
        r#"{{"name": "a", "x": {}{}}}"#,
        "[".repeat(deep),
        "]".repeat(deep)
    );
    write(dir.path(), "deep.json", &json);
    let outcome = DropinLoader::with_dirs([dir.path()])
        .with_max_file_size(1 << 20)
        .load();
    let report = view(&outcome);
    let loaded = loaded_one(&report);
    assert_eq!(loaded.entry.name(), "a");
    assert!(matches!(
        &loaded.warnings[..],
        [DropinWarning::UnknownField { field, .. }] if field == "x"
    ));
}

#[test]
fn too_many_files_loads_the_first_by_name_and_reports_the_directory() {
    let dir = tempdir();
    for i in (0..25).rev() {
        write(
            dir.path(),
            &format!("{i:02}.json"),
            entry_json(&format!("e{i:02}")),
        );
    }
    write(dir.path(), "not-counted.txt", "x");
    let outcome = DropinLoader::with_dirs([dir.path()])
        .with_max_files(4)
        .load();
    let report = view(&outcome);
    assert_eq!(names(&report), ["e00", "e01", "e02", "e03"]);
    let problem = only_problem_of(&report);
    assert!(problem.kind() == DropinErrorKind::TooManyFiles && problem.limit() == Some(4));
    assert_eq!(problem.path(), dir.path());
    assert_eq!(
        problem.message(),
        "25 `*.json` files, expected at most 4: only the first 4 by name were loaded, \
         and names past them still hide the same names in lower directories"
    );

    let outcome = DropinLoader::with_dirs([dir.path()])
        .with_max_files(0)
        .load();
    let report = view(&outcome);
    assert!(report.entries.is_empty() && report.files.is_empty());
    assert!(matches!(
        &report.problems[..],
        [p] if p.kind() == DropinErrorKind::TooManyFiles && p.limit() == Some(0) && p.message().starts_with("25 ")
    ));
}

#[track_caller]
fn only_problem_of<'a>(report: &View<'a>) -> &'a DropinError {
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    report.problems[0]
}

#[test]
fn a_bad_file_never_hides_a_good_one() {
    let dir = tempdir();
    let d = dir.path();
    write(d, "00-good.json", entry_json("good0"));
    write(d, "01-bad.json", "{");
    rustix::fs::mkfifoat(rustix::fs::CWD, d.join("02-fifo.json"), 0o644.into()).unwrap();
    write(d, "03-good.json", entry_json("good3"));
    symlink("/dev/zero", d.join("04-zero.json")).unwrap();
    symlink("missing", d.join("05-dangling.json")).unwrap();
    fs::create_dir(d.join("06-dir.json")).unwrap();
    write(d, "07-good.json", entry_json("good7"));
    write(d, "08-dup.json", entry_json("good0"));
    write(d, "09-binary.json", [0xff, 0xfe, 0x00]);
    write(d, "10-good.json", entry_json("good10"));
    let outcome = load_dropin_dir(d);
    let report = view(&outcome);
    assert_eq!(names(&report), ["good0", "good3", "good7", "good10"]);
    let codes: Vec<&str> = report.problems.iter().map(|p| p.code()).collect();
    assert_eq!(
        codes,
        [
            "parse",
            "not-a-regular-file",
            "symlink-target",
            "dangling-symlink",
            "not-a-regular-file",
            "duplicate-name",
            "invalid-utf8",
        ]
    );
    assert_eq!(report.files.len(), 11);
}

// ---------------------------------------------------------------------------------------
// Messages

#[test]
fn parse_problems_carry_the_line_column_and_what_was_expected() {
    #[rustfmt::skip]
    let table: &[(&str, (usize, usize), &str)] = &[
        ("{\"name\": \"a\",\n  \"health_interval_secs\": 0}", (2, 27),
         "invalid `health_interval_secs` value `0`: must be between 1 and 86400"),
        ("{\"name\": \"../etc\"}", (1, 17),
         "invalid integration name `../etc`: must not contain `/`"),
        ("{\"critical\": true}", (1, 18), "missing field `name`"),
        ("{\"name\": \"a\", \"critical\": \"yes\"}", (1, 31),
         "invalid type: string `yes`, expected a boolean"),
        ("{\"name\": \"a\"} trailing", (1, 15), "trailing characters"),
        ("{\"name\": \"a\",", (1, 13), "unexpected end of input while parsing a value"),
        ("[1]", (1, 1), "invalid type: sequence, expected an integration entry object"),
        ("{\"name\": \"a\", \"name\": \"b\"}", (1, 20),
         "duplicate key `name`: expected each key once in an object"),
        // Duplicate unknown keys are errors too (I-JSON), at the repeated key.
        ("{\"name\": \"a\", \"x\": 1, \"x\": 2}", (1, 25),
         "duplicate key `x`: expected each key once in an object"),
        ("   ", (1, 3), "unexpected end of input while parsing a value"),
        // Columns start at 1: a file holding only a BOM, only a newline, a truncated object.
        ("\u{feff}", (1, 1), "unexpected end of input while parsing a value"),
        ("\n", (2, 1), "unexpected end of input while parsing a value"),
        ("{\n", (2, 1), "unexpected end of input while parsing an object"),
    ];
    for (json, (line, column), message) in table {
        let (got, position) = problem_for(json);
        assert_eq!(&got, message, "for {json:?}");
        assert_eq!(
            position,
            Some(Position {
                line: *line,
                column: *column
            }),
            "for {json:?}"
        );
    }
}

#[test]
fn display_is_one_lowercase_line_with_path_and_position() {
    let dir = tempdir();
    let path = write(
        dir.path(),
        "a.json",
        "{\n  \"name\": \"a\",\n  \"health_interval_secs\": 0\n}",
    );
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    let problem = only_problem(&report);
    assert_eq!(
        problem.to_string(),
        format!("{}:3:27: not a valid integration entry", path.display())
    );
    assert_eq!(
        problem.message(),
        "invalid `health_interval_secs` value `0`: must be between 1 and 86400"
    );
    assert!(!problem.to_string().contains('\n'));
    assert!(std::error::Error::source(problem).is_some());
}

// ---------------------------------------------------------------------------------------
// Warnings

#[test]
fn an_unknown_field_is_a_warning_with_a_suggestion_and_a_position() {
    let dir = tempdir();
    write(
        dir.path(),
        "a.json",
        "{\n  \"name\": \"a\",\n  \"checkpoint_cmd\": \"c\",\n  \"critcal\": true,\n  \"Health_Cmd\": \"h\",\n  \"naem\": 1,\n  \"colour\": \"red\"\n}",
    );
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    let loaded = loaded_one(&report);
    assert!(!loaded.entry.critical());
    let shown: Vec<(Option<Position>, String)> = loaded
        .warnings
        .iter()
        .map(|w| (w.position(), w.to_string()))
        .collect();
    let at = |line, column| Some(Position { line, column });
    assert_eq!(
        shown,
        [
            (
                at(4, 3),
                "unknown field `critcal` is ignored: did you mean `critical`?".to_owned()
            ),
            (
                at(5, 3),
                "unknown field `Health_Cmd` is ignored: did you mean `health_cmd`?".to_owned()
            ),
            (
                at(6, 3),
                "unknown field `naem` is ignored: did you mean `name`?".to_owned()
            ),
            (
                at(7, 3),
                "unknown field `colour` is ignored: expected one of `name`, `checkpoint_cmd`, \
              `restore_cmd`, `critical`, `health_cmd`, `health_interval_secs`, \
              `health_timeout_secs`, `startup_grace_secs`"
                    .to_owned()
            ),
        ]
    );
    assert!(matches!(
        &loaded.warnings[0],
        DropinWarning::UnknownField { field, suggestion: Some("critical"), .. } if field == "critcal"
    ));
    assert_eq!(loaded.warnings[0].code(), "unknown-field");
}

#[test]
fn suggestions_cover_common_typos() {
    #[rustfmt::skip]
    let table: &[(&str, Option<&str>)] = &[
        ("critcal", Some("critical")),
        ("crtiical", Some("critical")),
        ("checkpoint", Some("checkpoint_cmd")),
        ("restore-cmd", Some("restore_cmd")),
        ("health_interval", Some("health_interval_secs")),
        ("healthcheck_timeout_secs", Some("health_timeout_secs")),
        ("startup_grace", Some("startup_grace_secs")),
        ("nam", Some("name")),
        ("version", None),
        ("x", None),
        ("description", None),
    ];
    for (field, expected) in table {
        let dir = tempdir();
        write(
            dir.path(),
            "a.json",
            format!(r#"{{"name": "a", "{field}": 1}}"#),
        );
        let outcome = load_dropin_dir(dir.path());
        let report = view(&outcome);
        let loaded = loaded_one(&report);
        match &loaded.warnings[..] {
            [
                DropinWarning::UnknownField {
                    suggestion,
                    position,
                    ..
                },
            ] => {
                assert_eq!(suggestion, expected, "for {field}");
                assert_eq!(
                    *position,
                    Some(Position {
                        line: 1,
                        column: 15
                    })
                );
            }
            other => panic!("for {field}: {other:?}"),
        }
    }
}

#[test]
fn entry_findings_become_warnings_at_their_field() {
    let dir = tempdir();
    write(
        dir.path(),
        "a.json",
        "{\"name\": \"a\",\n \"critical\": true,\n \"health_cmd\": \" \",\n \"health_interval_secs\": 5}",
    );
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    let loaded = loaded_one(&report);
    assert_eq!(
        loaded.warnings,
        [
            DropinWarning::Entry {
                warning: EntryWarning::BlankCommand {
                    field: Field::HealthCmd
                },
                position: Some(Position { line: 3, column: 2 }),
            },
            DropinWarning::Entry {
                warning: EntryWarning::CriticalWithoutCheckpoint,
                position: Some(Position { line: 2, column: 2 }),
            },
            // `health_timeout_secs` is not in the file: no position.
            DropinWarning::Entry {
                warning: EntryWarning::TimeoutNotBelowInterval {
                    timeout_secs: 10,
                    interval_secs: 5
                },
                position: None,
            },
        ]
    );
    assert_eq!(report.warning_count(), 3);
    assert_eq!(
        loaded.warnings[1].to_string(),
        "`critical` is true but `checkpoint_cmd` is not set: sleep would wait on nothing"
    );
}

#[test]
fn a_key_is_placed_at_its_own_place_even_when_written_with_escapes_or_seen_as_a_value() {
    let dir = tempdir();
    write(
        dir.path(),
        "a.json",
        r#"{"name": "a", "health_cmd": "\"critcal\" ok", "crit\u0063al": true}"#,
    );
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    let loaded = loaded_one(&report);
    assert!(matches!(
        &loaded.warnings[..],
        [DropinWarning::UnknownField { field, position: Some(Position { line: 1, column: 47 }), .. }]
            if field == "critcal"
    ));
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<DropinLoader>();
    check::<LoadOutcome>();
    check::<DropinError>();
    check::<DropinWarning>();
}

#[test]
fn control_characters_in_file_names_are_escaped_so_display_stays_one_line() {
    let dir = tempdir();
    write(dir.path(), "bad\nname.json", "{");
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    let problem = only_problem(&report);
    assert_eq!(
        problem.to_string(),
        format!(
            "{}/bad\\nname.json:1:1: not a valid integration entry",
            dir.path().display()
        )
    );
}

#[test]
fn the_default_file_count_cap_is_1024_per_directory() {
    assert_eq!(mvm_integrations::DEFAULT_MAX_FILES, 1024);
    let dir = tempdir();
    for i in 0..1030 {
        write(
            dir.path(),
            &format!("{i:04}.json"),
            entry_json(&format!("e{i:04}")),
        );
    }
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    assert_eq!(report.entries.len(), 1024);
    assert_eq!(report.entries[1023].entry.name(), "e1023");
    assert!(matches!(
        &report.problems[..],
        [p] if p.kind() == DropinErrorKind::TooManyFiles && p.limit() == Some(1024) && p.message().starts_with("1030 ")
    ));
}

// ---------------------------------------------------------------------------------------
// Hostile input (issue 8): skipped names, layers that fail closed, bounded warnings

#[test]
fn hidden_and_backup_names_are_skipped_silently_and_listed() {
    let dir = tempdir();
    write(dir.path(), "10-foo.json", entry_json("foo"));
    // Emacs leaves a dangling symlink as its lock, macOS AppleDouble metadata.
    symlink(
        "user@host.4242:1700000000",
        dir.path().join(".#10-foo.json"),
    )
    .unwrap();
    write(dir.path(), "._10-foo.json", [0u8, 5, 22, 7]);
    let backups = [
        "10-foo.json~",
        "10-foo.json.swp",
        "10-foo.json.swo",
        "10-foo.json.bak",
        "10-foo.json.orig",
        "10-foo.json.rpmnew",
        "10-foo.json.rpmsave",
        "10-foo.json.dpkg-old",
        "10-foo.json.dpkg-dist",
        "10-foo.json.ucf-new",
        ".json",
    ];
    for name in backups {
        write(dir.path(), name, "{");
    }
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(names(&report), ["foo"]);
    assert_eq!(file_names(&report.files), ["10-foo.json"]);
    let mut expected: Vec<&str> = backups.to_vec();
    expected.extend([".#10-foo.json", "._10-foo.json"]);
    expected.sort_unstable();
    let skipped: Vec<String> = outcome.dirs()[0]
        .skipped()
        .iter()
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    assert_eq!(skipped, expected);
    assert_eq!(outcome.dirs()[0].skipped_count(), expected.len());
    assert_eq!(outcome.diagnostics().count(), 0);
}

#[test]
fn an_unreadable_higher_layer_holds_back_every_lower_file() {
    let root = tempdir();
    let high = root.path().join("high");
    let low = root.path().join("low");
    fs::write(&high, "a file where a directory should be").unwrap();
    fs::create_dir(&low).unwrap();
    write(&low, "10-a.json", entry_json("a"));
    write(&low, "20-b.json", entry_json("b"));
    let outcome = DropinLoader::with_dirs([&high, &low]).load();
    assert_eq!(outcome.entries().count(), 0);
    assert_eq!(outcome.dirs()[0].status(), DirStatus::Unreadable);
    let held: Vec<(PathBuf, HeldBack)> = outcome
        .held_back()
        .map(|(p, r)| (p.to_path_buf(), r.clone()))
        .collect();
    assert_eq!(held.len(), 2);
    for (path, reason) in &held {
        assert!(path.starts_with(&low));
        assert!(matches!(reason, HeldBack::LayerUnreadable { dir, .. } if *dir == high));
    }
    let shown: Vec<String> = outcome.diagnostics().map(|d| d.to_string()).collect();
    assert_eq!(
        shown,
        [
            format!(
                "{}: error: not a directory: expected a directory of `*.json` drop-ins",
                high.display()
            ),
            format!(
                "{}: note: held back: the higher directory `{}` could not be listed and may hide or mask this name",
                low.join("10-a.json").display(),
                high.display()
            ),
            format!(
                "{}: note: held back: the higher directory `{}` could not be listed and may hide or mask this name",
                low.join("20-b.json").display(),
                high.display()
            ),
        ]
    );
}

#[test]
fn a_mask_past_the_file_cap_still_hides_the_lower_file() {
    let root = tempdir();
    let high = root.path().join("high");
    let low = root.path().join("low");
    fs::create_dir(&high).unwrap();
    fs::create_dir(&low).unwrap();
    for i in 0..4 {
        write(&high, &format!("0{i}.json"), entry_json(&format!("h{i}")));
    }
    write(&high, "50-masked.json", "");
    write(&low, "50-masked.json", entry_json("masked"));
    write(&low, "60-free.json", entry_json("free"));
    let outcome = DropinLoader::with_dirs([&high, &low])
        .with_max_files(2)
        .load();
    let report = view(&outcome);
    assert_eq!(names(&report), ["h0", "h1", "free"]);
    let held: Vec<_> = outcome.held_back().collect();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].0, low.join("50-masked.json"));
    assert!(
        matches!(held[0].1, HeldBack::ShadowedPastCap { by, .. } if *by == high.join("50-masked.json"))
    );
    assert_eq!(
        report.problems.iter().map(|p| p.code()).collect::<Vec<_>>(),
        ["too-many-files"]
    );
}

#[test]
fn warnings_per_file_are_bounded_with_one_summary() {
    let dir = tempdir();
    let mut text = String::from(r#"{"name": "a""#);
    for i in 0..1000 {
        text.push_str(&format!(r#", "k{i}": 0"#));
    }
    text.push('}');
    write(dir.path(), "a.json", &text);
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    let loaded = loaded_one(&report);
    assert_eq!(loaded.warnings.len(), MAX_WARNINGS_PER_FILE + 1);
    assert_eq!(
        loaded.warnings[MAX_WARNINGS_PER_FILE],
        DropinWarning::TooManyWarnings {
            omitted: 1000 - MAX_WARNINGS_PER_FILE
        }
    );
    assert_eq!(
        loaded.warnings[MAX_WARNINGS_PER_FILE].to_string(),
        format!(
            "{} more warnings left out: expected at most {MAX_WARNINGS_PER_FILE} per file",
            1000 - MAX_WARNINGS_PER_FILE
        )
    );
}

#[test]
fn names_that_differ_only_by_case_warn_on_the_later_file() {
    let dir = tempdir();
    let first = write(dir.path(), "10-a.json", entry_json("Signal"));
    write(
        dir.path(),
        "20-b.json",
        "{\n  \"critical\": false,\n  \"name\": \"signal\"\n}",
    );
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    assert_eq!(names(&report), ["Signal", "signal"]);
    assert!(report.entries[0].warnings.is_empty());
    let warning = &report.entries[1].warnings[0];
    assert_eq!(warning.code(), "name-case");
    assert_eq!(warning.position(), Some(Position { line: 3, column: 3 }));
    assert_eq!(
        warning.to_string(),
        format!(
            "name differs only by case from `Signal` in `{}`: expected names that differ beyond case, \
             as both would share a state directory on a case-insensitive file system",
            first.display()
        )
    );
}

#[test]
fn diagnostics_show_warnings_with_their_path_and_position_like_check() {
    let dir = tempdir();
    let path = write(
        dir.path(),
        "a.json",
        "{\"name\": \"a\",\n  \"critcal\": true}",
    );
    let outcome = load_dropin_dir(dir.path());
    let shown: Vec<String> = outcome.diagnostics().map(|d| d.to_string()).collect();
    assert_eq!(
        shown,
        [format!(
            "{}:2:3: warning: unknown field `critcal` is ignored: did you mean `critical`?",
            path.display()
        )]
    );
    let diagnostic = outcome.diagnostics().next().unwrap();
    assert_eq!(diagnostic.severity(), Severity::Warning);
    assert_eq!(diagnostic.code(), "unknown-field");
    assert_eq!(diagnostic.path(), path);
}

#[test]
fn an_error_chain_never_repeats_a_message() {
    let dir = tempdir();
    write(dir.path(), "a.json", "{\"name\": \"a\", \"critical\": 3}");
    rustix::fs::mkfifoat(rustix::fs::CWD, dir.path().join("b.json"), 0o644.into()).unwrap();
    let outcome = load_dropin_dir(dir.path());
    for problem in outcome.problems() {
        let mut seen: Vec<String> = vec![problem.to_string()];
        let mut source = std::error::Error::source(problem);
        while let Some(cause) = source {
            let text = cause.to_string();
            for earlier in &seen {
                assert!(!earlier.contains(&text), "{earlier:?} repeats {text:?}");
            }
            seen.push(text);
            source = cause.source();
        }
    }
}

#[test]
fn into_manifest_gives_the_entries_in_order() {
    let dir = tempdir();
    write(dir.path(), "20-b.json", entry_json("b"));
    write(dir.path(), "10-a.json", entry_json("a"));
    let outcome = load_dropin_dir(dir.path());
    let cloned = outcome.manifest();
    let owned = outcome.into_manifest();
    assert_eq!(owned, cloned);
    let names: Vec<&str> = owned.iter().map(|e| e.name().as_str()).collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn a_name_swapped_for_a_device_is_never_read() {
    // Whatever the listing said, the name is checked on an O_PATH handle before any open
    // for reading: a link to /dev/zero is refused as a link target, never read.
    let dir = tempdir();
    symlink("/dev/zero", dir.path().join("a.json")).unwrap();
    let outcome = DropinLoader::with_dirs([dir.path()])
        .with_max_file_size(u64::MAX)
        .load();
    let report = view(&outcome);
    let problem = only_problem(&report);
    assert_eq!(problem.kind(), DropinErrorKind::SymlinkTarget);
    assert_eq!(problem.file_kind(), Some(FileKind::CharDevice));
    assert_eq!(problem.link_target(), Some(Path::new("/dev/zero")));
}

/// A higher layer the agent's user may not list (EACCES) holds back the lower layers, as a
/// higher layer that is not a directory does. Tests run as root, where mode 0311 does not stop
/// a listing, so the test re-runs itself as `nobody`.
#[test]
fn a_higher_layer_that_cannot_be_listed_holds_back_the_lower_layers() {
    const CHILD: &str = "MVM_DROPIN_TEST_UNLISTABLE_LAYER";
    if let Some(root) = std::env::var_os(CHILD) {
        check_unlistable_layer(Path::new(&root));
        println!("checked an unlistable layer as a child");
        return;
    }
    let root = tempdir();
    fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let high = root.path().join("high");
    let low = root.path().join("low");
    fs::create_dir(&high).unwrap();
    fs::create_dir(&low).unwrap();
    // The admin's mask of `10-a.json`, in a directory the agent cannot list.
    write(&high, "10-a.json", "");
    for name in ["10-a.json", "20-b.json"] {
        let path = write(&low, name, entry_json(&name[3..4]));
        fs::set_permissions(path, fs::Permissions::from_mode(0o644)).unwrap();
    }
    fs::set_permissions(&low, fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&high, fs::Permissions::from_mode(0o311)).unwrap();

    if fs::read_dir(&high).is_err() {
        check_unlistable_layer(root.path());
        return;
    }
    support::rerun_as_nobody(
        "a_higher_layer_that_cannot_be_listed_holds_back_the_lower_layers",
        CHILD,
        root.path().as_os_str(),
        "checked an unlistable layer as a child",
    );
}

fn check_unlistable_layer(root: &Path) {
    let high = root.join("high");
    let low = root.join("low");
    let outcome = DropinLoader::with_dirs([&high, &low]).load();
    // The mask in `high` cannot be seen, so nothing below may load: not even `20-b.json`,
    // which `high` could hide too.
    assert_eq!(outcome.entries().count(), 0);
    assert_eq!(outcome.dirs()[0].status(), DirStatus::Unreadable);
    let problems: Vec<&DropinError> = outcome.problems().collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].kind(), DropinErrorKind::ReadDir);
    let source = std::error::Error::source(problems[0])
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .expect("an io error");
    assert_eq!(source.kind(), ErrorKind::PermissionDenied);
    let held: Vec<PathBuf> = outcome.held_back().map(|(p, _)| p.to_path_buf()).collect();
    assert_eq!(held, [low.join("10-a.json"), low.join("20-b.json")]);
    assert!(
        outcome
            .held_back()
            .all(|(_, r)| matches!(r, HeldBack::LayerUnreadable { dir, .. } if *dir == high))
    );
}

/// An exact repeat of a name that itself differed by case from an earlier one is a duplicate
/// of that later file, not another case warning.
#[test]
fn a_repeat_of_a_case_variant_is_a_duplicate_of_it() {
    let dir = tempdir();
    write(dir.path(), "10-a.json", entry_json("signal"));
    let second = write(dir.path(), "20-b.json", entry_json("Signal"));
    write(dir.path(), "30-c.json", entry_json("Signal"));
    let outcome = load_dropin_dir(dir.path());
    let report = view(&outcome);
    assert_eq!(names(&report), ["signal", "Signal"]);
    assert!(matches!(
        report.entries[1].warnings[..],
        [DropinWarning::NameCase { .. }]
    ));
    let problem = only_problem_of(&report);
    assert_eq!(problem.kind(), DropinErrorKind::DuplicateName);
    let (name, first) = problem.duplicate_of().expect("a duplicate");
    assert_eq!((name.as_str(), first), ("Signal", second.as_path()));
}
