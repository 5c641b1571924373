//! The laws the fuzz targets check, one function per target.
//!
//! Each `check_*` function takes arbitrary bytes, panics when the crate breaks one of its
//! promises on them, and otherwise says whether the bytes were accepted. The fuzz targets in
//! `fuzz/fuzz_targets/` call these functions, and `tests/fuzz_corpus.rs` in the main crate
//! includes this same file to replay every committed corpus file through them, so a machine
//! without cargo-fuzz still checks the corpora. That is why this file uses nothing beyond
//! the main crate's dependencies and dev-dependencies.
//!
//! The round-trip law, for every wire type: if the bytes parse, emitting the value and
//! parsing the output gives an equal value, and emitting that value gives identical bytes.
//! Bytes that do not parse must only produce an error (a panic is a failure).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fmt::Debug;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use mvm_integrations::{
    DirStatus, DropinLoader, FileFate, FileKind, HeldBack, INTEGRATIONS_BASE_PATH,
    IntegrationEntry, IntegrationManifest, IntegrationName, IntegrationStateReport,
    IntegrationStatus, LoadOutcome, MAX_NAME_LEN, SKIPPED_SUFFIXES, StateLayout,
    integration_checkpoint_path, integration_state_dir,
};

/// What a check made of its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The input parsed, and every law held.
    Accepted,
    /// The input was rejected with an error, as it should be.
    Rejected,
}

impl Outcome {
    fn of<T, E>(result: &Result<T, E>) -> Outcome {
        if result.is_ok() {
            Outcome::Accepted
        } else {
            Outcome::Rejected
        }
    }
}

/// A fuzz target's check: the function its `fuzz_target!` calls.
pub type Check = fn(&[u8]) -> Outcome;

/// Every target, by the name of its binary and of its corpus folder, with its check.
pub const TARGETS: &[(&str, Check)] = &[
    ("manifest", check_manifest),
    ("entry", check_entry),
    ("status", check_status),
    ("report", check_report),
    ("reports", check_reports),
    ("name", check_name),
    ("dropin", check_dropin),
];

/// Emits `value`, parses the output, and checks that the value and the bytes survive.
#[track_caller]
fn round_trip<T: PartialEq + Debug, E: std::fmt::Display>(
    what: &str,
    value: &T,
    emit: impl Fn(&T) -> String,
    parse: impl Fn(&str) -> Result<T, E>,
) {
    let first = emit(value);
    let again = match parse(&first) {
        Ok(again) => again,
        Err(e) => panic!("{what}: the emitted JSON does not parse: {e}\n{first}"),
    };
    assert_eq!(
        &again, value,
        "{what}: emit then parse changed the value\n{first}"
    );
    let second = emit(&again);
    assert_eq!(second, first, "{what}: emit, parse, emit changed the bytes");
}

/// Compact JSON through `serde_json::to_string`, which cannot fail for the crate's types.
fn compact<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_string(value) {
        Ok(json) => json,
        Err(e) => panic!("serializing failed: {e}"),
    }
}

/// Checks that parsing bytes agrees with parsing them as text.
///
/// On UTF-8 input both must give the same result. serde_json's `from_slice` does not check
/// the UTF-8 of strings it skips (unknown fields), so bytes that are not UTF-8 may parse; then
/// the text parser, given the bytes with the bad sequences replaced, must give the same value.
#[track_caller]
fn agrees_with_text<T: PartialEq + Debug, E, F>(
    data: &[u8],
    parsed: &Result<T, E>,
    parse_text: impl Fn(&str) -> Result<T, F>,
) {
    match std::str::from_utf8(data) {
        Ok(text) => assert_eq!(
            parse_text(text).as_ref().ok(),
            parsed.as_ref().ok(),
            "parsing the bytes and parsing them as text disagree"
        ),
        Err(_) => {
            if let Ok(value) = parsed {
                let lossy = String::from_utf8_lossy(data);
                assert_eq!(
                    parse_text(&lossy).as_ref().ok(),
                    Some(value),
                    "bytes that are not UTF-8 parsed to a value the text parser does not give"
                );
            }
        }
    }
}

