//! Deciding an input's shape from its first bytes, for `--input auto`.

use memchr::memchr;

/// How much of an input is looked at, at most, to decide its shape.
pub(super) const PEEK: usize = 64 << 10;

/// The shapes provdiag reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Nothing but white space.
    Empty,
    /// Pasted lines.
    Text,
    /// One JSON event (or event hook delivery) per line.
    Ndjson,
    /// JSON values that span lines: API pages (arrays), pretty-printed events, event hook deliveries.
    JsonStream,
    /// A System Log CSV with a header row.
    Csv,
}

/// True if `head` starts with a UTF-16 byte-order mark, as Windows PowerShell 5.1 writes every file it
/// redirects to (`>`, `Out-File`): such an input is read as the text it holds.
pub fn utf16_bom(head: &[u8]) -> bool {
    head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF")
}

/// Why an input (its UTF-8 text, or its bytes) is not read at all, if it is not text.
pub fn refuse(head: &[u8]) -> Option<&'static str> {
    memchr(0, head)?;
    if utf16_without_bom(head) {
        return Some(
            "UTF-16 text without a byte-order mark, skipped: convert it first (iconv -f UTF-16LE -t UTF-8)",
        );
    }
    Some("binary input (it holds NUL bytes), skipped")
}

/// Text such as `{\0"\0` or `\0{\0"`: ASCII characters, each with a NUL byte on the same side.
fn utf16_without_bom(head: &[u8]) -> bool {
    let pairs = &head[..head.len().min(256) & !1];
    let ascii = |b: u8| b == b'\t' || b == b'\n' || b == b'\r' || (0x20..0x7f).contains(&b);
    let le = pairs.chunks_exact(2).all(|p| ascii(p[0]) && p[1] == 0);
    let be = pairs.chunks_exact(2).all(|p| p[0] == 0 && ascii(p[1]));
    pairs.len() >= 4 && (le || be)
}

/// True once `head` (an input's first bytes) tells its shape: a first line that does not open a JSON object,
/// or a compact object on it (NDJSON), or a second line. A live stream is read no further before reading
/// starts, so that its first record is handed on at once.
pub fn shape_known(head: &[u8]) -> bool {
    let mut lines = head
        .split_inclusive(|&b| b == b'\n')
        .filter(|l| l.ends_with(b"\n"))
        .map(|l| l.trim_ascii())
        .filter(|l| !l.is_empty());
    let Some(first) = lines.next() else {
        return false;
    };
    let first = first.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(first);
    !first.starts_with(b"{") || first.ends_with(b"}") || lines.next().is_some()
}

/// The shape of an input whose first bytes (BOM removed) are `head`.
pub fn detect(head: &[u8]) -> Shape {
    let Some(first) = head.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Shape::Empty;
    };
    let rest = &head[first..];
    let next = rest[1..].iter().find(|b| !b.is_ascii_whitespace()).copied();
    match (rest[0], next) {
        // `[2024-04-21 12:47] Automatic provisioning…` is text; `[{` and `[]` are JSON.
        (b'[', Some(b'{' | b']') | None) => Shape::JsonStream,
        // A JSON array of API pages (`[[{…}],[{…}]]`), as a script that collects pages writes it.
        (b'[', Some(b'[')) if pages(rest) => Shape::JsonStream,
        (b'{', Some(b'"' | b'}') | None) => object_shape(rest),
        _ if looks_like_csv_header(rest) => Shape::Csv,
        _ => Shape::Text,
    }
}

/// True if `rest` (starting `[`, then `[`) opens an array of arrays of objects, not a `[[bracketed]]` text line.
fn pages(rest: &[u8]) -> bool {
    let mut tokens = rest.iter().filter(|b| !b.is_ascii_whitespace()).skip(2);
    matches!(tokens.next(), Some(b'{' | b']'))
}

