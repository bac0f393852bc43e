//! Asking Okta for one page: the HTTP client, rate limits honoured before they bite, retries with growing
//! waits, and Okta's errors turned into messages with a hint.
//!
//! The client is ureq with rustls: blocking (a page at a time is all `pull` needs), no system libraries,
//! TLS verified against the bundled Mozilla roots, proxies from `HTTPS_PROXY`/`ALL_PROXY` with `NO_PROXY`.

use anyhow::{anyhow, Result};
use serde::Deserialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use ureq::http::{HeaderMap, Response};
use ureq::{Agent, Body};
use url::Url;

use super::link;
use super::org::{Org, Token, TokenKind};
use super::wait;
use crate::report::PullNotes;

/// Attempts at one page when the network or Okta fails (timeouts, connection errors, 5xx).
const ATTEMPTS: u32 = 5;
/// Waits for a 429 at one page before giving up.
const THROTTLED: u32 = 10;
/// The first wait after a failure; each next one doubles.
const BACKOFF: Duration = Duration::from_secs(2);
/// A page of 1,000 events is a few MB; this bounds what a broken server can make us hold.
const MAX_BODY: u64 = 256 << 20;

/// How the client waits and gives up.
pub(crate) struct Settings {
    /// For one request, answer and body included.
    pub timeout: Duration,
    /// The longest any single wait may be (tests shorten it).
    pub max_wait: Option<Duration>,
    /// Set by Ctrl-C under `--follow`: waits end early and no new request starts.
    pub interrupted: Arc<AtomicBool>,
}

/// One page of events.
pub(crate) struct Page {
    pub body: Vec<u8>,
    /// The `next` link, resolved against the page's URL.
    pub next: Option<Url>,
    /// A `next` link that is not followed (it leaves the org, or is no URL): the pull ends once this page,
    /// which is Okta's, is diagnosed.
    pub refused: Option<anyhow::Error>,
}

pub(crate) struct Client {
    agent: Agent,
    org: Org,
    token: Token,
    settings: Settings,
    /// No request before this instant: `X-Rate-Limit-Remaining` reached 0.
    hold_until: Option<Instant>,
    pub notes: PullNotes,
}

impl Client {
    pub fn new(org: Org, mut token: Token, settings: Settings) -> Client {
        let config = Agent::config_builder()
            // Okta's error bodies are read, not turned into bare errors.
            .http_status_as_error(false)
            // The API does not redirect; a redirect is reported, never followed with the token.
            .max_redirects(0)
            .timeout_global(Some(settings.timeout))
            .user_agent(format!("provdiag/{}", env!("CARGO_PKG_VERSION")))
            .https_only(!org.is_loopback());
        // A loopback org (a fake Okta) is never reached through a proxy: the token would cross it in clear.
        let config = if org.is_loopback() {
            config.proxy(None)
        } else {
            config
        };
        let agent: Agent = config.build().into();
        token.use_agent(&agent);
        Client {
            agent,
            org,
            token,
            settings,
            hold_until: None,
            notes: PullNotes::new(),
        }
    }

    pub fn org(&self) -> &Org {
        &self.org
    }

    pub fn interrupted(&self) -> bool {
        self.settings.interrupted.load(Ordering::Relaxed)
    }

