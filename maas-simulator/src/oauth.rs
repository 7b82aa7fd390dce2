//! OAuth 1.0 PLAINTEXT authentication as MAAS checks it: consumer, token, timestamp window,
//! nonce reuse, then the signature, each failure with MAAS's own message.

use std::collections::BTreeMap;

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
fn parse_header(header: &str) -> Option<BTreeMap<String, String>> {
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

/// Check the `Authorization` header. `Ok(None)`: no (usable) credentials. `now` is Unix time.
pub(crate) fn authenticate(
    header: Option<&str>,
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
    let method = param("oauth_signature_method");
    if method != "PLAINTEXT" {
        return Err(ApiError::oauth(&format!(
            "'Signature method {method} not supported try one of the following: PLAINTEXT'"
        )));
    }
    // MAAS consumers have an empty secret, so the PLAINTEXT signature is "&<token secret>".
    let expected = format!("&{token_secret}");
    if param("oauth_signature") != expected {
        return Err(ApiError::oauth(&format!(
            "'Invalid signature. Expected signature base string: {expected}'"
        )));
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
    fn percent_decoding() {
        assert_eq!(percent_decode("%26TS"), "&TS");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("zone%20a"), "zone a");
    }
}
