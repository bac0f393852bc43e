//! Which Okta org `pull` talks to, and the token it sends there: the one place that holds the token, which no
//! message, file or debug output ever shows.

use anyhow::{bail, Result};
use std::fmt;
use url::{Host, Url};

/// The org's address: `https://acme.okta.com`, or plain http to a loopback address (a fake Okta in tests).
#[derive(Clone, Debug)]
pub(crate) struct Org {
    base: Url,
}

impl Org {
    /// Reads `--org`: `acme.okta.com`, `acme.oktapreview.com`, or an `https://` URL.
    pub fn parse(text: &str) -> Result<Org> {
        let t = text.trim().trim_end_matches('/');
        let with_scheme = if t.contains("://") {
            t.to_owned()
        } else {
            format!("https://{t}")
        };
        let Ok(base) = Url::parse(&with_scheme) else {
            bail!("--org '{t}' is not an address: give the org's, such as acme.okta.com");
        };
        // Said without echoing `--org`: it holds a password.
        if !base.username().is_empty() || base.password().is_some() {
            bail!("--org holds a user name or password: give only the org's address; the token comes from OKTA_API_TOKEN or OKTA_ACCESS_TOKEN");
        }
        let Some(host) = base.host() else {
            bail!("--org '{t}' names no host: give the org's address, such as acme.okta.com");
        };
        let loopback = is_loopback(&host);
        match base.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => bail!("--org {t}: plain http:// would send the token unencrypted; use https://"),
            other => bail!("--org {t}: {other}:// is not a web address; use https://"),
        }
        if base.path() != "/" || base.query().is_some() || base.fragment().is_some() {
            bail!("--org {t}: give only the org's address (such as https://acme.okta.com), without a path");
        }
        if !loopback && matches!(host, Host::Domain(d) if !d.contains('.')) {
            bail!("--org {t}: give the org's full address, such as {t}.okta.com");
        }
        Ok(Org { base })
    }

    /// `https://acme.okta.com`, for messages and the state file.
    pub fn origin(&self) -> String {
        self.base.origin().ascii_serialization()
    }

    /// The System Log endpoint.
    pub fn logs_url(&self) -> Url {
        let mut url = self.base.clone();
        url.set_path("/api/v1/logs");
        url
    }

    /// True if the token may be sent to `url`: the org's own scheme, host and port. A `next` link or a state
    /// file pointing anywhere else is refused. Loopback names count as one host, for tests on a loopback port.
    pub fn owns(&self, url: &Url) -> bool {
        let same_host = match (self.base.host(), url.host()) {
            (Some(a), Some(b)) if is_loopback(&a) && is_loopback(&b) => true,
            (Some(Host::Domain(a)), Some(Host::Domain(b))) => a.eq_ignore_ascii_case(b),
            (a, b) => a.is_some() && a == b,
        };
        same_host
            && self.base.scheme() == url.scheme()
            && self.base.port_or_known_default() == url.port_or_known_default()
            && url.username().is_empty()
            && url.password().is_none()
    }

    /// What to say when the org's name does not resolve: an admin console's address (`acme-admin.okta.com`)
    /// is named as such, with the org's own suggested.
    pub fn host_hint(&self) -> String {
        let host = self.base.host_str().unwrap_or_default();
        match host.split_once('.') {
            Some((name, domain)) if name.len() > 6 && name.ends_with("-admin") => format!(
                "{host} is the admin console's address: give the org's own, {}.{domain}",
                &name[..name.len() - 6]
            ),
            _ => "is --org the org's address?".to_owned(),
        }
    }

    /// True for a loopback org, which is reached directly, never through a proxy.
    pub fn is_loopback(&self) -> bool {
        self.base.host().is_some_and(|h| is_loopback(&h))
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// Which environment variable the token came from, and so how it is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// `OKTA_API_TOKEN`, sent as `SSWS <token>`.
    Api,
    /// `OKTA_ACCESS_TOKEN`, an OAuth 2.0 access token, sent as `Bearer <token>`.
    Access,
}

impl TokenKind {
    pub fn var(self) -> &'static str {
        match self {
            TokenKind::Api => "OKTA_API_TOKEN",
            TokenKind::Access => "OKTA_ACCESS_TOKEN",
        }
    }
}

/// The credential, from the environment only. Its `Debug` shows which variable, never the value.
pub(crate) struct Token {
    kind: TokenKind,
    secret: String,
}

impl Token {
    /// `OKTA_API_TOKEN` if set, else `OKTA_ACCESS_TOKEN`.
    pub fn from_env() -> Result<Token> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Token> {
        for kind in [TokenKind::Api, TokenKind::Access] {
            let Some(value) = var(kind.var()) else { continue };
            let secret = value.trim();
            if secret.is_empty() {
                continue;
            }
            // Said without the value: a header cannot carry these, and the message must not show it.
            if !secret.bytes().all(|b| b.is_ascii_graphic()) {
                bail!(
                    "{} holds a space, a line break or another character no token has: set it to the token alone",
                    kind.var()
                );
            }
            return Ok(Token {
                kind,
                secret: secret.to_owned(),
            });
        }
        bail!("no Okta token: set OKTA_API_TOKEN to an API token (Security > API > Tokens), or OKTA_ACCESS_TOKEN to an OAuth 2.0 access token with the okta.logs.read scope")
    }