    /// The page at `url`, waiting and retrying as needed; `None` if Ctrl-C ended the wait.
    pub fn get(&mut self, url: &Url) -> Result<Option<Page>> {
        let (mut failed, mut throttled, mut renewed) = (0u32, 0u32, false);
        loop {
            let mut retry_after = None;
            if let Some(until) = self.hold_until.take() {
                let wait = until.saturating_duration_since(Instant::now());
                let why = "X-Rate-Limit-Remaining is 0, so Okta would refuse the next request until the limit resets";
                if !self.wait(why, wait) {
                    return Ok(None);
                }
            }
            if self.interrupted() {
                return Ok(None);
            }
            let mut request = self.agent.get(url.as_str());
            for (name, value) in self.token.headers("GET", url)? {
                request = request.header(name, value);
            }
            let sent = request.header("Accept", "application/json").call();
            let last = failed + 1 >= ATTEMPTS;
            let why = match sent {
                Ok(mut response) => {
                    self.read_rate_limit(response.headers());
                    let status = response.status().as_u16();
                    match status {
                        200..=299 => match read_body(&mut response) {
                            Ok(body) => {
                                let (next, refused) = match self.next_link(url, response.headers()) {
                                    Ok(next) => (next, None),
                                    Err(e) => (None, Some(e)),
                                };
                                return Ok(Some(Page { body, next, refused }));
                            }
                            Err(e) if last => return Err(self.gave_up(&e)),
                            Err(e) => self.unreachable(&e),
                        },
                        // A service app's token refused (or a DPoP nonce asked for): asked again once.
                        401 if self.token.refused(dpop_nonce(response.headers()), renewed) => {
                            renewed = true;
                            continue;
                        }
                        429 => {
                            throttled += 1;
                            if throttled > THROTTLED {
                                return Err(anyhow!(
                                    "Okta still refused with 429 (rate limit) after {THROTTLED} waits: try again later, or ask less often"
                                ));
                            }
                            let held = self.hold_until.take();
                            let wait = match (wait::retry_after(response.headers(), SystemTime::now()), held)
                            {
                                (Some(wait), _) => wait,
                                (None, Some(until)) => until.saturating_duration_since(Instant::now()),
                                (None, None) => backoff(throttled),
                            };
                            let error = okta_error(&self.token, &mut response);
                            let why = format!("Okta answered 429{} (rate limit)", code_of(&error));
                            if !self.wait(&why, wait) {
                                return Ok(None);
                            }
                            continue;
                        }
                        500..=599 => {
                            if status == 503 {
                                retry_after = wait::retry_after(response.headers(), SystemTime::now());
                            }
                            let error = okta_error(&self.token, &mut response);
                            if last {
                                return Err(anyhow!(self.describe(status, &error, url)));
                            }
                            anyhow!("Okta answered {status}{}", code_of(&error))
                        }
                        _ => {
                            let error = okta_error(&self.token, &mut response);
                            return Err(anyhow!(self.describe(status, &error, url)));
                        }
                    }
                }
                Err(e) if is_transient(&e) && !last => self.unreachable(&e),
                Err(e) if is_transient(&e) => return Err(self.gave_up(&e)),
                Err(e) => return Err(self.unreachable(&e)),
            };
            failed += 1;
            let wait = retry_after.unwrap_or_else(|| backoff(failed));
            if !self.wait(&format!("{why:#}"), wait) {
                return Ok(None);
            }
        }
    }

    /// Sleeps `wait` (at most `max_wait`), saying so; false if Ctrl-C cut it short.
    pub fn wait(&mut self, why: &str, wait: Duration) -> bool {
        let wait = self.settings.max_wait.map_or(wait, |max| wait.min(max));
        if !wait.is_zero() {
            self.notes.waiting(why, wait);
        }
        self.sleep(wait)
    }

    /// Sleeps in short steps so that Ctrl-C ends a wait at once; false if it did.
    pub fn sleep(&self, wait: Duration) -> bool {
        let end = Instant::now() + wait;
        loop {
            if self.interrupted() {
                return false;
            }
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            std::thread::sleep(left.min(Duration::from_millis(100)));
        }
    }

    /// Holds the next request back when Okta says none is left until the reset.
    /// A reset that is missing or not believed (minutes away, in milliseconds) gets a backoff instead.
    fn read_rate_limit(&mut self, headers: &HeaderMap) {
        if wait::number(headers, "x-rate-limit-remaining") != Some(0) {
            return;
        }
        let wait = wait::until_reset(headers, SystemTime::now()).unwrap_or(BACKOFF);
        self.hold_until = Instant::now().checked_add(wait);
    }

