//! Pasted text: one record per non-blank line; a Tasks failure sentence anywhere in the line makes it a failure.

use regex::Regex;
use std::io::Read;
use std::sync::{Arc, LazyLock};

use super::lines::Lines;
use super::parallel::{self, Block};
use super::{ReadFail, Sink};
use crate::record::{Finding, Parsed, Record, Source};
use crate::rules::fold;

/// `Automatic provisioning of user <U> to app <A> failed: <reason>` and the profile-push form, matched on
/// folded text. User ends at the first ` to app `, app at the first ` failed:` after it: names may hold
/// spaces, dots, apostrophes and colons (Okta help, "Troubleshoot provisioning").
static SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bautomatic (?:provisioning|profile push) of (?:user )?(.+?) to app (.+?) failed ?: ?(.*)$",
    )
    .expect("the sentence pattern is valid")
});

/// What a Tasks sentence says.
#[derive(Debug, PartialEq, Eq)]
pub struct Sentence {
    pub user: String,
    pub app: String,
    pub reason: Option<String>,
}

/// Finds a Tasks failure sentence in already folded text.
pub fn parse_sentence(folded: &str) -> Option<Sentence> {
    let caps = SENTENCE.captures(folded)?;
    let user = strip_quotes(&caps[1]);
    let app = strip_quotes(&caps[2]);
    if user.is_empty() || app.is_empty() {
        return None;
    }
    let reason = strip_quotes(&caps[3]);
    Some(Sentence {
        user: user.to_owned(),
        app: app.to_owned(),
        reason: (!reason.is_empty()).then(|| reason.to_owned()),
    })
}

/// Trims white space and the quotes a paste tends to carry around a sentence or a name.
fn strip_quotes(s: &str) -> &str {
    const QUOTES: &[char] = &['"', '\'', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}', '`'];
    s.trim().trim_matches(QUOTES).trim()
}

/// Turns one line of text into a record.
pub fn line_record(text: &str, source: Source) -> Record {
    let folded = fold(text);
    match parse_sentence(&folded) {
        Some(s) => Record::Failure(Finding {
            source,
            user: Some(s.user),
            app: Some(s.app),
            reason: s.reason,
            ..Finding::default()
        }),
        None => Record::Candidate(Finding {
            source,
            reason: Some(strip_quotes(&folded).to_owned()),
            ..Finding::default()
        }),
    }
}

pub fn read(input: impl Read + Send, path: &Arc<str>, sink: &mut dyn Sink) -> Result<(), ReadFail> {
    // Matching lines against the rules, the costly part, happens in the sink on this thread anyway: workers
    // would only add hand-offs, so text is cut and parsed here.
    parallel::run(Lines::new(input), parse_block, path, 1, sink)
}

/// The records of one block of lines: runs on a worker. A line of nothing but white space is no record.
fn parse_block(block: &Block, path: &Arc<str>) -> Vec<Parsed> {
    let mut out = Vec::with_capacity(block.frames.len());
    for frame in &block.frames {
        let record = match parallel::broken_frame(frame, path) {
            Some(broken) => broken,
            None => {
                let text = super::lossy(&block.bytes[frame.start..frame.end]);
                if text.trim().is_empty() {
                    continue;
                }
                line_record(
                    &text,
                    Source {
                        path: path.clone(),
                        line: frame.line,
                    },
                )
            }
        };
        out.push(Parsed { key: None, record });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(line: &str) -> Option<Sentence> {
        parse_sentence(&fold(line))
    }

    #[test]
    fn the_seed_sentence_gives_user_app_and_reason() {
        let s = sentence(
            "Automatic provisioning of user John Doe to app Salesforce.com failed: License Limit Exceeded.",
        );
        assert_eq!(
            s,
            Some(Sentence {
                user: "John Doe".into(),
                app: "Salesforce.com".into(),
                reason: Some("License Limit Exceeded.".into())
            })
        );
    }

    #[test]
    fn names_with_spaces_dots_apostrophes_accents_and_colons_survive() {
        let s = sentence("2024-04-21T12:47:34Z ERROR “Automatic provisioning of user Zoë O'Brien-Núñez Jr. to app Acme: HR (Prod) v2.1 failed: Matching user not found”")
            .expect("a sentence");
        assert_eq!(s.user, "Zoë O'Brien-Núñez Jr.");
        assert_eq!(s.app, "Acme: HR (Prod) v2.1");
        assert_eq!(s.reason.as_deref(), Some("Matching user not found"));
    }

    #[test]
    fn case_and_spacing_do_not_matter_and_profile_push_counts() {
        let s = sentence("AUTOMATIC  PROFILE PUSH OF jane@example.com   TO APP AWS IAM Identity Center FAILED : Bad Request")
            .expect("a sentence");
        assert_eq!(
            (s.user.as_str(), s.app.as_str()),
            ("jane@example.com", "AWS IAM Identity Center")
        );
        assert_eq!(s.reason.as_deref(), Some("Bad Request"));
    }

    #[test]
    fn split_is_at_the_first_failed_after_to_app() {
        let s = sentence("Automatic provisioning of user A B to app X failed: Error while creating user A B : Conflict. failed: again")
            .expect("a sentence");
        assert_eq!(s.app, "X");
        assert_eq!(
            s.reason.as_deref(),
            Some("Error while creating user A B : Conflict. failed: again")
        );
    }

    #[test]
    fn lines_without_the_sentence_are_candidates() {
        assert!(sentence("Provisioning of user John Doe to app X succeeded").is_none());
        assert!(sentence("Automatic provisioning of user John Doe to app X").is_none());
        assert!(matches!(
            line_record(
                "License Limit Exceeded.",
                Source {
                    path: "-".into(),
                    line: 1
                }
            ),
            Record::Candidate(_)
        ));
    }
}
