//! Pasted text: one record per non-blank line; a Tasks failure sentence anywhere in the line makes it a failure.

use regex::Regex;
use std::io::Read;
use std::sync::LazyLock;

use super::block::Block;
use super::lines::Lines;
use super::parallel;
use super::{ReadFail, Reading, Sink};
use crate::record::{Finding, Parsed, Record, Source};
use crate::text::fold;

/// `Automatic provisioning of user <U> to app <A> failed: <reason>` and the profile-push form, matched on
/// folded text. User ends at the first ` to app `, app at the first ` failed:` after it: names may hold
/// spaces, dots, apostrophes and colons (Okta help, "Troubleshoot provisioning").
static SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bautomatic (?:provisioning|profile push) of (?:user )?(.+?) to app (.+?) failed ?: ?(.*)$",
    )
    .expect("the sentence pattern is valid")
});

/// The start of a Tasks sentence, complete or not: a line holding only this was cut by the page it was
/// copied from.
static SENTENCE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bautomatic (?:provisioning|profile push) of\b").expect("the pattern is valid")
});

/// The System Log's `<displayMessage> FAILURE: <reason>` as admins copy it (`Push new user to external
/// application FAILURE: …`, `Sync user in external application FAILURE:`).
static EXTERNAL_FAILURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:in|to|from) (?:the )?external application ?failure\b ?:? ?(.*)$")
        .expect("the pattern is valid")
});

/// The forms of an Okta provisioning error copied without its sentence (spec, Words): the app's answer as
/// Okta relays it, and Okta's `Error while <operation> …:` and the like.
static BARE_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\berrors? reported by (?:the )?(?:remote server|connector)\b",
        r"|\berror while [a-z]+ing\b[^:]*:",
        r"|\berror (?:authenticating|executing [a-z]+)\b ?:",
        r"|\bcould not [a-z]+\b.{0,160}\breceived error\b",
        r"|\bunable to update group push mapping\b",
        r"|\b(?:could not|couldn't|unable to|failed to) (?:create|update|push|provision|deprovision|deactivate|reactivate|sync|import|assign|unassign|verify|validate|remove|add)\b.{0,60}\b(?:user|group|profile|account|credentials|membership)\b",
        r"|\berrors during execution\b|\b(?:httpstatuscode|apierrorcode)=\d",
        r"|\bcom\.saasure\.|\bexception\b",
        // A line that opens with an HTTP status, its reason, or an error label.
        r"|^\W{0,3}[45]\d\d\b\W+\w",
        r"|^\W{0,3}(?:bad request|unauthori[sz]ed|forbidden|not found|conflict|unprocessable entity|too many requests|internal server error|bad gateway|service unavailable|gateway time-?out)\b\W+\w",
        r"|^\W{0,3}(?:error|failure)\s*:\W*\w",
    ))
    .expect("the pattern is valid")
});

/// What a Tasks sentence says. `user` is `None` when Okta left the name out (`of user to app X`).
#[derive(Debug, PartialEq, Eq)]
pub struct Sentence {
    pub user: Option<String>,
    pub app: String,
    pub reason: Option<String>,
}

/// Finds a Tasks failure sentence in already folded text. A reason that is itself a sentence (a doubled
/// prefix) is unwrapped.
pub fn parse_sentence(folded: &str) -> Option<Sentence> {
    let caps = SENTENCE.captures(folded)?;
    let user = strip_quotes(&caps[1]);
    let app = strip_quotes(&caps[2]);
    if user.is_empty() || app.is_empty() {
        return None;
    }
    // `Automatic provisioning of user to app X failed`: no name, and "user" is not one.
    let user = (!user.eq_ignore_ascii_case("user")).then(|| user.to_owned());
    let reason = strip_quotes(&caps[3]);
    let outer = Sentence {
        user,
        app: app.to_owned(),
        reason: (!reason.is_empty()).then(|| reason.to_owned()),
    };
    match outer.reason.as_deref().and_then(parse_sentence) {
        Some(inner) => Some(Sentence {
            user: outer.user.or(inner.user),
            app: outer.app,
            reason: inner.reason,
        }),
        None => Some(outer),
    }
}