    /// The page's `next` link; one that leaves the org is refused, as it would carry the token away.
    fn next_link(&self, page: &Url, headers: &HeaderMap) -> Result<Option<Url>> {
        let values = headers.get_all("link").iter().filter_map(|v| v.to_str().ok());
        let Some(target) = link::next(values) else {
            return Ok(None);
        };
        let next = page
            .join(&target)
            .map_err(|_| anyhow!("Okta's next link is not a URL: {}", self.token.scrub(&target)))?;
        if !self.org.owns(&next) {
            return Err(anyhow!(self.token.scrub(&format!(
                "the next page is at {}, outside {}: not followed, as the token would go with it",
                next.origin().ascii_serialization(),
                self.org.origin()
            ))));
        }
        Ok(Some(next))
    }

    /// A request that got no answer.
    fn unreachable(&self, e: &ureq::Error) -> anyhow::Error {
        let what = match e {
            ureq::Error::Timeout(_) => format!("no answer within {} s", self.settings.timeout.as_secs_f64()),
            e if is_host_not_found(e) => format!("host not found ({})", self.org.host_hint()),
            e if is_certificate(e) => format!(
                "{e}: its TLS certificate is not one provdiag can trust (a proxy that inspects TLS? is --org the org's own address?)"
            ),
            other => other.to_string(),
        };
        anyhow!("cannot reach {}: {}", self.org.origin(), self.token.scrub(&what))
    }

    /// The network failed at every attempt.
    fn gave_up(&self, e: &ureq::Error) -> anyhow::Error {
        self.unreachable(e)
            .context(format!("gave up after {ATTEMPTS} attempts"))
    }

    /// Okta's refusal, with what to do about it.
    fn describe(&self, status: u16, error: &OktaError, url: &Url) -> String {
        let code = match (&error.code, &error.summary) {
            (Some(c), Some(s)) => format!(" {c} \"{s}\""),
            (Some(c), None) => format!(" {c}"),
            (None, Some(s)) => format!(" \"{s}\""),
            (None, None) => String::new(),
        };
        let var = self.token.var();
        let hint = match (status, error.code.as_deref()) {
            (_, Some("E0000011")) | (401, _) => match self.token.kind() {
                TokenKind::Api => format!("check {var}: the token may be mistyped, revoked, made in another org, or expired (an API token expires after 30 days unused)"),
                TokenKind::Access => format!("check {var}: the access token may have expired (they last an hour) or be meant for another org"),
                TokenKind::App => format!("Okta refused the token it issued to the app of {var} (twice): check that the app belongs to this org"),
            },
            (_, Some("E0000006")) | (403, _) => match self.token.kind() {
                TokenKind::Api => format!("the admin who made {var} has no role that may read the System Log: make the token as an admin who can (a read-only administrator can)"),
                TokenKind::Access => format!("{var} lacks the okta.logs.read scope, or its app has no admin role that may read the System Log"),
                TokenKind::App => "the API Services app needs the okta.logs.read scope granted (Okta API Scopes tab) and an admin role that may read the System Log (Admin roles tab)".to_owned(),
            },
            (404, _) => format!("no Okta org answers at {}: check --org", self.org.origin()),
            (300..=399, _) => format!("the API does not redirect: is --org ({}) the org's own Okta address?", self.org.origin()),
            (400, _) if url.query_pairs().any(|(k, _)| k == "after") => {
                "Okta refused the position to go on from (if it came from a --state file, delete that file to start again from --since)".to_owned()
            }
            (500..=599, _) => "Okta kept failing: try again later (status.okta.com tells of outages)".to_owned(),
            _ => "see Okta's message".to_owned(),
        };
        let id = error
            .request_id
            .as_deref()
            .map(|id| format!(" (request id {id})"))
            .unwrap_or_default();
        self.token
            .scrub(&format!("Okta answered {status}{code}{id}: {hint}"))
    }
}

