//! The proxy variables, checked before anything is asked: ureq skips one it cannot read and goes direct, which
//! would bypass the proxy without a word (and fail, or worse, where only the proxy may reach Okta).

use anyhow::{bail, Result};

/// The variables ureq reads, in its order: the first one set is the proxy.
const VARS: [&str; 6] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
];

/// A usage error if a proxy variable is set to something that is not a proxy address. The value is not
/// shown: it may hold the proxy's password.
pub(crate) fn check_env() -> Result<()> {
    for var in VARS {
        let Some(value) = std::env::var_os(var) else {
            continue;
        };
        let value = value.to_string_lossy();
        if value.trim().is_empty() {
            continue;
        }
        if ureq::Proxy::new(value.trim()).is_err() {
            bail!("{var} is set but is not a proxy address (such as http://proxy.example:3128 or socks5://proxy.example:1080): correct it or unset it");
        }
    }
    Ok(())
}
