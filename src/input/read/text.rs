//! Pasted text: the line splitter, and the text decoder reading each block of lines.

use std::io::Read;

use crate::input::decode::text::parse_block;
use crate::input::parallel;
use crate::input::reading::Reading;
use crate::input::sink::{ReadFail, Sink};
use crate::input::split::lines::Lines;

pub fn read(input: impl Read + Send, reading: &Reading, sink: &mut dyn Sink) -> Result<(), ReadFail> {
    // Matching lines against the rules, the costly part, happens in the sink on this thread anyway: workers
    // would only add hand-offs, so text is cut and parsed here.
    let one = Reading {
        threads: 1,
        ..reading.clone()
    };
    parallel::run(Lines::new(input, reading.limits), parse_block, &one, sink)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;

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

    #[test]
    fn a_sentence_cut_over_two_lines_is_one_record_on_its_first_line() {
        let input = "Automatic provisioning of user John Doe to app\nSalesforce.com failed: License Limit Exceeded.\nAutomatic provisioning of user Ana Lima to app Box failed: Error while verifying if user Ana Lima exists: Unauthorized. Errors reported by remote server:\nInvalid SCIM token\n\nAutomatic provisioning of user Bo to app X failed: Matching user not found\n";
        let mut sink = Collect::default();
        let reading = Reading {
            path: "-".into(),
            threads: 1,
            limits: crate::input::split::Limits::default(),
            users_word: false,
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
}
