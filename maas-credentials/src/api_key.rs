//! The MAAS API key and the OAuth 1.0a PLAINTEXT header MAAS checks it with.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::CredentialError;
use crate::secret::SecretString;

/// A MAAS API key, `consumer_key:token_key:token_secret`.
///
/// All three parts are credentials (MAAS echoes the token key and even the
/// secret in some 401 bodies), so `Debug`/`Display` show only the first
/// characters of the consumer key and [`ApiKey::redact`] scrubs all three
/// from any text that leaves the client.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    consumer_key: String,
    token_key: String,
    token_secret: SecretString,
}

impl ApiKey {
    /// Parses `consumer_key:token_key:token_secret` (surrounding whitespace is trimmed).
    pub fn parse(input: &str) -> Result<Self, CredentialError> {
        let input = input.trim();
        let parts: Vec<&str> = input.split(':').collect();
        if parts.len() != 3 {
            return Err(CredentialError::InvalidApiKey {
                reason: format!(
                    "expected three parts consumer_key:token_key:token_secret separated by ':', \
                     found {}; copy the key from the MAAS UI (user preferences → API keys) \
                     or `maas apikey --username <user>`",
                    parts.len()
                ),
            });
        }
        for (part, name) in parts
            .iter()
            .zip(["consumer key", "token key", "token secret"])
        {
            if part.is_empty() {
                return Err(CredentialError::InvalidApiKey {
                    reason: format!("the {name} (a part between ':') is empty"),
                });
            }
            if part.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(CredentialError::InvalidApiKey {
                    reason: format!(
                        "the {name} contains whitespace; the key is one line without spaces"
                    ),
                });
            }
            // MAAS issues every part as letters and digits; anything else is a copy/paste
            // accident (quotes, a URL, a shell variable) that would only fail later as a 401.
            if !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(CredentialError::InvalidApiKey {
                    reason: format!(
                        "the {name} contains a character other than a letter or digit; \
                         MAAS keys are letters and digits only, copy the key again from MAAS"
                    ),
                });
            }
        }
        Ok(Self {
            consumer_key: parts[0].to_string(),
            token_key: parts[1].to_string(),
            token_secret: SecretString::new(parts[2]),
        })
    }

    /// The key as MAAS issued it, `consumer:token:secret`, for writing into a Kubernetes Secret.
    /// The only way to get the secret part out; keep the result out of logs.
    pub fn expose(&self) -> String {
        format!(
            "{}:{}:{}",
            self.consumer_key,
            self.token_key,
            self.token_secret.expose()
        )
    }

    /// The `Authorization` value for one request. Every call draws a new
    /// nonce and reads the clock: MAAS refuses a reused nonce and any
    /// timestamp more than 300 s off, so retries must sign afresh.
    pub fn authorization_header(&self) -> String {
        let nonce = format!(
            "{:016x}{:016x}",
            rand::random::<u64>(),
            rand::random::<u64>()
        );
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        self.header_with(&nonce, timestamp)
    }

    /// PLAINTEXT signs with `consumer_secret&token_secret`; MAAS consumers
    /// have an empty secret, so the signature is `&` + the token secret,
    /// which the header then percent-encodes once more (`%26…`).
    pub(crate) fn header_with(&self, nonce: &str, timestamp: u64) -> String {
        let signature = format!("&{}", percent_encode(self.token_secret.expose()));
        format!(
            "OAuth realm=\"OAuth\", oauth_nonce=\"{}\", oauth_timestamp=\"{timestamp}\", \
             oauth_version=\"1.0\", oauth_signature_method=\"PLAINTEXT\", \
             oauth_consumer_key=\"{}\", oauth_token=\"{}\", oauth_signature=\"{}\"",
            percent_encode(nonce),
            percent_encode(&self.consumer_key),
            percent_encode(&self.token_key),
            percent_encode(&signature),
        )
    }

    /// `text` with every part of the key (plain or percent-encoded) replaced
    /// by `<redacted>`. Applied to every MAAS answer before it can reach an
    /// error message.
    pub fn redact(&self, text: &str) -> String {
        let mut needles: Vec<String> = Vec::with_capacity(6);
        for part in [
            self.token_secret.expose(),
            self.token_key.as_str(),
            self.consumer_key.as_str(),
        ] {
            needles.push(part.to_string());
            let encoded = percent_encode(part);
            if encoded != part {
                needles.push(encoded);
            }
        }
        // Longest first, so a part that contains another is removed whole.
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let mut out = scrub_expected_signature(text);
        for needle in needles.iter().filter(|n| !n.is_empty()) {
            out = replace_tokens(&out, needle, "<redacted>");
        }
        out
    }

    fn consumer_hint(&self) -> String {
        let shown: String = self.consumer_key.chars().take(3).collect();
        format!("ApiKey(consumer={shown}…, <redacted>)")
    }
}

