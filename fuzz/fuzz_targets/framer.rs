//! The JSON framer against serde_json: valid JSON values, laid out in any valid way (compact, pretty, line
//! breaks and indentation between any tokens, values indented or not, several per line), read in reads of
//! any size, must come out as exactly the records serde_json sees: each top-level object, and each element
//! of a top-level array, in order, with the line it starts on.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

/// Characters strings are made of: brackets, quotes and backslashes are what a framer can trip on.
const CHARS: &[char] = &['a', 'Z', '{', '}', '[', ']', '"', '\\', ',', ':', ' ', '\n', '\t', 'é', '✓', '/'];

fn string(u: &mut Unstructured) -> Result<String> {
    let len = u.int_in_range(0..=6)?;
    (0..len).map(|_| u.choose(CHARS).copied()).collect()
}

fn value(u: &mut Unstructured, depth: u32) -> Result<Value> {
    let pick = if depth >= 6 { u.int_in_range(0..=3)? } else { u.int_in_range(0..=5)? };
    Ok(match pick {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::from(u.int_in_range(-1000..=1000)?),
        3 => Value::String(string(u)?),
        4 => Value::Array((0..u.int_in_range(0..=3)?).map(|_| value(u, depth + 1)).collect::<Result<_>>()?),
        _ => Value::Object(object(u, depth + 1)?),
    })
}

fn object(u: &mut Unstructured, depth: u32) -> Result<Map<String, Value>> {
    let mut map = Map::new();
    for _ in 0..u.int_in_range(0..=4)? {
        map.insert(string(u)?, value(u, depth)?);
    }
    Ok(map)
}

/// Blanks between two tokens: nothing, a space, or a line break and an indentation of 0 to 8.
fn blanks(u: &mut Unstructured, out: &mut String) -> Result<()> {
    match u.int_in_range(0..=3)? {
        0 => {}
        1 => out.push(' '),
        _ => {
            out.push_str(if u.arbitrary()? { "\r\n" } else { "\n" });
            let indent = u.int_in_range(0..=8)?;
            out.extend(std::iter::repeat_n(' ', indent));
        }
    }
    Ok(())
}

/// Writes `v` with random (valid) blanks between its tokens.
fn write(u: &mut Unstructured, v: &Value, out: &mut String) -> Result<()> {
    match v {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                blanks(u, out)?;
                write(u, item, out)?;
            }
            blanks(u, out)?;
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                blanks(u, out)?;
                out.push_str(&serde_json::to_string(k).expect("a key"));
                blanks(u, out)?;
                out.push(':');
                blanks(u, out)?;
                write(u, item, out)?;
            }
            blanks(u, out)?;
            out.push('}');
        }
        scalar => out.push_str(&serde_json::to_string(scalar).expect("a scalar")),
    }
    Ok(())
}

/// Writes one top-level value in one of the layouts exports use, or a random one; the records it holds
/// go to `want`.
fn top(u: &mut Unstructured, out: &mut String, want: &mut Vec<Value>) -> Result<()> {
    let is_array = u.arbitrary()?;
    let v = if is_array {
        let items: Vec<Value> =
            (0..u.int_in_range(0..=3)?).map(|_| object(u, 1).map(Value::Object)).collect::<Result<_>>()?;
        Value::Array(items)
    } else {
        Value::Object(object(u, 0)?)
    };
    let text = match u.int_in_range(0..=3)? {
        0 => serde_json::to_string(&v).expect("serializes"),
        1 => serde_json::to_string_pretty(&v).expect("serializes"),
        _ => {
            let mut s = String::new();
            write(u, &v, &mut s)?;
            s
        }
    };
    out.push_str(&text);
    match v {
        Value::Array(items) => want.extend(items),
        obj => want.push(obj),
    }
    Ok(())
}

fn input(u: &mut Unstructured) -> Result<(String, Vec<Value>, usize, usize)> {
    let mut text = String::new();
    let mut want = Vec::new();
    for _ in 0..u.int_in_range(1..=4)? {
        let sep = *u.choose(&["", " ", "\n", "\r\n", "\n\n", "\n  ", "  "])?;
        text.push_str(sep);
        top(u, &mut text, &mut want)?;
    }
    let read_size = u.int_in_range(1..=300)?;
    let max_lines = u.int_in_range(1..=8)?;
    Ok((text, want, read_size, max_lines))
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok((text, want, read_size, max_lines)) = input(&mut u) else { return };
    let frames = provdiag::input::frame_json(text.as_bytes(), read_size, max_lines);
    let got: Vec<Value> = frames
        .iter()
        .map(|(line, bytes)| {
            let bytes = bytes.as_ref().unwrap_or_else(|| panic!("a broken frame at line {line} in {text:?}"));
            let v: Value = serde_json::from_slice(bytes)
                .unwrap_or_else(|e| panic!("frame at line {line} is not JSON ({e}): {text:?}"));
            v
        })
        .collect();
    assert_eq!(got, want, "input {text:?}");
    // Each frame starts on the line the framer says: find its bytes in the text from the previous one.
    let mut from = 0;
    for (line, bytes) in &frames {
        let bytes = bytes.as_ref().expect("checked above");
        let at = text.as_bytes()[from..]
            .windows(bytes.len().max(1))
            .position(|w| w == bytes.as_slice())
            .map(|i| from + i)
            .expect("a frame is a slice of the input");
        let expected = 1 + text.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() as u64;
        assert_eq!(*line, expected, "line of the frame at byte {at} in {text:?}");
        from = at + bytes.len();
    }
});
