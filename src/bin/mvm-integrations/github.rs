//! `check --format github`: GitHub Actions workflow commands, so that each finding shows as an
//! annotation on the pull request's diff.
//!
//! One line per finding, then the summary line as plain text (a log line, not an annotation):
//!
//! ```text
//! ::error file=drop-ins/a.json,line=2,col=26,title=parse::invalid `health_interval_secs` value `0`: must be between 1 and 86400
//! ::warning file=drop-ins/b.json,line=3,col=5,title=unknown-field::unknown field `nmae` is ignored: did you mean `name`?
//! ::notice file=drop-ins/c.json,title=masked::masked: an empty file or a link to `/dev/null` hides this name
//! checked 3 files in 1 directory: 2 entries, 1 masked, 1 error, 1 warning
//! ```
//!
//! Severity error is `::error`, warning `::warning`, note `::notice`. `line` and `col` are
//! there when the finding has a position. Outside text (the path, the message) is escaped
//! twice, in this order:
//! 1. the crate's rule, [`Escaped`]: no raw control, bidi or invisible character, no line
//!    break, a non-UTF-8 byte as `\xff`;
//! 2. GitHub's: in the message `%` → `%25`, CR → `%0D`, LF → `%0A`; in the properties (`file`,
//!    `title`) also `:` → `%3A` and `,` → `%2C`.
//!
//! On Windows the path's `\` separators are written as `/`, as the repository names files.

use std::io::{self, Write};

use mvm_integrations::Escaped;

use crate::findings::{Finding, Severity, Summary, slashed};

/// Writes one workflow command per finding, in the order given, then the summary line.
pub(crate) fn write(
    out: &mut impl Write,
    findings: &[Finding],
    summary: &Summary,
) -> io::Result<()> {
    for finding in findings {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let path = Escaped::bytes(&slashed(&finding.path)).to_string();
        write!(out, "::{command} file={}", Property(&path))?;
        if let Some(position) = finding.position {
            write!(out, ",line={},col={}", position.line, position.column)?;
        }
        let code = Escaped::new(finding.code).to_string();
        let message = Escaped::bytes(&finding.message).to_string();
        writeln!(out, ",title={}::{}", Property(&code), Data(&message))?;
    }
    writeln!(out, "{summary}")
}

/// A command's message, escaped as GitHub's toolkit `escapeData` does.
struct Data<'a>(&'a str);

impl std::fmt::Display for Data<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        escape(f, self.0, false)
    }
}

/// A command's property value, escaped as GitHub's toolkit `escapeProperty` does.
struct Property<'a>(&'a str);

impl std::fmt::Display for Property<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        escape(f, self.0, true)
    }
}

fn escape(f: &mut std::fmt::Formatter<'_>, text: &str, property: bool) -> std::fmt::Result {
    let mut rest = text;
    while let Some(at) =
        rest.find(|c: char| matches!(c, '%' | '\r' | '\n') || (property && matches!(c, ':' | ',')))
    {
        f.write_str(&rest[..at])?;
        f.write_str(match rest.as_bytes()[at] {
            b'%' => "%25",
            b'\r' => "%0D",
            b'\n' => "%0A",
            b':' => "%3A",
            _ => "%2C",
        })?;
        rest = &rest[at + 1..];
    }
    f.write_str(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::tests::{hostile, hostile_summary};

    fn github(findings: &[Finding], summary: &Summary) -> String {
        let mut out = Vec::new();
        write(&mut out, findings, summary).unwrap();
        String::from_utf8(out).expect("the github format is UTF-8")
    }

    #[test]
    fn escapes_data_and_properties_as_github_does() {
        let table = [
            ("plain", "plain", "plain"),
            ("100%", "100%25", "100%25"),
            ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
            ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
            ("%0A", "%250A", "%250A"),
            ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
            ("café ∑", "café ∑", "café ∑"),
        ];
        for (input, data, property) in table {
            assert_eq!(Data(input).to_string(), data, "data {input:?}");
            assert_eq!(Property(input).to_string(), property, "property {input:?}");
        }
    }

    #[test]
    fn clean_run() {
        let summary = Summary {
            directories: 1,
            files: 2,
            entries: 2,
            ..Summary::default()
        };
        let out = github(&[], &summary);
        assert_eq!(
            out,
            "checked 2 files in 1 directory: 2 entries, 0 errors, 0 warnings\n"
        );
        insta::assert_snapshot!("github_clean", out);
    }

    #[test]
    fn every_kind_of_finding() {
        let findings = hostile();
        let out = github(&findings, &hostile_summary());
        insta::assert_snapshot!("github_findings", out);
    }

    /// Whatever the finding, each is one line that starts a command, with no raw control,
    /// bidi or invisible character, and the message cannot end the properties early.
    #[test]
    fn one_safe_command_per_finding() {
        let findings = hostile();
        let out = github(&findings, &hostile_summary());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), findings.len() + 1);
        for (line, finding) in lines.iter().zip(&findings) {
            let command = match finding.severity {
                Severity::Error => "::error file=",
                Severity::Warning => "::warning file=",
                Severity::Note => "::notice file=",
            };
            assert!(line.starts_with(command), "{line}");
            // The properties end at the first `::` after the command, and hold exactly the
            // expected keys.
            let (properties, message) = line[2..].split_once("::").expect("a message");
            let (_, properties) = properties.split_once(' ').expect("properties");
            let keys: Vec<&str> = properties
                .split(',')
                .map(|p| p.split_once('=').expect("key=value").0)
                .collect();
            let expected: &[&str] = if finding.position.is_some() {
                &["file", "line", "col", "title"]
            } else {
                &["file", "title"]
            };
            assert_eq!(keys, expected, "{line}");
            assert!(properties.ends_with(&format!("title={}", finding.code)));
            assert!(!message.is_empty());
            for c in line.chars() {
                assert!(
                    Escaped::new(&c.to_string()).to_string() == c.to_string() || c == '\\',
                    "raw {c:?} in {line:?}"
                );
            }
        }
        assert!(!lines[findings.len()].starts_with("::"));
    }

    #[test]
    #[cfg(unix)]
    fn non_utf8_path() {
        let out = github(&[crate::findings::tests::non_utf8()], &Summary::default());
        assert!(
            out.starts_with(r"::error file=drop-ins/bad\xff\xfe.json,title=non-utf8-file-name::"),
            "{out}"
        );
        insta::assert_snapshot!("github_non_utf8_path", out);
    }

    #[test]
    fn write_errors_are_returned() {
        let error = write(
            &mut crate::findings::tests::Full,
            &hostile(),
            &hostile_summary(),
        )
        .unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
    }
}
