//! `provdiag pull`: the System Log read straight from Okta's API, page by page, each page diagnosed as it
//! arrives. `http` asks for a page, `link` finds the next one, `org` holds the address and the token, `state`
//! remembers where a pull ended, `page` splits a page into the events it saves.

mod dpop;
mod http;
mod link;
mod oauth;
mod org;
mod page;
mod state;

use anyhow::{anyhow, bail, Context, Result};
use jiff::Timestamp;
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use url::Url;

use crate::cli::Pull;
use crate::fail_on::FailOn;
use crate::group::Filter;
use crate::input::{self, InputFormat};
use crate::okta::PROVISIONING_PREFIXES;
use crate::pipeline::{Input, Options, Pipeline};
use crate::rules::RuleTable;
use crate::when;
use http::{Client, Settings};
use org::{Org, Token};
use page::{Latest, Save};
use state::State;

/// How many events Okta may send a page: its maximum.
const LIMIT: &str = "1000";

/// Runs `pull`: the exit code the diagnosis asks for (2 if the pull could not finish: what was read is
/// reported first), or an error that ends the run before or instead of the report.
pub(crate) fn run(
    args: &Pull,
    table: &RuleTable,
    to_terminal: bool,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    let fail_on = FailOn::parse(&args.report.fail_on, table)?;
    let org = Org::parse(&args.org)?;
    let mut token = Token::from_env(&org)?;
    let chosen = token.chosen.take();
    let start = Start::new(&org, args)?;
    let save = args.save.as_deref().map(Save::create).transpose()?;
    let interrupted = Arc::new(AtomicBool::new(false));
    if args.follow {
        on_ctrl_c(interrupted.clone())?;
    }
    let settings = Settings {
        timeout: args.timeout,
        max_wait: args.max_wait,
        interrupted,
    };
    let mut client = Client::new(org, token, settings);
    if let Some(chosen) = chosen {
        client.notes.credential(&chosen);
    }
    if let (Some(path), true, true) = (&args.state, start.resumed, args.since.is_some()) {
        client.notes.since_ignored(path);
    }
    // No time filter: the window is what Okta was asked for (and a resumed pull has none of its own).
    let filter = Filter {
        since: None,
        until: None,
        apps: args.report.apps.clone(),
    };
    let r = &args.report;
    let options = Options::new(
        InputFormat::Json,
        r.format,
        r.strict,
        r.redact,
        to_terminal,
        r.brief,
        filter,
    )?;
    let reading = input::ReadOptions::new(options.input)?;
    let mut pipeline = Pipeline::new(table, &options, out);
    let mut reader = Reader {
        latest: start.latest,
        next: start.next,
        save,
        pages: 0,
        events: 0,
    };
    let ended = reader.read(&mut client, &mut pipeline, &reading, start.url, args);
    client.notes.clear();
    match ended {
        Ok(()) => {}
        Err(End::Stop(why)) => return Err(why),
        Err(End::Output(e)) => return Err(e.into()),
        // Said on stderr and counted as an input that could not be read: the report of what was read says
        // so instead of "no failures", and the exit code is 2.
        Err(End::Failed(e)) => pipeline.unreadable(&match reader.pages {
            0 => e,
            1 => e.context("the pull stopped after 1 page"),
            n => e.context(format!("the pull stopped after {n} pages")),
        }),
    }
    let report = pipeline.finish()?;
    if let Some(path) = &args.state {
        reader.state(client.org()).save(path)?;
    }
    Ok(fail_on.exit_code(&report, args.report.include_resolved))
}

/// Where a pull starts.
struct Start {
    url: Url,
    /// Where the last pull ended without a `next` link: its latest time and the events read at it.
    latest: Latest,
    /// Where the last pull ended with one: `url` itself. Kept as the position until a page is read, so that
    /// a pull that fails at once leaves the state as it was.
    next: Option<Url>,
    /// True if a state file said where to start.
    resumed: bool,
}

impl Start {
    fn new(org: &Org, args: &Pull) -> Result<Start> {
        let state = match &args.state {
            Some(path) => State::load(path)?.map(|s| (path, s)),
            None => None,
        };
        if let Some((path, state)) = state {
            if state.org != org.origin() {
                bail!(
                    "--state {} holds where a pull from {} ended, not {}: give each org its own state file",
                    path.display(),
                    state.org,
                    org.origin()
                );
            }
            if let Some(next) = &state.next {
                let url = Url::parse(next)
                    .ok()
                    .filter(|url| org.owns(url))
                    .with_context(|| {
                        format!(
                            "--state {} holds a link outside {}: delete it to start again from --since",
                            path.display(),
                            org.origin()
                        )
                    })?;
                return Ok(Start {
                    next: Some(url.clone()),
                    url,
                    latest: Latest::default(),
                    resumed: true,
                });
            }
            if let Some(since) = &state.since {
                return Ok(Start {
                    url: query(org, since, None),
                    latest: Latest::after(since, &state.seen),
                    next: None,
                    resumed: true,
                });
            }
        }
        let now = Timestamp::now();
        let since = when::parse(args.since.as_deref().unwrap_or("24h"), now).context("--since")?;
        let until = match &args.until {
            Some(text) => Some(when::parse(text, now).context("--until")?),
            None => None,
        };
        if let Some(until) = until.filter(|&u| u <= since) {
            bail!("--until ({until}) is not after --since ({since})");
        }
        let since = since.to_string();
        Ok(Start {
            url: query(org, &since, until.map(|u| u.to_string()).as_deref()),
            latest: Latest::starting(&since),
            next: None,
            resumed: false,
        })
    }
}

