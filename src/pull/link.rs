//! The `next` link of a page, from its `Link` headers (RFC 8288). Hand-written: the crates for it split at
//! every comma (a comma may stand in a URL or a quoted parameter), drop query parts without `=`, and glue
//! space-separated relation types together; this needs fifty lines.

/// The target of the first link whose `rel` holds `next`, across every `Link` header value, as written (it
/// may be relative to the page's URL).
pub(crate) fn next<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<String> {
    values
        .into_iter()
        .flat_map(links)
        .find(|(_, rels)| {
            rels.split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("next"))
        })
        .map(|(target, _)| target)
}

/// Every `<target>; rel=…` of one header value, with its `rel` (empty if none).
fn links(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        let Some(after_open) = rest.strip_prefix('<') else {
            // Not a link: skip to the next one, if any.
            match split_outside_quotes(rest, ',') {
                Some((_, tail)) => {
                    rest = tail;
                    continue;
                }
                None => return out,
            }
        };
        let Some(close) = after_open.find('>') else {
            return out;
        };
        let target = after_open[..close].trim().to_owned();
        let (params, tail) = match split_outside_quotes(&after_open[close + 1..], ',') {
            Some((params, tail)) => (params, Some(tail)),
            None => (&after_open[close + 1..], None),
        };
        out.push((target, rel(params)));
        match tail {
            Some(tail) => rest = tail,
            None => return out,
        }
    }
}

/// The `rel` parameter's value among `; name=value` parameters (a value may be a quoted string).
fn rel(params: &str) -> String {
    let mut rest = params;
    loop {
        let (param, tail) = split_outside_quotes(rest, ';').unwrap_or((rest, ""));
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        if name.trim().eq_ignore_ascii_case("rel") {
            return unquote(value.trim());
        }
        if tail.is_empty() {
            return String::new();
        }
        rest = tail;
    }
}

/// Splits at the first `sep` that stands outside a quoted string.
fn split_outside_quotes(text: &str, sep: char) -> Option<(&str, &str)> {
    let (mut quoted, mut escaped) = (false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == sep && !quoted => return Some((&text[..i], &text[i + 1..])),
            _ => {}
        }
    }
    None
}

fn unquote(value: &str) -> String {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                out.push(if c == '\\' {
                    chars.next().unwrap_or('\\')
                } else {
                    c
                });
            }
            out
        }
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_found_among_several_headers_and_links() {
        let self_link =
            r#"<https://acme.okta.com/api/v1/logs?limit=1000&since=2024-04-21T00%3A00%3A00Z>; rel="self""#;
        let next_link = r#"<https://acme.okta.com/api/v1/logs?limit=1000&after=1713700000000_1>; rel="next""#;
        let want = Some("https://acme.okta.com/api/v1/logs?limit=1000&after=1713700000000_1".to_owned());
        // Okta sends one header per link; others put them in one header, in any order.
        assert_eq!(next([self_link, next_link]), want);
        assert_eq!(next([format!("{next_link}, {self_link}").as_str()]), want);
        assert_eq!(next([format!("{self_link},{next_link}").as_str()]), want);
        assert_eq!(next([self_link]), None);
        assert_eq!(next(Vec::<&str>::new()), None);
    }

    #[test]
    fn rel_may_be_bare_in_any_case_or_a_list_and_commas_may_stand_in_quotes_and_urls() {
        assert_eq!(next(["<a?x=1,2>; rel=next"]).as_deref(), Some("a?x=1,2"));
        assert_eq!(next(["<b>;REL=\"Next\""]).as_deref(), Some("b"));
        assert_eq!(next(["<c>; rel=\"prev next\""]).as_deref(), Some("c"));
        assert_eq!(
            next([r#"<d>; title="a, b; \"c\""; rel="self", <e>; type="x"; rel="next""#]).as_deref(),
            Some("e")
        );
        assert_eq!(next(["<f>; rel=\"nextpage\""]), None);
        assert_eq!(next(["garbage, <g>; rel=next"]).as_deref(), Some("g"));
        assert_eq!(next(["<h; rel=next"]), None);
    }
}
