//! The shape of the migration guide, `docs/migration.md`.
//!
//! Its code runs as doctests of `MigrationGuide` in `src/lib.rs`; these tests check what
//! the doctests cannot: that the guide is compiled at all, that every "before" has a
//! compiled "after", that it covers each change a user of `mvm_guest::integrations` meets,
//! and that its links land on its headings.

use std::path::Path;

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// A fenced code block: its info string and its text.
struct Block {
    info: String,
    text: String,
}

fn code_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for line in markdown.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block {
                    info: info.trim().to_owned(),
                    text: String::new(),
                });
            }
            (Some(_), Some("")) => blocks.extend(open.take()),
            (Some(block), _) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "a code block is not closed");
    blocks
}

/// The GitHub anchor of a heading: lowercase, punctuation other than `-` and `_` dropped,
/// spaces as `-`.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn headings(markdown: &str) -> Vec<&str> {
    markdown
        .lines()
        .filter_map(|line| line.strip_prefix("## ").or_else(|| line.strip_prefix("# ")))
        .collect()
}

#[test]
fn the_guide_is_compiled_as_a_doctest() {
    let lib = read("src/lib.rs");
    let hook = "#[cfg(doctest)]\n#[doc = include_str!(\"../docs/migration.md\")]\npub struct MigrationGuide;";
    assert!(lib.contains(hook), "src/lib.rs must hold:\n{hook}");
}

#[test]
fn every_before_block_is_ignored_and_followed_by_a_compiled_after_block() {
    let guide = read("docs/migration.md");
    let rust: Vec<Block> = code_blocks(&guide)
        .into_iter()
        .filter(|b| b.info.starts_with("rust"))
        .collect();
    assert!(rust.len() >= 20, "only {} Rust blocks", rust.len());
    for (i, block) in rust.iter().enumerate() {
        match block.info.as_str() {
            "rust,ignore" => {
                assert!(
                    block.text.starts_with("// Before"),
                    "an ignored block that is not a \"before\":\n{}",
                    block.text
                );
                let next = rust.get(i + 1).map(|b| b.info.as_str());
                assert_eq!(
                    next,
                    Some("rust"),
                    "no compiled block after:\n{}",
                    block.text
                );
            }
            "rust" => assert!(
                !block.text.contains("mvm_guest"),
                "a compiled block uses mvm_guest:\n{}",
                block.text
            ),
            other => panic!("code block `{other}`: expected `rust` or `rust,ignore`"),
        }
    }
}

#[test]
fn the_guide_covers_each_change_a_user_meets() {
    let guide = read("docs/migration.md");
    let headings = headings(&guide);
    // The changes issue 12 lists, and the ones the reshaped API adds.
    for expected in [
        "Imports",
        "The loader returns an outcome and no longer prints",
        "Path helpers take a validated name and return `PathBuf`",
        "Names are validated: `IntegrationName`",
        "Entry fields are private: accessors and the builder",
        "Manifests: a private list of unique names",
        "Reports and health results: accessors and `with_*` setters",
        "`#[non_exhaustive]` types and the status match",
        "`to_json` returns a `String`; `to_json_compact`",
        "Parse errors are `ParseError`",
        "Values 0.13.0 accepted that are now rejected",
        "New things",
    ] {
        assert!(headings.contains(&expected), "no section `{expected}`");
    }
    let compiled: String = code_blocks(&guide)
        .into_iter()
        .filter(|b| b.info == "rust")
        .map(|b| b.text)
        .collect();
    for new_item in [
        "HealthOutcome",
        "Timestamp",
        "for_entry",
        "parse_lenient",
        "parse_list",
        "list_to_json",
        "for_peer",
    ] {
        assert!(
            compiled.contains(&format!("{new_item}("))
                || compiled.contains(&format!("{new_item}::")),
            "`{new_item}` is not used in the guide's compiled code"
        );
    }
}

#[test]
fn every_link_to_a_section_lands_on_a_heading() {
    let guide = read("docs/migration.md");
    let anchors: Vec<String> = headings(&guide).into_iter().map(anchor).collect();
    let mut links = 0;
    for (start, _) in guide.match_indices("](#") {
        let rest = &guide[start + 3..];
        let target = &rest[..rest.find(')').expect("a closed link")];
        assert!(
            anchors.iter().any(|a| a == target),
            "#{target} is not a heading; headings: {anchors:?}"
        );
        links += 1;
    }
    assert!(links >= 10, "only {links} links");
}
