//! The one driver: every input (a file, stdin, a message, a page of the API) read into the sink the readers
//! feed, where every record is filtered (`--since`, `--until`, `--app`), matched against the rules,
//! redacted, handed to the group stage, and streamed to the report writer. `run_pipeline` drives files;
//! `pull` drives pages through the same `Pipeline::read`.

use anyhow::anyhow;
use std::io::{self, Write};
use std::sync::Arc;

use anyhow::Result;

use crate::group::{Filter, Ledger, Report, Seen};
use crate::input::{self, InputFormat, InputSpec, ReadFail, Sink, Stop};
use crate::record::{EventKey, Finding, InputError, Record, Success, Why};
use crate::redact::{self, RedactKey, Redactor};
use crate::report::{self, Notes, Progress, Writer};
use crate::rules::{Diagnosis, RuleTable};

/// How to read and report, for `run_pipeline` and `pull`.
pub struct Options {
    pub input: InputFormat,
    pub format: report::OutputFormat,
    pub strict: bool,
    /// `--redact`, with the key pseudonyms are made with.
    pub redact: Option<RedactKey>,
    /// The report goes to a terminal: the text report wraps to its width.
    pub to_terminal: bool,
    /// `--brief`: text and markdown print the overview and the figures only.
    pub brief: bool,
    /// `--since`, `--until` and `--app`.
    pub filter: Filter,
}

impl Options {
    /// The options of a run; with `redact`, the key is PROVDIAG_REDACT_KEY, else a random one for this run
    /// (said on stderr, since pseudonyms then differ from run to run).
    pub fn new(
        input: InputFormat,
        format: report::OutputFormat,
        strict: bool,
        redact: bool,
        to_terminal: bool,
        brief: bool,
        filter: Filter,
    ) -> Result<Self> {
        Ok(Self {
            input,
            format,
            strict,
            redact: if redact { Some(redact_key()?) } else { None },
            to_terminal,
            brief,
            filter,
        })
    }
}

fn redact_key() -> Result<RedactKey> {
    match std::env::var_os("PROVDIAG_REDACT_KEY").filter(|k| !k.is_empty()) {
        Some(key) => Ok(RedactKey::new(key.as_encoded_bytes())),
        None => {
            Notes::random_redact_key();
            RedactKey::random()
        }
    }
}

/// One input for the driver: what the command line names, or a page of System Log events (a JSON array,
/// as the API sends it).
pub enum Input<'a> {
    Spec(&'a InputSpec),
    Page { bytes: &'a [u8], name: &'a Arc<str> },
}

impl Input<'_> {
    fn name(&self) -> Arc<str> {
        match self {
            Input::Spec(spec) => spec.name(),
            Input::Page { name, .. } => Arc::clone(name),
        }
    }
}

/// Reads every input in turn, groups what it read into one report and writes it to `out`; an input that
/// cannot be read at all is reported and counted, and the others are read. Errors end the run: a
/// malformed record under `--strict`, or a failed write (a closed stdout among them).
pub fn run_pipeline(
    inputs: &[InputSpec],
    options: &Options,
    table: &RuleTable,
    out: &mut dyn Write,
) -> Result<Report> {
    let reading = input::ReadOptions::new(options.input)?;
    let mut pipeline = Pipeline::new(table, options, out);
    for spec in inputs {
        pipeline.read(Input::Spec(spec), &reading)?;
    }
    Ok(pipeline.finish()?)
}

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
    /// The figures when the current input began: (records, malformed).
    input_start: (u64, u64),
    /// Each finding is flushed as it is written: the input is a live stream and the report streams.
    flush_findings: bool,
    /// Every line of the input being read is a failure: the user said so (`-m`, a paste at a terminal).
    users_word: bool,
    /// The texts of every failure's evidence, shared.
    shared: Shared,
}

/// Evidence texts and alternatives shared between failures: a hundred failures of one cause hold one copy.
#[derive(Default)]
struct Shared {
    texts: std::collections::HashSet<Arc<str>>,
    lists: std::collections::HashSet<Arc<[Arc<str>]>>,
}

impl Shared {
    fn why(&mut self, mut w: Why) -> Why {
        w.text = self.text(w.text);
        let list: Vec<Arc<str>> = w.alternatives.iter().map(|a| self.text(a.clone())).collect();
        let list: Arc<[Arc<str>]> = list.into();
        w.alternatives = match self.lists.get(&list) {
            Some(l) => l.clone(),
            None => {
                self.lists.insert(list.clone());
                list
            }
        };
        w
    }

