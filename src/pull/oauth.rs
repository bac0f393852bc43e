//! Okta's recommended credential for automation: an API Services app with a private key. provdiag signs a
//! client assertion (private-key JWT), asks the org's `/oauth2/v1/token` for a `client_credentials` token with
//! the `okta.logs.read` scope, proves possession with DPoP (RFC 9449) when Okta binds the token to a key, and
//! renews the token before it expires. The variables are the Okta SDKs' own.

use anyhow::{anyhow, bail, Result};
use serde::Deserialize;
use serde_json::json;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use ureq::Agent;
use url::Url;

use super::dpop::{read_key, Signer};

pub(crate) const CLIENT_ID: &str = "OKTA_CLIENT_CLIENTID";
pub(crate) const PRIVATE_KEY: &str = "OKTA_CLIENT_PRIVATEKEY";
/// The key's id in the app's key set, for an app with several keys (as the Okta SDKs name it).
pub(crate) const KEY_ID: &str = "OKTA_CLIENT_PRIVATEKEYID";
const SCOPE: &str = "okta.logs.read";
/// How long a client assertion is good for: Okta accepts no more than an hour; a token request takes seconds.
const ASSERTION_LIFETIME: i64 = 300;
/// Nonce answers in a row before giving up: Okta asks once per request.
const NONCE_RETRIES: u32 = 2;

/// An API Services app: its client id, its private key, and the token it holds.
pub(crate) struct App {
    client_id: String,
    key: Signer,
    /// Signs the DPoP proofs; made for the run, so that a token Okta binds to it is useless to anyone else.
    dpop: Signer,
    token_url: Url,
    agent: Option<Agent>,
    /// The last `DPoP-Nonce` the token endpoint gave, and the one the API gave.
    token_nonce: Option<String>,
    api_nonce: Option<String>,
    token: Option<Issued>,
    /// How many tokens were issued in this run (the first, then renewals).
    pub issued: u32,
}

struct Issued {
    secret: String,
    /// `token_type` was `DPoP` (else `Bearer`).
    dpop: bool,
    renew_at: Instant,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    token_type: Option<String>,
    expires_in: Option<u64>,
    error: Option<String>,
    error_description: Option<String>,
}

impl App {
    /// The app the environment names, if `OKTA_CLIENT_CLIENTID` and `OKTA_CLIENT_PRIVATEKEY` are both set.
    pub fn from_vars(var: &impl Fn(&str) -> Option<String>, token_url: Url) -> Result<Option<App>> {
        let set = |name: &str| var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let (client_id, key) = match (set(CLIENT_ID), set(PRIVATE_KEY)) {
            (Some(id), Some(key)) => (id, key),
            _ => return Ok(None),
        };
        if !client_id.bytes().all(|b| b.is_ascii_graphic()) {
            bail!("{CLIENT_ID} holds a space or another character no client id has: set it to the app's client id alone");
        }
        let key = read_key(&key, PRIVATE_KEY)?.with_kid(set(KEY_ID));
        Ok(Some(App {
            client_id,
            key,
            dpop: Signer::ephemeral()?,
            token_url,
            agent: None,
            token_nonce: None,
            api_nonce: None,
            token: None,
            issued: 0,
        }))
    }

