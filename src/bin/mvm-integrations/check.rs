//! `mvm-integrations check` and `manifest`: load layered drop-in directories, then lint them
//! or print the manifest they form.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use mvm_integrations::{
    DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_FILES, Diagnostic, DirStatus, DropinLoader, Escaped,
    FileFate, LoadOutcome, Severity,
};
use serde::Serialize;

use crate::findings::{self, Finding, Summary, plural};

/// The largest `--max-file-size` accepted: 16 MiB.
const MAX_FILE_SIZE_LIMIT: u64 = 16 * 1024 * 1024;
/// The largest `--max-files` accepted.
const MAX_FILES_LIMIT: u64 = 65_536;

/// The directories to load and the loader's limits, shared by the subcommands that load.
#[derive(Debug, Args)]
struct LoadArgs {
    /// Drop-in directories, highest precedence first [default: /etc/mvm/integrations.d].
    #[arg(value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Largest drop-in accepted, in bytes (1 to 16777216).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_FILE_SIZE,
          value_parser = clap::value_parser!(u64).range(1..=MAX_FILE_SIZE_LIMIT))]
    max_file_size: u64,
    /// Most `*.json` files taken from each directory (1 to 65536).
    #[arg(long, value_name = "COUNT", default_value_t = DEFAULT_MAX_FILES as u64,
          value_parser = clap::value_parser!(u64).range(1..=MAX_FILES_LIMIT))]
    max_files: u64,
}