/// Formats an error and checks that its message is a non-empty line.
#[track_caller]
fn message(error: &dyn std::fmt::Display) -> String {
    let message = error.to_string();
    assert!(!message.is_empty(), "an error with an empty message");
    message
}

/// `IntegrationManifest`: both parsers agree, bytes that are not UTF-8 never parse, and the
/// pretty and compact forms round-trip.
pub fn check_manifest(data: &[u8]) -> Outcome {
    let parsed = IntegrationManifest::from_slice(data);
    agrees_with_text(data, &parsed, IntegrationManifest::from_json);
    if std::str::from_utf8(data).is_err() {
        assert!(
            parsed.is_err(),
            "a manifest that is not UTF-8 parsed: {parsed:?}"
        );
    }
    match &parsed {
        Ok(manifest) => {
            round_trip(
                "manifest (pretty)",
                manifest,
                IntegrationManifest::to_json,
                IntegrationManifest::from_json,
            );
            round_trip(
                "manifest (compact)",
                manifest,
                IntegrationManifest::to_json_compact,
                IntegrationManifest::from_json,
            );
            assert_eq!(
                manifest.to_json_compact(),
                compact(manifest),
                "to_json_compact differs from serde_json::to_string"
            );
            for entry in manifest.entries() {
                entry_laws(entry);
            }
        }
        Err(e) => {
            message(e);
        }
    }
    Outcome::of(&parsed)
}

/// `IntegrationEntry`: round-trips, and whatever parses also passes the builder's checks.
pub fn check_entry(data: &[u8]) -> Outcome {
    let parsed = serde_json::from_slice::<IntegrationEntry>(data);
    agrees_with_text(data, &parsed, IntegrationEntry::from_json);
    match &parsed {
        Ok(entry) => entry_laws(entry),
        Err(e) => {
            message(e);
        }
    }
    Outcome::of(&parsed)
}

/// The laws every parsed entry obeys.
#[track_caller]
fn entry_laws(entry: &IntegrationEntry) {
    round_trip(
        "entry",
        entry,
        IntegrationEntry::to_json_compact,
        IntegrationEntry::from_json,
    );
    assert_eq!(entry.to_json_compact(), compact(entry));
    assert_eq!(
        entry.to_builder().build().as_ref(),
        Ok(entry),
        "a parsed entry fails the builder's range checks"
    );
    assert!(
        name_rule(entry.name().as_str()),
        "a parsed entry has an invalid name {:?}",
        entry.name()
    );
    for warning in entry.warnings() {
        message(&warning);
        assert!(!warning.field().as_str().is_empty());
    }
}

/// `IntegrationStatus`: round-trips, including statuses from newer guests.
pub fn check_status(data: &[u8]) -> Outcome {
    let parsed = serde_json::from_slice::<IntegrationStatus>(data);
    agrees_with_text(data, &parsed, |text| serde_json::from_str(text));
    match &parsed {
        Ok(status) => status_laws(status),
        Err(e) => {
            message(e);
        }
    }
    Outcome::of(&parsed)
}

/// The laws every parsed status obeys.
#[track_caller]
fn status_laws(status: &IntegrationStatus) {
    round_trip("status", status, compact, |s| serde_json::from_str(s));
    let known = ["active", "paused", "error", "pending", "starting"].contains(&status.name());
    assert_eq!(
        status.is_known(),
        known,
        "status {status:?}: is_known() disagrees with its name"
    );
    let shown = status.to_string();
    assert!(
        shown.starts_with(&mvm_integrations::Escaped::quoted(status.name()).to_string()),
        "{shown:?} does not start with the escaped name"
    );
}

/// A single `IntegrationStateReport`: round-trips, and `validated_name` runs the name rule.
pub fn check_report(data: &[u8]) -> Outcome {
    let parsed = serde_json::from_slice::<IntegrationStateReport>(data);
    agrees_with_text(data, &parsed, |text| serde_json::from_str(text));
    match &parsed {
        Ok(report) => report_laws(report),
        Err(e) => {
            message(e);
        }
    }
    Outcome::of(&parsed)
}

