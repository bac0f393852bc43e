//! Signed JSON Web Tokens for Okta's OAuth 2.0 service apps: the app's private key (RSA or P-256, from a PEM or
//! the JWK Okta's console shows), compact JWS signatures with it (RS256, ES256), its public JWK, and the DPoP
//! proofs of RFC 9449, signed with a key made for the run.
//!
//! ring does the cryptography: it is already in the build (rustls uses it for TLS), is maintained, and signs
//! RS256 and ES256 with keys from PKCS#8, PKCS#1 or JWK components; rustls-pki-types reads the PEM. base64 is
//! the one ureq already builds.

use anyhow::{anyhow, bail, Context, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::fmt;
use url::Url;

/// A private key that signs JWTs. Its `Debug` shows the algorithm only.
pub(crate) struct Signer {
    key: Key,
    /// The key's id in the app's key set (`kid`), when one is known.
    kid: Option<String>,
    rng: SystemRandom,
}

enum Key {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl Signer {
    /// A key from `OKTA_CLIENT_PRIVATEKEY`'s text: a PEM (PKCS#8 RSA or P-256, or PKCS#1 RSA), or a private
    /// JWK (`{"kty":"RSA",…}` or `{"kty":"EC","crv":"P-256",…}`, as Okta's console shows it). Errors never
    /// repeat the text.
    pub fn from_text(text: &str) -> Result<Signer> {
        let rng = SystemRandom::new();
        let trimmed = text.trim();
        if trimmed.starts_with('{') {
            return Self::from_jwk(trimmed, rng);
        }
        let der = PrivateKeyDer::from_pem_slice(trimmed.as_bytes())
            .map_err(|_| anyhow!("it holds no PEM private key (-----BEGIN PRIVATE KEY-----) and no JWK"))?;
        let key = match &der {
            PrivateKeyDer::Pkcs8(k) => {
                let bytes = k.secret_pkcs8_der();
                match RsaKeyPair::from_pkcs8(bytes) {
                    Ok(rsa) => Key::Rsa(rsa),
                    Err(_) => Key::Ec(
                        EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, bytes, &rng)
                            .map_err(|e| anyhow!("its key is neither an RSA key of 2048 bits or more nor a P-256 key ({e})"))?,
                    ),
                }
            }
            PrivateKeyDer::Pkcs1(k) => Key::Rsa(
                RsaKeyPair::from_der(k.secret_pkcs1_der())
                    .map_err(|e| anyhow!("its RSA key cannot sign ({e}; 2048 bits or more are needed)"))?,
            ),
            PrivateKeyDer::Sec1(_) => bail!(
                "it holds an EC key in the SEC1 form (BEGIN EC PRIVATE KEY): convert it to PKCS#8 with `openssl pkcs8 -topk8 -nocrypt -in key.pem`"
            ),
            _ => bail!("its private key is of a kind Okta does not sign with: give an RSA or P-256 key"),
        };
        Ok(Signer { key, kid: None, rng })
    }

    fn from_jwk(text: &str, rng: SystemRandom) -> Result<Signer> {
        let jwk: Value = serde_json::from_str(text)
            .map_err(|e| anyhow!("its JWK is not JSON (line {}, column {})", e.line(), e.column()))?;
        // Okta's console offers the whole key set too: its one key is taken.
        let jwk = match jwk.get("keys").and_then(Value::as_array) {
            Some(keys) if keys.len() == 1 => keys[0].clone(),
            Some(_) => bail!("it holds a key set of several keys: give the one the app uses"),
            None => jwk,
        };
        let part = |name: &str| -> Result<Vec<u8>> {
            let text = jwk.get(name).and_then(Value::as_str).ok_or_else(|| {
                anyhow!("its JWK has no \"{name}\": give the private key, not the public one")
            })?;
            URL_SAFE_NO_PAD
                .decode(text.trim_end_matches('='))
                .map_err(|_| anyhow!("its JWK's \"{name}\" is not base64url"))
        };
        let key = match jwk.get("kty").and_then(Value::as_str) {
            Some("RSA") => {
                let components = ring::rsa::KeyPairComponents {
                    public_key: ring::rsa::PublicKeyComponents {
                        n: part("n")?,
                        e: part("e")?,
                    },
                    d: part("d")?,
                    p: part("p")?,
                    q: part("q")?,
                    dP: part("dp")?,
                    dQ: part("dq")?,
                    qInv: part("qi")?,
                };
                Key::Rsa(
                    RsaKeyPair::from_components(&components)
                        .map_err(|e| anyhow!("its RSA JWK is not a usable key ({e})"))?,
                )
            }
            Some("EC") if jwk.get("crv").and_then(Value::as_str) == Some("P-256") => {
                let mut point = vec![4u8];
                point.extend(part("x")?);
                point.extend(part("y")?);
                Key::Ec(
                    EcdsaKeyPair::from_private_key_and_public_key(
                        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                        &part("d")?,
                        &point,
                        &rng,
                    )
                    .map_err(|e| anyhow!("its EC JWK is not a usable P-256 key ({e})"))?,
                )
            }
            _ => bail!("its JWK is neither an RSA nor a P-256 (EC) key"),
        };
        let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_owned);
        Ok(Signer { key, kid, rng })
    }

    /// A P-256 key made for this run: DPoP proofs are signed with it, and Okta binds the tokens to it.
    pub fn ephemeral() -> Result<Signer> {
        let rng = SystemRandom::new();
        let alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).map_err(|_| anyhow!("cannot make a DPoP key"))?;
        let key = EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng)
            .map_err(|_| anyhow!("cannot make a DPoP key"))?;
        Ok(Signer {
            key: Key::Ec(key),
            kid: None,
            rng,
        })
    }

    /// Sets the key's id, given with the key (`OKTA_CLIENT_PRIVATEKEYID`).
    pub fn with_kid(mut self, kid: Option<String>) -> Signer {
        if kid.is_some() {
            self.kid = kid;
        }
        self
    }

    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `RS256` or `ES256`.
    pub fn alg(&self) -> &'static str {
        match self.key {
            Key::Rsa(_) => "RS256",
            Key::Ec(_) => "ES256",
        }
    }

    /// The public key as a JWK: what a DPoP proof carries, and what Okta binds a token to.
    pub fn public_jwk(&self) -> Value {
        match &self.key {
            Key::Rsa(k) => {
                let parts: ring::rsa::PublicKeyComponents<Vec<u8>> = k.public().into();
                json!({ "kty": "RSA", "e": b64(&parts.e), "n": b64(&parts.n) })
            }
            Key::Ec(k) => {
                // The uncompressed point: 0x04, then x and y (32 bytes each).
                let point = k.public_key().as_ref();
                let (x, y) = point
                    .get(1..)
                    .unwrap_or_default()
                    .split_at(point.len().saturating_sub(1) / 2);
                json!({ "kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y) })
            }
        }
    }

    /// The compact JWS of `claims` under `header` (`alg` is added).
    pub fn sign(&self, mut header: Value, claims: &Value) -> Result<String> {
        header["alg"] = self.alg().into();
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let signature = match &self.key {
            Key::Rsa(k) => {
                let mut sig = vec![0; k.public().modulus_len()];
                k.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &self.rng,
                    input.as_bytes(),
                    &mut sig,
                )
                .map_err(|_| anyhow!("cannot sign with the RSA key"))?;
                sig
            }
            Key::Ec(k) => k
                .sign(&self.rng, input.as_bytes())
                .map_err(|_| anyhow!("cannot sign with the EC key"))?
                .as_ref()
                .to_vec(),
        };
        Ok(format!("{input}.{}", b64(&signature)))
    }

    /// A fresh, unguessable JWT id.
    pub fn jti(&self) -> Result<String> {
        let mut bytes = [0u8; 18];
        self.rng
            .fill(&mut bytes)
            .map_err(|_| anyhow!("no randomness for a JWT id"))?;
        Ok(b64(&bytes))
    }

    /// A DPoP proof (RFC 9449 §4.2) for `method` at `url` (its query and fragment left out), with the server's
    /// nonce and, for an API call, the access token's hash (`ath`).
    pub fn proof(
        &self,
        method: &str,
        url: &Url,
        nonce: Option<&str>,
        token: Option<&str>,
        now: i64,
    ) -> Result<String> {
        let mut htu = url.clone();
        htu.set_query(None);
        htu.set_fragment(None);
        let mut claims = json!({ "htm": method, "htu": htu.as_str(), "iat": now, "jti": self.jti()? });
        if let Some(nonce) = nonce {
            claims["nonce"] = nonce.into();
        }
        if let Some(token) = token {
            claims["ath"] = b64(&Sha256::digest(token.as_bytes())).into();
        }
        self.sign(json!({ "typ": "dpop+jwt", "jwk": self.public_jwk() }), &claims)
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signer({}, hidden)", self.alg())
    }
}