    /// Makes token requests through the pull's own HTTP client (its timeouts, proxy and TLS settings).
    pub fn use_agent(&mut self, agent: &Agent) {
        self.agent = Some(agent.clone());
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The headers for an API request: `Authorization` and, for a DPoP-bound token, its proof.
    pub fn headers(&mut self, method: &str, url: &Url) -> Result<Vec<(&'static str, String)>> {
        let fresh = self.token.as_ref().is_some_and(|t| Instant::now() < t.renew_at);
        if !fresh {
            self.token = Some(self.request_token()?);
        }
        let Some(token) = &self.token else {
            bail!("no access token");
        };
        if !token.dpop {
            return Ok(vec![("Authorization", format!("Bearer {}", token.secret))]);
        }
        let proof = self
            .dpop
            .proof(method, url, self.api_nonce.as_deref(), Some(&token.secret), now())?;
        Ok(vec![
            ("Authorization", format!("DPoP {}", token.secret)),
            ("DPoP", proof),
        ])
    }

    /// The API refused a request with 401: keeps the nonce it asked for, or else drops the token so that
    /// the next request gets a new one. True if asking again may help.
    pub fn refused(&mut self, nonce: Option<&str>) -> bool {
        match nonce {
            Some(n) if self.api_nonce.as_deref() != Some(n) => self.api_nonce = Some(n.to_owned()),
            _ => self.token = None,
        }
        true
    }

    /// `text` with the token masked.
    pub fn scrub(&self, text: &str) -> String {
        match &self.token {
            Some(t) if t.secret.len() >= 4 => text.replace(&t.secret, "<token>"),
            _ => text.to_owned(),
        }
    }

    /// Asks the token endpoint for a token, answering a nonce request by signing again.
    fn request_token(&mut self) -> Result<Issued> {
        let agent = self
            .agent
            .clone()
            .ok_or_else(|| anyhow!("no HTTP client for the token request"))?;
        let mut nonces = 0;
        loop {
            let now = now();
            let mut header = json!({ "typ": "JWT" });
            if let Some(kid) = self.key.kid() {
                header["kid"] = kid.into();
            }
            let assertion = self.key.sign(
                header,
                &json!({
                    "iss": self.client_id,
                    "sub": self.client_id,
                    "aud": self.token_url.as_str(),
                    "iat": now,
                    "exp": now + ASSERTION_LIFETIME,
                    "jti": self.key.jti()?,
                }),
            )?;
            let proof = self
                .dpop
                .proof("POST", &self.token_url, self.token_nonce.as_deref(), None, now)?;
            let asked = Instant::now();
            let sent = agent
                .post(self.token_url.as_str())
                .header("Accept", "application/json")
                .header("DPoP", proof)
                .send_form([
                    ("grant_type", "client_credentials"),
                    ("scope", SCOPE),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", assertion.as_str()),
                ]);
            let mut response =
                sent.map_err(|e| anyhow!("cannot reach Okta's token endpoint {}: {e}", self.token_url))?;
            let status = response.status().as_u16();
            let nonce = response
                .headers()
                .get("dpop-nonce")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = response
                .body_mut()
                .with_config()
                .limit(1 << 20)
                .read_to_vec()
                .unwrap_or_default();
            let answer: Option<TokenAnswer> = serde_json::from_slice(&body).ok();
            let error = answer.as_ref().and_then(|a| a.error.clone());
            if status == 400 && error.as_deref() == Some("use_dpop_nonce") && nonces < NONCE_RETRIES {
                if let Some(nonce) = nonce {
                    nonces += 1;
                    self.token_nonce = Some(nonce);
                    continue;
                }
            }
            let answer = match answer {
                Some(a) if (200..300).contains(&status) => a,
                _ => bail!(self.refusal(status, answer.as_ref())),
            };
            let Some(secret) = answer.access_token.filter(|t| !t.trim().is_empty()) else {
                bail!("Okta's token endpoint answered {status} without an access token");
            };
            if !secret.bytes().all(|b| b.is_ascii_graphic()) {
                bail!("Okta's token endpoint sent an access token no header can carry");
            }
            let dpop = answer.token_type.is_some_and(|t| t.eq_ignore_ascii_case("dpop"));
            // Renewed once three quarters of its life are gone (at most a minute before it ends), so that no
            // request goes out with a token about to expire.
            let life = Duration::from_secs(answer.expires_in.unwrap_or(3600).min(86_400));
            let margin = (life / 4).min(Duration::from_secs(60));
            self.issued += 1;
            return Ok(Issued {
                secret,
                dpop,
                renew_at: asked + life - margin,
            });
        }
    }

    /// The token endpoint's refusal, with what to do about it (the error's words are Okta's).
    fn refusal(&self, status: u16, answer: Option<&TokenAnswer>) -> String {
        let error = answer.and_then(|a| a.error.as_deref()).unwrap_or("");
        let description = answer
            .and_then(|a| a.error_description.as_deref())
            .map(|d| format!(" \"{}\"", short(d)))
            .unwrap_or_default();
        let hint = match error {
            "invalid_client" => format!("check {CLIENT_ID}, and that the public key of {PRIVATE_KEY} is registered with the app (Client Credentials: Public key / Private key){}", if self.key.kid().is_none() { format!("; an app with several keys needs {KEY_ID}") } else { String::new() }),
            "invalid_scope" => format!("grant the app the {SCOPE} scope (its Okta API Scopes tab)"),
            "unauthorized_client" => "the app may not use the client credentials grant: make it an API Services app".to_owned(),
            "invalid_dpop_proof" | "use_dpop_nonce" => "Okta refused the DPoP proof: is the machine's clock right?".to_owned(),
            _ if status == 404 => "no token endpoint there: check --org".to_owned(),
            _ => "see Okta's message".to_owned(),
        };
        let code = if error.is_empty() {
            String::new()
        } else {
            format!(" {}", short(error))
        };
        format!("Okta's token endpoint answered {status}{code}{description}: {hint}")
    }
}

/// Seconds since the epoch, for `iat` and `exp`.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// At most 200 characters of what a server sent, on one line.
fn short(text: &str) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    line.chars().take(200).collect()
}
