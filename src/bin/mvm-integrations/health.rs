//! `mvm-integrations health`: load the layered drop-ins and run each entry's `health_cmd`
//! once, as a guest agent does, then print what the host would receive.
//!
//! All process management lives here, not in the library. The rules:
//! - the command runs through `/bin/sh -c`, as the published agent runs it, with stdin
//!   closed, in its own process group;
//! - stdout and stderr are read by one thread each, so a command that fills one pipe cannot
//!   block on it; at most [`MAX_DETAIL_BYTES`] + 1 bytes of stderr and none of stdout are
//!   kept, the rest is read and dropped;
//! - past the entry's `health_timeout_secs`, the whole process group is killed with
//!   `SIGKILL`, so a grandchild that holds the pipes cannot keep the check waiting; when the
//!   command ends on its own, whatever it left running in its group is killed too;
//! - the command is always reaped; if a process that left the group (with `setsid`) still
//!   holds a pipe one second after the kill, the output read so far is used and the rest
//!   is not waited for.

use std::io::{self, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use mvm_integrations::{
    DropinLoader, Escaped, HealthOutcome, IntegrationEntry, IntegrationStateReport,
    IntegrationStatus, MAX_DETAIL_BYTES, Severity, Timestamp,
};
use rustix::process::{Pid, Signal, WaitId, WaitIdOptions};

/// How often a running command is polled for its exit.
const POLL: Duration = Duration::from_millis(5);

/// How long the pipes may stay open after the process group is killed: longer only when a
/// process left the group and kept them.
const PIPE_GRACE: Duration = Duration::from_secs(1);

#[derive(Debug, Args)]
pub(crate) struct HealthArgs {
    /// Drop-in directories, highest precedence first [default: /etc/mvm/integrations.d].
    #[arg(value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One line per integration: `name: status: detail (N ms)`.
    Text,
    /// The list of state reports, as the agent sends them to the host.
    Json,
}

pub(crate) fn health(args: &HealthArgs) -> ExitCode {
    let (entries, problems) = load(&args.dirs);
    let mut healthy = problems == 0;
    let mut out = io::stdout().lock();
    let mut reports = Vec::with_capacity(entries.len());
    for entry in &entries {
        let start = Instant::now();
        let outcome = match entry.health_cmd() {
            Some(cmd) => run(cmd, entry.health_timeout()),
            None => HealthOutcome::NotConfigured,
        };
        let elapsed = start.elapsed();
        healthy &= outcome.is_healthy();
        let report = report(entry, &outcome, Timestamp::now());
        if args.format == Format::Text {
            let line = writeln!(
                out,
                "{}: {}: {} ({} ms)",
                entry.name(),
                Escaped::new(report.status().name()),
                Escaped::new(&outcome.detail()),
                elapsed.as_millis()
            );
            if let Err(e) = line.and_then(|()| out.flush()) {
                return write_failed(&e, healthy);
            }
        }
        reports.push(report);
    }
    if args.format == Format::Json {
        // The one place the list is written.
        let json = crate::json::terminal_safe(&IntegrationStateReport::list_to_json(&reports));
        if let Err(e) = writeln!(out, "{json}").and_then(|()| out.flush()) {
            return write_failed(&e, healthy);
        }
    }
    exit_code(healthy)
}

fn exit_code(healthy: bool) -> ExitCode {
    if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// A closed pipe (`| head`) ends quietly, with the exit code of the checks run so far; any
/// other write error is reported and fails.
fn write_failed(error: &io::Error, healthy: bool) -> ExitCode {
    if error.kind() == io::ErrorKind::BrokenPipe {
        return exit_code(healthy);
    }
    let _ = writeln!(io::stderr(), "error: cannot write the output: {error}");
    ExitCode::FAILURE
}

/// The loaded entries and the number of problems, each printed on stderr.
///
/// The one place that calls the loader.
fn load(dirs: &[PathBuf]) -> (Vec<IntegrationEntry>, usize) {
    let loader = if dirs.is_empty() {
        DropinLoader::new()
    } else {
        DropinLoader::with_dirs(dirs)
    };
    let outcome = loader.load();
    let mut err = io::stderr().lock();
    for diagnostic in outcome.diagnostics() {
        if diagnostic.severity() == Severity::Error {
            let _ = writeln!(err, "{diagnostic}");
        }
    }
    let problems = outcome.problems().count();
    (outcome.into_manifest().into_entries(), problems)
}

/// The report the agent would send for `entry` after `outcome`, with the status derived as
/// if the startup grace were over.
///
/// The one place that builds a report.
fn report(
    entry: &IntegrationEntry,
    outcome: &HealthOutcome,
    checked_at: Timestamp,
) -> IntegrationStateReport {
    let result = outcome.to_health_result(checked_at);
    let status = IntegrationStatus::for_entry(entry, entry.startup_grace(), Some(&result));
    IntegrationStateReport::for_entry(entry, status).with_health(result)
}

/// Runs `cmd` through `/bin/sh -c` in its own process group, killing the group after
/// `timeout`.
fn run(cmd: &str, timeout: Duration) -> HealthOutcome {
    let start = Instant::now();
    let spawned = Command::new("/bin/sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            return HealthOutcome::NotStarted {
                error: e.to_string(),
            };
        }
    };
    let stdout = child.stdout.take().map(|pipe| read_bounded(pipe, 0));
    let stderr = child
        .stderr
        .take()
        .map(|pipe| read_bounded(pipe, MAX_DETAIL_BYTES + 1));
    let finished = wait_until(&child, start + timeout);
    // The whole group: the command on a timeout, and whatever it left running either way.
    // The command is not reaped yet, so its id still names this group.
    let _ = rustix::process::kill_process_group(Pid::from_child(&child), Signal::KILL);
    let status = child.wait();
    let stderr = stderr.map(collect).unwrap_or_default();
    let _ = stdout.map(collect);
    match (finished, status) {
        (true, Ok(status)) => HealthOutcome::from_exit_status(status, &stderr),
        (false, _) => HealthOutcome::TimedOut { after: timeout },
        (true, Err(e)) => HealthOutcome::NotStarted {
            error: format!("cannot wait for the command: {e}"),
        },
    }
}

