#![no_main]
//! The MAAS API-key parser: never panics, and what an accepted key shows (Display, Debug) does not
//! depend on its secret. (Looking for the secret's text in the output is not enough: a secret
//! such as `ApiK` is also part of the fixed text `ApiKey(`, which the fuzzer found.)

use libfuzzer_sys::fuzz_target;
use maas_credentials::ApiKey;

/// `text` with every letter and digit after the last `:` (the secret) changed to another one.
fn other_secret(text: &str) -> Option<String> {
    let (head, secret) = text.rsplit_once(':')?;
    let changed: String = secret
        .chars()
        .map(|c| match c {
            'a' => 'b',
            c if c.is_ascii_alphanumeric() => 'a',
            c => c,
        })
        .collect();
    Some(format!("{head}:{changed}"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match ApiKey::parse(text) {
        Ok(key) => {
            let _ = key.authorization_header();
            let shown = format!("{key} {key:?}");
            if let Some(Ok(other)) = other_secret(text).map(|t| ApiKey::parse(&t)) {
                assert_eq!(
                    shown,
                    format!("{other} {other:?}"),
                    "what the key shows depends on its secret"
                );
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
