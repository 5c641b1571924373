//! Property tests of the drop-in loader on arbitrary directory contents.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use mvm_integrations::{DropinLoader, LoadReport};
use proptest::prelude::*;

/// What one directory entry is.
#[derive(Debug, Clone)]
enum Kind {
    /// A regular file with these bytes.
    Bytes(Vec<u8>),
    /// A regular file holding an entry with this integration name and maybe a typo.
    Entry(&'static str, bool),
    /// A symlink to this target (a name in the same directory, or an absolute path).
    Link(OsString),
    /// A directory.
    Dir,
    /// A named pipe.
    Fifo,
}

fn file_name() -> impl Strategy<Value = OsString> {
    prop_oneof![
        4 => prop::sample::select(vec!["a.json", "b.json", "10-c.json", "9-d.json", "A.json"])
            .prop_map(OsString::from),
        2 => "[a-z0-9._-]{1,6}\\.json".prop_map(OsString::from),
        1 => prop::sample::select(vec!["c.json~", ".json", "README", "x.json.swp"])
            .prop_map(OsString::from),
        1 => prop::collection::vec(any::<u8>(), 1..6).prop_map(|mut bytes| {
            bytes.retain(|b| *b != b'/' && *b != 0);
            bytes.extend_from_slice(b"z.json");
            OsString::from_vec(bytes)
        }),
    ]
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        3 => (prop::sample::select(vec!["alpha", "beta", "gamma"]), any::<bool>())
            .prop_map(|(name, typo)| Kind::Entry(name, typo)),
        2 => prop::collection::vec(any::<u8>(), 0..48).prop_map(Kind::Bytes),
        1 => Just(Kind::Bytes(Vec::new())),
        1 => Just(Kind::Bytes(b"\xEF\xBB\xBF{\"name\": \"bom\"}".to_vec())),
        2 => prop_oneof![
            file_name(),
            prop::sample::select(vec!["/dev/null", "/dev/zero", "/", "/nonexistent", "../x.json"])
                .prop_map(OsString::from),
        ]
        .prop_map(Kind::Link),
        1 => Just(Kind::Dir),
        1 => Just(Kind::Fifo),
    ]
}

/// Directory contents: (layer, name, kind). Later duplicates of a name in a layer are
/// dropped when the files are made.
fn contents() -> impl Strategy<Value = Vec<(bool, OsString, Kind)>> {
    prop::collection::vec((any::<bool>(), file_name(), kind()), 0..14)
}

fn make(dir: &Path, name: &OsString, kind: &Kind) {
    let path = dir.join(name);
    if fs::symlink_metadata(&path).is_ok() {
        return;
    }
    match kind {
        Kind::Bytes(bytes) => fs::write(&path, bytes).unwrap(),
        Kind::Entry(entry, typo) => {
            let extra = if *typo { r#", "critcal": true"# } else { "" };
            fs::write(&path, format!(r#"{{"name": "{entry}"{extra}}}"#)).unwrap();
        }
        Kind::Link(target) => symlink(target, &path).unwrap(),
        Kind::Dir => fs::create_dir(&path).unwrap(),
        Kind::Fifo => rustix::fs::mkfifoat(rustix::fs::CWD, &path, 0o644.into()).unwrap(),
    }
}

/// Makes two layer directories under a new temporary directory.
fn layers(items: &[(bool, OsString, Kind)]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let high = root.path().join("high");
    let low = root.path().join("low");
    fs::create_dir(&high).unwrap();
    fs::create_dir(&low).unwrap();
    for (in_high, name, kind) in items {
        make(if *in_high { &high } else { &low }, name, kind);
    }
    (root, high, low)
}

/// The report with the temporary root replaced, for comparing runs in different directories.
fn normalized(report: &LoadReport, root: &Path) -> String {
    format!("{report:?}").replace(&root.display().to_string(), "<root>")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_contents_never_panic_and_give_sorted_unique_entries_for_every_file(
        items in contents()
    ) {
        let (root, high, low) = layers(&items);
        let report = DropinLoader::with_dirs([&high, &low]).load();

        // Entries are in strictly increasing byte order of file name.
        let entry_names: Vec<&[u8]> = report
            .entries
            .iter()
            .map(|e| e.path.file_name().unwrap().as_bytes())
            .collect();
        prop_assert!(entry_names.windows(2).all(|w| w[0] < w[1]), "{:?}", entry_names);

        // No two entries share an integration name.
        let mut seen = HashSet::new();
        for e in &report.entries {
            prop_assert!(seen.insert(e.entry.name().clone()), "duplicate {}", e.entry.name());
        }

        // Files are sorted, each name once, and each file is an entry, a mask or a problem.
        let files: Vec<&[u8]> = report.files.iter().map(|p| p.file_name().unwrap().as_bytes()).collect();
        prop_assert!(files.windows(2).all(|w| w[0] < w[1]), "{:?}", files);
        let mut accounted: Vec<&Path> = report.entries.iter().map(|e| e.path.as_path()).collect();
        accounted.extend(report.masked.iter().map(PathBuf::as_path));
        accounted.extend(
            report.problems.iter().map(|p| p.path()).filter(|p| *p != high && *p != low),
        );
        accounted.sort();
        let mut expected: Vec<&Path> = report.files.iter().map(PathBuf::as_path).collect();
        expected.sort();
        prop_assert_eq!(accounted, expected);

        // Every problem renders as one line that starts with its path, whatever the file names.
        for problem in &report.problems {
            let shown = problem.to_string();
            prop_assert!(!shown.contains('\n'), "{}", shown);
            prop_assert!(shown.starts_with(&root.path().display().to_string()));
        }

        // Loading again gives the same report.
        let again = DropinLoader::with_dirs([&high, &low]).load();
        prop_assert_eq!(format!("{report:?}"), format!("{again:?}"));
    }

    #[test]
    fn the_report_does_not_depend_on_creation_order(
        (items, shuffled) in contents().prop_flat_map(|items| {
            let shuffled = Just(items.clone()).prop_shuffle();
            (Just(items), shuffled)
        })
    ) {
        // Keep one item per (layer, name), so both orders make the same files.
        let mut unique = HashSet::new();
        let items: Vec<_> = items
            .into_iter()
            .filter(|(high, name, _)| unique.insert((*high, name.clone())))
            .collect();
        let shuffled: Vec<_> = shuffled
            .into_iter()
            .filter(|item| items.iter().any(|i| i.0 == item.0 && i.1 == item.1 && format!("{:?}", i.2) == format!("{:?}", item.2)))
            .collect();
        let (root_a, high_a, low_a) = layers(&items);
        let (root_b, high_b, low_b) = layers(&shuffled);
        let a = DropinLoader::with_dirs([&high_a, &low_a]).load();
        let b = DropinLoader::with_dirs([&high_b, &low_b]).load();
        prop_assert_eq!(normalized(&a, root_a.path()), normalized(&b, root_b.path()));
    }
}
