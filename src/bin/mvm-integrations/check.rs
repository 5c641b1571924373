//! `mvm-integrations check` and `manifest`: load layered drop-in directories, then lint them
//! or print the manifest they form.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use mvm_integrations::{
    DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_FILES, DirStatus, DropinLoader, Escaped,
    IntegrationManifest, LoadReport, Position,
};
use serde::Serialize;

/// The directories to load and the loader's limits, shared by the subcommands that load.
#[derive(Debug, Args)]
struct LoadArgs {
    /// Drop-in directories, highest precedence first [default: /etc/mvm/integrations.d].
    #[arg(value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Largest drop-in accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
    /// Most `*.json` files taken from each directory.
    #[arg(long, value_name = "COUNT", default_value_t = DEFAULT_MAX_FILES)]
    max_files: usize,
}

impl LoadArgs {
    fn load(&self) -> LoadReport {
        let loader = if self.dirs.is_empty() {
            DropinLoader::new()
        } else {
            DropinLoader::with_dirs(&self.dirs)
        };
        loader
            .max_file_size(self.max_file_size)
            .max_files(self.max_files)
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
}

pub(crate) fn check(args: &CheckArgs) -> ExitCode {
    let report = args.load.load();
    let outcome = Outcome::of(&report, args.deny_warnings);
    let mut out = std::io::stdout().lock();
    // A closed stdout (`| head`) is not worth a panic: the exit code still tells.
    let _ = match args.format {
        Format::Text => write_text(&mut out, &outcome),
        Format::Json => write_json(&mut out, &outcome),
    };
    outcome.exit_code()
}

pub(crate) fn manifest(args: &ManifestArgs) -> ExitCode {
    let report = args.load.load();
    let outcome = Outcome::of(&report, false);
    let mut err = std::io::stderr().lock();
    for diagnostic in &outcome.diagnostics {
        let _ = writeln!(err, "{diagnostic}");
    }
    if outcome.summary.errors > 0 {
        let _ = writeln!(
            err,
            "no manifest written: {} {}",
            outcome.summary.errors,
            plural(outcome.summary.errors, "error", "errors")
        );
        return ExitCode::FAILURE;
    }
    let manifest: IntegrationManifest = report.manifest();
    let _ = writeln!(std::io::stdout().lock(), "{}", manifest.to_json());
    ExitCode::SUCCESS
}

/// Everything `check` reports, in output order; also the `--format json` document.
#[derive(Debug, Serialize)]
struct Outcome {
    /// No errors, and no warnings under `--deny-warnings`.
    ok: bool,
    summary: Summary,
    directories: Vec<Directory>,
    diagnostics: Vec<Diagnostic>,
    entries: Vec<Entry>,
    masked: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Summary {
    directories: usize,
    missing_directories: usize,
    files: usize,
    entries: usize,
    masked: usize,
    errors: usize,
    warnings: usize,
    deny_warnings: bool,
}

#[derive(Debug, Serialize)]
struct Directory {
    path: String,
    status: &'static str,
}

#[derive(Debug, Serialize)]
struct Diagnostic {
    path: String,
    line: Option<usize>,
    column: Option<usize>,
    severity: Severity,
    code: &'static str,
    message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Severity {
    Error,
    Warning,
    Note,
}

#[derive(Debug, Serialize)]
struct Entry {
    name: String,
    path: String,
}

impl Outcome {
    fn of(report: &LoadReport, deny_warnings: bool) -> Outcome {
        // Diagnostics go in file order: directories first, then each file by name.
        let mut keyed: Vec<(usize, Diagnostic)> = Vec::new();
        let order: std::collections::HashMap<&Path, usize> = report
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.as_path(), i + 1))
            .collect();
        let file_index = |path: &Path| order.get(path).copied().unwrap_or(0);
        for dir in &report.dirs {
            if dir.status == DirStatus::Missing {
                keyed.push((
                    0,
                    Diagnostic::new(
                        &dir.path,
                        None,
                        Severity::Note,
                        "missing-directory",
                        "no such directory: nothing to load from it".to_owned(),
                    ),
                ));
            }
        }
        for problem in &report.problems {
            keyed.push((
                file_index(problem.path()),
                Diagnostic::new(
                    problem.path(),
                    problem.position(),
                    Severity::Error,
                    problem.code(),
                    problem.message(),
                ),
            ));
        }
        for loaded in &report.entries {
            for warning in &loaded.warnings {
                keyed.push((
                    file_index(&loaded.path),
                    Diagnostic::new(
                        &loaded.path,
                        warning.position(),
                        Severity::Warning,
                        warning.code(),
                        warning.to_string(),
                    ),
                ));
            }
        }
        for masked in &report.masked {
            keyed.push((
                file_index(masked),
                Diagnostic::new(
                    masked,
                    None,
                    Severity::Note,
                    "masked",
                    "masked: an empty file or a link to `/dev/null` hides this name".to_owned(),
                ),
            ));
        }
        // Stable: within a file, errors, then warnings, then notes, each in report order.
        keyed.sort_by_key(|(index, _)| *index);
        let diagnostics: Vec<Diagnostic> = keyed.into_iter().map(|(_, d)| d).collect();

