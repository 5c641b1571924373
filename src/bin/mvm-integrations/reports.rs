//! `mvm-integrations reports`: reads lists of state reports as a host receives them, from
//! agents of any version, and prints a summary table (or, with `--format json`, the good
//! reports again).
//!
//! Each list is parsed one element at a time
//! ([`IntegrationStateReport::parse_list`]): a malformed element is said on stderr, with its
//! file, line, column and index, and the others are kept. Unknown statuses are kept and
//! shown as unknown. Every guest string in the table goes through [`Escaped`], cut after
//! [`MAX_QUOTED_CHARS`](mvm_integrations::MAX_QUOTED_CHARS) characters.
//!
//! Exit codes: 0 when every element of every list is a report, 1 when an element is
//! malformed (or a write fails), 2 when a file cannot be read or is not a JSON list at all.

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use mvm_integrations::{
    Escaped, IntegrationHealthResult, IntegrationStateReport, IntegrationStatus, ParseError,
    Position,
};

#[derive(Debug, Args)]
pub(crate) struct ReportsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Files each holding a JSON list of state reports; `-` is stdin [default: -].
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A table (name, status, last checkpoint, size, health), then a summary line.
    Text,
    /// The good reports, as one pretty-printed JSON list.
    Json,
}

/// The exit status, worst wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    /// Every element is a report.
    Ok,
    /// At least one element is malformed.
    Malformed,
    /// A file cannot be read or is not a list: exit 2.
    Trouble,
}

/// The good reports of one input, with the name it is shown under.
struct Input {
    shown: String,
    reports: Vec<IntegrationStateReport>,
}

pub(crate) fn reports(args: &ReportsArgs) -> ExitCode {
    let stdin = [PathBuf::from("-")];
    let files = if args.files.is_empty() {
        &stdin[..]
    } else {
        &args.files[..]
    };
    let mut status = Status::Ok;
    let mut inputs = Vec::with_capacity(files.len());
    let mut malformed = 0usize;
    let mut err = io::stderr().lock();
    // The first failed write to stderr; later lines are not tried.
    let mut err_written: io::Result<()> = Ok(());
    for path in files {
        let (shown, bytes) = if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            let read = io::stdin().lock().read_to_end(&mut bytes).map(|_| bytes);
            ("<stdin>".to_owned(), read)
        } else {
            (Escaped::path(path).to_string(), std::fs::read(path))
        };
        let lines = match read_list(&shown, bytes) {
            Ok(list) => {
                malformed += list.problems.len();
                if !list.problems.is_empty() {
                    status = status.max(Status::Malformed);
                }
                inputs.push(Input {
                    shown,
                    reports: list.reports,
                });
                list.problems
            }
            Err(line) => {
                status = status.max(Status::Trouble);
                vec![line]
            }
        };
        if err_written.is_ok() {
            err_written = lines.iter().try_for_each(|line| writeln!(err, "{line}"));
        }
    }
    let code = match status {
        Status::Ok => ExitCode::SUCCESS,
        Status::Malformed => ExitCode::FAILURE,
        Status::Trouble => ExitCode::from(2),
    };
    let mut out = io::stdout().lock();
    let written = match args.format {
        Format::Text => write_text(&mut out, &inputs, files.len(), malformed),
        Format::Json => {
            let good: Vec<IntegrationStateReport> =
                inputs.into_iter().flat_map(|input| input.reports).collect();
            let json = IntegrationStateReport::list_to_json(&good);
            writeln!(out, "{}", crate::json::terminal_safe(&json))
        }
    };
    let written = written.and_then(|()| out.flush());
    // A closed stderr is as quiet as a closed stdout; any other failure is exit code 1.
    crate::finish(written.and(err_written), code)
}

/// What one input holds: its good reports, and one stderr line per malformed element.
struct List {
    reports: Vec<IntegrationStateReport>,
    problems: Vec<String>,
}