/// base64url without padding, as JOSE writes every part.
pub(crate) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Reads `OKTA_CLIENT_PRIVATEKEY`: the key itself, or the path of a file that holds it.
pub(crate) fn read_key(value: &str, var: &str) -> Result<Signer> {
    let value = value.trim();
    let text = if value.contains("-----BEGIN") || value.starts_with('{') {
        // A key pasted into one line of a CI variable often has its line breaks written as `\n`.
        if value.contains("\\n") && !value.contains('\n') {
            value.replace("\\n", "\n")
        } else {
            value.to_owned()
        }
    } else {
        std::fs::read_to_string(value).with_context(|| {
            format!("{var} is neither a PEM key, a JWK nor the path of a file that holds one")
        })?
    };
    Signer::from_text(&text).with_context(|| format!("{var} cannot be used"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{RsaPublicKeyComponents, UnparsedPublicKey};

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{}/fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR")))
            .expect("a key fixture")
    }

    fn parts(jws: &str) -> (Value, Value, Vec<u8>, String) {
        let v: Vec<&str> = jws.split('.').collect();
        assert_eq!(v.len(), 3, "{jws}");
        let json = |s: &str| -> Value {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).expect("b64")).expect("json")
        };
        (
            json(v[0]),
            json(v[1]),
            URL_SAFE_NO_PAD.decode(v[2]).expect("b64"),
            format!("{}.{}", v[0], v[1]),
        )
    }

    /// Verifies a JWS with the public JWK, as a server would.
    fn verify(jwk: &Value, jws: &str) -> bool {
        let (_, _, sig, input) = parts(jws);
        let d = |k: &str| URL_SAFE_NO_PAD.decode(jwk[k].as_str().expect(k)).expect(k);
        match jwk["kty"].as_str() {
            Some("RSA") => RsaPublicKeyComponents { n: d("n"), e: d("e") }
                .verify(&signature::RSA_PKCS1_2048_8192_SHA256, input.as_bytes(), &sig)
                .is_ok(),
            _ => {
                let mut point = vec![4];
                point.extend(d("x"));
                point.extend(d("y"));
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                    .verify(input.as_bytes(), &sig)
                    .is_ok()
            }
        }
    }

    #[test]
    fn rsa_and_ec_keys_sign_what_their_public_jwk_verifies() {
        for (name, alg) in [
            ("test-rsa.pem", "RS256"),
            ("test-rsa-pkcs1.pem", "RS256"),
            ("test-ec.pem", "ES256"),
        ] {
            let key = Signer::from_text(&fixture(name)).expect(name);
            assert_eq!(key.alg(), alg);
            let jws = key
                .sign(json!({"typ": "JWT"}), &json!({"iss": "0oa1"}))
                .expect("signed");
            let (header, claims, _, _) = parts(&jws);
            assert_eq!(
                (header["alg"].as_str(), claims["iss"].as_str()),
                (Some(alg), Some("0oa1"))
            );
            assert!(verify(&key.public_jwk(), &jws), "{name}");
            // A changed claim breaks the signature.
            let mut forged: Vec<&str> = jws.split('.').collect();
            let other = b64(br#"{"iss":"0oa2"}"#);
            forged[1] = &other;
            assert!(!verify(&key.public_jwk(), &forged.join(".")), "{name}");
        }
    }

    #[test]
    fn a_private_jwk_signs_like_its_pem() {
        // The EC fixture's own components, written as the JWK Okta's console shows.
        let pem = Signer::from_text(&fixture("test-ec.pem")).expect("pem");
        let jwk: Value = serde_json::from_str(&fixture("test-ec.jwk")).expect("jwk");
        let key = Signer::from_text(&jwk.to_string()).expect("jwk key");
        assert_eq!(key.public_jwk(), pem.public_jwk());
        assert_eq!(key.kid(), Some("test-ec"));
        let jws = key.sign(json!({}), &json!({"a": 1})).expect("signed");
        assert!(verify(&pem.public_jwk(), &jws));
        let public_only = json!({"kty": "EC", "crv": "P-256", "x": jwk["x"], "y": jwk["y"]});
        let err = Signer::from_text(&public_only.to_string())
            .expect_err("public key")
            .to_string();
        assert!(err.contains("\"d\"") && err.contains("private"), "{err}");
    }

    #[test]
    fn keys_that_cannot_sign_are_refused_without_being_repeated() {
        let sec1 = fixture("test-ec-sec1.pem");
        let err = format!(
            "{:#}",
            read_key(&sec1, "OKTA_CLIENT_PRIVATEKEY").expect_err("sec1")
        );
        assert!(err.contains("openssl pkcs8 -topk8"), "{err}");
        let secret_line = sec1.lines().nth(1).expect("a line");
        assert!(!err.contains(secret_line), "{err}");
        let err = format!(
            "{:#}",
            read_key("not a key at all", "OKTA_CLIENT_PRIVATEKEY").expect_err("junk")
        );
        assert!(err.starts_with("OKTA_CLIENT_PRIVATEKEY is neither"), "{err}");
        assert!(!err.contains("not a key at all"), "{err}");
    }

    #[test]
    fn a_key_written_on_one_line_with_escaped_breaks_is_read() {
        let one_line = fixture("test-ec.pem").trim().replace('\n', "\\n");
        let key = read_key(&one_line, "OKTA_CLIENT_PRIVATEKEY").expect("one line");
        assert_eq!(key.alg(), "ES256");
        let path = format!("{}/fixtures/keys/test-rsa.pem", env!("CARGO_MANIFEST_DIR"));
        assert_eq!(
            read_key(&path, "OKTA_CLIENT_PRIVATEKEY").expect("a path").alg(),
            "RS256"
        );
    }

    #[test]
    fn a_dpop_proof_carries_what_rfc_9449_asks() {
        let key = Signer::ephemeral().expect("a key");
        let url = Url::parse("https://acme.okta.com/api/v1/logs?since=x#f").expect("url");
        let proof = key
            .proof("GET", &url, Some("n0nce"), Some("tok"), 1_700_000_000)
            .expect("proof");
        let (header, claims, _, _) = parts(&proof);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["jwk"], key.public_jwk());
        assert!(header["jwk"].get("d").is_none(), "no private part in the proof");
        assert_eq!(claims["htm"], "GET");
        assert_eq!(claims["htu"], "https://acme.okta.com/api/v1/logs");
        assert_eq!(claims["iat"], 1_700_000_000);
        assert_eq!(claims["nonce"], "n0nce");
        assert_eq!(claims["ath"], b64(&Sha256::digest(b"tok")));
        assert!(verify(&key.public_jwk(), &proof));
        let again = key.proof("GET", &url, None, None, 1_700_000_000).expect("proof");
        let (_, claims2, _, _) = parts(&again);
        assert_ne!(claims["jti"], claims2["jti"], "a fresh jti each time");
        assert!(claims2.get("nonce").is_none() && claims2.get("ath").is_none());
    }
}
