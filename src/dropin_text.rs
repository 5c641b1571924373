//! The drop-in loader's text job: from the bytes of one file to an entry and its warnings,
//! with exact positions (top-level keys, columns from 1) and did-you-mean suggestions.

use crate::diagnostic::{DropinWarning, ErrorKind};
use crate::entry::{FIELDS, IntegrationEntry};
use crate::position::{LineCounter, Position};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The entry parser's error, kept as the `source()` of a [`DropinError`](crate::DropinError).
pub(crate) type EntryParseError = crate::ParseError;

/// The one call to the entry parser: the entry, and the names of the fields it ignored.
fn parse_entry(
    text: &str,
    unknown: &mut Vec<String>,
) -> Result<IntegrationEntry, (Position, Box<EntryParseError>)> {
    IntegrationEntry::from_str_noting_unknown(text, unknown).map_err(|e| {
        let position = e
            .position()
            .map_or(Position { line: 1, column: 1 }, |p| Position {
                line: p.line.max(1),
                column: p.column.max(1),
            });
        (position, Box::new(e))
    })
}

/// An entry with its warnings, capped at [`MAX_WARNINGS_PER_FILE`](crate::MAX_WARNINGS_PER_FILE).
pub(crate) struct Parsed {
    pub(crate) entry: IntegrationEntry,
    pub(crate) warnings: Warnings,
}

/// A file's warnings: at most the cap, then a count of those left out.
#[derive(Default)]
pub(crate) struct Warnings {
    list: Vec<DropinWarning>,
    omitted: usize,
}

impl Warnings {
    pub(crate) fn push(&mut self, warning: DropinWarning) {
        if self.list.len() < crate::MAX_WARNINGS_PER_FILE {
            self.list.push(warning);
        } else {
            self.omitted = self.omitted.saturating_add(1);
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.list.len() >= crate::MAX_WARNINGS_PER_FILE
    }

    pub(crate) fn omit(&mut self) {
        self.omitted = self.omitted.saturating_add(1);
    }

    pub(crate) fn finish(mut self) -> Vec<DropinWarning> {
        if self.omitted > 0 {
            self.list.push(DropinWarning::TooManyWarnings {
                omitted: self.omitted,
            });
        }
        self.list
    }
}

/// Parses the bytes of one drop-in.
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed, ErrorKind> {
    let mut warnings = Warnings::default();
    let text = match bytes.strip_prefix(BOM) {
        Some(rest) => {
            warnings.push(DropinWarning::ByteOrderMark);
            rest
        }
        None => bytes,
    };
    let text = match std::str::from_utf8(text) {
        Ok(text) => text,
        Err(e) => {
            return Err(ErrorKind::InvalidUtf8(Position::at_offset(
                text,
                e.valid_up_to(),
            )));
        }
    };

    let mut unknown = Vec::new();
    let entry = parse_entry(text, &mut unknown)
        .map_err(|(position, source)| ErrorKind::Parse(position, source))?;
    let advisories = entry.warnings();
    if unknown.is_empty() && advisories.is_empty() {
        // A clean file: nothing to place, so the text is not scanned again.
        return Ok(Parsed { entry, warnings });
    }
    drop(unknown);

    // One linear pass over the top-level keys gives every position.
    let mut known: [Option<Position>; FIELDS.len()] = [None; FIELDS.len()];
    top_level_keys(text.as_bytes(), |key, position| {
        match FIELDS.iter().position(|&f| f == key) {
            Some(i) => {
                known[i].get_or_insert(position);
            }
            // Past the cap only the count is kept: no suggestion is worked out.
            None if warnings.is_full() => warnings.omit(),
            None => warnings.push(DropinWarning::UnknownField {
                suggestion: suggest(&key),
                field: key.into_owned(),
                position: Some(position),
            }),
        }
    });
    for warning in advisories {
        let field = warning.field().as_str();
        let position = FIELDS
            .iter()
            .position(|&f| f == field)
            .and_then(|i| known[i]);
        warnings.push(DropinWarning::Entry { warning, position });
    }
    Ok(Parsed { entry, warnings })
}

/// Where the top-level `name` key of `bytes`, a drop-in that parsed, is: found only when a
/// warning about the name needs it.
pub(crate) fn name_position(bytes: &[u8]) -> Option<Position> {
    let text = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let mut found = None;
    top_level_keys(text, |key, position| {
        if key == "name" {
            found.get_or_insert(position);
        }
    });
    found
}

/// Calls `f` with each key of the top-level object of `text` (valid JSON, already parsed),
/// decoded, and the position of its opening quote. Linear in the length of `text`.
fn top_level_keys(text: &[u8], mut f: impl FnMut(std::borrow::Cow<'_, str>, Position)) {
    let mut lines = LineCounter::new(text);
    let mut i = skip_ws(text, 0);
    if text.get(i) != Some(&b'{') {
        return;
    }
    i += 1;
    loop {
        i = skip_ws(text, i);
        if text.get(i) != Some(&b'"') {
            return;
        }
        let start = i;
        i = end_of_string(text, i);
        let raw = &text[start..i.min(text.len())];
        let key = if raw.contains(&b'\\') {
            serde_json::from_slice::<String>(raw)
                .map(std::borrow::Cow::Owned)
                .unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned().into())
        } else {
            String::from_utf8_lossy(raw.get(1..raw.len().saturating_sub(1)).unwrap_or(b""))
        };
        f(key, lines.position(start));
        i = skip_ws(text, i);
        if text.get(i) != Some(&b':') {
            return;
        }
        i = skip_value(text, skip_ws(text, i + 1));
        i = skip_ws(text, i);
        if text.get(i) != Some(&b',') {
            return;
        }
        i += 1;
    }
}

fn skip_ws(text: &[u8], mut i: usize) -> usize {
    while matches!(text.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The index just past the string that starts with the quote at `i`.
fn end_of_string(text: &[u8], mut i: usize) -> usize {
    i += 1;
    while let Some(&b) = text.get(i) {
        match b {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
}

/// The index just past the value that starts at `i`.
fn skip_value(text: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while let Some(&b) = text.get(i) {
        match b {
            b'"' => {
                i = end_of_string(text, i);
                if depth == 0 {
                    return i;
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                if depth == 0 {
                    return i;
                }
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b',' if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
    i
}

/// The known field closest to `field`, if it is close enough to be a typo.
fn suggest(field: &str) -> Option<&'static str> {
    if field.len() > 64 {
        return None;
    }
    let lower = field.to_ascii_lowercase();
    let mut best: Option<(usize, &'static str)> = None;
    for &known in FIELDS {
        let distance = edit_distance(&lower, known);
        let limit = (known.len() / 3).max(1);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, known));
        }
    }
    best.map(|(_, known)| known)
}

/// Optimal string alignment distance over characters: insertions, deletions,
/// substitutions and transpositions of neighbours each cost 1.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, row) in d.chunks_mut(width).enumerate() {
        row[0] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = v;
        }
    }
    d[a.len() * width + b.len()]
}
