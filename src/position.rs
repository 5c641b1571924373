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
