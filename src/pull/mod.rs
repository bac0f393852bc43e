//! `provdiag pull`: the System Log read straight from Okta's API, page by page, each page diagnosed as it
//! arrives. `http` asks for a page, `link` finds the next one, `org` holds the address and the token, `state`
//! remembers where a pull ended, `page` splits a page into the events it saves.

mod dpop;
mod http;
mod link;
mod oauth;
mod org;
mod page;
mod proxy;
mod wait;

use anyhow::{anyhow, bail, Context, Result};
use jiff::Timestamp;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use url::Url;

use crate::cli::Pull;
use crate::fail_on::FailOn;
use crate::group::Filter;
use crate::input::{self, InputFormat};
use crate::okta::PROVISIONING_PREFIXES;
use crate::pipeline::{Input, Pipeline};
use crate::rules::RuleTable;
use crate::state::{Carry, StateFile};
use crate::verdict::Verdict;
use crate::when;
use http::{Client, Settings};
use org::{Org, Token};
use page::{Latest, Save};

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
    proxy::check_env()?;
    let mut token = Token::from_env(&org)?;
    let chosen = token.chosen.take();
    // The state file's directory and lock are checked before anything is asked of Okta.
    let carry = args.state.as_deref().map(Carry::open).transpose()?;
    let start = Start::new(&org, args, carry.as_ref())?;
    let save = args.save.as_deref().map(Save::create).transpose()?;
    // Ctrl-C ends any pull (not only --follow) with the report of what was read.
    let interrupted = crate::signal::listen()?;
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
    let options = r.options(InputFormat::Json, to_terminal, filter)?;
    let reading = input::ReadOptions::new(options.input)?;
    let mut pipeline = Pipeline::new(table, &options, out);
    let mut reader = Reader {
        latest: start.latest,
        next: start.next,
        save,
        pages: 0,
        events: 0,
        read: std::collections::HashSet::new(),
    };
    let ended = reader.read(&mut client, &mut pipeline, &reading, start.url, args);
    client.notes.clear();
    match ended {
        Ok(()) => {}
        // A closed stdout: the exit code is what was read so far asks for.
        Err(End::Stop(_)) if pipeline.closed() => {}
        Err(End::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
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
    let mut verdict = Verdict::new(fail_on, args.report.include_resolved, carry);
    if let Some(carry) = &mut verdict.carry {
        reader.cursor(client.org(), &mut carry.file);
    }
    let report = pipeline.finish_with(&mut verdict)?;
    Ok(verdict.finish(&report))
}

/// A URL's hash, to remember the pages read in little memory (a `--follow` reads pages for months).
fn url_hash(url: &Url) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(url.as_str())
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
    fn new(org: &Org, args: &Pull, carry: Option<&Carry>) -> Result<Start> {
        if let Some(Carry {
            path, file: state, ..
        }) = carry
        {
            // A state that only file runs wrote has no org yet.
            if !state.org.is_empty() && state.org != org.origin() {
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
    /// The pages read (their URLs' hashes): a `next` link back to one of them would loop for ever.
    read: std::collections::HashSet<u64>,
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
            if let Some(refused) = page.refused {
                return Err(End::Failed(refused));
            }
            self.read.insert(url_hash(&url));
            // An empty page's link to itself is how Okta says a polling query has caught up; any other link
            // back to a page already read would read the same pages for ever.
            if let Some(next) = &page.next {
                if self.read.contains(&url_hash(next)) && !(events == 0 && *next == url) {
                    return Err(End::Failed(anyhow!(
                        "Okta's next link leads back to a page already read ({}): the pull stops rather than read the same pages again",
                        client.org().origin()
                    )));
                }
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
    fn cursor(&self, org: &Org, state: &mut StateFile) {
        state.org = org.origin();
        state.next = None;
        state.since = None;
        state.seen.clear();
        match &self.next {
            Some(next) => state.next = Some(next.to_string()),
            None => {
                state.since = Some(self.latest.since());
                state.seen = self.latest.seen();
            }
        }
    }
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
