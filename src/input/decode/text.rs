//! Pasted text, a block of lines at a time: one record per non-blank line; a Tasks failure sentence anywhere in
//! the line makes it a failure.

use super::line::line_record;
use crate::input::reading::Reading;
use crate::input::split::Block;
use crate::okta::tasks::{continues, is_cut_sentence};
use crate::record::Parsed;
use crate::text::fold;

/// The records of one block of lines. A line of nothing but white space is no record; a line that is a
/// JSON event (pasted among the text) is that event. A Tasks sentence cut over two lines is one record,
/// placed on the line it starts on (a cut that falls on the border of two blocks is read as two lines).
pub fn parse_block(block: &Block, reading: &Reading) -> Vec<Parsed> {
    let mut out = Vec::with_capacity(block.frames.len());
    let text_of = |k: usize| -> Option<String> {
        let frame = block.frames.get(k)?;
        if super::broken_frame(frame, reading).is_some() {
            return None;
        }
        Some(crate::text::lossy(&block.bytes[frame.start..frame.end]).into_owned())
    };
    let mut k = 0;
    while k < block.frames.len() {
        let frame = &block.frames[k];
        k += 1;
        let record = match super::broken_frame(frame, reading) {
            Some(broken) => broken,
            None => {
                let bytes = &block.bytes[frame.start..frame.end];
                let source = reading.source(frame.line);
                if let Some(events) = super::json::event_line(bytes, &source, &reading.limits) {
                    out.extend(events);
                    continue;
                }
                let mut text = crate::text::lossy(bytes).into_owned();
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
    use crate::okta::tasks::{parse_sentence, Sentence};
    use crate::record::{Finding, Record, Source};

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
    fn the_unconfirmed_operations_give_their_user_and_app_too() {
        // The anatomy counts these as Tasks sentences (okta-formats.md §1: other prefixes are not
        // confirmed, so read them tolerantly); the line reader takes the same user and app from them.
        for op in ["deactivation", "reactivation", "deprovisioning", "push"] {
            let s = sentence(&format!(
                "Automatic {op} of user Ana Lima to app Box failed: Forbidden"
            ))
            .unwrap_or_else(|| panic!("{op}: a sentence"));
            assert_eq!(
                (s.user.as_deref(), s.app.as_str()),
                (Some("Ana Lima"), "Box"),
                "{op}"
            );
            assert_eq!(s.reason.as_deref(), Some("Forbidden"), "{op}");
        }
        assert!(sentence("Automatic renewal of user Ana Lima to app Box failed: x").is_none());
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
