//! How the binary writes JSON: the exact values, and safe on a terminal.
//!
//! serde_json escapes the C0 controls in strings, but not DEL, the C1 controls, or the bidi
//! and invisible formatting characters that the crate's rule (`Escaped`) escapes. Every JSON
//! document the binary prints goes through [`terminal_safe`], which writes those as `\uXXXX`
//! escapes: the document parses to the same value, and shows safely on a terminal.

use std::fmt::Write as _;

use mvm_integrations::Escaped;

/// `json` with every character the crate's rule escapes written as a JSON `\uXXXX` escape.
///
/// Outside strings JSON text is printable ASCII, and serde_json already escapes the C0
/// controls, so every character changed here is inside a string, and the value is the same.
pub(crate) fn terminal_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        let keep = if c.is_ascii() {
            c == '\n' || !c.is_ascii_control()
        } else {
            is_shown_as_is(c)
        };
        if keep {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out
}

/// Whether the crate's rule shows `c` as itself.
pub(crate) fn is_shown_as_is(c: char) -> bool {
    let mut buf = [0u8; 4];
    let text: &str = c.encode_utf8(&mut buf);
    let mut shown = String::with_capacity(4);
    let _ = write!(shown, "{}", Escaped::new(text));
    shown == text
}
