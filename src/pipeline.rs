//! The sink the readers feed: every record filtered (`--since`, `--until`, `--app`), matched against the
//! rules, redacted, handed to the group stage, and streamed to the report writer.

use anyhow::anyhow;
use std::io::{self, Write};
use std::sync::Arc;

use crate::group::{Filter, Ledger, Report, Seen};
use crate::input::{Sink, Stop};
use crate::record::{EventKey, Finding, InputError, Record, Success};
use crate::redact::{self, Redactor};
use crate::report::{Notes, Progress, Writer};
use crate::rules::RuleTable;
use crate::{report, Options};

/// The sink the readers feed: matches, redacts, groups, and streams to the writer.
pub struct Pipeline<'a> {
    table: &'a RuleTable,
    /// The rule ids, by their place in the table: a failure keeps its cause's id.
    ids: Vec<Arc<str>>,
    filter: Filter,
    ledger: Ledger,
    writer: Box<dyn Writer>,
    out: &'a mut dyn Write,
    redactor: Option<Redactor>,
    notes: Notes,
    progress: Progress,
    strict: bool,
    seen: Seen,
    /// What the input being read carries, for the notes on what it lacks.
    input: Carried,
    /// Why the run must end, once a push has returned `Stop`.
    stopped: Option<anyhow::Error>,
    /// The figures when the current input began: (records, malformed).
    input_start: (u64, u64),
    /// Each finding is flushed as it is written: the input is a live stream and the report streams.
    flush_findings: bool,
}

impl<'a> Pipeline<'a> {
    pub fn new(table: &'a RuleTable, options: &Options, out: &'a mut dyn Write) -> Self {
        Self {
            table,
            ids: table.ids().into_iter().map(Arc::from).collect(),
            filter: options.filter.clone(),
            ledger: Ledger::default(),
            writer: report::writer(options.format, options.to_terminal, options.brief),
            out,
            redactor: options.redact.as_ref().map(Redactor::new),
            notes: Notes::default(),
            progress: Progress::new(),
            strict: options.strict,
            seen: Seen::default(),
            input: Carried::default(),
            stopped: None,
            input_start: (0, 0),
            flush_findings: false,
        }
    }

    /// A new input starts; `live` if it is a stream that may arrive slowly (stdin).
    pub fn begin_input(&mut self, live: bool) {
        let s = self.ledger.summary();
        self.input_start = (s.records, s.malformed);
        self.flush_findings = live && self.writer.streams();
    }

    /// The error an input makes when it held records but none could be read (the spec's exit 2).
    pub fn none_readable(&self, name: &str) -> Option<anyhow::Error> {
        let s = self.ledger.summary();
        let records = s.records - self.input_start.0;
        let malformed = s.malformed - self.input_start.1;
        (records > 0 && malformed == records).then(|| {
            anyhow!(
                "{name}: none of its {records} record{} could be read: is it a System Log export or \
                 Tasks text? (-i picks how it is read)",
                if records == 1 { "" } else { "s" }
            )
        })
    }

    /// An input could not be read at all: say so; the run goes on.
    pub fn unreadable(&mut self, e: &anyhow::Error) {
        self.progress.done();
        self.notes.unreadable(e);
        self.ledger.unreadable(format!("{e:#}"));
    }

    /// The input `name` has been read: says once what its figures could not tell, for want of a field.
    pub fn input_done(&mut self, name: &str) {
        let carried = std::mem::take(&mut self.input);
        let name = if name == "-" { "standard input" } else { name };
        if carried.events > 0 && carried.keyed == 0 {
            self.note(format!(
                "{name}: its events carry no uuid, so repeated events cannot be found (duplicates count as new records)"
            ));
        }
        if carried.operations > 0 && carried.timed == 0 {
            self.note(format!(
                "{name}: its events carry no published time (RFC 3339), so no failure can be resolved by a later success"
            ));
        }
    }

    fn note(&mut self, text: String) {
        if self.ledger.note(text.clone()) {
            self.notes.note(&text);
        }
    }

    /// Why the run had to stop, once a push returned `Stop`.
    pub fn stop_reason(&mut self) -> anyhow::Error {
        self.progress.done();
        self.stopped.take().unwrap_or_else(|| anyhow!("stopped"))
    }

    /// Sends what was written so far on its way: `pull --follow` streams findings as pages arrive.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Resolves and groups what was read, writes the report; the report.
    pub fn finish(mut self) -> io::Result<Report> {
        self.progress.done();
        self.notes.finish();
        let report = self.ledger.close(self.table);
        self.writer.finish(self.out, &report)?;
        Ok(report)
    }