impl LoadArgs {
    fn load(&self) -> LoadOutcome {
        let loader = if self.dirs.is_empty() {
            DropinLoader::new()
        } else {
            DropinLoader::with_dirs(&self.dirs)
        };
        loader
            .with_max_file_size(self.max_file_size)
            .with_max_files(usize::try_from(self.max_files).unwrap_or(DEFAULT_MAX_FILES))
            .load()
    }
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    load: LoadArgs,
    /// Count warnings as errors: exit 1 when there is any.
    #[arg(long)]
    deny_warnings: bool,
    /// Also show the hidden and backup names that were skipped, as notes.
    #[arg(long, short)]
    verbose: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct ManifestArgs {
    #[command(flatten)]
    load: LoadArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// `path:line:column: severity: message` lines, then a one-line summary.
    Text,
    /// One JSON document (see the README).
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…::message`), then the
    /// summary line.
    Github,
    /// One SARIF 2.1.0 log, for code-scanning dashboards.
    Sarif,
}

pub(crate) fn check(args: &CheckArgs) -> ExitCode {
    let outcome = args.load.load();
    let report = Report::of(&outcome, args);
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        Format::Text => write_text(&mut out, &report),
        Format::Json => write_json(&mut out, &report),
        Format::Github => crate::github::write(&mut out, &report.findings(), &report.summary),
        Format::Sarif => crate::sarif::write(&mut out, &report.findings()),
    };
    crate::finish(written.and_then(|()| out.flush()), report.exit_code())
}

pub(crate) fn manifest(args: &ManifestArgs) -> ExitCode {
    let outcome = args.load.load();
    let mut errors = 0usize;
    let mut err = std::io::stderr().lock();
    for diagnostic in outcome.diagnostics() {
        errors += usize::from(diagnostic.severity() == Severity::Error);
        if let Err(e) = writeln!(err, "{diagnostic}") {
            return crate::finish(Err(e), ExitCode::FAILURE);
        }
    }
    if errors > 0 {
        let written = writeln!(
            err,
            "no manifest written: {errors} {}",
            plural(errors, "error", "errors")
        );
        return crate::finish(written, ExitCode::FAILURE);
    }
    let json = crate::json::terminal_safe(&outcome.into_manifest().to_json());
    let mut out = std::io::stdout().lock();
    let written = writeln!(out, "{json}").and_then(|()| out.flush());
    crate::finish(written, ExitCode::SUCCESS)
}

/// Everything `check` reports, in output order; also the `--format json` document. Paths
/// and names are exact here (JSON escaping makes them safe) when they are UTF-8.
#[derive(Debug, Serialize)]
struct Report {
    /// No errors, and no warnings under `--deny-warnings`.
    ok: bool,
    summary: Summary,
    directories: Vec<Directory>,
    diagnostics: Vec<JsonDiagnostic>,
    entries: Vec<Entry>,
    masked: Vec<String>,
    #[serde(skip)]
    lines: Vec<Diagnostic>,
}

#[derive(Debug, Serialize)]
struct Directory {
    path: String,
    status: &'static str,
}

#[derive(Debug, Serialize)]
struct JsonDiagnostic {
    path: String,
    line: Option<usize>,
    column: Option<usize>,
    severity: &'static str,
    code: &'static str,
    message: String,
}

#[derive(Debug, Serialize)]
struct Entry {
    name: String,
    path: String,
}

impl Report {
    fn of(outcome: &LoadOutcome, args: &CheckArgs) -> Report {
        let lines = lines(outcome, args);
        let count = |severity| lines.iter().filter(|d| d.severity() == severity).count();
        let errors = count(Severity::Error);
        let warnings = count(Severity::Warning);
        let files = outcome.files();
        let summary = Summary {
            directories: outcome.dirs().len(),
            missing_directories: outcome
                .dirs()
                .iter()
                .filter(|d| d.status() == DirStatus::Missing)
                .count(),
            files: files.len(),
            entries: outcome.entries().count(),
            masked: outcome.masked().count(),
            held_back: files
                .iter()
                .filter(|f| matches!(f.fate(), FileFate::HeldBack(_)))
                .count(),
            errors,
            warnings,
            deny_warnings: args.deny_warnings,
        };
        Report {
            ok: summary.ok(),
            summary,
            directories: outcome
                .dirs()
                .iter()
                .map(|d| Directory {
                    path: exact(d.path()),
                    status: d.status().as_str(),
                })
                .collect(),
            diagnostics: lines
                .iter()
                .map(|d| JsonDiagnostic {
                    path: exact(d.path()),
                    line: d.position().map(|p| p.line),
                    column: d.position().map(|p| p.column),
                    severity: d.severity().as_str(),
                    code: d.code(),
                    // JSON keeps the exact text: its escaping makes it safe.
                    message: String::from_utf8_lossy(&d.raw_message()).into_owned(),
                })
                .collect(),
            entries: outcome
                .entries()
                .map(|e| Entry {
                    name: e.entry.name().to_string(),
                    path: exact(&e.path),
                })
                .collect(),
            masked: outcome.masked().map(exact).collect(),
            lines,
        }
    }

    /// The findings of the CI formats: each diagnostic with its raw message, which each
    /// format escapes its own way.
    fn findings(&self) -> Vec<Finding> {
        self.lines
            .iter()
            .map(|d| Finding {
                path: d.path().to_path_buf(),
                position: d.position(),
                severity: match d.severity() {
                    Severity::Error => findings::Severity::Error,
                    Severity::Warning => findings::Severity::Warning,
                    _ => findings::Severity::Note,
                },
                code: d.code(),
                message: d.raw_message().into_owned(),
            })
            .collect()
    }

    fn exit_code(&self) -> ExitCode {
        if self.ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}

/// The library's diagnostics, with `check`'s two rules: a directory named on the command
/// line that does not exist is a warning (a likely typo), and `--verbose` adds a note for
/// each skipped hidden or backup name, after its directory's own findings.
fn lines(outcome: &LoadOutcome, args: &CheckArgs) -> Vec<Diagnostic> {
    let explicit = !args.load.dirs.is_empty();
    let mut rest = outcome
        .diagnostics()
        .map(|d| match d.code() {
            "missing-directory" if explicit => d.with_severity(Severity::Warning),
            _ => d,
        })
        .peekable();
    if !args.verbose {
        return rest.collect();
    }
    let mut lines = Vec::new();
    for dir in outcome.dirs() {
        while let Some(d) = rest.next_if(|d| d.path() == dir.path()) {
            lines.push(d);
        }
        let skipped = dir.skipped().iter();
        lines.extend(skipped.map(|name| skipped_note(dir.path(), name)));
    }
    lines.extend(rest);
    lines
}

/// The note `check --verbose` prints for a skipped hidden or backup name.
fn skipped_note(dir: &Path, name: &std::ffi::OsStr) -> Diagnostic {
    Diagnostic::new(
        Severity::Note,
        "skipped",
        &dir.join(name),
        None,
        "skipped: a hidden or backup name is never a drop-in".to_owned(),
    )
}

fn write_text(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    for diagnostic in &report.lines {
        writeln!(out, "{diagnostic}")?;
    }
    writeln!(out, "{}", report.summary)
}

fn write_json(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(report)?;
    writeln!(out, "{}", crate::json::terminal_safe(&text))
}

/// A path exactly, for JSON; escaped under the crate's rule when it is not UTF-8.
fn exact(path: &Path) -> String {
    match path.to_str() {
        Some(text) => text.to_owned(),
        None => Escaped::path(path).to_string(),
    }
}
