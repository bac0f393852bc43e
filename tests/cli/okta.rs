//! A fake Okta on a loopback port for the `pull` tests: `/api/v1/logs` served from a list of events in pages,
//! with Okta's `Link` headers and rate-limit headers, and scripted failures (an error status, a hung answer)
//! served first. Every request is logged, with its Authorization header, for the tests to check.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A request as the fake saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// Path and query, as sent.
    pub target: String,
    pub authorization: Option<String>,
    /// The DPoP proof it carried.
    pub dpop: Option<String>,
    /// The status it was answered with (0: no answer).
    pub status: u16,
}

impl Seen {
    /// The query's parameters, decoded.
    pub fn params(&self) -> Vec<(String, String)> {
        let url = url::Url::parse(&format!("http://x{}", self.target)).expect("a request target");
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    pub fn param(&self, name: &str) -> Option<String> {
        self.params().into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// A scripted answer, served before the pages.
pub enum Scripted {
    /// A status with a body (an Okta error, or anything) and extra headers; a header value `now+N` becomes the
    /// time N seconds after the answer, in epoch seconds.
    Error(u16, String, Vec<(String, String)>),
    /// Read the request, then answer nothing for this long.
    Hang(Duration),
}

/// The fake's behaviour, changed by the tests between runs.
pub struct Okta {
    /// Every event's JSON text, exactly as served.
    pub events: Vec<String>,
    pub page_size: usize,
    /// Each page repeats this many events of the one before (overlapping pages).
    pub overlap: usize,
    /// Put the self and next links in one `Link` header instead of one each.
    pub one_link_header: bool,
    /// End the pages without a next link even without `until` (as a bounded request does), and ignore `since`.
    pub ends: bool,
    /// Requests allowed per rate-limit window; the window ends a second after it starts.
    pub rate_limit: Option<u32>,
    pub script: VecDeque<Scripted>,
    /// How many requests are answered normally before the script starts.
    pub script_from: usize,
    pub seen: Vec<Seen>,
    /// The org's token endpoint, for a service app (see `oauth`); it checks the API's tokens too.
    pub auth: Option<super::oauth::TokenEndpoint>,
    used: u32,
    reset_at: u64,
}

pub struct FakeOkta {
    pub url: String,
    state: Arc<Mutex<Okta>>,
}

impl FakeOkta {
    pub fn start(events: Vec<String>, page_size: usize) -> FakeOkta {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let state = Arc::new(Mutex::new(Okta {
            events,
            page_size,
            overlap: 0,
            one_link_header: false,
            ends: false,
            rate_limit: None,
            script: VecDeque::new(),
            script_from: 0,
            seen: Vec::new(),
            auth: None,
            used: 0,
            reset_at: 0,
        }));
        let shared = state.clone();
        let base = url.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (state, base) = (shared.clone(), base.clone());
                std::thread::spawn(move || serve(stream, &state, &base));
            }
        });
        FakeOkta { url, state }
    }

    pub fn okta(&self) -> MutexGuard<'_, Okta> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.okta().seen.clone()
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

fn serve(stream: TcpStream, state: &Mutex<Okta>, base: &str) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let (mut authorization, mut dpop, mut length) = (None, None, 0);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("authorization") {
                authorization = Some(value.trim().to_owned());
            } else if name.eq_ignore_ascii_case("dpop") {
                dpop = Some(value.trim().to_owned());
            } else if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let answer = {
        let mut okta = state.lock().unwrap_or_else(|e| e.into_inner());
        let request = super::oauth::Request {
            target: &target,
            authorization: authorization.as_deref(),
            dpop: dpop.as_deref(),
            body: &body,
            base,
        };
        // The token endpoint keeps its own log; `seen` is the API's.
        let checked = match okta.auth.as_mut() {
            Some(auth) => auth.answer(&request),
            None => None,
        };
        if let Some((status, headers, body)) = checked.as_ref().filter(|_| target.starts_with("/oauth2/")) {
            drop(okta);
            respond(reader.into_inner(), *status, headers.clone(), body);
            return;
        }
        let answer = match checked {
            Some((status, headers, body)) => Answer::Send(status, headers, body),
            None => okta.answer(&target, base),
        };
        let status = match &answer {
            Answer::Send(status, ..) => *status,
            Answer::Hang(_) => 0,
        };
        okta.seen.push(Seen {
            target,
            authorization,
            dpop,
            status,
        });
        answer
    };
    let stream = reader.into_inner();
    match answer {
        Answer::Hang(d) => std::thread::sleep(d),
        Answer::Send(status, headers, body) => respond(stream, status, headers, &body),
    }
}