    /// A failure of rule `cause` (an index into the table), unless the filter leaves it out.
    fn failure(&mut self, mut finding: Finding, cause: Option<usize>) -> Result<(), Stop> {
        // Resolution matches people as the input names them: its facts are taken before redaction.
        let facts = self.ledger.facts(&finding);
        if !self.filter.keeps(&finding, facts.at()) {
            self.ledger.ignored();
            return Ok(());
        }
        if let Some(r) = &mut self.redactor {
            r.finding(&mut finding);
        }
        let cause = cause.and_then(|i| self.ids.get(i).cloned());
        let failure = self.ledger.failure(finding, cause, facts);
        let mut written = self.writer.finding(self.out, failure);
        if self.flush_findings {
            written = written.and_then(|()| self.out.flush());
        }
        self.check(written)
    }

    fn success(&mut self, Success { finding, facts }: Success) {
        if self.filter.keeps(&finding, facts.at()) {
            self.ledger.success(&finding, facts);
        } else {
            self.ledger.ignored();
        }
    }

    /// A pasted line without a Tasks sentence: a failure if a rule matches it or if it is `bare` (shaped
    /// like an Okta provisioning error), else ignored.
    fn pasted(&mut self, mut f: Finding, bare: bool) -> Result<(), Stop> {
        let cause = self.table.classify(&f);
        if cause.is_none() && !bare {
            self.ledger.ignored();
            return Ok(());
        }
        // Such a line may name anyone before its message: redacted, it keeps the message from where
        // Okta's wording (or the rule's match) starts.
        if let (Some(_), Some(line)) = (&self.redactor, &f.reason) {
            let at = cause.and_then(|c| self.table.match_start(c, line));
            f.reason = Some(redact::message_of(line, at).to_owned());
        }
        self.failure(f, cause)
    }

    fn malformed(&mut self, e: InputError) -> Result<(), Stop> {
        if self.strict {
            self.stopped = Some(anyhow!(
                "{}:{}: {} (--strict makes this fatal)",
                e.source.path,
                e.source.line,
                e.message
            ));
            return Err(Stop);
        }
        self.notes.malformed(&e);
        let written = self.writer.error(self.out, &e);
        self.ledger.malformed(e);
        self.check(written)
    }

    fn check(&mut self, written: io::Result<()>) -> Result<(), Stop> {
        written.map_err(|e| {
            self.stopped = Some(e.into());
            Stop
        })
    }
}

impl Sink for Pipeline<'_> {
    fn push(&mut self, record: Record) -> Result<(), Stop> {
        self.progress.tick(self.ledger.summary().failures);
        match record {
            Record::Failure(f) => {
                let cause = self.table.classify(&f);
                self.failure(*f, cause)
            }
            Record::Candidate(f) => self.pasted(*f, false),
            Record::Bare(f) => self.pasted(*f, true),
            // Not redacted: nothing of a success is shown, and resolution takes its facts before redaction.
            Record::Success(s) => {
                self.success(*s);
                Ok(())
            }
            Record::Ignored => {
                self.ledger.ignored();
                Ok(())
            }
            Record::Malformed(e) => self.malformed(*e),
        }
    }

    /// The one place duplicates are found: an event whose key was already seen is counted, not diagnosed.
    fn push_event(&mut self, key: Option<EventKey>, record: Record) -> Result<(), Stop> {
        self.input.count(key.is_some(), &record);
        if key.is_none_or(|key| self.seen.first(key)) {
            return self.push(record);
        }
        self.progress.tick(self.ledger.summary().failures);
        self.ledger.duplicate();
        Ok(())
    }
}

/// How many of an input's events carry the fields some figures depend on.
#[derive(Default)]
struct Carried {
    events: u64,
    keyed: u64,
    /// Provisioning failures and successes: what resolution orders by time.
    operations: u64,
    timed: u64,
}

impl Carried {
    fn count(&mut self, keyed: bool, record: &Record) {
        let operation = match record {
            Record::Failure(f) => Some(&**f),
            Record::Success(s) => Some(&s.finding),
            Record::Ignored => None,
            // Lines of text and broken records are no events.
            Record::Candidate(_) | Record::Bare(_) | Record::Malformed(_) => return,
        };
        if let Some(f) = operation {
            // A Tasks sentence is no event: it never had a uuid or a time to lack.
            if f.event_type.is_none() {
                return;
            }
            self.operations += 1;
            // A time in another form than RFC 3339 cannot be ordered: it counts as none.
            let timed = f.published.as_deref().and_then(crate::when::published);
            self.timed += u64::from(timed.is_some());
        }
        self.events += 1;
        self.keyed += u64::from(keyed);
    }
}