/// Trims white space and the quotes a paste tends to carry around a sentence or a name.
fn strip_quotes(s: &str) -> &str {
    const QUOTES: &[char] = &['"', '\'', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}', '`'];
    s.trim().trim_matches(QUOTES).trim()
}

/// True for a folded line that holds the start of a Tasks sentence whose end is on the next line: the
/// sentence is cut before its reason, or its reason ends in a colon.
fn is_cut_sentence(folded: &str) -> bool {
    if !SENTENCE_START.is_match(folded) {
        return false;
    }
    match parse_sentence(folded) {
        None => true,
        Some(s) => s.reason.is_none_or(|r| r.ends_with(':')),
    }
}

/// True for a line that can be the rest of a cut Tasks sentence: not a record of its own.
fn continues(folded: &str) -> bool {
    let t = strip_quotes(folded);
    !t.is_empty()
        && !t.starts_with(['{', '['])
        && !SENTENCE_START.is_match(t)
        && !t.starts_with(|c: char| c.is_ascii_digit())
}

/// Turns one line of text into a record.
pub fn line_record(text: &str, source: Source) -> Record {
    let folded = fold(text);
    if let Some(s) = parse_sentence(&folded) {
        return Record::Failure(Box::new(Finding {
            source,
            user: s.user,
            app: Some(s.app),
            reason: s.reason,
            ..Finding::default()
        }));
    }
    let line = strip_quotes(&folded);
    if let Some(caps) = EXTERNAL_FAILURE.captures(line) {
        // The detail after FAILURE: is the reason; with none, the line itself is all there is to match.
        let detail = strip_quotes(&caps[1]);
        let reason = if detail.is_empty() { line } else { detail };
        return Record::Failure(Box::new(Finding {
            source,
            reason: Some(reason.to_owned()),
            ..Finding::default()
        }));
    }
    let finding = Box::new(Finding {
        source,
        reason: Some(line.to_owned()),
        ..Finding::default()
    });
    if BARE_ERROR.is_match(line) {
        Record::Bare(finding)
    } else {
        Record::Candidate(finding)
    }
}

pub fn read(input: impl Read + Send, reading: &Reading, sink: &mut dyn Sink) -> Result<(), ReadFail> {
    // Matching lines against the rules, the costly part, happens in the sink on this thread anyway: workers
    // would only add hand-offs, so text is cut and parsed here.
    let one = Reading {
        threads: 1,
        ..reading.clone()
    };
    parallel::run(Lines::new(input, reading.limits), parse_block, &one, sink)
}

/// The records of one block of lines. A line of nothing but white space is no record; a line that is a
/// JSON event (pasted among the text) is that event. A Tasks sentence cut over two lines is one record,
/// placed on the line it starts on (a cut that falls on the border of two blocks is read as two lines).
fn parse_block(block: &Block, reading: &Reading) -> Vec<Parsed> {
    let mut out = Vec::with_capacity(block.frames.len());
    let text_of = |k: usize| -> Option<String> {
        let frame = block.frames.get(k)?;
        if parallel::broken_frame(frame, reading).is_some() {
            return None;
        }
        Some(super::lossy(&block.bytes[frame.start..frame.end]).into_owned())
    };
    let mut k = 0;
    while k < block.frames.len() {
        let frame = &block.frames[k];
        k += 1;
        let record = match parallel::broken_frame(frame, reading) {
            Some(broken) => broken,
            None => {
                let bytes = &block.bytes[frame.start..frame.end];
                let source = reading.source(frame.line);
                if let Some(events) = super::json::event_line(bytes, &source, &reading.limits) {
                    out.extend(events);
                    continue;
                }
                let mut text = super::lossy(bytes).into_owned();
                if text.trim().is_empty() {
                    continue;
                }
                if is_cut_sentence(&fold(&text)) {
                    if let Some(next) = text_of(k).filter(|t| continues(&fold(t))) {
                        text.push(' ');
                        text.push_str(&next);
                        k += 1;
                    }
                }
                line_record(&text, source)
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
                user: Some("John Doe".into()),
                app: "Salesforce.com".into(),
                reason: Some("License Limit Exceeded.".into())
            })
        );
    }

    #[test]
    fn names_with_spaces_dots_apostrophes_accents_and_colons_survive() {
        let s = sentence("2024-04-21T12:47:34Z ERROR “Automatic provisioning of user Zoë O'Brien-Núñez Jr. to app Acme: HR (Prod) v2.1 failed: Matching user not found”")
            .expect("a sentence");
        assert_eq!(s.user.as_deref(), Some("Zoë O'Brien-Núñez Jr."));
        assert_eq!(s.app, "Acme: HR (Prod) v2.1");
        assert_eq!(s.reason.as_deref(), Some("Matching user not found"));
    }

    #[test]
    fn case_and_spacing_do_not_matter_and_profile_push_counts() {
        let s = sentence("AUTOMATIC  PROFILE PUSH OF jane@example.com   TO APP AWS IAM Identity Center FAILED : Bad Request")
            .expect("a sentence");
        assert_eq!(
            (s.user.as_deref(), s.app.as_str()),
            (Some("jane@example.com"), "AWS IAM Identity Center")
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

    /// A sink that keeps what it is given.
    #[derive(Default)]
    struct Collect {
        records: Vec<Record>,
    }

    impl Sink for Collect {
        fn push(&mut self, record: Record) -> Result<(), crate::input::Stop> {
            self.records.push(record);
            Ok(())
        }
        fn push_event(
            &mut self,
            _: Option<crate::record::EventKey>,
            record: Record,
        ) -> Result<(), crate::input::Stop> {
            self.push(record)
        }
    }

    fn record(text: &str) -> Record {
        line_record(
            text,
            Source {
                path: "-".into(),
                line: 1,
            },
        )
    }

    fn failure(text: &str) -> Finding {
        match record(text) {
            Record::Failure(f) | Record::Bare(f) => *f,
            other => panic!("{text:?} is a failure, not {other:?}"),
        }
    }

    #[test]
    fn a_sentence_without_a_name_has_no_user() {
        let s = sentence("Automatic provisioning of user to app Microsoft Office 365 failed: Could not validate your Office 365 credentials")
            .expect("a sentence");
        assert_eq!(s.user, None);
        assert_eq!(s.app, "Microsoft Office 365");
    }

    #[test]
    fn a_doubled_prefix_is_unwrapped() {
        let s = sentence("Automatic provisioning of user Ana Lima to app Slack failed: Automatic provisioning of user Ana Lima to app Slack failed: Matching user not found")
            .expect("a sentence");
        assert_eq!(s.user.as_deref(), Some("Ana Lima"));
        assert_eq!(s.app, "Slack");
        assert_eq!(s.reason.as_deref(), Some("Matching user not found"));
    }

    #[test]
    fn the_system_log_failure_shape_is_a_failure_with_its_detail() {
        let f = failure("Push new user to external application FAILURE: Username must be in the form of an email address (for example, john@acme.com): Username");
        assert_eq!(
            f.reason.as_deref(),
            Some("Username must be in the form of an email address (for example, john@acme.com): Username")
        );
        assert_eq!((f.user, f.app), (None, None));
        // With no detail, the line is all there is.
        let f = failure("Sync user in external application FAILURE:");
        assert_eq!(
            f.reason.as_deref(),
            Some("Sync user in external application FAILURE:")
        );
    }

    #[test]
    fn bare_okta_error_forms_are_failures_even_unmatched() {
        for text in [
            "Bad Gateway. Errors reported by remote server: something no rule knows",
            "Error while deactivating user Ana Lima: something no rule knows",
            "Error authenticating: Forbidden. Errors reported by remote server:",
            "Could not push profile for Office 365 user <user>, received error: something",
            "Unable to update Group Push mapping target App group Sales: something",
            "409 - something no rule knows",
            "Forbidden. something no rule knows",
            "Error: something no rule knows",
        ] {
            failure(text);
        }
        for text in [
            "Bad Request",
            "Forbidden",
            "Error while reading the file",
            "an error occurred",
            "404",
        ] {
            assert!(matches!(record(text), Record::Candidate(_)), "{text}");
        }
    }

    #[test]
    fn a_sentence_cut_over_two_lines_is_one_record_on_its_first_line() {
        let input = "Automatic provisioning of user John Doe to app\nSalesforce.com failed: License Limit Exceeded.\nAutomatic provisioning of user Ana Lima to app Box failed: Error while verifying if user Ana Lima exists: Unauthorized. Errors reported by remote server:\nInvalid SCIM token\n\nAutomatic provisioning of user Bo to app X failed: Matching user not found\n";
        let mut sink = Collect::default();
        let reading = Reading {
            path: "-".into(),
            threads: 1,
            limits: crate::input::block::Limits::default(),
        };
        read(input.as_bytes(), &reading, &mut sink).expect("reads");
        type Seen = (u64, Option<String>, Option<String>, Option<String>);
        let got: Vec<Seen> = sink
            .records
            .iter()
            .map(|r| match r {
                Record::Failure(f) => (f.source.line, f.user.clone(), f.app.clone(), f.reason.clone()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            got,
            [
                (1, Some("John Doe".into()), Some("Salesforce.com".into()), Some("License Limit Exceeded.".into())),
                (
                    3,
                    Some("Ana Lima".into()),
                    Some("Box".into()),
                    Some("Error while verifying if user Ana Lima exists: Unauthorized. Errors reported by remote server: Invalid SCIM token".into())
                ),
                (6, Some("Bo".into()), Some("X".into()), Some("Matching user not found".into())),
            ]
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