/// A compact object per line is NDJSON; an object spread over lines is a JSON stream.
fn object_shape(rest: &[u8]) -> Shape {
    let mut lines = rest
        .split(|&b| b == b'\n')
        .map(|l| l.trim_ascii_end())
        .filter(|l| !l.trim_ascii_start().is_empty());
    let first = lines.next().unwrap_or_default();
    let complete_line = memchr(b'\n', rest).is_some() || rest.len() < PEEK;
    if first.ends_with(b"}") && complete_line {
        return Shape::Ndjson;
    }
    // A line that stops after a member's name, between members or inside an array goes on in the next one,
    // which may well open an object: that member's value (`"target":` then `  {"id": …}`). An indented
    // line is a value's inside too: NDJSON writers start each event at the line's start.
    let goes_on =
        first.ends_with(b":") || first.ends_with(b",") || first.ends_with(b"[") || first.ends_with(b"{");
    match lines.next() {
        // The first line is broken, but the next one starts an event of its own.
        Some(second) if second.starts_with(b"{") && !goes_on => Shape::Ndjson,
        _ => Shape::JsonStream,
    }
}

fn looks_like_csv_header(rest: &[u8]) -> bool {
    let line = rest.split(|&b| b == b'\n').next().unwrap_or_default();
    crate::okta::fields::is_header(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_told_apart_by_content() {
        let cases: &[(&[u8], Shape)] = &[
            (b"", Shape::Empty),
            (b"  \n\r\n", Shape::Empty),
            (b"[]", Shape::JsonStream),
            (b"\n  [\n  {\"uuid\": \"a\"}]", Shape::JsonStream),
            (
                b"[2024-04-21 12:47] Automatic provisioning of user A to app B failed: x",
                Shape::Text,
            ),
            (b"{\"uuid\":\"a\"}\n{\"uuid\":\"b\"}\n", Shape::Ndjson),
            (b"{\"uuid\":\"a\"}", Shape::Ndjson),
            (b"{\n  \"uuid\": \"a\"\n}\n", Shape::JsonStream),
            (
                b"{\"eventType\": \"com.okta.event_hook\",\n \"data\": {}}",
                Shape::JsonStream,
            ),
            (b"{\"uuid\":\"a\", \"eventT\n{\"uuid\":\"b\"}\n", Shape::Ndjson),
            // One indented event split at a member: its value opens the next line.
            (
                b"  {\"uuid\": \"a\", \"outcome\":\n    {\"result\": \"FAILURE\"}}\n",
                Shape::JsonStream,
            ),
            (
                b"{\"uuid\": \"a\", \"target\": [\n{\"id\": \"b\"}]}\n",
                Shape::JsonStream,
            ),
            (b"published,eventType,outcome.result\n", Shape::Csv),
            (b"\"Published\",\"EventType\",\"Outcome.Result\"\r\n", Shape::Csv),
            (
                b"Automatic provisioning of user A to app B failed: x, y, z",
                Shape::Text,
            ),
            (b"{curly} text", Shape::Text),
            (b"[[{\"uuid\":\"a\"}],\n [{\"uuid\":\"b\"}]]", Shape::JsonStream),
            (b"[ [ ] ]", Shape::JsonStream),
            (
                b"[[wiki link]] Automatic provisioning of user A to app B failed: x",
                Shape::Text,
            ),
        ];
        for (input, want) in cases {
            assert_eq!(detect(input), *want, "{}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn binary_and_utf16_without_a_bom_are_refused_by_name() {
        let binary = refuse(b"\x7fELF\x02\x01\x01\0\0\0").expect("refused");
        assert!(binary.contains("binary"), "{binary}");
        for utf16 in [&b"{\0\"\0u\0\r\0\n\0"[..], b"\0{\0\"\0u\0\t"] {
            let why = refuse(utf16).expect("refused");
            assert!(why.contains("UTF-16"), "{why}");
        }
        // Too short to tell, or NULs on both sides: binary.
        assert!(refuse(b"a\0").expect("refused").contains("binary"));
        assert!(refuse(b"a\0\0b").expect("refused").contains("binary"));
        assert!(refuse(b"plain text").is_none());
        // With a byte-order mark it is read, not refused.
        assert!(utf16_bom(b"\xFF\xFE{\0") && utf16_bom(b"\xFE\xFF\0{"));
        assert!(!utf16_bom(b"\xEF\xBB\xBF{"));
    }
}
