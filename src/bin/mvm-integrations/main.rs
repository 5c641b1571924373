//! `mvm-integrations`: lints drop-in directories and prints the manifest they form.
//!
//! Built only with the `cli` feature. The library never prints; this binary does.
//!
//! - `mvm-integrations check [DIR]...` lints the layered directories (highest precedence
//!   first; [`mvm_integrations::INTEGRATIONS_DROPIN_DIR`] when none is given) and exits 0 when there are no
//!   errors, 1 when there are, 2 on a usage error.
//! - `mvm-integrations manifest [DIR]...` prints the manifest the loaded entries form,
//!   byte-for-byte what [`mvm_integrations::IntegrationManifest::to_json`] writes, plus a newline.
//! - `mvm-integrations schema <manifest|entry|report|reports>` prints the document's JSON
//!   Schema, byte-for-byte the file of the same name in the crate's `schema/` folder.
//! - `mvm-integrations compat --peer <VERSION> [FILE|-]...` says what a peer of that version
//!   would do with each document, or (`--rewrite`) prints it as that peer should receive it.
//! - `mvm-integrations health [DIR]...` runs each loaded entry's `health_cmd` once, as the
//!   guest agent does, prints one line per integration (or, with `--format json`, the state
//!   reports), and exits 0 when every integration is healthy, 1 otherwise.
//!
//! One file per subcommand: `check.rs` (`check` and `manifest`), `schema.rs`, `health.rs`,
//! `compat.rs`.

mod check;
mod compat;
// The CI formats of `check --format github|sarif`, to be wired into `check.rs`.
#[allow(dead_code)]
mod findings;
#[allow(dead_code)]
mod github;
#[cfg(unix)]
mod health;
#[allow(dead_code)]
mod sarif;
mod schema;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    }
}