/// The laws every parsed report obeys.
#[track_caller]
fn report_laws(report: &IntegrationStateReport) {
    round_trip("report", report, compact, |s| serde_json::from_str(s));
    status_laws(report.status());
    assert_eq!(
        report.validated_name().is_ok(),
        name_rule(report.name()),
        "validated_name disagrees with the name rule on {:?}",
        report.name()
    );
}

/// A list of reports: `parse_list` agrees with parsing the whole array, keeps every good
/// element, and the list round-trips.
pub fn check_reports(data: &[u8]) -> Outcome {
    let whole = serde_json::from_slice::<Vec<IntegrationStateReport>>(data);
    agrees_with_text(data, &whole, |text| serde_json::from_str(text));
    let Ok(text) = std::str::from_utf8(data) else {
        if let Ok(reports) = &whole {
            round_trip("reports", reports, compact, |s| serde_json::from_str(s));
        }
        return Outcome::of(&whole);
    };
    let each = IntegrationStateReport::parse_list(text);
    match (&whole, &each) {
        (Ok(reports), Ok(results)) => {
            assert_eq!(reports.len(), results.len(), "parse_list lost elements");
            for (report, result) in reports.iter().zip(results) {
                assert_eq!(result.as_ref().ok(), Some(report), "parse_list differs");
            }
            round_trip("reports", reports, compact, |s| serde_json::from_str(s));
            for report in reports {
                report_laws(report);
            }
        }
        (Ok(_), Err(e)) => panic!("the list parses but parse_list fails: {e}"),
        (Err(e), Ok(results)) => {
            message(e);
            // Some element is bad, or the array is malformed after the elements: every good
            // element still obeys the laws, and the good ones emit as a list that parses.
            let good: Vec<IntegrationStateReport> = results
                .iter()
                .filter_map(|r| r.as_ref().ok())
                .cloned()
                .collect();
            for report in &good {
                report_laws(report);
            }
            round_trip("good reports", &good, compact, |s| serde_json::from_str(s));
            for error in results.iter().filter_map(|r| r.as_ref().err()) {
                message(error);
            }
        }
        (Err(whole_error), Err(each_error)) => {
            message(whole_error);
            message(each_error);
        }
    }
    Outcome::of(&whole)
}