fn respond(mut stream: TcpStream, status: u16, headers: Vec<(String, String)>, body: &str) {
    let date = jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&jiff::Timestamp::now())
        .expect("a date");
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\nDate: {date}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

enum Answer {
    Send(u16, Vec<(String, String)>, String),
    Hang(Duration),
}

impl Okta {
    fn answer(&mut self, target: &str, base: &str) -> Answer {
        let mut headers = Vec::new();
        if let Some(limit) = self.rate_limit {
            let now = now_secs();
            if now >= self.reset_at {
                self.used = 0;
                self.reset_at = now + 1;
            }
            if self.used >= limit {
                let body = r#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}"#;
                return Answer::Send(429, self.rate_headers(limit), body.to_owned());
            }
            self.used += 1;
            headers = self.rate_headers(limit);
        }
        let scripted = if self.seen.len() >= self.script_from {
            self.script.pop_front()
        } else {
            None
        };
        if let Some(scripted) = scripted {
            return match scripted {
                Scripted::Hang(d) => Answer::Hang(d),
                Scripted::Error(status, body, extra) => {
                    // `now+N`: N seconds after this answer, as a rate-limit reset is.
                    headers.extend(extra.into_iter().map(|(name, value)| {
                        match value.strip_prefix("now+").and_then(|n| n.parse::<u64>().ok()) {
                            Some(n) => (name, (now_secs() + n).to_string()),
                            None => (name, value),
                        }
                    }));
                    Answer::Send(status, headers, body)
                }
            };
        }
        if !target.starts_with("/api/v1/logs") {
            let body = r#"{"errorCode":"E0000022","errorSummary":"The endpoint does not support the provided HTTP method"}"#;
            return Answer::Send(404, headers, body.to_owned());
        }
        let seen = Seen {
            target: target.to_owned(),
            authorization: None,
            dpop: None,
            status: 0,
        };
        let after: usize = seen.param("after").and_then(|a| a.parse().ok()).unwrap_or(0);
        let from = after.min(self.events.len());
        let to = (from + self.page_size).min(self.events.len());
        let body = format!("[{}]", self.events[from..to].join(","));
        // Okta's next link repeats the query, `since` replaced by the `after` cursor.
        let kept: Vec<(String, String)> = seen
            .params()
            .into_iter()
            .filter(|(k, _)| k != "after" && k != "since")
            .collect();
        let link = |after: usize| {
            let mut url = url::Url::parse(&format!("{base}/api/v1/logs")).expect("a url");
            url.query_pairs_mut()
                .extend_pairs(&kept)
                .append_pair("after", &after.to_string());
            url.to_string()
        };
        let self_link = format!("<{base}{target}>; rel=\"self\"");
        let bounded = seen.param("until").is_some() || self.ends;
        let next = if to < self.events.len() {
            Some(to.saturating_sub(self.overlap).max(from + 1))
        } else if bounded {
            None
        } else {
            // A polling request always has a next link, even when there is nothing new.
            Some(to)
        };
        match (next, self.one_link_header) {
            (Some(n), true) => {
                headers.push(("Link".into(), format!("{self_link}, <{}>; rel=\"next\"", link(n))))
            }
            (Some(n), false) => {
                headers.push(("Link".into(), self_link));
                headers.push(("link".into(), format!("<{}>; rel=\"next\"", link(n))));
            }
            (None, _) => headers.push(("Link".into(), self_link)),
        }
        Answer::Send(200, headers, body)
    }

    fn rate_headers(&self, limit: u32) -> Vec<(String, String)> {
        vec![
            ("X-Rate-Limit-Limit".into(), limit.to_string()),
            (
                "X-Rate-Limit-Remaining".into(),
                (limit - self.used.min(limit)).to_string(),
            ),
            ("X-Rate-Limit-Reset".into(), self.reset_at.to_string()),
        ]
    }
}

/// An Okta error body.
pub fn error_body(code: &str, summary: &str) -> String {
    serde_json::json!({ "errorCode": code, "errorSummary": summary, "errorId": "oaeAbC123", "errorCauses": [] })
        .to_string()
}
