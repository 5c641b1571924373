//! `mvm-integrations compat`: what a peer of a given version would do with each document,
//! or (`--rewrite`) the document as that peer should receive it.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use mvm_integrations::{Assessment, DocumentKind, Escaped, PeerVersion, Verdict};
use serde::Serialize;

#[derive(Debug, Args)]
pub(crate) struct CompatArgs {
    /// The peer's version: `0.3.2`, `0.13.0`, or `current` (this crate's version).
    #[arg(long, value_name = "VERSION")]
    peer: PeerVersion,
    /// The documents' kind [default: detected from each document's shape].
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    kind: Option<DocumentKind>,
    /// Count ignored fields as failures: exit 1 when the peer would ignore any.
    #[arg(long)]
    deny_warnings: bool,
    /// Print each document as the peer should receive it, one per line, instead of the
    /// verdicts; what cannot be made readable is said on stderr.
    #[arg(long, conflicts_with = "format")]
    rewrite: bool,
    /// Output format of the verdicts.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The documents to read; `-` is stdin [default: -].
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

fn parse_kind(s: &str) -> Result<DocumentKind, String> {
    s.parse()
        .map_err(|e: mvm_integrations::InvalidDocumentKind| e.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One line per finding: `FILE: KIND: PEER verdict`.
    Text,
    /// One JSON array, one object per document.
    Json,
}

/// The exit status, worst wins: 0 read fully, 1 rejected (or ignored, when denied), 2 trouble.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Ok,
    Fails,
    Trouble,
}

/// A document read from a file or stdin.
struct Document {
    shown: String,
    text: Result<String, Problem>,
}

enum Problem {
    /// The file could not be read: exit 2.
    Io(String),
    /// The bytes are not UTF-8: every peer reads text, so every peer rejects it.
    NotUtf8,
}

fn read_documents(files: &[PathBuf]) -> Vec<Document> {
    let stdin = [PathBuf::from("-")];
    let files = if files.is_empty() { &stdin[..] } else { files };
    files
        .iter()
        .map(|path| {
            let (shown, bytes) = if path.as_os_str() == "-" {
                let mut bytes = Vec::new();
                let read = io::stdin().lock().read_to_end(&mut bytes).map(|_| bytes);
                ("<stdin>".to_owned(), read)
            } else {
                (Escaped::path(path).to_string(), std::fs::read(path))
            };
            let text = match bytes {
                Err(e) => Err(Problem::Io(e.to_string())),
                Ok(bytes) => String::from_utf8(bytes).map_err(|_| Problem::NotUtf8),
            };
            Document { shown, text }
        })
        .collect()
}

/// One document's findings: the `--format json` element.
#[derive(Debug, Serialize)]
struct Finding {
    file: String,
    kind: Option<&'static str>,
    peer: &'static str,
    verdict: &'static str,
    rejection: Option<String>,
    dropped: Vec<Dropped>,
    ignored: Vec<Ignored>,
    /// Whether `--rewrite` makes a rejected document readable.
    rewrite_helps: bool,
}

#[derive(Debug, Serialize)]
struct Dropped {
    index: usize,
    reason: String,
}

#[derive(Debug, Serialize)]
struct Ignored {
    path: String,
    /// `null` when the value asks for what the peer does anyway.
    loss: Option<&'static str>,
}

impl Finding {
    fn of(file: String, peer: PeerVersion, kind: DocumentKind, text: &str) -> Finding {
        let assessment = peer.assess(kind, text);
        let rewrite_helps = assessment.verdict() == Verdict::Rejects
            && peer
                .rewrite(kind, text)
                .is_ok_and(|out| peer.assess(kind, &out).verdict() != Verdict::Rejects);
        Finding::from_assessment(file, &assessment, rewrite_helps)
    }

    fn from_assessment(file: String, a: &Assessment, rewrite_helps: bool) -> Finding {
        Finding {
            file,
            kind: Some(a.kind().as_str()),
            peer: a.peer().as_str(),
            verdict: a.verdict().as_str(),
            rejection: a.rejection().map(str::to_owned),
            dropped: a
                .dropped()
                .iter()
                .map(|d| Dropped {
                    index: d.index(),
                    reason: d.reason().to_owned(),
                })
                .collect(),
            ignored: a
                .ignored()
                .iter()
                .map(|i| Ignored {
                    path: i.path().to_owned(),
                    loss: i.loss(),
                })
                .collect(),
            rewrite_helps,
        }
    }

    fn not_utf8(file: String, peer: PeerVersion, kind: Option<DocumentKind>) -> Finding {
        Finding {
            file,
            kind: kind.map(DocumentKind::as_str),
            peer: peer.as_str(),
            verdict: Verdict::Rejects.as_str(),
            rejection: Some("the document is not UTF-8".to_owned()),
            dropped: Vec::new(),
            ignored: Vec::new(),
            rewrite_helps: false,
        }
    }

    fn status(&self, deny_warnings: bool) -> Status {
        let loses = self.ignored.iter().any(|i| i.loss.is_some());
        if self.rejection.is_some() || !self.dropped.is_empty() || (deny_warnings && loses) {
            Status::Fails
        } else {
            Status::Ok
        }
    }