/// The list in one input; or, when the input cannot be read or is not a list, the one
/// stderr line that says so.
fn read_list(shown: &str, bytes: io::Result<Vec<u8>>) -> Result<List, String> {
    let bytes = bytes.map_err(|e| {
        format!(
            "{shown}: error: cannot read: {}",
            Escaped::new(&lowercase_first(&e.to_string()))
        )
    })?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = Position::at_offset(&bytes, e.valid_up_to());
            return Err(format!(
                "{shown}:{at}: error: invalid UTF-8: expected a JSON list of state reports"
            ));
        }
    };
    let elements = IntegrationStateReport::parse_list(text).map_err(|e| {
        format!(
            "{}: error: not a list of state reports: {}",
            located(shown, &e),
            message(&e)
        )
    })?;
    let mut reports = Vec::with_capacity(elements.len());
    let mut problems = Vec::new();
    for (i, element) in elements.into_iter().enumerate() {
        match element {
            Ok(report) => reports.push(report),
            Err(e) => problems.push(format!(
                "{}: error: element {} skipped: {}",
                located(shown, &e),
                e.index().unwrap_or(i),
                message(&e)
            )),
        }
    }
    Ok(List { reports, problems })
}

/// `file:line:column`, or `file` when the error has no position.
fn located(shown: &str, e: &ParseError) -> String {
    match e.position() {
        Some(position) => format!("{shown}:{position}"),
        None => shown.to_owned(),
    }
}

/// The error's message and causes without its position, which [`located`] shows.
fn message(e: &ParseError) -> String {
    let mut text = e.message().to_owned();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let _ = write!(text, ": {cause}");
        source = cause.source();
    }
    text
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}", first.to_lowercase(), chars.as_str()),
        None => String::new(),
    }
}

/// One row of the table: each cell already escaped.
fn row(report: &IntegrationStateReport) -> [String; 5] {
    [
        // An empty name would be an empty cell.
        if report.name().is_empty() {
            "\"\"".to_owned()
        } else {
            Escaped::quoted(report.name()).to_string()
        },
        status(report.status()),
        match report.last_checkpoint_at() {
            None => "-".to_owned(),
            Some(at) if report.last_checkpoint_time().is_some() => at.to_owned(),
            Some(at) => format!("{} (not a timestamp)", Escaped::quoted(at)),
        },
        format!("{} B", report.state_size_bytes()),
        match report.health() {
            None => "-".to_owned(),
            Some(health) => health_cell(health),
        },
    ]
}

/// The status's `Display` (an error's detail escaped and cut), with `(unknown)` after a
/// status this version does not know.
fn status(status: &IntegrationStatus) -> String {
    if status.is_known() {
        status.to_string()
    } else {
        format!("{status} (unknown)")
    }
}

fn health_cell(health: &IntegrationHealthResult) -> String {
    let verdict = if health.healthy() {
        "healthy"
    } else {
        "unhealthy"
    };
    let at = if health.checked_at_time().is_some() {
        health.checked_at().to_owned()
    } else {
        format!("{} (not a timestamp)", Escaped::quoted(health.checked_at()))
    };
    format!("{verdict}: {} at {at}", Escaped::quoted(health.detail()))
}

const HEADER: [&str; 5] = ["NAME", "STATUS", "LAST CHECKPOINT", "SIZE", "HEALTH"];

fn write_text(
    out: &mut impl Write,
    inputs: &[Input],
    files: usize,
    malformed: usize,
) -> io::Result<()> {
    let with_file = files > 1;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header: Vec<String> = HEADER.iter().map(|h| (*h).to_owned()).collect();
    if with_file {
        header.insert(0, "FILE".to_owned());
    }
    rows.push(header);
    let mut unknown = 0usize;
    for input in inputs {
        for report in &input.reports {
            unknown += usize::from(!report.status().is_known());
            let mut cells = row(report).to_vec();
            if with_file {
                cells.insert(0, input.shown.clone());
            }
            rows.push(cells);
        }
    }
    let mut widths = vec![0usize; rows[0].len()];
    for cells in &rows {
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for cells in &rows {
        let mut line = String::new();
        for (i, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<width$}  ");
            }
        }
        writeln!(out, "{line}")?;
    }
    let reports = rows.len() - 1;
    let lists = inputs.len();
    writeln!(
        out,
        "read {reports} {} from {lists} {}: {unknown} with an unknown status, {malformed} malformed {} skipped",
        plural(reports, "report", "reports"),
        plural(lists, "list", "lists"),
        plural(malformed, "element", "elements"),
    )
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