    fn text(&mut self, t: Arc<str>) -> Arc<str> {
        match self.texts.get(&t) {
            Some(s) => s.clone(),
            None => {
                self.texts.insert(t.clone());
                t
            }
        }
    }
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
            input_start: (0, 0),
            flush_findings: false,
            users_word: false,
            shared: Shared::default(),
        }
    }

    /// A new input starts; `live` if it is a stream that may arrive slowly (stdin); `users_word` if every
    /// line of it is a failure on the user's word (`-m`, a paste at a terminal).
    fn begin_input(&mut self, live: bool, users_word: bool) {
        self.users_word = users_word;
        let s = self.ledger.summary();
        self.input_start = (s.records, s.malformed);
        self.flush_findings = live && self.writer.streams();
    }

    /// The error an input makes when it held records but none could be read (the spec's exit 2).
    fn none_readable(&self, name: &str) -> Option<anyhow::Error> {
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
    fn input_done(&mut self, name: &str) {
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

    /// Reads one input to its end: what it holds goes through the pipeline; an input that cannot be read
    /// at all, or whose records none could be read, is said and counted, and the run goes on. The error
    /// is why the whole run must stop: a malformed record under `--strict`, or a failed write.
    pub fn read(&mut self, input: Input<'_>, reading: &input::ReadOptions) -> Result<()> {
        let name = input.name();
        let stdin = matches!(input, Input::Spec(InputSpec::Stdin));
        // `-m` and a paste at a terminal are failures on the user's word (spec, Words).
        let users_word = matches!(input, Input::Spec(InputSpec::Message(_)))
            || (stdin && std::io::IsTerminal::is_terminal(&std::io::stdin()));
        self.begin_input(stdin, users_word);
        let read = match input {
            Input::Spec(spec) => input::read_input(spec, reading, self),
            Input::Page { bytes, name } => input::read_page(bytes, name, self),
        };
        match read {
            Ok(()) => {
                if let Some(e) = self.none_readable(&name) {
                    self.unreadable(&e);
                }
            }
            Err(ReadFail::Stop(why)) => {
                self.progress.done();
                return Err(why);
            }
            Err(ReadFail::Input(e)) => self.unreadable(&e),
        }
        self.input_done(&name);
        Ok(())
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

    /// A failure diagnosed as `d`, unless the filter leaves it out.
    fn failure(&mut self, mut finding: Finding, d: Diagnosis) -> Result<(), Stop> {
        // Resolution matches people as the input names them: its facts are taken before redaction.
        let facts = self.ledger.facts(&finding);
        if !self.filter.keeps(&finding, facts.at()) {
            self.ledger.ignored();
            return Ok(());
        }
        if let Some(r) = &mut self.redactor {
            r.finding(&mut finding);
        }
        let cause = d.cause.and_then(|i| self.ids.get(i).cloned());
        let why = d.why.map(|w| self.shared.why(w));
        let failure = self.ledger.failure(finding, cause, why, facts);
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

    /// A pasted line without a Tasks sentence: a failure if something knows it, if it is `bare` (shaped
    /// like an Okta provisioning error), if it plainly reports an error, or on the user's word (`-m`, a
    /// paste at a terminal); else ignored.
    fn pasted(&mut self, mut f: Finding, bare: bool) -> Result<(), Stop> {
        let d = self.diagnose(&f);
        let cause = d.cause;
        if cause.is_none() && !bare && !d.plainly_an_error && !self.users_word {
            self.ledger.ignored();
            return Ok(());
        }
        // Such a line may name anyone before its message: redacted, it keeps the message from where
        // Okta's wording (or the rule's match) starts.
        if let (Some(_), Some(line)) = (&self.redactor, &f.reason) {
            let at = cause.and_then(|c| self.table.found(c, line).map(|r| r.start));
            f.reason = Some(redact::message_of(line, at).to_owned());
        }
        self.failure(f, d)
    }

    fn diagnose(&self, f: &Finding) -> Diagnosis {
        self.table.diagnose(f.reason.as_deref(), f.event_type.as_deref())
    }

    fn malformed(&mut self, e: InputError) -> Result<(), Stop> {
        if self.strict {
            return Err(Stop(anyhow!(
                "{}:{}: {} (--strict makes this fatal)",
                e.source.path,
                e.source.line,
                e.message
            )));
        }
        self.notes.malformed(&e);
        let written = self.writer.error(self.out, &e);
        self.ledger.malformed(e);
        self.check(written)
    }

    fn check(&mut self, written: io::Result<()>) -> Result<(), Stop> {
        written.map_err(|e| Stop(e.into()))
    }
}

impl Sink for Pipeline<'_> {
    fn push(&mut self, record: Record) -> Result<(), Stop> {
        self.progress.tick(self.ledger.summary().failures);
        match record {
            Record::Failure(f) => {
                let d = self.diagnose(&f);
                self.failure(*f, d)
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
