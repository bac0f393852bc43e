//! `pull` with an API Services app's private key, against a fake Okta whose token endpoint checks what Okta
//! checks: the client assertion's signature (with the app's registered public key) and claims, the DPoP proofs'
//! signatures and claims, a nonce it asks for, and tokens that expire.

use super::okta::{FakeOkta, Scripted};
use super::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::process::Output;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const CLIENT_ID: &str = "0oa8fakeServiceApp7";

/// A request as the fake read it.
pub struct Request<'a> {
    pub target: &'a str,
    pub authorization: Option<&'a str>,
    pub dpop: Option<&'a str>,
    pub body: &'a [u8],
    pub base: &'a str,
}

/// An answer: status, headers, body.
type Answer = (u16, Vec<(String, String)>, String);

/// The org authorization server's `/oauth2/v1/token`, and the API's check of the tokens it issued.
pub struct TokenEndpoint {
    /// The public JWK registered with the app.
    pub app_key: Value,
    pub require_dpop: bool,
    pub require_nonce: bool,
    pub expires_in: u64,
    nonce: String,
    jtis: HashSet<String>,
    issued: Vec<Issued>,
    /// Every token request: (status, why it was refused or "issued").
    pub token_requests: Vec<(u16, String)>,
    /// Why API requests were refused.
    pub api_refusals: Vec<String>,
}

struct Issued {
    token: String,
    /// The DPoP key it is bound to.
    jwk: Option<Value>,
    expires: Instant,
}

impl TokenEndpoint {
    pub fn new(app_key: Value) -> TokenEndpoint {
        TokenEndpoint {
            app_key,
            require_dpop: true,
            require_nonce: true,
            expires_in: 3600,
            nonce: "nonce-1".into(),
            jtis: HashSet::new(),
            issued: Vec::new(),
            token_requests: Vec::new(),
            api_refusals: Vec::new(),
        }
    }

