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

/// The message as the app wrote it, undoing what copying it out of a web page or a log did to it:
/// HTML entities decoded (`&quot;`, `&#39;`: a message quoted by an article or exported as HTML), curly
/// double quotes straightened (a blog's editor turns a JSON body's quotes into `“”`), and a message whose
/// every quote is escaped (`{\"detail\":\"…\"}`, copied out of a JSON string) unescaped, once per level of
/// escaping. Each only where the text has no plain double quote: a message that has one was not copied so,
/// and its JSON bodies (whose values may hold an entity or a curly quote of the app's) must stay valid.
/// Text with none of these comes back as it is, unallocated.
pub fn as_written(text: &str) -> Cow<'_, str> {
    if has_plain_quote(text) {
        return Cow::Borrowed(text);
    }
    let mut out = if text.contains('&') {
        html_escape::decode_html_entities(text)
    } else {
        Cow::Borrowed(text)
    };
    if out.contains(['\u{201c}', '\u{201d}']) {
        out = Cow::Owned(out.replace(['\u{201c}', '\u{201d}'], "\""));
    }
    // A JSON string's escaping has no end of levels in a crafted message; a real one has one or two.
    for _ in 0..3 {
        if !every_quote_escaped(&out) {
            break;
        }
        out = Cow::Owned(unescape_quotes(&out));
    }
    out
}

/// `text` has a double quote no backslash escapes.
fn has_plain_quote(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter()
        .enumerate()
        .any(|(i, &c)| c == b'"' && (i == 0 || b[i - 1] != b'\\'))
}

/// `text` has quotes, and each is escaped (`\"`): the inside of a JSON string, not JSON.
fn every_quote_escaped(text: &str) -> bool {
    text.contains('"') && !has_plain_quote(text)
}

/// One level of a JSON string's escaping taken off its quotes and backslashes (`\"` and `\\`); every
/// other escape (`\n`, `\u00e9`) stays as written, which inside a JSON body is what it was, and outside one
/// leaves a Windows path (`C:\templates\new`) alone.
fn unescape_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(next @ ('"' | '\\')) => out.push(next),
                Some(next) => {
                    out.push(c);
                    out.push(next);
                }
                None => out.push(c),
            }
        } else {
            out.push(c);
        }
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
    fn as_written_undoes_what_pasting_did() {
        // An article's HTML.
        assert_eq!(
            as_written("Email can&#39;t be blank &amp; &quot;x&quot;"),
            "Email can't be blank & \"x\""
        );
        // A blog's curly quotes around a JSON body.
        assert_eq!(
            as_written("{\u{201c}detail\u{201d}:\u{201c}Group not found\u{201d}}"),
            "{\"detail\":\"Group not found\"}"
        );
        // Copied out of a JSON string, once or twice escaped; other escapes stay as written.
        assert_eq!(
            as_written(r#"Bad Request: {\"detail\":\"x\ny\"}"#),
            r#"Bad Request: {"detail":"x\ny"}"#
        );
        assert_eq!(as_written(r#"{\\\"detail\\\":\\\"x\\\"}"#), r#"{"detail":"x"}"#);
        // A Windows path keeps its backslashes.
        assert_eq!(
            as_written(r#"\"C:\templates\new user.xml\" not found"#),
            r#""C:\templates\new user.xml" not found"#
        );
        // A plain quote: JSON, or a message not copied so, left as it is, entities and curly quotes in it
        // included (an app's own, inside a body's value); and plain text.
        for kept in [
            r#"{"error":"{\"detail\":\"x\"}"}"#,
            r#"{"message":"Validation failed for &quot;jane@example.com&quot;"}"#,
            "{\"detail\":\"Attribute \u{201c}employeeNumber\u{201d} rejected\"}",
            "AT&T said: User 'a' not found",
        ] {
            assert!(matches!(as_written(kept), Cow::Borrowed(_)), "{kept}");
        }
    }

    #[test]
    fn fold_collapses_spacing_and_apostrophes() {
        assert_eq!(fold("  a \t b\u{a0}\u{a0}c ’ "), "a b c '");
    }
}