impl FromStr for ApiKey {
    type Err = CredentialError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.consumer_hint())
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.consumer_hint())
    }
}

/// `text` with each occurrence of `needle` that stands as a whole token (no letter or digit
/// right before or after it) replaced. Key parts are alphanumeric, so a real one is always a
/// whole token, while a short one ("a" in a test key) must not eat the "a"s of every word.
fn replace_tokens(text: &str, needle: &str, with: &str) -> String {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(needle) {
        let end = i + needle.len();
        let whole = !word(rest[..i].chars().next_back()) && !word(rest[end..].chars().next());
        out.push_str(&rest[..i]);
        out.push_str(if whole { with } else { needle });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// MAAS's 401 for a wrong token secret quotes the signature it *expected*, which for
/// PLAINTEXT is `&` + the real token secret: a secret we never held, so the key-part
/// replacement cannot catch it. Cut every such quote up to the end of its line.
fn scrub_expected_signature(text: &str) -> String {
    const MARKER: &str = "signature base string:";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(MARKER) {
        let after = i + MARKER.len();
        out.push_str(&rest[..after]);
        out.push_str(" <redacted>");
        rest = &rest[after..];
        rest = &rest[rest.find(['\n', '\r']).unwrap_or(rest.len())..];
    }
    out.push_str(rest);
    out
}

/// RFC 3986 percent-encoding as OAuth 1.0a requires: only unreserved
/// characters stay as they are.
fn percent_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for byte in input.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "Cq9vXxVwYmT3aBcDeF:Tk7uHjKlMnOpQrStUv:S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tAb";

    /// From the fuzzer (`fuzz/fuzz_targets/api_key.rs`): a secret that is part of the fixed text
    /// the key shows (`ApiK` of `ApiKey(`), behind a Unicode space. What a key shows must not
    /// depend on its secret at all.
    #[test]
    fn what_a_key_shows_does_not_depend_on_its_secret() {
        let shown = |text: &str| {
            let key = ApiKey::parse(text).unwrap();
            format!("{key} {key:?}")
        };
        assert_eq!(
            shown("\u{3000}L:L:ApiK     "),
            shown("\u{3000}L:L:aaaa     ")
        );
        assert_eq!(shown(KEY), shown(&KEY.replace("S3cr3t", "x0x0x0")));
    }

    #[test]
    fn parses_three_parts_and_trims_the_line() {
        let key = ApiKey::parse(&format!("  {KEY}\n")).unwrap();
        assert_eq!(key.consumer_key, "Cq9vXxVwYmT3aBcDeF");
        assert_eq!(key.token_key, "Tk7uHjKlMnOpQrStUv");
        assert_eq!(
            key.token_secret.expose(),
            "S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tAb"
        );
        assert_eq!(KEY.parse::<ApiKey>().unwrap(), key);
    }

    #[test]
    fn rejects_malformed_keys_without_echoing_them() {
        for bad in [
            "",
            "only-one",
            "two:parts",
            "a:b:c:d",
            ":tok:sekrit",
            "con::sekrit",
            "con:tok:",
            "con:tok:sek rit",
            "con:tok:sek-rit",
            "\"con:tok:sekrit\"",
            "con:tok:sekrit\u{e9}",
        ] {
            let err = ApiKey::parse(bad).expect_err(bad).to_string();
            assert!(err.starts_with("invalid MAAS API key"), "{err}");
            assert!(!err.contains("sekrit"), "{err}");
            assert!(!err.contains("tok:"), "{err}");
        }
        let err = ApiKey::parse("a:b").unwrap_err().to_string();
        assert!(err.contains("found 2"), "{err}");
    }

    #[test]
    fn debug_and_display_redact() {
        let key = ApiKey::parse(KEY).unwrap();
        for shown in [format!("{key:?}"), format!("{key}"), format!("{:#?}", key)] {
            assert_eq!(shown, "ApiKey(consumer=Cq9…, <redacted>)");
            assert!(!shown.contains("S3cr3t"));
            assert!(!shown.contains("Tk7uHj"));
        }
        // Non-ASCII consumer keys must not split a character.
        let key = ApiKey {
            consumer_key: "ééé€x".into(),
            token_key: "t".into(),
            token_secret: SecretString::new("s"),
        };
        assert_eq!(key.to_string(), "ApiKey(consumer=ééé…, <redacted>)");
    }

    #[test]
    fn header_has_the_exact_plaintext_shape() {
        let key = ApiKey::parse("CK:TK:TS").unwrap();
        assert_eq!(
            key.header_with("94288047421329842061795252790", 1795252790),
            "OAuth realm=\"OAuth\", oauth_nonce=\"94288047421329842061795252790\", \
             oauth_timestamp=\"1795252790\", oauth_version=\"1.0\", \
             oauth_signature_method=\"PLAINTEXT\", oauth_consumer_key=\"CK\", \
             oauth_token=\"TK\", oauth_signature=\"%26TS\""
        );
    }

    #[test]
    fn secret_with_reserved_characters_is_encoded_twice() {
        // signature = "&" + enc(secret); header value = enc(signature). `parse` refuses such a
        // secret, but the header must stay correct for any secret.
        let key = ApiKey {
            consumer_key: "c".into(),
            token_key: "t".into(),
            token_secret: SecretString::new("a&b"),
        };
        assert!(
            key.header_with("n", 1)
                .ends_with("oauth_signature=\"%26a%2526b\"")
        );
    }

    #[test]
    fn every_header_has_a_fresh_nonce_and_a_current_timestamp() {
        let key = ApiKey::parse(KEY).unwrap();
        let nonce = |h: &str| {
            let start = h.find("oauth_nonce=\"").unwrap() + 13;
            h[start..start + 32].to_string()
        };
        let a = key.authorization_header();
        let b = key.authorization_header();
        assert_ne!(nonce(&a), nonce(&b));
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let ts_start = a.find("oauth_timestamp=\"").unwrap() + 17;
        let ts: u64 = a[ts_start..].split('"').next().unwrap().parse().unwrap();
        assert!(now.abs_diff(ts) < 60, "timestamp {ts} vs now {now}");
    }

    #[test]
    fn redact_removes_the_expected_signature_maas_quotes() {
        let key = ApiKey::parse("ck:tk:wrong").unwrap();
        let text = "Invalid signature. Expected signature base string: &REAL%2Fsecret\nnext line";
        let shown = key.redact(text);
        assert_eq!(
            shown,
            "Invalid signature. Expected signature base string: <redacted>\nnext line"
        );
    }

    #[test]
    fn redact_replaces_whole_tokens_only() {
        let key = ApiKey::parse("a:b:c").unwrap();
        assert_eq!(
            key.redact("Authorization Error: Invalid API key a; token b; c"),
            "Authorization Error: Invalid API key <redacted>; token <redacted>; <redacted>"
        );
    }

    #[test]
    fn redact_removes_every_part() {
        let key = ApiKey {
            consumer_key: "ck".into(),
            token_key: "tk".into(),
            token_secret: SecretString::new("a/b"),
        };
        let text = "Invalid signature. Expected signature base string: &a%2Fb; token tk; consumer ck; raw a/b";
        let out = key.redact(text);
        assert!(!out.contains("a%2Fb") && !out.contains("a/b"), "{out}");
        assert!(!out.contains(" tk;") && !out.contains(" ck;"), "{out}");
    }
}
