//! Text helpers every stage shares, with no I/O: `fold` makes Okta's wording comparable however it was
//! pasted, and `clean` keeps control characters from the input out of anything shown (a log line must not
//! be able to retitle the window, recolor the screen or reorder the text with bidirectional overrides).

use std::borrow::Cow;

pub(crate) fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every control character written as a visible escape (`\n`, `\t`, `\u{1b}`).
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Folds every run of white space (NBSP included) to one space and curly apostrophes to straight ones,
/// so that rules see Okta's wording however it was pasted.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.trim().chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(if c == '\u{2019}' { '\'' } else { c });
    }
    out
}

/// Bytes as text, invalid UTF-8 replaced. `String::from_utf8_lossy` walks its slow path even over valid
/// input; checking first costs a fraction of that.
pub fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_sequences_and_keeps_plain_text() {
        assert_eq!(clean("Zoë O'Brien"), "Zoë O'Brien");
        assert_eq!(
            clean("a\u{1b}]0;pwned\u{7}b\r\n"),
            "a\\u{1b}]0;pwned\\u{7}b\\r\\n"
        );
        assert_eq!(clean("x\u{202e}y\u{9b}"), "x\\u{202e}y\\u{9b}");
    }

    #[test]
    fn fold_collapses_spacing_and_apostrophes() {
        assert_eq!(fold("  a \t b\u{a0}\u{a0}c ’ "), "a b c '");
    }
}
