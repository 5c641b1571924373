//! `mvm-integrations`: lints drop-in directories and prints the manifest they form.
//!
//! Built only with the `cli` feature. The library never prints; this binary does.
//!
//! - `mvm-integrations check [DIR]...` lints the layered directories (highest precedence
//!   first; [`mvm_integrations::INTEGRATIONS_DROPIN_DIR`] when none is given) and exits 0 when there are no
//!   errors, 1 when there are, 2 on a usage error (including a cap out of its range), in
//!   every `--format`: `text`, `json`, `github` (workflow commands) and `sarif` (SARIF 2.1.0).
//! - `mvm-integrations manifest [DIR]...` prints the manifest the loaded entries form,
//!   what [`mvm_integrations::IntegrationManifest::to_json`] writes, plus a newline.
//! - `mvm-integrations schema <manifest|entry|report|reports>` prints the document's JSON
//!   Schema, byte-for-byte the file of the same name in the crate's `schema/` folder.
//! - `mvm-integrations compat --peer <VERSION> [FILE|-]...` says what a peer of that version
//!   would do with each document, or (`--rewrite`) prints it as that peer should receive it.
//! - `mvm-integrations health [DIR]...` runs each loaded entry's `health_cmd` once, as the
//!   guest agent does, prints one line per integration (or, with `--format json`, the state
//!   reports), and exits 0 when every integration is healthy, 1 otherwise.
//! - `mvm-integrations reports [FILE|-]...` reads lists of state reports from agents of any
//!   version, prints a summary table (or, with `--format json`, the good reports), says each
//!   malformed element on stderr, and exits 0, 1 when an element is malformed, 2 when a file
//!   cannot be read or is not a list.
//!
//! Every JSON document goes through `json::terminal_safe`: the same value, with the characters
//! the crate's escaping rule covers written as `\uXXXX` escapes.
//!
//! Every write is checked: a closed pipe ends quietly, any other write error is a message
//! on stderr and exit code 1.
//!
//! One file per subcommand: `check.rs` (`check` and `manifest`), `schema.rs`, `health.rs`,
//! `compat.rs`, `reports.rs`; `github.rs` and `sarif.rs` are `check`'s CI formats over `findings.rs`;
//! `json.rs` writes every JSON document.

mod check;
mod compat;
mod findings;
mod github;
#[cfg(unix)]
mod health;
mod json;
mod reports;
mod sarif;
mod schema;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mvm_integrations::Escaped;

/// Lint mvm integration drop-ins and print the manifest they form.
#[derive(Debug, Parser)]
#[command(name = "mvm-integrations", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// One variant per subcommand; each has its own arguments struct and function.
#[derive(Debug, Subcommand)]
enum Command {
    /// Lint drop-in directories: print each problem and warning, then a summary.
    ///
    /// Exits 0 when there are no errors, 1 when there are.
    Check(check::CheckArgs),
    /// Print the manifest that the loaded entries form, as the host writes it.
    ///
    /// Exits 1, printing the problems on stderr and nothing on stdout, if any file has an
    /// error.
    Manifest(check::ManifestArgs),
    /// Print the JSON Schema (draft 2020-12) of a wire document.
    ///
    /// The output is byte-for-byte the document's file in the crate's `schema/` folder.
    Schema(schema::SchemaArgs),
    /// Run each entry's health command once, as the guest agent does, and print what the
    /// host would receive.
    ///
    /// Exits 0 when every integration is healthy, 1 otherwise.
    #[cfg(unix)]
    Health(health::HealthArgs),
    /// Say what a peer of a given version would do with each document: read it fully,
    /// ignore fields, drop elements or reject it.
    ///
    /// Exits 0 when the peer reads every document fully, 1 when it would reject or drop
    /// anything (with --deny-warnings, also ignore anything), 2 on a usage or I/O error.
    Compat(compat::CompatArgs),
    /// Read lists of state reports as a host receives them, from agents of any version, and
    /// print a summary table (or, with --format json, the good reports).
    ///
    /// Exits 0 when every element is a report, 1 when an element is malformed (each is said
    /// on stderr), 2 when a file cannot be read or is not a JSON list.
    Reports(reports::ReportsArgs),
}

/// The exit code of a command whose output was `written`: a closed pipe (`| head`) ends
/// quietly with the command's own code; any other write error is a message on stderr and
/// exit code 1.
pub(crate) fn finish(written: std::io::Result<()>, code: ExitCode) -> ExitCode {
    match written {
        Ok(()) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => code,
        Err(e) => {
            // If stderr fails too, the exit code still tells.
            let text = e.to_string();
            let mut chars = text.chars();
            let lowered = match chars.next() {
                Some(first) => format!("{}{}", first.to_lowercase(), chars.as_str()),
                None => text.clone(),
            };
            let _ = writeln!(
                std::io::stderr(),
                "mvm-integrations: cannot write output: {}",
                Escaped::new(&lowered)
            );
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check::check(&args),
        Command::Manifest(args) => check::manifest(&args),
        Command::Schema(args) => schema::schema(&args),
        #[cfg(unix)]
        Command::Health(args) => health::health(&args),
        Command::Compat(args) => compat::compat(&args),
        Command::Reports(args) => reports::reports(&args),
    }
}
