//! Where MAAS lives, in the one normalised form the client builds URLs from.

use std::fmt;
use std::str::FromStr;

use url::Url;

use crate::CredentialError;

const API_SUFFIX: &str = "api/2.0/";

/// The MAAS region URL, normalised once so that every request URL is built
/// the same way whatever spelling the user gave (`…/MAAS`, `…/MAAS/`,
/// `…/MAAS/api/2.0/`).
#[derive(Clone, PartialEq, Eq)]
pub struct MaasEndpoint {
    base: Url,
    api: Url,
}

impl MaasEndpoint {
    /// Accepts `http(s)://host[:port]/<prefix>` with or without a trailing
    /// `api/2.0/` and with or without trailing slashes.
    pub fn parse(input: &str) -> Result<Self, CredentialError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(invalid(
                "the URL is empty; give the MAAS region URL, e.g. http://maas.example:5240/MAAS/",
            ));
        }
        if looks_like_api_key(input) {
            return Err(invalid(
                "this looks like a MAAS API key (consumer:token:secret), not a URL; \
                 give the MAAS region URL, e.g. http://maas.example:5240/MAAS/",
            ));
        }
        let shown = without_userinfo(input);
        if !input.contains("://") {
            return Err(invalid(format!(
                "{shown:?} has no scheme; prefix it with http:// or https://, e.g. http://{}",
                shown.trim_start_matches('/')
            )));
        }
        // `http:///MAAS` parses with "MAAS" as the host and no path; the real mistake is the
        // missing host, so say that.
        if input
            .split_once("://")
            .is_some_and(|(_, rest)| rest.is_empty() || rest.starts_with('/'))
        {
            return Err(invalid(format!(
                "{shown:?} has no host after the scheme; use e.g. http://maas.example:5240/MAAS/"
            )));
        }
        let url = Url::parse(input).map_err(|e| parse_problem(&shown, e))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(invalid(format!(
                "scheme {:?} is not supported; MAAS speaks http:// or https://",
                url.scheme()
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid(format!(
                "{shown:?} has an empty host; use e.g. http://maas.example:5240/MAAS/"
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "the URL carries a user name or password; remove it, MAAS authenticates with the API key",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid(format!(
                "{} has a query or fragment; give only scheme, host, port and path, \
                 e.g. http://maas.example:5240/MAAS/",
                redacted_display(&url)
            )));
        }
        let prefix = base_path(url.path()).map_err(|why| {
            invalid(format!(
                "{why}; MAAS usually lives at {}://{}/MAAS/",
                url.scheme(),
                authority_of(&url)
            ))
        })?;

        let mut base = url.clone();
        base.set_path(&prefix);
        let api = base
            .join(API_SUFFIX)
            .map_err(|e| invalid(format!("cannot build the API URL: {e}")))?;
        Ok(Self { base, api })
    }

    /// The region URL, e.g. `http://maas.example:5240/MAAS/`.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// The API root, e.g. `http://maas.example:5240/MAAS/api/2.0/`.
    pub fn api_url(&self) -> &Url {
        &self.api
    }

    /// `host:port`, the part error messages name when MAAS cannot be reached.
    pub fn authority(&self) -> String {
        authority_of(&self.api)
    }

    /// An API URL for the given path segments, each percent-encoded, with
    /// the trailing slash MAAS routes expect.
    pub fn url_for(&self, segments: &[&str]) -> Url {
        let mut url = self.api.clone();
        {
            // A base URL from `parse` always has a path, so this cannot fail.
            let mut path = url
                .path_segments_mut()
                .expect("http(s) URLs always have path segments");
            path.pop_if_empty();
            for segment in segments {
                path.push(segment);
            }
            path.push("");
        }
        url
    }
}

impl FromStr for MaasEndpoint {
    type Err = CredentialError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for MaasEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base.as_str())
    }
}

impl fmt::Debug for MaasEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MaasEndpoint({})", self.base)
    }
}

fn invalid(reason: impl Into<String>) -> CredentialError {
    CredentialError::InvalidEndpoint {
        reason: reason.into(),
    }
}

/// Three colon-separated parts and no slash: someone swapped URL and key.
/// Such input must not be echoed back, it would print the secret.
fn looks_like_api_key(input: &str) -> bool {
    !input.contains('/') && input.split(':').count() == 3 && !input.contains("://")
}

/// The input with any `user:password@` removed, so it can be quoted back.
fn without_userinfo(input: &str) -> String {
    let (scheme, rest) = match input.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, input),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    match scheme {
        Some(scheme) => format!("{scheme}://{authority}{path}"),
        None => format!("{authority}{path}"),
    }
}

fn parse_problem(input: &str, err: url::ParseError) -> CredentialError {
    let hint = match err {
        url::ParseError::EmptyHost => "the host is empty".to_string(),
        url::ParseError::InvalidPort => "the port is not a number between 1 and 65535".to_string(),
        url::ParseError::InvalidIpv4Address | url::ParseError::InvalidIpv6Address => {
            "the IP address is malformed".to_string()
        }
        other => other.to_string(),
    };
    invalid(format!(
        "cannot parse {input:?}: {hint}; use e.g. http://maas.example:5240/MAAS/"
    ))
}