/// Waits without reaping until `child` exits (true) or `deadline` passes (false).
fn wait_until(child: &Child, deadline: Instant) -> bool {
    let pid = Pid::from_child(child);
    let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
    loop {
        match rustix::process::waitid(WaitId::Pid(pid), options) {
            Ok(Some(_)) => return true,
            Ok(None) | Err(rustix::io::Errno::INTR) => {}
            // Cannot watch it: end it, and let `wait` tell what happened.
            Err(_) => return true,
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        thread::sleep(POLL.min(deadline - now));
    }
}

/// A pipe being drained by its own thread: what it kept so far, and a signal at its end.
struct Reader {
    kept: Arc<Mutex<Vec<u8>>>,
    done: Receiver<()>,
}

/// Reads `pipe` to its end on a thread, keeping the first `keep` bytes.
fn read_bounded(mut pipe: impl Read + Send + 'static, keep: usize) -> Reader {
    let kept = Arc::new(Mutex::new(Vec::new()));
    let (send, done) = mpsc::channel();
    let shared = Arc::clone(&kept);
    thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let mut kept = shared.lock().unwrap_or_else(PoisonError::into_inner);
                    let room = keep - kept.len();
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let _ = send.send(());
    });
    Reader { kept, done }
}

/// What a reader kept: all of it, or what arrived in time if a process outside the group
/// still holds its pipe.
fn collect(reader: Reader) -> Vec<u8> {
    let _ = reader.done.recv_timeout(PIPE_GRACE);
    let mut kept = reader.kept.lock().unwrap_or_else(PoisonError::into_inner);
    std::mem::take(&mut *kept)
}
