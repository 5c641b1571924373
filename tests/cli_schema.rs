#![cfg(feature = "cli")]
//! `mvm-integrations schema <document>` prints exactly the committed schema file.

use std::path::PathBuf;
use std::process::{Command, Output};

use mvm_integrations::SchemaDocument;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mvm-integrations"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn schema_subcommand_prints_the_committed_file() {
    for doc in SchemaDocument::ALL {
        let output = run(&["schema", doc.name()]);
        assert!(output.status.success(), "{doc}: {output:?}");
        assert!(output.stderr.is_empty(), "{doc}: {output:?}");
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("schema")
            .join(doc.file_name());
        let committed = std::fs::read(&path).unwrap();
        assert!(
            output.stdout == committed,
            "`mvm-integrations schema {doc}` differs from {}",
            path.display()
        );
    }
}

#[test]
fn schema_subcommand_rejects_an_unknown_document() {
    let output = run(&["schema", "repots"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("repots"), "{stderr}");
    for name in ["manifest", "entry", "report", "reports"] {
        assert!(stderr.contains(name), "{stderr}");
    }
}

#[test]
fn schema_subcommand_needs_a_document() {
    let output = run(&["schema"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
}
