//! The one rule for showing text that came from outside: [`Escaped`].

use std::ffi::OsStr;
use std::fmt::{self, Write};
use std::path::Path;

/// How many characters of a quoted value are shown before it is cut.
///
/// Each input character, and each byte that is not UTF-8, counts as one, whatever the length
/// of its escape.
pub const MAX_QUOTED_CHARS: usize = 80;

/// The one rule for showing text that came from outside: a file, a directory listing or a
/// guest.
///
/// Every `Display` in this crate and every text line of the `mvm-integrations` binary shows
/// outside text through [`Escaped`]. The rule:
///
/// | input | shown as | why |
/// |---|---|---|
/// | `\` | `\\` | so that every escape below is unambiguous |
/// | newline, carriage return, tab | `\n`, `\r`, `\t` | a value stays on one line, and cannot forge a line |
/// | any other C0 control, DEL, any C1 control | `\u{1b}`, `\u{7f}`, `\u{9b}` | `ESC`, `CSI` and `OSC` drive terminals: titles, hidden text, cursor moves |
/// | bidi controls (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069) | `\u{202e}` | they reorder what a reader sees ("Trojan Source") |
/// | invisible formatting characters: soft hyphen, zero-width characters, word joiners, U+2028/U+2029, BOM, variation selectors, tags, Hangul fillers, interlinear annotation marks | `\u{200b}` | they make two different values look alike |
/// | a byte that is not UTF-8 | `\xff` | shown losslessly, never as U+FFFD |
/// | anything else | itself | |
///
/// The rule is injective: two different inputs never show the same, because a backslash in
/// the input is always doubled, so a single backslash always starts an escape.
///
/// Quoted values (a wrong-typed string in a parse error, a status detail from a guest) are
/// cut after [`MAX_QUOTED_CHARS`] characters with the marker `…[N more bytes]`, so that a
/// huge input cannot make a huge message. Paths and names are never cut: they are bounded by
/// the file system and by [`MAX_NAME_LEN`](crate::MAX_NAME_LEN).
///
/// JSON output is not escaped this way: JSON escaping already makes it safe, and it keeps
/// the exact values.
///
/// ```
/// use mvm_integrations::Escaped;
///
/// assert_eq!(Escaped::new("a\u{1b}]0;pwned\u{7}b").to_string(), r"a\u{1b}]0;pwned\u{7}b");
/// assert_eq!(Escaped::new("x\ny").to_string(), r"x\ny");
/// assert_eq!(Escaped::new("back\\slash").to_string(), r"back\\slash");
/// assert_eq!(Escaped::bytes(b"bad\xff.json").to_string(), r"bad\xff.json");
/// assert_eq!(Escaped::quoted(&"a".repeat(100)).to_string(), format!("{}…[20 more bytes]", "a".repeat(80)));
/// ```
#[derive(Clone, Copy)]
pub struct Escaped<'a> {
    bytes: &'a [u8],
    max_chars: Option<usize>,
}

impl<'a> Escaped<'a> {
    /// Shows `text` whole.
    pub fn new(text: &'a str) -> Self {
        Self::bytes(text.as_bytes())
    }

    /// Shows `text` cut after [`MAX_QUOTED_CHARS`] characters: for values quoted in messages.
    pub fn quoted(text: &'a str) -> Self {
        Self::new(text).max_chars(MAX_QUOTED_CHARS)
    }

    /// Shows bytes that may not be UTF-8, whole; bytes that are not UTF-8 show as `\xNN`.
    pub fn bytes(bytes: &'a [u8]) -> Self {
        Escaped {
            bytes,
            max_chars: None,
        }
    }

    /// Shows an OS string (a file name) losslessly, whole.
    pub fn os_str(text: &'a OsStr) -> Self {
        Self::bytes(text.as_encoded_bytes())
    }

    /// Shows a path losslessly, whole.
    pub fn path(path: &'a Path) -> Self {
        Self::os_str(path.as_os_str())
    }

    /// Cuts the shown text after `chars` characters, with the marker `…[N more bytes]`.
    #[must_use]
    pub fn max_chars(mut self, chars: usize) -> Self {
        self.max_chars = Some(chars);
        self
    }
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let limit = self.max_chars.unwrap_or(usize::MAX);
        let mut shown = 0usize;
        let mut offset = 0usize;
        for chunk in self.bytes.utf8_chunks() {
            for c in chunk.valid().chars() {
                if shown == limit {
                    return cut(f, self.bytes.len() - offset);
                }
                write_char(f, c)?;
                shown += 1;
                offset += c.len_utf8();
            }
            for byte in chunk.invalid() {
                if shown == limit {
                    return cut(f, self.bytes.len() - offset);
                }
                write!(f, "\\x{byte:02x}")?;
                shown += 1;
                offset += 1;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Escaped<'_> {
    /// The escaped text in double quotes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

fn cut(f: &mut fmt::Formatter<'_>, rest: usize) -> fmt::Result {
    write!(f, "…[{rest} more bytes]")
}

fn write_char(f: &mut fmt::Formatter<'_>, c: char) -> fmt::Result {
    match c {
        '\\' => f.write_str("\\\\"),
        '\n' => f.write_str("\\n"),
        '\r' => f.write_str("\\r"),
        '\t' => f.write_str("\\t"),
        c if needs_escape(c) => write!(f, "\\u{{{:x}}}", u32::from(c)),
        c => f.write_char(c),
    }
}

/// Whether `c` is a control, bidi or invisible formatting character: one the rule escapes.
pub(crate) fn needs_escape(c: char) -> bool {
    c.is_control() // C0, DEL, C1
        || matches!(
            c,
            '\u{00AD}'                    // soft hyphen
            | '\u{034F}'                  // combining grapheme joiner
            | '\u{061C}'                  // Arabic letter mark (bidi)
            | '\u{115F}' | '\u{1160}'     // Hangul fillers
            | '\u{17B4}' | '\u{17B5}'     // Khmer inherent vowels (invisible)
            | '\u{180B}'..='\u{180F}'     // Mongolian variation selectors and vowel separator
            | '\u{200B}'..='\u{200F}'     // zero-width space, joiners, LRM, RLM
            | '\u{2028}'..='\u{202E}'     // line/paragraph separators, bidi embeddings and overrides
            | '\u{2060}'..='\u{206F}'     // word joiner, invisible operators, bidi isolates, deprecated formats
            | '\u{3164}'                  // Hangul filler
            | '\u{FE00}'..='\u{FE0F}'     // variation selectors
            | '\u{FEFF}'                  // byte-order mark, zero-width no-break space
            | '\u{FFA0}'                  // halfwidth Hangul filler
            | '\u{FFF9}'..='\u{FFFB}'     // interlinear annotation marks
            | '\u{1BCA0}'..='\u{1BCA3}'   // shorthand format controls
            | '\u{1D173}'..='\u{1D17A}'   // musical symbol format controls
            | '\u{E0000}'..='\u{E0FFF}' // tags and variation selectors supplement
        )
}