/// The name rule, written out independently of the crate: 1 to 64 bytes of
/// `[A-Za-z0-9._-]`, starting with a letter or a digit.
fn name_rule(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_NAME_LEN
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// `IntegrationName`: every way in agrees with the rule, valid names round-trip and build
/// paths inside the base, and errors are one bounded line naming the input.
pub fn check_name(data: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;
    let new = IntegrationName::new(text);
    assert_eq!(
        new.is_ok(),
        name_rule(text),
        "IntegrationName::new disagrees with the name rule on {text:?}"
    );
    assert_eq!(text.parse::<IntegrationName>(), new, "FromStr disagrees");
    assert_eq!(
        IntegrationName::try_from(text),
        new,
        "TryFrom<&str> disagrees"
    );
    assert_eq!(
        IntegrationName::try_from(text.to_owned()),
        new,
        "TryFrom<String> disagrees"
    );
    let json = compact(&text);
    let from_json = serde_json::from_str::<IntegrationName>(&json);
    assert_eq!(from_json.is_ok(), new.is_ok(), "serde disagrees on {json}");

    match &new {
        Ok(name) => {
            assert_eq!(name.as_str(), text);
            assert_eq!(name.to_string(), text);
            assert_eq!(from_json.ok().as_ref(), Some(name));
            round_trip("name", name, compact, |s| serde_json::from_str(s));
            name_path_laws(name);
        }
        Err(e) => {
            assert_eq!(e.name(), text, "the error does not keep the input");
            let shown = message(e);
            assert!(
                !shown.chars().any(char::is_control),
                "the message has a control character: {shown:?}"
            );
            // At most 80 characters of the input are shown, each escaped to at most 10 bytes.
            assert!(
                shown.len() <= 1024,
                "the message is {} bytes long",
                shown.len()
            );
            assert!(
                shown.starts_with("invalid integration name"),
                "unexpected message {shown:?}"
            );
        }
    }
    Outcome::of(&new)
}

/// Paths built from a valid name are `<base>/<name>/{state,checkpoint}`, strictly inside the
/// base.
#[track_caller]
fn name_path_laws(name: &IntegrationName) {
    let base = Path::new(INTEGRATIONS_BASE_PATH);
    for (path, leaf) in [
        (integration_state_dir(name), "state"),
        (integration_checkpoint_path(name), "checkpoint"),
    ] {
        let rest = match path.strip_prefix(base) {
            Ok(rest) => rest,
            Err(_) => panic!("{path:?} is not under {base:?}"),
        };
        let parts: Vec<Component<'_>> = rest.components().collect();
        assert_eq!(
            parts,
            [
                Component::Normal(name.as_str().as_ref()),
                Component::Normal(leaf.as_ref())
            ],
            "{path:?} is not <base>/{name}/{leaf}"
        );
    }
    let layout = StateLayout::new("/elsewhere");
    assert_eq!(
        layout.integration_dir(name).parent(),
        Some(Path::new("/elsewhere"))
    );
}

/// The largest drop-in the `dropin` target's loader accepts, in bytes.
pub const DROPIN_MAX_FILE_SIZE: u64 = 1024;

/// How many `*.json` names the `dropin` target's loader takes from each directory.
pub const DROPIN_MAX_FILES: usize = 8;

/// At most this many records of an input are built; the rest are ignored.
const MAX_RECORDS: usize = 32;

/// The largest sparse file a `b` record makes: 1 GiB, which costs no disk space.
const MAX_SPARSE_LEN: u64 = 1 << 30;

/// One thing a `dropin` input puts in a layer directory.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Made {
    /// A regular file with these contents (`f`), or a sparse file of zeros (`b`).
    File { len: u64, contents: Option<Vec<u8>> },
    /// A symlink (`l`); where it leads is not predicted.
    Symlink,
    /// A directory (`d`), a FIFO (`p`) or a socket (`s`).
    Special(FileKind),
}

/// The two layer directories of a `dropin` input, highest precedence first.
struct Layers {
    _root: tempfile::TempDir,
    dirs: [PathBuf; 2],
    status: [DirStatus; 2],
    made: [BTreeMap<Vec<u8>, Made>; 2],
}