    /// The token endpoint's answer, or for an API request a refusal (`None`: let it through).
    pub fn answer(&mut self, request: &Request<'_>) -> Option<Answer> {
        if request.target.starts_with("/oauth2/v1/token") {
            let answer = self.token(request);
            let why = serde_json::from_str::<Value>(&answer.2)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_owned))
                .unwrap_or_else(|| "issued".into());
            self.token_requests.push((answer.0, why));
            return Some(answer);
        }
        let url = format!(
            "{}{}",
            request.base,
            request.target.split('?').next().unwrap_or("")
        );
        match self.api(request, &url) {
            Ok(()) => None,
            Err(why) => {
                self.api_refusals.push(why.clone());
                let body = super::okta::error_body("E0000011", "Invalid token provided");
                Some((
                    401,
                    vec![(
                        "WWW-Authenticate".into(),
                        format!("DPoP error=\"invalid_token\", error_description=\"{why}\""),
                    )],
                    body,
                ))
            }
        }
    }

    fn token(&mut self, request: &Request<'_>) -> Answer {
        let error = |status: u16, error: &str, description: &str| -> Answer {
            (
                status,
                vec![],
                json!({"error": error, "error_description": description}).to_string(),
            )
        };
        let form: Vec<(String, String)> = url::form_urlencoded::parse(request.body).into_owned().collect();
        let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let token_url = format!("{}/oauth2/v1/token", request.base);
        if field("grant_type") != Some("client_credentials") {
            return error(
                400,
                "unsupported_grant_type",
                "The grant was not client_credentials.",
            );
        }
        if field("scope") != Some("okta.logs.read") {
            return error(400, "invalid_scope", "The requested scope is invalid.");
        }
        if field("client_assertion_type") != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
            return error(401, "invalid_client", "No client assertion type.");
        }
        let Some(assertion) = field("client_assertion") else {
            return error(401, "invalid_client", "No client assertion.");
        };
        let (header, claims) = match verify(assertion, &self.app_key) {
            Ok(parts) => parts,
            Err(why) => {
                return error(
                    401,
                    "invalid_client",
                    &format!("The client_assertion signature is invalid: {why}."),
                )
            }
        };
        let now = now();
        let fresh_exp = claims["exp"]
            .as_i64()
            .is_some_and(|exp| exp > now && exp <= now + 3600);
        if header["typ"].as_str().is_some_and(|t| t != "JWT")
            || claims["iss"] != CLIENT_ID
            || claims["sub"] != CLIENT_ID
            || claims["aud"] != token_url.as_str()
            || !fresh_exp
            || !self.fresh_jti(&claims)
        {
            return error(
                401,
                "invalid_client",
                &format!("The client_assertion claims are invalid: {claims}"),
            );
        }
        let bound = match request.dpop {
            None if self.require_dpop => {
                return error(400, "invalid_dpop_proof", "The DPoP proof JWT header is missing.");
            }
            None => None,
            Some(proof) => match self.proof(proof, None, "POST", &token_url, None) {
                Err(why) => return error(400, "invalid_dpop_proof", &why),
                Ok((jwk, proof_claims)) => {
                    if self.require_nonce && proof_claims["nonce"] != self.nonce.as_str() {
                        return (
                            400,
                            vec![("DPoP-Nonce".into(), self.nonce.clone())],
                            json!({"error": "use_dpop_nonce", "error_description": "Authorization server requires nonce in DPoP proof."}).to_string(),
                        );
                    }
                    self.require_dpop.then_some(jwk)
                }
            },
        };
        let token = format!(
            "eyJfake.{}.{}",
            self.issued.len(),
            URL_SAFE_NO_PAD.encode(now.to_be_bytes())
        );
        let token_type = if bound.is_some() { "DPoP" } else { "Bearer" };
        self.issued.push(Issued {
            token: token.clone(),
            jwk: bound,
            expires: Instant::now() + Duration::from_secs(self.expires_in),
        });
        // Okta changes the nonce from time to time: the next token request needs the new one.
        self.nonce = format!("nonce-{}", self.issued.len() + 1);
        (
            200,
            vec![],
            json!({"token_type": token_type, "expires_in": self.expires_in, "access_token": token, "scope": "okta.logs.read"}).to_string(),
        )
    }

    /// Checks an API request's token and proof.
    fn api(&mut self, request: &Request<'_>, url: &str) -> Result<(), String> {
        let auth = request.authorization.ok_or("no Authorization header")?;
        let (scheme, token) = auth
            .split_once(' ')
            .ok_or("an Authorization header without a scheme")?;
        let issued = self
            .issued
            .iter()
            .find(|i| i.token == token)
            .ok_or("a token this server did not issue")?;
        if Instant::now() >= issued.expires {
            return Err("the token has expired".into());
        }
        let Some(jwk) = issued.jwk.clone() else {
            return if scheme == "Bearer" && request.dpop.is_none() {
                Ok(())
            } else {
                Err(format!("a Bearer token sent as {scheme}"))
            };
        };
        if scheme != "DPoP" {
            return Err(format!("a DPoP-bound token sent as {scheme}"));
        }
        let proof = request.dpop.ok_or("a DPoP token without a proof")?;
        self.proof(proof, Some(&jwk), "GET", url, Some(token)).map(|_| ())
    }

    /// Checks a DPoP proof (RFC 9449 §4.3): its key and signature, its claims; its key and claims.
    fn proof(
        &mut self,
        proof: &str,
        bound: Option<&Value>,
        htm: &str,
        htu: &str,
        token: Option<&str>,
    ) -> Result<(Value, Value), String> {
        let header = decode(proof.split('.').next().unwrap_or(""))?;
        let jwk = header["jwk"].clone();
        if header["typ"] != "dpop+jwt" || jwk.get("d").is_some() {
            return Err(format!("a proof header that is not a DPoP one: {header}"));
        }
        if bound.is_some_and(|b| *b != jwk) {
            return Err("a proof signed with another key than the token is bound to".into());
        }
        let (_, claims) = verify(proof, &jwk)?;
        let iat_ok = claims["iat"]
            .as_i64()
            .is_some_and(|iat| (iat - now()).abs() <= 60);
        if claims["htm"] != htm || claims["htu"] != htu || !iat_ok || !self.fresh_jti(&claims) {
            return Err(format!("a proof with claims {claims} for {htm} {htu}"));
        }
        if let Some(token) = token {
            if claims["ath"] != URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes())).as_str() {
                return Err("a proof whose ath is not the token's hash".into());
            }
        }
        Ok((jwk, claims))
    }

    fn fresh_jti(&mut self, claims: &Value) -> bool {
        claims["jti"]
            .as_str()
            .is_some_and(|j| j.len() >= 16 && self.jtis.insert(j.to_owned()))
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

fn decode(part: &str) -> Result<Value, String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|e| format!("not base64url: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("not JSON: {e}"))
}

/// Verifies a compact JWS with a public JWK; its header and claims.
fn verify(jws: &str, jwk: &Value) -> Result<(Value, Value), String> {
    let parts: Vec<&str> = jws.split('.').collect();
    let [head, body, sig] = parts[..] else {
        return Err("not a compact JWS".into());
    };
    let header = decode(head)?;
    let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|e| e.to_string())?;
    let input = format!("{head}.{body}");
    let part = |k: &str| {
        URL_SAFE_NO_PAD
            .decode(jwk[k].as_str().unwrap_or(""))
            .unwrap_or_default()
    };
    let ok = match (jwk["kty"].as_str(), header["alg"].as_str()) {
        (Some("RSA"), Some("RS256")) => RsaPublicKeyComponents {
            n: part("n"),
            e: part("e"),
        }
        .verify(&signature::RSA_PKCS1_2048_8192_SHA256, input.as_bytes(), &sig)
        .is_ok(),
        (Some("EC"), Some("ES256")) => {
            let mut point = vec![4];
            point.extend(part("x"));
            point.extend(part("y"));
            UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .verify(input.as_bytes(), &sig)
                .is_ok()
        }
        (kty, alg) => return Err(format!("alg {alg:?} for a key of type {kty:?}")),
    };
    if !ok {
        return Err("the signature does not verify".into());
    }
    Ok((header, decode(body)?))
}

