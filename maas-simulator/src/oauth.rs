//! OAuth 1.0 authentication as MAAS checks it (piston3's OAuth server): consumer, token,
//! timestamp window, nonce reuse, then the signature, each failure with MAAS's own message.
//!
//! Both signature methods MAAS registers are accepted: `PLAINTEXT` (python-libmaas, the MAAS
//! CLI) and `HMAC-SHA1` (RFC 5849 §3.4.2; maas-client-go and so CAPMAAS, oauthlib clients).
//! The HMAC-SHA1 signature base string is rebuilt the way piston3 does it:
//!
//! * method, uppercased;
//! * base URI `http://<Host header><path>`: the `Host` header as sent (lowercased, a default
//!   port `:80` dropped), the request path as sent with its trailing slash, no query;
//! * parameters: for POST the form fields of the body (Django's `request.POST`, so
//!   url-encoded and multipart fields alike, the last value of a repeated name), then the
//!   `Authorization` header's `oauth_*` parameters (not `realm`, not `oauth_signature`), then
//!   the query string (first value of a repeated name, blank values left out). Each name
//!   appears once; pairs are RFC 3986 percent-encoded, sorted and joined with `&`. Bodies of
//!   other methods (PUT, DELETE) are not signed, which is why maas-client-go leaves its PUT
//!   parameters out of the signature.
//! * key: `consumer_secret&token_secret`; MAAS consumers have an empty secret.
//!
//! Timestamps more than 300 s from the server clock are refused (piston's
//! `timestamp_threshold`), and a nonce may be used once per consumer and token while its
//! timestamp is inside that window.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::body::Form;
use crate::http::ApiError;
use crate::state::SimState;

/// MAAS (piston) rejects timestamps further than this from its clock, in seconds.
const TIMESTAMP_THRESHOLD: i64 = 300;

/// The authenticated user of a request.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub username: String,
    pub is_admin: bool,
}

/// The `Authorization: OAuth k="v", ...` parameters, percent-decoded. `None` when the header
/// is not OAuth or lacks a parameter MAAS requires: MAAS then treats the request as carrying
/// no credentials at all.
pub(crate) fn parse_header(header: &str) -> Option<BTreeMap<String, String>> {
    let rest = header.trim();
    let (scheme, rest) = rest.split_at(rest.find(' ')?);
    if !scheme.eq_ignore_ascii_case("OAuth") {
        return None;
    }
    let params: BTreeMap<String, String> = rest
        .split(',')
        .filter_map(|item| {
            let (key, value) = item.trim().split_once('=')?;
            let value = value.trim().trim_matches('"');
            Some((key.trim().to_string(), percent_decode(value)))
        })
        .collect();
    let required = [
        "oauth_consumer_key",
        "oauth_token",
        "oauth_signature",
        "oauth_signature_method",
        "oauth_timestamp",
        "oauth_nonce",
    ];
    required
        .iter()
        .all(|key| params.contains_key(*key))
        .then_some(params)
}