/// What Okta's error body says (`errorCode`, `errorSummary`), and the request id to quote to Okta support.
#[derive(Default)]
struct OktaError {
    code: Option<String>,
    summary: Option<String>,
    request_id: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(rename = "errorCode")]
    code: Option<String>,
    #[serde(rename = "errorSummary")]
    summary: Option<String>,
}

fn okta_error(token: &Token, response: &mut Response<Body>) -> OktaError {
    let request_id = response
        .headers()
        .get("x-okta-request-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| short(&token.scrub(v)));
    let body = response
        .body_mut()
        .with_config()
        .limit(1 << 20)
        .read_to_vec()
        .unwrap_or_default();
    let parsed: ErrorBody = serde_json::from_slice(&body).unwrap_or(ErrorBody {
        code: None,
        summary: None,
    });
    OktaError {
        code: parsed.code.map(|c| short(&token.scrub(&c))),
        summary: parsed.summary.map(|s| short(&token.scrub(&s))),
        request_id,
    }
}

/// The `DPoP-Nonce` a 401 asks the next proof to carry.
fn dpop_nonce(headers: &HeaderMap) -> Option<&str> {
    headers.get("dpop-nonce").and_then(|v| v.to_str().ok())
}

fn code_of(error: &OktaError) -> String {
    error.code.as_deref().map(|c| format!(" {c}")).unwrap_or_default()
}

/// At most 300 characters of what a server sent, on one line.
fn short(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

fn read_body(response: &mut Response<Body>) -> Result<Vec<u8>, ureq::Error> {
    response.body_mut().with_config().limit(MAX_BODY).read_to_vec()
}

/// Errors worth another try: the network, not the request. A host not found is not: it is a mistyped org far
/// more often than a failing resolver; nor is a certificate that cannot be trusted, which no retry changes.
fn is_transient(e: &ureq::Error) -> bool {
    matches!(
        e,
        ureq::Error::Timeout(_)
            | ureq::Error::Io(_)
            | ureq::Error::ConnectionFailed
            | ureq::Error::Protocol(_)
            | ureq::Error::BodyStalled
    ) && !is_host_not_found(e)
        && !is_certificate(e)
}

/// The name did not resolve: ureq's own error, or the system resolver's, which reaches it as an I/O error
/// ("failed to lookup address information").
fn is_host_not_found(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::HostNotFound => true,
        ureq::Error::Io(io) => io.to_string().contains("failed to lookup address"),
        _ => false,
    }
}

/// The server's certificate was refused: rustls says so through an I/O error of kind `InvalidData`.
fn is_certificate(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::Io(io) => {
            io.kind() == std::io::ErrorKind::InvalidData && io.to_string().contains("certificate")
        }
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) => true,
        _ => false,
    }
}

/// 2 s, 4 s, 8 s… for the `n`th retry (from 1).
fn backoff(n: u32) -> Duration {
    BACKOFF.saturating_mul(1 << n.saturating_sub(1).min(8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_and_stay_bounded() {
        let waits: Vec<u64> = (1..=4).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(waits, [2, 4, 8, 16]);
        assert_eq!(backoff(100), backoff(9));
    }

    #[test]
    fn a_name_that_does_not_resolve_and_a_refused_certificate_are_not_retried() {
        let dns = std::io::Error::other("failed to lookup address information: Name or service not known");
        assert!(!is_transient(&ureq::Error::Io(dns)));
        assert!(!is_transient(&ureq::Error::HostNotFound));
        let cert = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "invalid peer certificate: UnknownIssuer",
        );
        assert!(!is_transient(&ureq::Error::Io(cert)));
        let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection reset by peer");
        assert!(is_transient(&ureq::Error::Io(reset)));
    }

    #[test]
    fn what_a_server_sends_back_is_kept_short_and_on_one_line() {
        assert_eq!(short("a\nb\t c"), "a b c");
        let long = "x".repeat(400);
        assert_eq!(short(&long).chars().count(), 301);
    }
}