/// Builds the drop-in directories an input describes.
///
/// The input is a list of records separated by a line `---`. The first line of a record is
/// `<kind><layer> <name>`; the rest of the record is its body:
///
/// | kind | makes `<name>` in layer `<layer>` (`0` is the higher, anything else `1`) |
/// |---|---|
/// | `f` | a regular file holding the body |
/// | `b` | a sparse file of zeros, as long as the decimal number in the body (at most 1 GiB) |
/// | `l` | a symlink to the body's first line: `/dev/null`, `/dev/zero`, a relative path, or `@0/...` or `@1/...` for a path in a layer; never with a `..` component |
/// | `d`, `p`, `s` | a directory, a FIFO, a socket |
/// | `m` | nothing: the layer directory does not exist (the name is ignored) |
/// | `n` | nothing: the layer is a regular file, not a directory |
///
/// Names are taken as bytes; an empty name, `.`, `..`, or one with `/` or NUL skips the
/// record, as does anything the file system refuses, and every link stays inside the
/// temporary directory, so a fuzz input never reaches outside it.
fn build_layers(data: &[u8]) -> Option<Layers> {
    let root = tempfile::tempdir().ok()?;
    let dirs = [root.path().join("l0"), root.path().join("l1")];
    let records: Vec<&[u8]> = split(data, b"\n---\n").take(MAX_RECORDS).collect();
    let layer_of = |b: u8| usize::from(b != b'0');

    let mut status = [DirStatus::Present; 2];
    for record in &records {
        match record {
            [b'm', layer, ..] => status[layer_of(*layer)] = DirStatus::Missing,
            [b'n', layer, ..] => status[layer_of(*layer)] = DirStatus::Unreadable,
            _ => {}
        }
    }
    for (dir, status) in dirs.iter().zip(status) {
        match status {
            DirStatus::Present => fs::create_dir(dir).ok()?,
            DirStatus::Unreadable => fs::write(dir, b"not a directory").ok()?,
            _ => {}
        }
    }

    let mut made: [BTreeMap<Vec<u8>, Made>; 2] = Default::default();
    for record in records {
        let (header, body) = match record.iter().position(|&b| b == b'\n') {
            Some(i) => (&record[..i], &record[i + 1..]),
            None => (record, &record[record.len()..]),
        };
        let [kind, layer, b' ', name @ ..] = header else {
            continue;
        };
        let layer = layer_of(*layer);
        if status[layer] != DirStatus::Present
            || name.is_empty()
            || name.len() > 255
            || name == b"."
            || name == b".."
            || name.iter().any(|&b| b == b'/' || b == 0)
            || made[layer].contains_key(name)
        {
            continue;
        }
        let path = dirs[layer].join(OsStr::from_bytes(name));
        let thing = match kind {
            b'f' => fs::write(&path, body).ok().map(|()| Made::File {
                len: body.len() as u64,
                contents: Some(body.to_vec()),
            }),
            b'b' => {
                let len = std::str::from_utf8(body)
                    .ok()
                    .and_then(|text| text.trim().parse::<u64>().ok())
                    .map_or(0, |len| len.min(MAX_SPARSE_LEN));
                fs::File::create(&path)
                    .and_then(|file| file.set_len(len))
                    .ok()
                    .map(|()| Made::File {
                        len,
                        contents: None,
                    })
            }
            b'l' => {
                let first_line = body.split(|&b| b == b'\n').next().unwrap_or_default();
                link_target(first_line, &dirs).and_then(|target| {
                    std::os::unix::fs::symlink(target, &path)
                        .ok()
                        .map(|()| Made::Symlink)
                })
            }
            b'd' => fs::create_dir(&path)
                .ok()
                .map(|()| Made::Special(FileKind::Directory)),
            b'p' => rustix::fs::mkfifoat(rustix::fs::CWD, &path, 0o644.into())
                .ok()
                .map(|()| Made::Special(FileKind::Fifo)),
            b's' => std::os::unix::net::UnixListener::bind(&path)
                .ok()
                .map(|_| Made::Special(FileKind::Socket)),
            _ => None,
        };
        if let Some(thing) = thing {
            made[layer].insert(name.to_vec(), thing);
        }
    }
    Some(Layers {
        _root: root,
        dirs,
        status,
        made,
    })
}