/// RFC 3986 percent-decoding (OAuth header values, URL path segments).
pub(crate) fn percent_decode(text: &str) -> String {
    fn hex(byte: u8) -> Option<u8> {
        char::from(byte).to_digit(16).map(|d| d as u8)
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(high * 16 + low);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the signature covers, besides the `Authorization` header.
pub(crate) struct SignedRequest<'a> {
    pub method: &'a str,
    /// The `Host` header as the client sent it.
    pub host: &'a str,
    /// The request path as sent (still percent-encoded).
    pub path: &'a str,
    pub query: &'a Form,
    /// The parsed body fields; `None` when the body did not parse.
    pub body: Option<&'a Form>,
}

impl SignedRequest<'_> {
    /// `http://host/path` as piston normalises it: scheme and host lowercased, the default
    /// port dropped, no query.
    pub fn base_uri(&self) -> String {
        let host = self.host.to_ascii_lowercase();
        let host = host.strip_suffix(":80").unwrap_or(&host);
        format!("http://{host}{}", self.path)
    }

    /// The normalised request parameters (RFC 5849 §3.4.1.3.2) as piston collects them: one
    /// value per name, body fields (POST only) overridden by header parameters overridden by
    /// non-blank query parameters.
    pub fn normalized_parameters(&self, header: &BTreeMap<String, String>) -> String {
        let mut params: BTreeMap<&str, &str> = BTreeMap::new();
        if self.method == "POST"
            && let Some(body) = self.body
        {
            for (name, values) in body.lists() {
                if let Some(last) = values.last() {
                    params.insert(name, last);
                }
            }
        }
        for (name, value) in header {
            if name != "realm" {
                params.insert(name, value);
            }
        }
        for (name, values) in self.query.lists() {
            if let Some(first) = values.first().filter(|v| !v.is_empty()) {
                params.insert(name, first);
            }
        }
        params.remove("oauth_signature");
        let mut pairs: Vec<(String, String)> = params
            .into_iter()
            .map(|(k, v)| (percent_encode(k), percent_encode(v)))
            .collect();
        pairs.sort();
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The signature base string (RFC 5849 §3.4.1.1).
    pub fn base_string(&self, header: &BTreeMap<String, String>) -> String {
        format!(
            "{}&{}&{}",
            percent_encode(&self.method.to_ascii_uppercase()),
            percent_encode(&self.base_uri()),
            percent_encode(&self.normalized_parameters(header))
        )
    }
}

/// RFC 3986 percent-encoding as OAuth uses it: everything but `A-Za-z0-9-._~`, uppercase hex.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// HMAC-SHA1 of `base` under `key`, base64-encoded (RFC 5849 §3.4.2).
#[cfg(test)]
fn hmac_sha1_signature(key: &str, base: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    mac.update(base.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `signature` (base64) is the HMAC-SHA1 of `base` under `key`, compared in
/// constant time.
fn hmac_sha1_matches(key: &str, base: &str, signature: &str) -> bool {
    let Ok(given) = STANDARD.decode(signature.trim()) else {
        return false;
    };
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    mac.update(base.as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// Check the `Authorization` header of `request`. `Ok(None)`: no (usable) credentials. `now`
/// is Unix time.
pub(crate) fn authenticate(
    header: Option<&str>,
    request: &SignedRequest<'_>,
    state: &mut SimState,
    now: i64,
) -> Result<Option<Caller>, ApiError> {
    let Some(params) = header.and_then(parse_header) else {
        return Ok(None);
    };
    let param = |key: &str| params.get(key).map(String::as_str).unwrap_or_default();
    let Ok(timestamp) = param("oauth_timestamp").parse::<i64>() else {
        return Err(ApiError::bad_auth_params(
            "oauth_timestamp has an unexpected type",
        ));
    };
    let consumer_key = param("oauth_consumer_key");
    let token_key = param("oauth_token");
    let Some(user) = state
        .users
        .iter()
        .find(|u| u.keys.iter().any(|k| k.consumer_key == consumer_key))
    else {
        return Err(ApiError::oauth("Invalid API key."));
    };
    let Some(key) = user
        .keys
        .iter()
        .find(|k| k.consumer_key == consumer_key && k.token_key == token_key)
    else {
        return Err(ApiError::oauth(&format!(
            "'Invalid access token: {token_key}'"
        )));
    };
    let caller = Caller {
        username: user.username.clone(),
        is_admin: user.is_admin,
    };
    let token_secret = key.token_secret.clone();
    if (now - timestamp).abs() > TIMESTAMP_THRESHOLD {
        return Err(ApiError::oauth(&format!(
            "'Expired timestamp: given {timestamp} and now {now} has a greater difference than threshold {TIMESTAMP_THRESHOLD}'"
        )));
    }
    // The nonce is spent before the signature is checked, as in piston's OAuth server.
    let nonce = param("oauth_nonce").to_string();
    state
        .nonces
        .retain(|_, seen| (now - *seen).abs() <= TIMESTAMP_THRESHOLD);
    let nonce_key = (
        consumer_key.to_string(),
        token_key.to_string(),
        nonce.clone(),
    );
    if state.nonces.contains_key(&nonce_key) {
        return Err(ApiError::oauth(&format!("'Nonce already used: {nonce}'")));
    }
    state.nonces.insert(nonce_key, timestamp);
    // MAAS consumers have an empty secret, so the key is "&<token secret>" for both methods
    // (the token secrets MAAS issues need no percent-encoding, but encode anyway).
    let signing_key = format!("&{}", percent_encode(&token_secret));
    match param("oauth_signature_method") {
        "PLAINTEXT" => {
            if param("oauth_signature") != signing_key {
                return Err(ApiError::oauth(&format!(
                    "'Invalid signature. Expected signature base string: {signing_key}'"
                )));
            }
        }
        "HMAC-SHA1" => {
            let base = request.base_string(&params);
            if !hmac_sha1_matches(&signing_key, &base, param("oauth_signature")) {
                return Err(ApiError::oauth(&format!(
                    "'Invalid signature. Expected signature base string: {base}'"
                )));
            }
        }
        method => {
            return Err(ApiError::oauth(&format!(
                "'Signature method {method} not supported try one of the following: PLAINTEXT, HMAC-SHA1'"
            )));
        }
    }
    Ok(Some(caller))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_libmaas_header() {
        // From the python-libmaas wire capture.
        let header = "OAuth realm=\"OAuth\", oauth_nonce=\"94288047421329842061795252790\", oauth_timestamp=\"1795252790\", oauth_version=\"1.0\", oauth_signature_method=\"PLAINTEXT\", oauth_consumer_key=\"CK\", oauth_token=\"TK\", oauth_signature=\"%26TS\"";
        let params = parse_header(header).unwrap();
        assert_eq!(params["oauth_signature"], "&TS");
        assert_eq!(params["oauth_consumer_key"], "CK");
    }

    #[test]
    fn incomplete_or_foreign_headers_mean_no_credentials() {
        assert!(parse_header("Bearer abc").is_none());
        assert!(parse_header("OAuth oauth_consumer_key=\"CK\"").is_none());
    }

    #[test]
    fn rfc_5849_hmac_sha1_example() {
        // The worked example of the OAuth 1.0 specification (photos.example.net).
        let query = Form::from_query("file=vacation.jpg&size=original");
        let request = SignedRequest {
            method: "GET",
            host: "photos.example.net",
            path: "/photos",
            query: &query,
            body: None,
        };
        let header = parse_header(
            "OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_token=\"nnch734d00sl2jdk\", oauth_signature_method=\"HMAC-SHA1\", oauth_signature=\"tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D\", oauth_timestamp=\"1191242096\", oauth_nonce=\"kllo9940pd9333jh\", oauth_version=\"1.0\"",
        )
        .unwrap();
        let base = request.base_string(&header);
        assert_eq!(
            base,
            "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal"
        );
        let key = "kd94hf93k423kf44&pfkkdhi9sl3r4s00";
        assert_eq!(
            hmac_sha1_signature(key, &base),
            "tR3+Ty81lMeYAr/Fid0kMTYa/WM="
        );
        assert!(hmac_sha1_matches(key, &base, &header["oauth_signature"]));
        assert!(!hmac_sha1_matches(
            key,
            &base,
            "tR3+Ty81lMeYAr/Fid0kMTYa/WN="
        ));
        assert!(!hmac_sha1_matches(key, &base, "not base64!"));
    }

    #[test]
    fn parameters_as_piston_collects_them() {
        let query = Form::from_query("op=list&empty=&a=1&a=2");
        let body = Form::from_query("name=x%20y&name=z&op=ignored&tilde=~*");
        let header = BTreeMap::from([
            ("realm".to_string(), "OAuth".to_string()),
            ("oauth_signature".to_string(), "s".to_string()),
            ("oauth_nonce".to_string(), "n".to_string()),
        ]);
        let post = SignedRequest {
            method: "POST",
            host: "MAAS.example:80",
            path: "/MAAS/api/2.0/x/",
            query: &query,
            body: Some(&body),
        };
        // Body (last value), header, then non-blank query (first value) override.
        assert_eq!(
            post.normalized_parameters(&header),
            "a=1&name=z&oauth_nonce=n&op=list&tilde=~%2A"
        );
        assert_eq!(post.base_uri(), "http://maas.example/MAAS/api/2.0/x/");
        // Bodies of other methods are not signed.
        let put = SignedRequest {
            method: "PUT",
            ..post
        };
        assert_eq!(
            put.normalized_parameters(&header),
            "a=1&oauth_nonce=n&op=list"
        );
        assert_eq!(percent_encode("a b+c/é"), "a%20b%2Bc%2F%C3%A9");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%26TS"), "&TS");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("zone%20a"), "zone a");
    }
}