/// The region prefix with a trailing slash, from a path that may end in the
/// API root. An empty prefix is refused: MAAS is never served at `/`, so a
/// bare host almost always means the `/MAAS` part was forgotten.
fn base_path(path: &str) -> Result<String, String> {
    let trimmed = path.trim_end_matches('/');
    let prefix = trimmed.strip_suffix("/api/2.0").unwrap_or(trimmed);
    let prefix = prefix.trim_end_matches('/');
    if prefix.ends_with("/api") || prefix.contains("/api/") {
        return Err(format!(
            "path {path:?} points at an API other than 2.0; this client speaks MAAS API 2.0"
        ));
    }
    if prefix.is_empty() {
        return Err("the URL has no path".to_string());
    }
    Ok(format!("{prefix}/"))
}

fn authority_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

fn redacted_display(url: &Url) -> String {
    format!("{}://{}{}", url.scheme(), authority_of(url), url.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> MaasEndpoint {
        MaasEndpoint::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"))
    }

    fn err(input: &str) -> String {
        MaasEndpoint::parse(input).expect_err(input).to_string()
    }

    #[test]
    fn all_spellings_normalise_to_the_same_urls() {
        for input in [
            "http://10.0.0.2:5240/MAAS",
            "http://10.0.0.2:5240/MAAS/",
            "http://10.0.0.2:5240/MAAS//",
            "http://10.0.0.2:5240/MAAS/api/2.0",
            "http://10.0.0.2:5240/MAAS/api/2.0/",
            "  http://10.0.0.2:5240/MAAS/api/2.0//  ",
        ] {
            let e = ok(input);
            assert_eq!(
                e.base_url().as_str(),
                "http://10.0.0.2:5240/MAAS/",
                "{input}"
            );
            assert_eq!(
                e.api_url().as_str(),
                "http://10.0.0.2:5240/MAAS/api/2.0/",
                "{input}"
            );
            assert_eq!(e.authority(), "10.0.0.2:5240");
        }
    }

    #[test]
    fn https_and_default_ports_and_prefixes() {
        let e = ok("https://maas.example/MAAS");
        assert_eq!(e.api_url().as_str(), "https://maas.example/MAAS/api/2.0/");
        assert_eq!(e.authority(), "maas.example:443");
        let e = ok("http://proxy.example/region-a/MAAS/api/2.0/");
        assert_eq!(e.base_url().as_str(), "http://proxy.example/region-a/MAAS/");
        let e = ok("http://[::1]:5240/MAAS");
        assert_eq!(e.api_url().as_str(), "http://[::1]:5240/MAAS/api/2.0/");
        assert_eq!(e.to_string(), "http://[::1]:5240/MAAS/");
        assert_eq!(
            "http://h:1/MAAS".parse::<MaasEndpoint>().unwrap(),
            ok("http://h:1/MAAS/")
        );
    }

    #[test]
    fn url_for_encodes_segments_and_adds_the_trailing_slash() {
        let e = ok("http://h:5240/MAAS");
        assert_eq!(
            e.url_for(&["vm-hosts", "3"]).as_str(),
            "http://h:5240/MAAS/api/2.0/vm-hosts/3/"
        );
        assert_eq!(
            e.url_for(&["zones", "a b/../c?"]).as_str(),
            "http://h:5240/MAAS/api/2.0/zones/a%20b%2F..%2Fc%3F/"
        );
        assert_eq!(e.url_for(&[]).as_str(), "http://h:5240/MAAS/api/2.0/");
    }

    #[test]
    fn errors_say_what_is_wrong_and_how_to_fix_it() {
        let m = err("maas.example:5240/MAAS");
        assert!(
            m.contains("no scheme") && m.contains("http://maas.example:5240/MAAS"),
            "{m}"
        );
        let m = err("ftp://maas.example/MAAS");
        assert!(m.contains("\"ftp\"") && m.contains("http://"), "{m}");
        let m = err("http://:5240/MAAS");
        assert!(m.contains("host is empty"), "{m}");
        let m = err("http://maas.example:5240");
        assert!(
            m.contains("no path") && m.contains("http://maas.example:5240/MAAS/"),
            "{m}"
        );
        let m = err("http://maas.example:5240/MAAS/api/1.0/");
        assert!(m.contains("API 2.0"), "{m}");
        let m = err("http://maas.example:5240/MAAS/?op=x");
        assert!(m.contains("query"), "{m}");
        let m = err("");
        assert!(m.contains("empty"), "{m}");
        let m = err("http://maas.example:99999/MAAS");
        assert!(m.contains("port"), "{m}");
    }

    #[test]
    fn never_echoes_credentials() {
        let m = err("http://admin:pw123@maas.example/MAAS");
        assert!(!m.contains("pw123"), "{m}");
        let m = err("http://admin:pw123@:5240/MAAS");
        assert!(
            !m.contains("pw123") && m.contains("http://:5240/MAAS"),
            "{m}"
        );
        let m = err("admin:pw123@maas.example/MAAS");
        assert!(!m.contains("pw123") && m.contains("no scheme"), "{m}");
        let m = err("ck1234:tk5678:sekrit999");
        assert!(m.contains("API key") && !m.contains("sekrit999"), "{m}");
    }
}