    pub fn kind(&self) -> TokenKind {
        self.kind
    }

    /// The `Authorization` header's value.
    pub fn header(&self) -> String {
        match self.kind {
            TokenKind::Api => format!("SSWS {}", self.secret),
            TokenKind::Access => format!("Bearer {}", self.secret),
        }
    }

    /// `text` with the token masked: for anything a server sent back that a message repeats.
    pub fn scrub(&self, text: &str) -> String {
        // A very short value would mask ordinary words; a real token is long.
        if self.secret.len() < 4 {
            return text.to_owned();
        }
        text.replace(&self.secret, "<token>")
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({}, hidden)", self.kind.var())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(text: &str) -> Result<Org> {
        Org::parse(text)
    }

    #[test]
    fn an_org_is_a_host_or_an_https_address() {
        for (text, origin) in [
            ("acme.okta.com", "https://acme.okta.com"),
            ("acme.oktapreview.com/", "https://acme.oktapreview.com"),
            ("https://acme.okta.com", "https://acme.okta.com"),
            (
                "https://login.acme.example:8443/",
                "https://login.acme.example:8443",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://localhost:9", "http://localhost:9"),
            ("http://[::1]:9", "http://[::1]:9"),
        ] {
            assert_eq!(org(text).expect(text).origin(), origin);
        }
        assert_eq!(
            org("acme.okta.com").expect("org").logs_url().as_str(),
            "https://acme.okta.com/api/v1/logs"
        );
    }

    #[test]
    fn plain_http_is_refused_except_to_loopback() {
        for text in [
            "http://acme.okta.com",
            "http://10.0.0.1:80",
            "http://localhost.evil.example",
        ] {
            let err = org(text).expect_err(text).to_string();
            assert!(err.contains("https://"), "{text}: {err}");
        }
    }

    #[test]
    fn other_shapes_are_refused_with_what_to_give() {
        for text in [
            "acme",
            "",
            "https://acme.okta.com/app/x",
            "ftp://acme.okta.com",
            "https://acme.okta.com?x=1",
        ] {
            let err = org(text).expect_err(text).to_string();
            assert!(
                err.contains("acme.okta.com") || err.contains("https://"),
                "{text}: {err}"
            );
        }
        let err = org("https://admin:hunter22@acme.okta.com").expect_err("credentials");
        assert!(!err.to_string().contains("hunter22"), "{err}");
    }

    #[test]
    fn the_token_goes_only_to_the_org_itself() {
        let acme = org("acme.okta.com").expect("org");
        let url = |s: &str| Url::parse(s).expect(s);
        assert!(acme.owns(&url("https://acme.okta.com/api/v1/logs?after=1")));
        assert!(acme.owns(&url("https://ACME.okta.com:443/api/v1/logs")));
        for other in [
            "https://evil.example/api/v1/logs",
            "http://acme.okta.com/api/v1/logs",
            "https://acme.okta.com:8443/api/v1/logs",
            "https://acme.okta.com.evil.example/",
            "https://u:p@acme.okta.com/",
        ] {
            assert!(!acme.owns(&url(other)), "{other}");
        }
        let local = org("http://127.0.0.1:5000").expect("org");
        assert!(local.owns(&url("http://localhost:5000/api/v1/logs")));
        assert!(!local.owns(&url("http://localhost:5001/api/v1/logs")));
    }

    #[test]
    fn the_token_is_read_from_the_environment_and_never_shown() {
        let env = |api: Option<&str>, access: Option<&str>| {
            let (api, access) = (api.map(str::to_owned), access.map(str::to_owned));
            Token::from_vars(move |name| match name {
                "OKTA_API_TOKEN" => api.clone(),
                "OKTA_ACCESS_TOKEN" => access.clone(),
                _ => None,
            })
        };
        let api = env(Some(" 00abcSECRET\n"), Some("eyJ")).expect("api");
        assert_eq!(api.header(), "SSWS 00abcSECRET");
        assert!(!format!("{api:?}").contains("SECRET"));
        assert_eq!(api.scrub("echo 00abcSECRET back"), "echo <token> back");
        let access = env(Some(""), Some("eyJhbGciOi")).expect("access");
        assert_eq!(
            (access.kind(), access.header().as_str()),
            (TokenKind::Access, "Bearer eyJhbGciOi")
        );
        let none = env(None, None).expect_err("none").to_string();
        assert!(
            none.contains("OKTA_API_TOKEN") && none.contains("OKTA_ACCESS_TOKEN"),
            "{none}"
        );
        let bad = env(Some("abc SECRET"), None).expect_err("space").to_string();
        assert!(bad.contains("OKTA_API_TOKEN") && !bad.contains("SECRET"), "{bad}");
    }
}
