//! The one escaping rule for outside text (`Escaped`): nothing unsafe reaches a terminal,
//! two inputs never show the same, and quoted values are bounded.

mod support;
use support::is_unsafe;

use mvm_integrations::{Escaped, MAX_QUOTED_CHARS};
use proptest::prelude::*;

/// Reverses the rule, so that injectivity can be checked: `unescape(escape(x)) == x`.
fn unescape(shown: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chars = shown.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next().expect("a lone backslash ends the text") {
            '\\' => out.push(b'\\'),
            'n' => out.push(b'\n'),
            'r' => out.push(b'\r'),
            't' => out.push(b'\t'),
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(u8::from_str_radix(&hex, 16).expect("two hex digits"));
            }
            'u' => {
                assert_eq!(chars.next(), Some('{'));
                let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let c = char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap();
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            other => panic!("unknown escape `\\{other}` in {shown:?}"),
        }
    }
    out
}

proptest! {
    #[test]
    fn escaped_text_has_no_unsafe_character(text in support::hostile_string(64)) {
        let shown = Escaped::new(&text).to_string();
        prop_assert!(!shown.chars().any(is_unsafe), "{shown:?}");
    }

    #[test]
    fn escaped_bytes_have_no_unsafe_character(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let shown = Escaped::bytes(&bytes).to_string();
        prop_assert!(!shown.chars().any(is_unsafe), "{shown:?}");
    }

    #[test]
    fn unescape_after_escape_is_identity_for_bytes(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        prop_assert_eq!(unescape(&Escaped::bytes(&bytes).to_string()), bytes);
    }

    #[test]
    fn unescape_after_escape_is_identity_for_text(text in support::hostile_string(64)) {
        prop_assert_eq!(unescape(&Escaped::new(&text).to_string()), text.into_bytes());
    }

    #[test]
    fn quoted_shows_at_most_the_bound_then_the_marker(text in support::hostile_string(64), extra in 0usize..200) {
        let long = format!("{text}{}", "y".repeat(extra));
        let shown = Escaped::quoted(&long).to_string();
        let count = long.chars().count();
        if count <= MAX_QUOTED_CHARS {
            prop_assert_eq!(unescape(&shown), long.into_bytes());
        } else {
            let kept: String = long.chars().take(MAX_QUOTED_CHARS).collect();
            let rest = long.len() - kept.len();
            let expected = format!("{}…[{rest} more bytes]", Escaped::new(&kept));
            prop_assert_eq!(shown, expected);
        }
    }
}

#[test]
fn terminal_attacks_are_neutralised() {
    let table: &[(&str, &str)] = &[
        ("\u{1b}]0;title\u{7}", r"\u{1b}]0;title\u{7}"),
        ("\u{1b}[8mhidden", r"\u{1b}[8mhidden"),
        (
            "x\nchecked 0 files: 0 errors",
            r"x\nchecked 0 files: 0 errors",
        ),
        ("abc\u{202e}nosj.exe", r"abc\u{202e}nosj.exe"),
        ("zero\u{200b}width", r"zero\u{200b}width"),
        ("tab\there", r"tab\there"),
        ("émoji ✓", "émoji ✓"),
    ];
    for (input, expected) in table {
        assert_eq!(Escaped::new(input).to_string(), *expected, "{input:?}");
    }
}

#[test]
fn non_utf8_file_names_are_shown_losslessly() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let a = OsStr::from_bytes(b"10-\xff.json");
    let b = OsStr::from_bytes(b"10-\xfe.json");
    assert_eq!(Escaped::os_str(a).to_string(), r"10-\xff.json");
    assert_ne!(
        Escaped::os_str(a).to_string(),
        Escaped::os_str(b).to_string()
    );
    // The replacement character itself stays distinct from a bad byte.
    assert_eq!(
        Escaped::new("10-\u{fffd}.json").to_string(),
        "10-\u{fffd}.json"
    );
}