/// The first request: provisioning events only (successes too, which resolve failures), oldest first.
/// Without `until` it is what Okta calls a polling request (events by the time Okta stored them, so none is
/// missed for arriving late, and a `next` link on every page); with one, a bounded request.
fn query(org: &Org, since: &str, until: Option<&str>) -> Url {
    // Without the prefixes' final dots: the same events, in the form Okta's own examples use.
    let filter = PROVISIONING_PREFIXES
        .iter()
        .map(|p| format!("eventType sw \"{}\"", p.trim_end_matches('.')))
        .collect::<Vec<_>>()
        .join(" or ");
    let mut url = org.logs_url();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("filter", &filter).append_pair("since", since);
        if let Some(until) = until {
            q.append_pair("until", until);
        }
        q.append_pair("limit", LIMIT)
            .append_pair("sortOrder", "ASCENDING");
    }
    url
}

/// Why reading pages ended early.
enum End {
    /// The report's sink stopped the run (`--strict`, a closed stdout), for this reason.
    Stop(anyhow::Error),
    /// Okta, the network, or `--save` failed.
    Failed(anyhow::Error),
    /// The report could not be written (a closed stdout).
    Output(std::io::Error),
}

/// Reads pages into the pipeline and keeps track of where it got.
struct Reader {
    latest: Latest,
    /// The `next` link of the last page read, if it had one (before the first page: the state's link).
    next: Option<Url>,
    save: Option<Save>,
    pages: u64,
    events: u64,
}

impl Reader {
    fn read(
        &mut self,
        client: &mut Client,
        pipeline: &mut Pipeline<'_>,
        reading: &input::ReadOptions,
        mut url: Url,
        args: &Pull,
    ) -> Result<(), End> {
        loop {
            let Some(page) = client.get(&url).map_err(End::Failed)? else {
                return Ok(()); // Ctrl-C
            };
            let events = self.page(client, pipeline, reading, &page.body)?;
            if args.follow {
                pipeline.flush().map_err(End::Output)?;
            }
            self.next = page.next.clone();
            let next = match page.next {
                Some(next) => next,
                // The pages ended (a bounded request); --follow asks for what comes after the latest event.
                None if args.follow => query(client.org(), &self.latest.since(), None),
                None => return Ok(()),
            };
            // An empty page ends a read (Okta's polling requests always have a next link); a link back to the
            // same page would read it again.
            let caught_up = events == 0 || next == url || self.next.is_none();
            if caught_up {
                if !args.follow {
                    return Ok(());
                }
                client.notes.polling(args.poll_interval);
                if !client.sleep(args.poll_interval) {
                    return Ok(());
                }
            }
            url = next;
        }
    }

    /// Saves and diagnoses one page (leaving out what the last pull read); how many events it held.
    fn page(
        &mut self,
        client: &mut Client,
        pipeline: &mut Pipeline<'_>,
        reading: &input::ReadOptions,
        body: &[u8],
    ) -> Result<usize, End> {
        self.pages += 1;
        let name: Arc<str> = format!("{} page {}", client.org().logs_url(), self.pages).into();
        // Okta sends UTF-8; bytes that are not cost only their characters, as in any other input.
        let lossy;
        let events = match page::split(body) {
            Some(events) => events,
            None => {
                lossy = String::from_utf8_lossy(body);
                page::split(lossy.as_bytes()).ok_or_else(|| {
                    End::Failed(anyhow!(
                        "{name}: the answer is not a JSON array of events: is {} an Okta org?",
                        client.org().origin()
                    ))
                })?
            }
        };
        let fresh = self.latest.take_fresh(&events);
        if let Some(save) = &mut self.save {
            save.events(&fresh).map_err(End::Failed)?;
        }
        self.events += fresh.len() as u64;
        client.notes.page(self.pages, self.events);
        if !fresh.is_empty() {
            let joined = (fresh.len() < events.len()).then(|| page::join(&fresh));
            let bytes = joined.as_deref().unwrap_or(body);
            pipeline
                .read(Input::Page { bytes, name: &name }, reading)
                .map_err(End::Stop)?;
        }
        Ok(events.len())
    }

    /// Where the next pull should start: Okta's `next` link, else after the latest event read.
    fn state(&self, org: &Org) -> State {
        let mut state = State::new(org.origin());
        match &self.next {
            Some(next) => state.next = Some(next.to_string()),
            None => {
                state.since = Some(self.latest.since());
                state.seen = self.latest.seen();
            }
        }
        state
    }
}

/// Ctrl-C (and SIGTERM, as a service manager stops a job) ends `--follow` with the report; a second one ends
/// the process at once. ctrlc over signal-hook: one handler is all this needs, and it works on Windows too.
fn on_ctrl_c(interrupted: Arc<AtomicBool>) -> Result<()> {
    ctrlc::set_handler(move || {
        if interrupted.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    })
    .context("cannot catch Ctrl-C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_asks_for_provisioning_events_oldest_first() {
        let org = Org::parse("acme.okta.com").expect("org");
        let url = query(&org, "2024-04-20T12:00:00Z", Some("2024-04-21T12:00:00Z"));
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(
            get("filter"),
            Some(
                r#"eventType sw "application.provision" or eventType sw "application.integration" or eventType sw "application.configuration" or eventType sw "app.user_management""#
            )
        );
        assert_eq!(get("since"), Some("2024-04-20T12:00:00Z"));
        assert_eq!(get("until"), Some("2024-04-21T12:00:00Z"));
        assert_eq!(get("limit"), Some("1000"));
        assert_eq!(get("sortOrder"), Some("ASCENDING"));
        assert_eq!(url.path(), "/api/v1/logs");
        assert_eq!(
            query(&org, "x", None)
                .query_pairs()
                .filter(|(k, _)| k == "until")
                .count(),
            0
        );
    }
}
