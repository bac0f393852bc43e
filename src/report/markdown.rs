//! `--format markdown`: a report to paste into a ticket for the app's owner; renders on GitHub. Every piece
//! of text that comes from the input or a rules file goes through `md`, so none of it can make markup.

use std::io::{self, Write};

use super::{clean, shape::unrecognized, some_users, Writer};
use crate::diagnosis::Diagnosis;
use crate::rules::{self, RuleTable};

pub struct Markdown;

/// How many users an incident lists before "and N more".
const USERS_SHOWN: usize = 25;

/// Characters backslashed wherever they stand: CommonMark's inline markup (code, emphasis, links, HTML,
/// entities), GFM's tables and strikethrough, GitHub's math (`$`), and the heading marks that would
/// otherwise close a heading (`## Box #`).
const ALWAYS: &str = "\\`*_[]<|~&$#^";

/// Characters that open a block (list, quote, heading underline, definition) when they start a line;
/// elsewhere they are plain text (`Dashboard > Tasks` stays readable in the raw document).
const AT_START: &str = "-+=:>";

/// Text from the input or a rules file made inert anywhere in the document, a line's start or a table cell
/// included: control characters and line breaks shown as escapes, surrounding space trimmed, markup
/// characters backslashed, and the shapes GitHub turns into links without any markup (`http://…`,
/// `www.…`, `someone@example.com`) broken by an escape. Rendered, it reads as the text itself.
pub(crate) fn md(s: &str) -> String {
    let cleaned = clean(s);
    let text = cleaned.trim();
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    // A leading number followed by `.` or `)` starts an ordered list.
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    for (i, &c) in chars.iter().enumerate() {
        let rest = &chars[i + 1..];
        let escape = ALWAYS.contains(c)
            || (i == 0 && AT_START.contains(c))
            || (i == digits && digits > 0 && matches!(c, '.' | ')'))
            || (c == ':' && rest.starts_with(&['/', '/']))
            || c == '@'
            || (c == '.' && www_before(&chars[..i]));
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// True if `before` ends with a word `www` (any case): GitHub links `www.example.com` on its own.
fn www_before(before: &[char]) -> bool {
    let n = before.len();
    n >= 3
        && before[n - 3..].iter().all(|c| c.eq_ignore_ascii_case(&'w'))
        && (n == 3 || !before[n - 4].is_alphanumeric())
}

/// A rule's source as a link that shows its own address, when it is a plain `https` URL; anything else is
/// shown as inert text, so a rules file cannot make a link say one thing and go elsewhere.
fn source(url: &str) -> String {
    let plain = url.strip_prefix("https://").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~:/?#@!$&'*+,;=%".contains(c))
    });
    if plain {
        format!("<{url}>")
    } else {
        md(url)
    }
}