    fn write_text(&self, out: &mut impl Write, peer: &str) -> io::Result<()> {
        let head = format!("{}: {}", self.file, self.kind.unwrap_or("document"));
        if let Some(reason) = &self.rejection {
            writeln!(out, "{head}: {peer} rejects it: {}", Escaped::new(reason))?;
            if self.rewrite_helps {
                writeln!(out, "{head}: hint: --rewrite makes it readable by {peer}")?;
            }
            return Ok(());
        }
        for d in &self.dropped {
            writeln!(
                out,
                "{head}: {peer} drops element {}: {}",
                d.index,
                Escaped::new(&d.reason)
            )?;
        }
        let mut losses = self.ignored.iter().filter_map(|i| Some((&i.path, i.loss?)));
        let mut lossy = false;
        for (path, loss) in &mut losses {
            lossy = true;
            writeln!(
                out,
                "{head}: {peer} ignores `{}`: {loss}",
                Escaped::new(path)
            )?;
        }
        if self.dropped.is_empty() && !lossy {
            writeln!(out, "{head}: {peer} reads it fully")?;
        }
        Ok(())
    }
}

const UNKNOWN_KIND: &str = "cannot tell the document's kind: expected a JSON array (reports) or an object with `integrations` (manifest), `status` (report) or `name` (entry); name it with --kind";

pub(crate) fn compat(args: &CompatArgs) -> ExitCode {
    let documents = read_documents(&args.files);
    let mut status = Status::Ok;
    let mut err = io::stderr().lock();
    let mut out = io::stdout().lock();
    let peer = args.peer.describe();
    let mut findings = Vec::new();
    let mut written = Ok(());
    for doc in documents {
        let text = match doc.text {
            Ok(text) => text,
            Err(Problem::Io(e)) => {
                let _ = writeln!(err, "{}: cannot read: {}", doc.shown, Escaped::new(&e));
                status = status.max(Status::Trouble);
                continue;
            }
            Err(Problem::NotUtf8) => {
                let finding = Finding::not_utf8(doc.shown, args.peer, args.kind);
                status = status.max(finding.status(args.deny_warnings));
                if args.rewrite {
                    let _ = writeln!(err, "{}: cannot rewrite: not UTF-8", finding.file);
                } else {
                    findings.push(finding);
                }
                continue;
            }
        };
        let Some(kind) = args.kind.or_else(|| DocumentKind::detect(&text)) else {
            let _ = writeln!(err, "{}: {UNKNOWN_KIND}", doc.shown);
            status = status.max(Status::Trouble);
            continue;
        };
        if args.rewrite {
            status = status.max(rewrite(&doc.shown, args, kind, &text, &mut out, &mut err));
        } else {
            let finding = Finding::of(doc.shown, args.peer, kind, &text);
            status = status.max(finding.status(args.deny_warnings));
            findings.push(finding);
        }
    }
    if !args.rewrite {
        written = match args.format {
            Format::Text => findings
                .iter()
                .try_for_each(|f| f.write_text(&mut out, &peer)),
            Format::Json => serde_json::to_string_pretty(&findings)
                .map_err(io::Error::from)
                .and_then(|text| writeln!(out, "{}", crate::json::terminal_safe(&text))),
        };
    }
    written = written.and_then(|()| out.flush());
    match written {
        // A closed stdout (`| head`) is not worth a message: the exit code still tells.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            let _ = writeln!(err, "error: cannot write the output: {e}");
            status = Status::Trouble;
        }
        _ => {}
    }
    match status {
        Status::Ok => ExitCode::SUCCESS,
        Status::Fails => ExitCode::from(1),
        Status::Trouble => ExitCode::from(2),
    }
}

fn rewrite(
    shown: &str,
    args: &CompatArgs,
    kind: DocumentKind,
    text: &str,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Status {
    let peer = args.peer;
    let rewritten = match peer.rewrite(kind, text) {
        Ok(rewritten) => rewritten,
        Err(e) => {
            let _ = writeln!(err, "{shown}: {}", Escaped::new(&e.to_string()));
            return Status::Fails;
        }
    };
    let after = peer.assess(kind, &rewritten);
    if let Some(reason) = after.rejection() {
        let _ = writeln!(
            err,
            "{shown}: cannot make it readable by {}: {}",
            peer.describe(),
            Escaped::new(reason)
        );
        return Status::Fails;
    }
    if let Err(e) = writeln!(out, "{}", crate::json::terminal_safe(&rewritten)) {
        if e.kind() == io::ErrorKind::BrokenPipe {
            return Status::Ok;
        }
        let _ = writeln!(err, "error: cannot write the output: {e}");
        return Status::Trouble;
    }
    for ignored in after.ignored() {
        if let Some(loss) = ignored.loss() {
            let _ = writeln!(
                err,
                "{shown}: note: {} still ignores `{}`: {loss}",
                peer.describe(),
                Escaped::new(ignored.path()),
            );
        }
    }
    if args.deny_warnings && after.verdict() == Verdict::Ignores {
        Status::Fails
    } else {
        Status::Ok
    }
}
