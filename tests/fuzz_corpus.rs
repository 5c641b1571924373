//! Replays every committed fuzz corpus file through the same checks the fuzz targets run, so
//! that `cargo test` checks the corpora on a machine without cargo-fuzz or a nightly
//! toolchain.

#![cfg(unix)]

#[path = "../fuzz/src/lib.rs"]
mod checks;

use std::collections::BTreeSet;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use checks::{Outcome, TARGETS};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The file stems in `dir` whose names end with `suffix`, or the subfolders when `suffix` is
/// `None`.
fn names_in(dir: &Path, suffix: Option<&str>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for item in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let item = item.unwrap();
        let name = item.file_name().into_string().unwrap();
        match suffix {
            Some(suffix) => {
                if let Some(stem) = name.strip_suffix(suffix) {
                    names.insert(stem.to_owned());
                }
            }
            None => {
                if item.file_type().unwrap().is_dir() {
                    names.insert(name);
                }
            }
        }
    }
    names
}

/// A name libFuzzer gives the inputs it saves: the SHA-1 of the content, in hex.
fn is_libfuzzer_name(name: &str) -> bool {
    name.len() == 40 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What a corpus file's name promises: `reject-*` files must be rejected, files libFuzzer
/// named may go either way, and every other seed must be accepted.
fn expected(name: &str) -> Option<Outcome> {
    if name.starts_with("reject-") {
        Some(Outcome::Rejected)
    } else if is_libfuzzer_name(name) {
        None
    } else {
        Some(Outcome::Accepted)
    }
}

#[test]
fn every_target_has_a_corpus_and_a_check() {
    let targets: BTreeSet<String> = TARGETS.iter().map(|(t, _)| (*t).to_owned()).collect();
    assert_eq!(
        names_in(&fuzz_dir().join("fuzz_targets"), Some(".rs")),
        targets,
        "fuzz_targets/*.rs and the checks' TARGETS differ"
    );
    assert_eq!(
        names_in(&fuzz_dir().join("corpus"), None),
        targets,
        "the corpus folders and the checks' TARGETS differ"
    );
    let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for target in &targets {
        assert!(
            manifest.contains(&format!(
                "name = \"{target}\"\npath = \"fuzz_targets/{target}.rs\""
            )),
            "fuzz/Cargo.toml has no [[bin]] for `{target}`"
        );
    }
}

#[test]
fn every_corpus_file_obeys_the_fuzz_laws() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (target, check) in TARGETS {
        let dir = fuzz_dir().join("corpus").join(target);
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|item| item.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "the corpus {} is empty", dir.display());

        let (mut accepted, mut rejected) = (0, 0);
        for path in &files {
            let data = fs::read(path).unwrap();
            let name = path.file_name().unwrap().to_str().unwrap();
            match catch_unwind(AssertUnwindSafe(|| check(&data))) {
                Ok(outcome) => {
                    match outcome {
                        Outcome::Accepted => accepted += 1,
                        Outcome::Rejected => rejected += 1,
                    }
                    if let Some(want) = expected(name).filter(|want| *want != outcome) {
                        failures.push(format!("{target}/{name}: {outcome:?}, expected {want:?}"));
                    }
                }
                Err(_) => failures.push(format!(
                    "{target}/{name}: a law failed (see the panic above)"
                )),
            }
            replayed += 1;
        }
        // Each corpus must reach both sides of its target: values that round-trip, and
        // inputs that are only errors.
        if accepted == 0 || rejected == 0 {
            failures.push(format!(
                "{target}: {accepted} accepted and {rejected} rejected files, expected some of each"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(replayed >= TARGETS.len(), "replayed only {replayed} files");
}
