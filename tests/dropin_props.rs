//! Property tests of the drop-in loader on arbitrary directory contents.

mod support;
use support::is_unsafe;

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use mvm_integrations::{DropinLoader, DropinWarning, FileFate, LoadOutcome, Position};
use proptest::prelude::*;

/// Strings rich in the characters the escaping rule is about.
fn hostile_string() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        any::<char>(),
        prop::sample::select(vec![
            '\u{1b}', '\u{7}', '\n', '\r', '\t', '\u{9b}', '\u{7f}', '\u{202e}', '\u{2066}',
            '\u{200b}', '\u{feff}', '\\', '"', ':', ',', '{', '}',
        ]),
        "[a-z]".prop_map(|s| s.chars().next().unwrap()),
    ];
    prop::collection::vec(c, 1..24).prop_map(|chars| chars.into_iter().collect())
}

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
fn normalized(report: &LoadOutcome, root: &Path) -> String {
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
            .entries()
            .map(|e| e.path.file_name().unwrap().as_bytes())
            .collect();
        prop_assert!(entry_names.windows(2).all(|w| w[0] < w[1]), "{:?}", entry_names);

        // No two entries share an integration name.
        let mut seen = HashSet::new();
        for e in report.entries() {
            prop_assert!(seen.insert(e.entry.name().clone()), "duplicate {}", e.entry.name());
        }

        // Files are sorted, each name once, never hidden or a backup.
        let files: Vec<&[u8]> = report.files().iter().map(|f| f.path().file_name().unwrap().as_bytes()).collect();
        prop_assert!(files.windows(2).all(|w| w[0] < w[1]), "{:?}", files);
        for name in &files {
            prop_assert!(!name.starts_with(b".") && name.ends_with(b".json"), "{:?}", name);
        }

        // Every diagnostic renders as one line that starts with its path, whatever the file
        // names, and holds no unsafe character.
        for diagnostic in report.diagnostics() {
            let shown = diagnostic.to_string();
            prop_assert!(!shown.chars().any(is_unsafe), "{}", shown);
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

    #[test]
    fn unknown_keys_and_file_names_never_reach_a_line_unescaped(
        key in hostile_string(),
        name in hostile_string(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let name: String = name.chars().filter(|&c| c != '/' && c != '\0').collect();
        let file = format!("x{name}.json");
        let text = format!(r#"{{"name": "a", {}: 1}}"#, serde_json::to_string(&key).unwrap());
        fs::write(dir.path().join(&file), text).unwrap();
        let outcome = DropinLoader::with_dirs([dir.path()]).load();
        let mut lines = 0;
        for diagnostic in outcome.diagnostics() {
            let shown = diagnostic.to_string();
            prop_assert!(!shown.chars().any(is_unsafe), "{:?}", shown);
            lines += 1;
        }
        for loaded in outcome.entries() {
            for warning in &loaded.warnings {
                prop_assert!(!warning.to_string().chars().any(is_unsafe), "{:?}", warning.to_string());
            }
        }
        // One file, one line: a key that is a known field gives none.
        prop_assert!(lines <= 1, "{} lines", lines);
    }

    #[test]
    fn each_unknown_key_is_placed_at_its_own_opening_quote(
        keys in prop::collection::vec(("[a-z]{1,3}", "[ \n\t]{0,3}", any::<bool>()), 1..12),
    ) {
        // Each top-level key also appears inside a nested value and inside a string, before
        // its own place: neither may be taken for the key.
        let mut text = String::from("{\"name\": \"a\"");
        let mut expected = Vec::new();
        let mut seen = HashSet::new();
        for (key, space, nest) in &keys {
            if seen.contains(key) || (*nest && seen.contains(&format!("n{key}"))) {
                continue;
            }
            seen.insert(key.clone());
            text.push(',');
            text.push_str(space);
            if *nest {
                seen.insert(format!("n{key}"));
                text.push_str(&format!("\"n{key}\": {{\"{key}\": [\"{key}\", {{\"{key}\": 1}}]}},{space}"));
                expected.push((format!("n{key}"), position_of(&text, text.rfind(&format!("\"n{key}\"")).unwrap())));
            }
            let at = text.len();
            text.push_str(&format!("\"{key}\"{space}:{space}\"{key}\""));
            expected.push((key.clone(), position_of(&text, at)));
        }
        text.push('}');
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.json"), &text).unwrap();
        let outcome = DropinLoader::with_dirs([dir.path()]).with_max_file_size(1 << 20).load();
        let loaded = outcome.entries().next().expect("the entry loads");
        let got: Vec<(String, Position)> = loaded
            .warnings
            .iter()
            .filter_map(|w| match w {
                DropinWarning::UnknownField { field, position, .. } => Some((field.clone(), (*position)?)),
                _ => None,
            })
            .collect();
        let expected: Vec<_> = expected.into_iter().take(mvm_integrations::MAX_WARNINGS_PER_FILE).collect();
        prop_assert_eq!(got, expected, "{}", text);
    }

    #[test]
    fn a_lower_file_never_loads_when_a_higher_layer_holds_its_name(
        high_names in prop::collection::btree_set("[a-f]", 0..6),
        masks in prop::collection::vec(any::<bool>(), 6),
        max_files in 1usize..4,
        high_broken in any::<bool>(),
    ) {
        let root = tempfile::tempdir().unwrap();
        let high = root.path().join("high");
        let low = root.path().join("low");
        fs::create_dir(&low).unwrap();
        if high_broken {
            // A higher "directory" that cannot be listed.
            fs::write(&high, "not a directory").unwrap();
        } else {
            fs::create_dir(&high).unwrap();
            for (i, name) in high_names.iter().enumerate() {
                let text = if masks[i] { String::new() } else { format!(r#"{{"name": "h{name}"}}"#) };
                fs::write(high.join(format!("{name}.json")), text).unwrap();
            }
        }
        for name in ["a", "b", "c", "d", "e", "f", "z"] {
            fs::write(low.join(format!("{name}.json")), format!(r#"{{"name": "l{name}"}}"#)).unwrap();
        }
        let outcome = DropinLoader::with_dirs([&high, &low]).with_max_files(max_files).load();
        for file in outcome.files() {
            if !file.path().starts_with(&low) {
                continue;
            }
            let name = file.path().file_stem().unwrap().to_str().unwrap().to_owned();
            let shadowed = high_broken || high_names.contains(&name);
            if shadowed {
                prop_assert!(!matches!(file.fate(), FileFate::Loaded(_)), "{:?} loaded", file.path());
            }
        }
        // What is held back is said, with why.
        for (path, reason) in outcome.held_back() {
            prop_assert!(path.starts_with(&low));
            prop_assert!(reason.to_string().starts_with("held back: "));
        }
    }
}

/// The position of byte `offset` of `text`, lines and columns from 1.
fn position_of(text: &str, offset: usize) -> Position {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    Position { line, column }
}