        let errors = report.problems.len();
        let warnings = report.warning_count();
        let summary = Summary {
            directories: report.dirs.len(),
            missing_directories: report
                .dirs
                .iter()
                .filter(|d| d.status == DirStatus::Missing)
                .count(),
            files: report.files.len(),
            entries: report.entries.len(),
            masked: report.masked.len(),
            errors,
            warnings,
            deny_warnings,
        };
        Outcome {
            ok: errors == 0 && !(deny_warnings && warnings > 0),
            summary,
            directories: report
                .dirs
                .iter()
                .map(|d| Directory {
                    path: shown(&d.path),
                    status: match d.status {
                        DirStatus::Present => "present",
                        DirStatus::Missing => "missing",
                        _ => "unreadable",
                    },
                })
                .collect(),
            diagnostics,
            entries: report
                .entries
                .iter()
                .map(|e| Entry {
                    name: e.entry.name().to_string(),
                    path: shown(&e.path),
                })
                .collect(),
            masked: report.masked.iter().map(|p| shown(p)).collect(),
        }
    }

    fn exit_code(&self) -> ExitCode {
        if self.ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}

impl Diagnostic {
    fn new(
        path: &Path,
        position: Option<Position>,
        severity: Severity,
        code: &'static str,
        message: String,
    ) -> Diagnostic {
        Diagnostic {
            path: shown(path),
            line: position.map(|p| p.line),
            column: position.map(|p| p.column),
            severity,
            code,
            message,
        }
    }
}

/// `path:line:column: severity: message`, or `path: severity: message` with no position.
impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.path)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, ":{line}:{column}")?;
        }
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        write!(f, ": {severity}: {}", self.message)
    }
}

fn write_text(out: &mut impl Write, outcome: &Outcome) -> std::io::Result<()> {
    for diagnostic in &outcome.diagnostics {
        writeln!(out, "{diagnostic}")?;
    }
    let s = &outcome.summary;
    write!(
        out,
        "checked {} {} in {} {}",
        s.files,
        plural(s.files, "file", "files"),
        s.directories,
        plural(s.directories, "directory", "directories"),
    )?;
    if s.missing_directories > 0 {
        write!(out, " ({} missing)", s.missing_directories)?;
    }
    write!(
        out,
        ": {} {}",
        s.entries,
        plural(s.entries, "entry", "entries")
    )?;
    if s.masked > 0 {
        write!(out, ", {} masked", s.masked)?;
    }
    write!(
        out,
        ", {} {}, {} {}",
        s.errors,
        plural(s.errors, "error", "errors"),
        s.warnings,
        plural(s.warnings, "warning", "warnings"),
    )?;
    if s.deny_warnings && s.warnings > 0 {
        write!(out, " (warnings denied)")?;
    }
    writeln!(out)
}

fn write_json(out: &mut impl Write, outcome: &Outcome) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, outcome)?;
    writeln!(out)
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// A path on one line, under the crate's escaping rule.
fn shown(path: &Path) -> String {
    Escaped::path(path).to_string()
}