/// The pieces of `data` between occurrences of `separator`.
fn split<'a>(data: &'a [u8], separator: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let current = rest?;
        match current
            .windows(separator.len())
            .position(|window| window == separator)
        {
            Some(i) => {
                rest = Some(&current[i + separator.len()..]);
                Some(&current[..i])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// Where a symlink of a `dropin` input may point: never outside the temporary directory.
fn link_target(target: &[u8], dirs: &[PathBuf; 2]) -> Option<PathBuf> {
    if target == b"/dev/null" || target == b"/dev/zero" {
        return Some(PathBuf::from(OsStr::from_bytes(target)));
    }
    let (base, rest) = match target {
        [b'@', layer, b'/', rest @ ..] => (Some(&dirs[usize::from(*layer != b'0')]), rest),
        _ => (None, target),
    };
    let rest = Path::new(OsStr::from_bytes(rest));
    if rest.as_os_str().is_empty()
        || rest.is_absolute()
        || rest.components().any(|c| c == Component::ParentDir)
        || rest.as_os_str().as_bytes().contains(&0)
    {
        return None;
    }
    Some(match base {
        Some(base) => base.join(rest),
        None => rest.to_path_buf(),
    })
}

/// The loader's rule for which names are drop-ins, written out: longer than `.json` and
/// ending in it, not hidden (a leading `.`), and not a backup (a name ending in one of
/// `SKIPPED_SUFFIXES`, or whose last extension starts with `.dpkg-` or `.ucf-`).
fn is_dropin_name(name: &[u8]) -> bool {
    let backup = SKIPPED_SUFFIXES
        .iter()
        .any(|s| name.ends_with(s.as_bytes()))
        || name
            .iter()
            .rposition(|&b| b == b'.')
            .is_some_and(|i| name[i..].starts_with(b".dpkg-") || name[i..].starts_with(b".ucf-"));
    name.len() > 5 && name.ends_with(b".json") && !name.starts_with(b".") && !backup
}

/// The drop-in loader on a directory built from arbitrary input: it never panics, lists the
/// files it should in byte order, skips hidden and backup names, holds back the lower layer
/// when the higher one cannot be listed or hides names past its cap, loads each regular file
/// as the parser would, and never returns two entries with the same name.
pub fn check_dropin(data: &[u8]) -> Outcome {
    let Some(layers) = build_layers(data) else {
        return Outcome::Rejected;
    };
    let outcome = DropinLoader::with_dirs(&layers.dirs)
        .with_max_file_size(DROPIN_MAX_FILE_SIZE)
        .with_max_files(DROPIN_MAX_FILES)
        .load();
    dropin_laws(&layers, &outcome);
    if outcome.entries().next().is_none() {
        Outcome::Rejected
    } else {
        Outcome::Accepted
    }
}

/// The laws a load outcome obeys for the directories in `layers`.
#[track_caller]
fn dropin_laws(layers: &Layers, outcome: &LoadOutcome) {
    let statuses: Vec<DirStatus> = outcome.dirs().iter().map(|d| d.status()).collect();
    assert_eq!(statuses, layers.status, "directory statuses");
    let paths: Vec<&Path> = outcome.dirs().iter().map(|d| d.path()).collect();
    assert_eq!(paths, [&layers.dirs[0], &layers.dirs[1]], "directory paths");

    // Which files: per layer the first `DROPIN_MAX_FILES` drop-in names in byte order, then
    // each name from the highest layer that kept it, in byte order.
    let mut chosen: BTreeMap<&[u8], usize> = BTreeMap::new();
    let mut truncated = [false; 2];
    for (layer, made) in layers.made.iter().enumerate() {
        let names: Vec<&Vec<u8>> = made.keys().filter(|n| is_dropin_name(n)).collect();
        let too_many = outcome.dirs()[layer]
            .problems()
            .iter()
            .filter(|p| p.code() == "too-many-files")
            .count();
        truncated[layer] = names.len() > DROPIN_MAX_FILES;
        assert_eq!(
            too_many,
            usize::from(truncated[layer]),
            "layer {layer} holds {} drop-ins: too-many-files problems",
            names.len()
        );
        for name in names.into_iter().take(DROPIN_MAX_FILES) {
            chosen.entry(name).or_insert(layer);
        }
    }
    let expected: Vec<PathBuf> = chosen
        .iter()
        .map(|(name, layer)| layers.dirs[*layer].join(OsStr::from_bytes(name)))
        .collect();
    let files: Vec<PathBuf> = outcome
        .files()
        .iter()
        .map(|f| f.path().to_path_buf())
        .collect();
    assert_eq!(files, expected, "the files taken, in order");

    // Every problem and every diagnostic is one line.
    for problem in outcome.problems() {
        let shown = problem.to_string();
        assert!(
            !shown.chars().any(char::is_control),
            "a problem's message is not one line: {shown:?}"
        );
        assert!(
            !problem.message().is_empty(),
            "an empty message: {problem:?}"
        );
    }
    for diagnostic in outcome.diagnostics() {
        let shown = diagnostic.to_string();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
    }

    // Entries: in byte order of file name, no two with the same name, each obeying the
    // entry laws, at most the bounded number of warnings, and the manifest lists them.
    let entries: Vec<_> = outcome.entries().collect();
    for pair in entries.windows(2) {
        assert!(
            pair[0].path.file_name() < pair[1].path.file_name(),
            "entries out of order: {:?} then {:?}",
            pair[0].path,
            pair[1].path
        );
    }
    let mut names = BTreeMap::new();
    for loaded in &entries {
        if let Some(first) = names.insert(loaded.entry.name(), &loaded.path) {
            panic!(
                "two entries named `{}`: {first:?} and {:?}",
                loaded.entry.name(),
                loaded.path
            );
        }
        entry_laws(&loaded.entry);
        assert!(loaded.warnings.len() <= mvm_integrations::MAX_WARNINGS_PER_FILE + 1);
        for warning in &loaded.warnings {
            message(warning);
        }
    }
    let manifest = outcome.manifest();
    assert_eq!(manifest.len(), entries.len());
    for (entry, loaded) in manifest.iter().zip(&entries) {
        assert_eq!(entry, &loaded.entry);
    }

    // Each file the input made: the fate its layer, kind and contents predict.
    for (file, (name, layer)) in outcome.files().iter().zip(&chosen) {
        // Layers fail closed: a lower file loads only when no higher layer may hide it.
        if *layer == 1 {
            let unreadable = layers.status[0] == DirStatus::Unreadable;
            let hidden = truncated[0] && layers.made[0].contains_key(*name);
            if unreadable || hidden {
                match file.fate() {
                    FileFate::HeldBack(HeldBack::LayerUnreadable { dir, .. }) => {
                        assert!(unreadable && *dir == layers.dirs[0], "{file:?}");
                    }
                    FileFate::HeldBack(HeldBack::ShadowedPastCap { by, .. }) => {
                        assert!(hidden && by.starts_with(&layers.dirs[0]), "{file:?}");
                    }
                    other => panic!("{:?}: expected held back, got {other:?}", file.path()),
                }
                continue;
            }
        }
        predicted_outcome(
            outcome,
            file.path(),
            file.fate(),
            name,
            &layers.made[*layer][*name],
        );
    }
}

/// Checks the fate of one file against what its kind and contents predict.
#[track_caller]
fn predicted_outcome(
    outcome: &LoadOutcome,
    path: &Path,
    fate: &FileFate,
    name: &[u8],
    made: &Made,
) {
    let code = match fate {
        FileFate::Failed(problem) => Some(problem.code()),
        _ => None,
    };
    if std::str::from_utf8(name).is_err() {
        assert_eq!(code, Some("non-utf8-file-name"), "{path:?}");
        return;
    }
    match made {
        Made::Symlink => {}
        Made::Special(_) => {
            assert_eq!(code, Some("not-a-regular-file"), "{path:?}");
        }
        Made::File { len: 0, .. } => {
            assert!(
                matches!(fate, FileFate::Masked),
                "{path:?}: empty, not masked"
            );
        }
        Made::File { len, .. } if *len > DROPIN_MAX_FILE_SIZE => {
            assert_eq!(code, Some("too-large"), "{path:?}: {len} bytes");
        }
        Made::File { contents, len } => {
            let zeros;
            let bytes = match contents {
                Some(bytes) => bytes.as_slice(),
                None => {
                    zeros = vec![0; usize::try_from(*len).unwrap_or(0)];
                    zeros.as_slice()
                }
            };
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            let Ok(text) = std::str::from_utf8(bytes) else {
                assert_eq!(code, Some("invalid-utf8"), "{path:?}");
                return;
            };
            match IntegrationEntry::from_json(text) {
                Err(_) => assert_eq!(code, Some("parse"), "{path:?}"),
                Ok(entry) => match fate {
                    FileFate::Loaded(loaded) => assert_eq!(loaded.entry, entry, "{path:?}"),
                    _ => {
                        assert_eq!(code, Some("duplicate-name"), "{path:?}: not loaded");
                        let first = outcome
                            .entries()
                            .find(|e| e.entry.name() == entry.name())
                            .unwrap_or_else(|| panic!("{path:?}: a duplicate of nothing"));
                        assert!(
                            first.path.file_name() < path.file_name(),
                            "{path:?}: a duplicate of a later file"
                        );
                    }
                },
            }
        }
    }
}
