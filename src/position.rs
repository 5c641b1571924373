//! Where something is in a JSON document: a line and a column.

use std::fmt;

/// A line and a column in a JSON document (a drop-in file, a manifest, a list of reports),
/// both starting at 1.
///
/// Columns count bytes; neither counts a UTF-8 byte-order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column in bytes, from 1.
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

impl Position {
    /// Where byte `offset` of `text` is: the line and the column (in bytes), both from 1. An
    /// offset past the end is the end.
    ///
    /// ```
    /// use mvm_integrations::Position;
    ///
    /// assert_eq!(Position::at_offset(b"{\n  \"a\": 1\n}", 4), Position { line: 2, column: 3 });
    /// assert_eq!(Position::at_offset(b"", 0), Position { line: 1, column: 1 });
    /// ```
    pub fn at_offset(text: &[u8], offset: usize) -> Position {
        LineCounter::new(text).position(offset)
    }
}

/// Positions of byte offsets in one text. Offsets given in increasing order cost one scan of
/// the text in all; an offset before the previous one scans again from the start.
pub(crate) struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
    line_start: usize,
}

impl<'a> LineCounter<'a> {
    pub(crate) fn new(text: &'a [u8]) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// The position of `offset`; past the end is the end.
    pub(crate) fn position(&mut self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            *self = LineCounter::new(self.text);
        }
        for (i, &byte) in self.text[self.offset..offset].iter().enumerate() {
            if byte == b'\n' {
                self.line += 1;
                self.line_start = self.offset + i + 1;
            }
        }
        self.offset = offset;
        Position {
            line: self.line,
            column: offset - self.line_start + 1,
        }
    }
}
