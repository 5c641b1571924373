//! `mvm-integrations schema`: prints the committed JSON Schema of a wire document.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use mvm_integrations::SchemaDocument;

#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// The document whose schema to print.
    #[arg(value_name = "DOCUMENT", value_parser = schema_document_parser())]
    document: SchemaDocument,
}

/// Accepts the names of [`SchemaDocument::ALL`], and lists them in `--help` and errors.
fn schema_document_parser() -> impl clap::builder::TypedValueParser<Value = SchemaDocument> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(SchemaDocument::ALL.map(SchemaDocument::name))
        .try_map(|name| name.parse::<SchemaDocument>())
}

pub(crate) fn schema(args: &SchemaArgs) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let written = out
        .write_all(args.document.to_json().as_bytes())
        .and_then(|()| out.flush());
    crate::finish(written, ExitCode::SUCCESS)
}