/// The public JWK of a PEM key fixture, as an admin registers it with the app (from the key's own numbers,
/// which openssl printed into the fixture's `.pub.json`).
fn public_jwk(name: &str) -> Value {
    let text =
        std::fs::read_to_string(fixture(&format!("keys/{name}.pub.json"))).expect("a public key fixture");
    serde_json::from_str(&text).expect("a JWK")
}

fn key_text(name: &str) -> String {
    std::fs::read_to_string(fixture(&format!("keys/{name}"))).expect("a key fixture")
}

/// The fake Okta with a token endpoint for an app whose registered key is `public`.
fn okta(public: Value) -> FakeOkta {
    let okta = FakeOkta::start(super::pull::fixture_events(), 3);
    okta.okta().auth = Some(TokenEndpoint::new(public));
    okta
}

fn pull(okta: &FakeOkta, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = provdiag_offline();
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(["pull", "--format", "json", "--max-wait", "0.05"])
        .args(args)
        .env("OKTA_CLIENT_ORGURL", &okta.url)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Nothing of the private key is in any output.
fn assert_key_kept(out: &Output, key: &str) {
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(out));
    for line in key.lines().filter(|l| l.len() > 20 && !l.starts_with("-----")) {
        assert!(!all.contains(line), "a line of the private key was written out");
    }
    assert!(!all.contains("PRIVATE KEY"), "{all}");
}

