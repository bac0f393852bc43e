//! The one driver: every input (a file, stdin, a message, a page of the API) read into the sink the readers
//! feed, where every record is filtered (`--since`, `--until`, `--app`), matched against the rules,
//! redacted, handed to the group stage, and streamed to the report writer. `run_pipeline` drives files;
//! `pull` drives pages through the same `Pipeline::read`.

use anyhow::anyhow;
use std::io::{self, Write};
use std::sync::Arc;

use anyhow::Result;

use crate::group::{Failure, Filter, Ledger, Report, Seen};
use crate::input::{self, InputFormat, InputSpec, ReadFail, Sink, Stop};
use crate::record::{EventKey, Finding, InputError, OtherEvent, Record, Success, Why};
use crate::redact::{self, RedactKey, Redactor};
use crate::report::{self, Notes, Progress, Writer};
use crate::rules::{Diagnosis, RuleTable};
use crate::verdict::Verdict;

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
/// malformed record under `--strict`, or a failed write.
pub fn run_pipeline(
    inputs: &[InputSpec],
    options: &Options,
    table: &RuleTable,
    out: &mut dyn Write,
) -> Result<Report> {
    run_pipeline_with(inputs, options, table, out, &mut Verdict::default())
}

/// `run_pipeline`, with the verdict (`--fail-on`, `--state`) applied to the report before it is written. A
/// closed stdout ends the reading, and the report is what was read so far (its exit code stands).
pub fn run_pipeline_with(
    inputs: &[InputSpec],
    options: &Options,
    table: &RuleTable,
    out: &mut dyn Write,
    verdict: &mut Verdict,
) -> Result<Report> {
    let reading = input::ReadOptions::new(options.input)?;
    let mut pipeline = Pipeline::new(table, options, out);
    for spec in inputs {
        match pipeline.read(Input::Spec(spec), &reading) {
            Ok(()) => {}
            Err(_) if pipeline.closed() => break,
            Err(why) => return Err(why),
        }
    }
    Ok(pipeline.finish_with(verdict)?)
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
    /// What `--since`, `--until` and `--app` left out, to say so when they kept nothing.
    filtered: Filtered,
    /// Stdout was closed (`provdiag … | head`): nothing more is written, and the run ends with the exit code
    /// what was read so far asks for.
    closed: bool,
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
            closed: false,
            filtered: Filtered::default(),
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
        self.input.unreadable = true;
        self.progress.done();
        self.notes.unreadable(e);
        self.ledger.unreadable(format!("{e:#}"));
    }

    /// The input `name` has been read: says once what its figures could not tell, for want of a field, and
    /// (for an input of the command line's) what it held if nothing of it was a provisioning operation. A page
    /// of the API holds what `pull` asked Okta for.
    fn input_done(&mut self, name: &str, page: bool) {
        let carried = std::mem::take(&mut self.input);
        let name = if name == "-" { "standard input" } else { name };
        if !carried.unreadable && !page {
            self.nothing_of_oktas(name, &carried);
        }
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

    /// A green run must mean "no failures", never "read nothing" (spec, "Input that is not Okta's"): an input
    /// blank to its end gets a note; one that holds records but nothing of Okta's cannot be read (exit 2);
    /// events without a provisioning event among them (a sign-ins export) get a note saying what they were.
    fn nothing_of_oktas(&mut self, name: &str, carried: &Carried) {
        let records = self.ledger.summary().records - self.input_start.0;
        let others = carried.sign_ins + carried.other_events;
        if name == "--message" || carried.duplicates > 0 {
            // `-m` text is the user's word; duplicates are events read already.
        } else if records == 0 {
            self.note(format!(
                "{name} is empty (nothing but blank space): nothing was read from it"
            ));
        } else if carried.provisioning == 0 && others == 0 {
            let e = anyhow!(
                "{name}: nothing in it is Okta's: none of its {records} record{} is a System Log event, a Tasks \
                 error or an Okta error message (a sign-in page or another file saved in the export's place?)",
                if records == 1 { "" } else { "s" }
            );
            self.unreadable(&e);
        } else if carried.provisioning == 0 {
            self.note(format!(
                "{name} holds {others} event{} and none is a provisioning event ({} sign-in{}, {} other{}): provisioning \
                 failures are events of type application.provision.*, application.integration.*, \
                 application.configuration.* and app.user_management*; export those",
                if others == 1 { "" } else { "s" },
                carried.sign_ins,
                if carried.sign_ins == 1 { "" } else { "s" },
                carried.other_events,
                if carried.other_events == 1 { "" } else { "s" },
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
        let page = matches!(input, Input::Page { .. });
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
        self.input_done(&name, page);
        Ok(())
    }

    /// Sends what was written so far on its way: `pull --follow` streams findings as pages arrive.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// True once stdout was found closed: the run ends with what was read so far.
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// Resolves and groups what was read, applies the verdict (`--fail-on`, `--state`), writes the report
    /// (unless stdout was closed); the report.
    pub fn finish_with(mut self, verdict: &mut Verdict) -> io::Result<Report> {
        self.progress.done();
        self.notes.finish();
        if let Some(note) = self.filtered.note(&self.filter) {
            self.note(note);
        }
        let carried = verdict.resolved_by(&mut self.ledger);
        let mut report = self.ledger.close(self.table);
        verdict.decide(&mut report, &carried, self.table);
        if !self.closed {
            match self.writer.finish(self.out, &report) {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                written => written?,
            }
            if report.failures.unread() {
                return Err(io::Error::other(
                    "the details of some findings could not be read back from their temporary file: the \
                     report written lacks their places and uuids",
                ));
            }
        }
        Ok(report)
    }

    /// A failure diagnosed as `d`, unless the filter leaves it out.
    fn failure(&mut self, mut finding: Finding, d: Diagnosis) -> Result<(), Stop> {
        self.input.provisioning += 1;
        // Resolution matches people as the input names them: its facts are taken before redaction.
        let facts = self.ledger.facts(&finding);
        if !self.filter.keeps(&finding, facts.at()) {
            self.filtered.out(&finding);
            self.ledger.ignored();
            return Ok(());
        }
        self.filtered.kept += 1;
        let mut why = d.why;
        // Redacted, the failure is kept with its pseudonyms and, for resolution, the people as read.
        let before = self.redactor.as_ref().map(|_| finding.clone());
        if let Some(r) = &mut self.redactor {
            // The evidence quotes the message: the people it names are replaced as the message's are.
            match &mut why {
                Some(w) => {
                    let mut text = [w.text.to_string()];
                    r.finding_and(&mut finding, &mut text);
                    let [text] = text;
                    w.text = text.into();
                }
                None => r.finding(&mut finding),
            }
        }
        let cause = d.cause.and_then(|i| self.ids.get(i).cloned());
        let why = why.map(|w| self.shared.why(w));
        let failure = Failure {
            finding,
            cause,
            why,
            resolved_at: None,
        };
        let mut written = self.writer.finding(self.out, &failure);
        if self.flush_findings {
            written = written.and_then(|()| self.out.flush());
        }
        self.ledger.failure(failure, before.as_ref());
        self.check(written)
    }

    fn success(&mut self, Success { finding, facts }: Success) {
        self.input.provisioning += 1;
        if self.filter.keeps(&finding, facts.at()) {
            self.filtered.kept += 1;
            if let Some(r) = &mut self.redactor {
                let mut redacted = finding.clone();
                r.finding(&mut redacted);
                self.ledger.success_redacted(&redacted);
            }
            self.ledger.success(&finding, facts);
        } else {
            self.filtered.out(&finding);
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
        // Okta's wording (or the rule's match) starts, in the message as written (entities decoded,
        // escaping undone), where the rule matched.
        if let (Some(_), Some(line)) = (&self.redactor, &f.reason) {
            let line = crate::text::as_written(line);
            let at = cause.and_then(|c| self.table.found(c, &line).map(|r| r.start));
            f.reason = Some(redact::message_of(&line, at).to_owned());
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
        written.map_err(|e| {
            self.closed |= e.kind() == io::ErrorKind::BrokenPipe;
            Stop(e.into())
        })
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
            Record::Other(kind) => {
                self.input.other(kind);
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
        self.input.duplicates += 1;
        self.ledger.duplicate();
        Ok(())
    }
}

/// How many of an input's events carry the fields some figures depend on, and how many of its records are
/// Okta's at all.
#[derive(Default)]
struct Carried {
    events: u64,
    keyed: u64,
    /// Provisioning failures and successes: what resolution orders by time.
    operations: u64,
    timed: u64,
    /// Failures and successes of any shape (events, Tasks lines, Okta's errors).
    provisioning: u64,
    /// Events that are no provisioning operation: sign-ins, and the others.
    sign_ins: u64,
    other_events: u64,
    /// Events already read from another input (or earlier in this one): Okta's too.
    duplicates: u64,
    /// The input could not be read (said already).
    unreadable: bool,
}

impl Carried {
    fn other(&mut self, kind: OtherEvent) {
        match kind {
            OtherEvent::SignIn => self.sign_ins += 1,
            OtherEvent::Event => self.other_events += 1,
        }
    }

    fn count(&mut self, keyed: bool, record: &Record) {
        let operation = match record {
            Record::Failure(f) => Some(&**f),
            Record::Success(s) => Some(&s.finding),
            Record::Ignored | Record::Other(_) => None,
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

/// What the filter (`--since`, `--until`, `--app`) left out: how many failures and successes, from which apps,
/// over which times.
#[derive(Default)]
struct Filtered {
    kept: u64,
    out: u64,
    /// The apps of what was left out, each once (at most `APPS_KEPT`).
    apps: Vec<String>,
    first: Option<jiff::Timestamp>,
    last: Option<jiff::Timestamp>,
}

/// How many app names are kept for the note's nearest names.
const APPS_KEPT: usize = 1000;

impl Filtered {
    fn out(&mut self, f: &Finding) {
        self.out += 1;
        if let Some(app) = &f.app {
            if self.apps.len() < APPS_KEPT && !self.apps.contains(app) {
                self.apps.push(app.clone());
            }
        }
        if let Some(at) = f.published.as_deref().and_then(crate::when::published) {
            self.first = Some(self.first.map_or(at, |t| t.min(at)));
            self.last = Some(self.last.map_or(at, |t| t.max(at)));
        }
    }

    /// The note for a filter that kept nothing of what it was given: which filter, and what it could have kept.
    fn note(&self, filter: &Filter) -> Option<String> {
        if self.kept > 0 || self.out == 0 {
            return None;
        }
        let mut named = Vec::new();
        if !filter.apps.is_empty() {
            let wanted: Vec<String> = filter.apps.iter().map(|a| format!("--app {a}")).collect();
            let mut near: Vec<(f64, &String)> = self
                .apps
                .iter()
                .map(|have| {
                    let best = filter
                        .apps
                        .iter()
                        .map(|want| strsim::jaro_winkler(&want.to_lowercase(), &have.to_lowercase()))
                        .fold(0.0, f64::max);
                    (best, have)
                })
                .collect();
            near.sort_by(|a, b| b.0.total_cmp(&a.0));
            let names: Vec<&str> = near.iter().take(3).map(|(_, a)| a.as_str()).collect();
            let seen = if names.is_empty() {
                String::new()
            } else {
                format!(" (the nearest app names read: {})", names.join(", "))
            };
            named.push(format!("{}{seen}", wanted.join(" ")));
        }
        if filter.since.is_some() || filter.until.is_some() {
            let mut window = Vec::new();
            if let Some(s) = filter.since {
                window.push(format!("--since {}", crate::group::time_text(s)));
            }
            if let Some(u) = filter.until {
                window.push(format!("--until {}", crate::group::time_text(u)));
            }
            let span = match (self.first, self.last) {
                (Some(a), Some(b)) => format!(
                    " (what was read runs from {} to {})",
                    crate::group::time_text(a),
                    crate::group::time_text(b)
                ),
                _ => String::new(),
            };
            named.push(format!("{}{span}", window.join(" ")));
        }
        Some(format!(
            "{} kept none of the {} provisioning failures and successes read",
            named.join(" and "),
            self.out
        ))
    }
}
