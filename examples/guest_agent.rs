//! A guest agent in small: load the layered drop-ins, run each health command once with its
//! timeout, and print the list of state reports the host would receive.
//!
//! ```text
//! cargo run --example guest_agent                      # the data under examples/agent/
//! cargo run --example guest_agent -- /etc/mvm/integrations.d /usr/lib/mvm/integrations.d
//! ```
//!
//! Directories are given highest precedence first: by default `examples/agent/etc/
//! integrations.d` (admin overrides) over `examples/agent/usr/integrations.d` (the image's
//! defaults). The loader's diagnostics and one line per check go to stderr, as an agent logs
//! them; the JSON list, what the agent sends over vsock, goes to stdout.
//!
//! Running the command is the agent's business, not the library's: the runner below is
//! the whole of it. The library turns what happened ([`HealthOutcome`]) into the health
//! result and the status every agent reports.

use std::error::Error;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use mvm_integrations::{
    DropinLoader, Escaped, HealthOutcome, IntegrationEntry, IntegrationStateReport,
    IntegrationStatus, Timestamp,
};

fn main() -> ExitCode {
    let dirs: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    match run(&dirs, &mut io::stdout().lock(), &mut io::stderr().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guest_agent: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The drop-in directories used when none are given, highest precedence first.
fn default_dirs() -> Vec<PathBuf> {
    let agent = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/agent");
    vec![
        agent.join("etc/integrations.d"),
        agent.join("usr/integrations.d"),
    ]
}

/// Loads `dirs` (or [`default_dirs`]), checks every integration once, logs to `log` and
/// writes the JSON list of reports to `out`.
///
/// A bad drop-in does not stop the agent: it is logged, and the other entries run.
pub fn run(
    dirs: &[PathBuf],
    out: &mut dyn Write,
    log: &mut dyn Write,
) -> Result<(), Box<dyn Error>> {
    let started = Instant::now();
    let dirs = if dirs.is_empty() {
        default_dirs()
    } else {
        dirs.to_vec()
    };

    let outcome = DropinLoader::with_dirs(&dirs).load();
    // The same lines `mvm-integrations check` prints: `path:line:column: severity: message`.
    for diagnostic in outcome.diagnostics() {
        writeln!(log, "{diagnostic}")?;
    }

    let mut reports = Vec::new();
    for entry in outcome.into_manifest() {
        let report = check(&entry, started.elapsed());
        let detail = report.health().map_or("", |h| h.detail());
        writeln!(
            log,
            "{}: {}: {}",
            entry.name(),
            Escaped::new(report.status().name()),
            Escaped::quoted(detail)
        )?;
        reports.push(report);
    }

    writeln!(out, "{}", IntegrationStateReport::list_to_json(&reports))?;
    Ok(())
}

/// Runs `entry`'s health command once and builds its report, `since_start` after the
/// integration started.
fn check(entry: &IntegrationEntry, since_start: Duration) -> IntegrationStateReport {
    let outcome = match entry.health_cmd() {
        Some(cmd) => run_health_cmd(cmd, entry.health_timeout()),
        None => HealthOutcome::NotConfigured,
    };
    let result = outcome.to_health_result(Timestamp::now());
    // Inside the entry's startup grace a failed check is `starting`, after it `error`.
    let status = IntegrationStatus::for_entry(entry, since_start, Some(&result));
    IntegrationStateReport::for_entry(entry, status).with_health(result)
}

/// Runs `cmd` through `/bin/sh -c`, as the published agent does, and says what happened.
///
/// - The command runs in its own process group with stdin closed.
/// - stdout and stderr are drained by one thread each, so a chatty command cannot block on
///   a full pipe; only the first `MAX_DETAIL_BYTES + 1` bytes of stderr are kept (all the
///   detail can use), stdout is read and dropped.
/// - Past `timeout`, the whole group is killed (the shell and whatever it started), then
///   the command is reaped. A timeout is reported as such, never as the killed command's
///   exit status.
/// - Output still arriving [`PIPE_GRACE`] after the command ended (a background process
///   that kept the pipe) is not waited for. Such a process is left running when the command
///   itself exits in time: killing its group after the command is reaped could hit a
///   reused process id. `mvm-integrations health` also kills it, by waiting with
///   `waitid(WNOWAIT)` before reaping; an agent that runs untrusted commands should too.
#[cfg(unix)]
fn run_health_cmd(cmd: &str, timeout: Duration) -> HealthOutcome {
    use mvm_integrations::MAX_DETAIL_BYTES;
    use rustix::process::{Pid, Signal, kill_process_group};
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};

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
    let stdout = drain(child.stdout.take(), 0);
    let stderr = drain(child.stderr.take(), MAX_DETAIL_BYTES + 1);

    let deadline = Instant::now() + timeout;
    let outcome = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
            Ok(None) => {
                // Not reaped yet, so the command's id still names its group.
                let _ = kill_process_group(Pid::from_child(&child), Signal::KILL);
                let _ = child.wait();
                break Err(HealthOutcome::TimedOut { after: timeout });
            }
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(HealthOutcome::NotStarted {
                    error: format!("cannot wait for the command: {e}"),
                });
            }
        }
    };
    let stderr = collect(stderr);
    drop(collect(stdout));
    match outcome {
        Ok(status) => HealthOutcome::from_exit_status(status, &stderr),
        Err(outcome) => outcome,
    }
}

#[cfg(not(unix))]
fn run_health_cmd(_cmd: &str, _timeout: Duration) -> HealthOutcome {
    HealthOutcome::NotStarted {
        error: "health commands run through /bin/sh, on Unix only".to_owned(),
    }
}

/// How often a running command is polled for its exit.
#[cfg(unix)]
const POLL: Duration = Duration::from_millis(10);

/// How long a pipe may stay open after its command ended.
#[cfg(unix)]
const PIPE_GRACE: Duration = Duration::from_secs(1);

/// Reads `pipe` to its end on a thread, keeping its first `keep` bytes.
#[cfg(unix)]
fn drain(
    pipe: Option<impl io::Read + Send + 'static>,
    keep: usize,
) -> std::sync::mpsc::Receiver<Vec<u8>> {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        if let Some(mut pipe) = pipe {
            let mut buf = [0u8; 8192];
            loop {
                match pipe.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        let room = keep - kept.len();
                        kept.extend_from_slice(&buf[..n.min(room)]);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        }
        let _ = send.send(kept);
    });
    receive
}

/// What a [`drain`] thread kept, or nothing if its pipe is still open after [`PIPE_GRACE`].
#[cfg(unix)]
fn collect(kept: std::sync::mpsc::Receiver<Vec<u8>>) -> Vec<u8> {
    kept.recv_timeout(PIPE_GRACE).unwrap_or_default()
}