#[test]
fn a_service_apps_private_key_gets_a_dpop_token_after_the_nonce_and_pulls_every_page() {
    let okta = okta(public_jwk("test-rsa"));
    let key = key_text("test-rsa.pem");
    // The org comes from OKTA_CLIENT_ORGURL, as the Okta SDKs read it.
    let out = pull(
        &okta,
        &[
            ("OKTA_CLIENT_CLIENTID", CLIENT_ID),
            ("OKTA_CLIENT_PRIVATEKEY", &key),
        ],
        &[],
    );
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("a report: {}", stderr(&out)));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(figures(&report), [10, 6, 5, 1, 4, 0, 0]);
    {
        let fake = okta.okta();
        let auth = fake.auth.as_ref().expect("the token endpoint");
        // Okta asks for a nonce, then issues one token for the whole (short) run.
        assert_eq!(
            auth.token_requests,
            [(400, "use_dpop_nonce".to_owned()), (200, "issued".to_owned())]
        );
        assert_eq!(auth.api_refusals, Vec::<String>::new());
    }
    let seen = okta.seen();
    assert_eq!(seen.len(), 5, "every page, then the empty one");
    for s in &seen {
        assert!(
            s.authorization
                .as_deref()
                .is_some_and(|a| a.starts_with("DPoP eyJfake.")),
            "{s:?}"
        );
        assert!(s.dpop.is_some(), "{s:?}");
        assert_eq!(s.status, 200);
    }
    let proofs: HashSet<&str> = seen.iter().filter_map(|s| s.dpop.as_deref()).collect();
    assert_eq!(proofs.len(), seen.len(), "a fresh proof per request");
    assert_key_kept(&out, &key);
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("eyJfake"),
        "the token is in no report"
    );
}

#[test]
fn an_app_without_dpop_gets_bearer_tokens_from_a_key_given_as_a_path_or_a_jwk() {
    let path = fixture("keys/test-ec.pem");
    let jwk = key_text("test-ec.jwk");
    for key in [path.as_str(), jwk.as_str()] {
        let okta = okta(public_jwk("test-ec"));
        {
            let mut fake = okta.okta();
            let auth = fake.auth.as_mut().expect("auth");
            auth.require_dpop = false;
            auth.require_nonce = false;
        }
        let out = pull(
            &okta,
            &[
                ("OKTA_CLIENT_CLIENTID", CLIENT_ID),
                ("OKTA_CLIENT_PRIVATEKEY", key),
            ],
            &[],
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        for s in okta.seen() {
            assert!(
                s.authorization
                    .as_deref()
                    .is_some_and(|a| a.starts_with("Bearer eyJfake.")),
                "{s:?}"
            );
            assert_eq!((s.dpop.as_deref(), s.status), (None, 200), "{s:?}");
        }
        assert_key_kept(&out, &key_text("test-ec.pem"));
    }
}

#[test]
fn a_short_lived_token_is_renewed_before_okta_would_refuse_it() {
    let okta = okta(public_jwk("test-ec"));
    {
        let mut fake = okta.okta();
        fake.auth.as_mut().expect("auth").expires_in = 1;
        // The second page hangs past the timeout: the retry comes after the first token's second is up.
        fake.script.push_back(Scripted::Hang(Duration::from_millis(1500)));
        fake.script_from = 1;
    }
    let key = key_text("test-ec.pem");
    let out = pull(
        &okta,
        &[
            ("OKTA_CLIENT_CLIENTID", CLIENT_ID),
            ("OKTA_CLIENT_PRIVATEKEY", &key),
        ],
        &["--timeout", "1"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let fake = okta.okta();
    let auth = fake.auth.as_ref().expect("auth");
    let issued = auth.token_requests.iter().filter(|(s, _)| *s == 200).count();
    assert!(issued >= 2, "renewed: {:?}", auth.token_requests);
    assert_eq!(
        auth.api_refusals,
        Vec::<String>::new(),
        "no request went out with an expired token"
    );
}

#[test]
fn a_key_okta_does_not_know_is_refused_with_what_to_check_and_is_never_shown() {
    // The app registered the RSA key; the EC one signs.
    let okta = okta(public_jwk("test-rsa"));
    let key = key_text("test-ec.pem");
    let out = pull(
        &okta,
        &[
            ("OKTA_CLIENT_CLIENTID", CLIENT_ID),
            ("OKTA_CLIENT_PRIVATEKEY", &key),
            ("OKTA_API_TOKEN", "00unusedTOKEN"),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("using the API Services app 0oa8fakeServiceApp7"),
        "{err}"
    );
    assert!(err.contains("OKTA_API_TOKEN set too, not used"), "{err}");
    assert!(
        err.contains("invalid_client") && err.contains("OKTA_CLIENT_PRIVATEKEY is registered"),
        "{err}"
    );
    assert!(okta.seen().is_empty(), "no API request without a token");
    assert_key_kept(&out, &key);
}