impl Writer for Markdown {
    fn finish(&mut self, out: &mut dyn Write, d: &Diagnosis, table: &RuleTable) -> io::Result<()> {
        let s = &d.summary;
        writeln!(out, "# Okta provisioning failures\n")?;
        writeln!(
            out,
            "| records | failures | diagnosed | unrecognized | ignored | malformed | duplicates |"
        )?;
        writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|")?;
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            s.records, s.failures, s.diagnosed, s.unrecognized, s.ignored, s.malformed, s.duplicates
        )?;
        match (s.failures, d.unreadable_inputs) {
            (0, 0) => writeln!(out, "No provisioning failures found.\n")?,
            (0, n) => writeln!(out, "{}\n", super::unread_note(n))?,
            _ => {}
        }
        let groups = unrecognized(d);
        for (n, i) in d.incidents().iter().enumerate() {
            let rule = i.cause.map(|c| &table.rules()[c]);
            let title = md(rule.map_or(rules::UNRECOGNIZED_TITLE, |r| r.title.as_str()));
            match i.app.as_deref() {
                Some(app) => writeln!(out, "## {}. {title}: {}\n", n + 1, md(app))?,
                None => writeln!(out, "## {}. {title}\n", n + 1)?,
            }
            // Rule ids are kebab-case (checked when a rules file is read): safe in a code span.
            let cause = rule.map_or("unrecognized".to_owned(), |r| format!("`{}`", r.id));
            write!(out, "**Cause:** {cause} · **Failures:** {}", i.failures)?;
            if let (Some(first), Some(last)) = (&i.first_seen, &i.last_seen) {
                write!(
                    out,
                    " · **First seen:** {} · **Last seen:** {}",
                    md(first),
                    md(last)
                )?;
            }
            writeln!(out, "\n")?;
            if let Some(rule) = rule {
                writeln!(out, "{}\n", md(&rule.summary))?;
            } else {
                writeln!(out, "Messages:\n")?;
                for g in groups.iter().filter(|g| g.app == i.app.as_deref()) {
                    writeln!(out, "- {}× {}", g.count, md(&g.shape))?;
                }
                writeln!(out)?;
            }
            writeln!(out, "### What to do\n")?;
            for (k, step) in rules::steps(rule, i.app.as_deref()).iter().enumerate() {
                writeln!(out, "{}. {}", k + 1, md(step))?;
            }
            writeln!(out)?;
            if !i.users.is_empty() {
                let users: Vec<String> = i.users.iter().map(|u| md(u)).collect();
                writeln!(
                    out,
                    "**Affected users ({}):** {}\n",
                    i.users.len(),
                    some_users(&users, USERS_SHOWN)
                )?;
            }
            if let Some(url) = rule.and_then(|r| r.source.as_deref()) {
                writeln!(out, "Source: {}\n", source(url))?;
            }
        }
        if !d.errors.is_empty() {
            writeln!(out, "## Unreadable records\n")?;
            for e in &d.errors {
                writeln!(
                    out,
                    "- {}:{}: {}",
                    md(&e.source.path),
                    e.source.line,
                    md(&e.message)
                )?;
            }
            writeln!(out)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{md, source};

    #[test]
    fn markup_in_names_is_inert() {
        assert_eq!(md("a|b *c* <img> 2024-04-21"), "a\\|b \\*c\\* \\<img> 2024-04-21");
        assert_eq!(md("x\u{1b}[31m"), "x\\\\u{1b}\\[31m");
        assert_eq!(md("  two\nlines "), "two\\\\nlines");
        assert_eq!(
            md("Evil](http://evil.example) *x*"),
            "Evil\\](http\\://evil.example) \\*x\\*"
        );
    }

    #[test]
    fn what_would_start_a_block_is_escaped_at_the_start_only() {
        assert_eq!(md("# Title #"), "\\# Title \\#");
        assert_eq!(md("> quote"), "\\> quote");
        assert_eq!(md("- item - x"), "\\- item - x");
        assert_eq!(md("+ item"), "\\+ item");
        assert_eq!(md("12. item 3. x"), "12\\. item 3. x");
        assert_eq!(md("1) item"), "1\\) item");
        assert_eq!(md("=== x"), "\\=== x");
        assert_eq!(md("2024-04-21"), "2024-04-21");
    }

    #[test]
    fn what_github_links_by_itself_is_broken() {
        assert_eq!(md("see https://x.io"), "see https\\://x.io");
        assert_eq!(
            md("WWW.x.io and www.y.io, awww.z"),
            "WWW\\.x.io and www\\.y.io, awww.z"
        );
        assert_eq!(md("ann@example.com"), "ann\\@example.com");
        assert_eq!(md("$x$ &amp;"), "\\$x\\$ \\&amp;");
    }

    #[test]
    fn only_a_plain_https_source_is_a_link() {
        assert_eq!(
            source("https://help.okta.com/a.htm"),
            "<https://help.okta.com/a.htm>"
        );
        assert_eq!(source("https://x.io/a>[b](c)"), "https\\://x.io/a>\\[b\\](c)");
        assert_eq!(source("javascript:alert(1)"), "javascript:alert(1)");
    }
}
