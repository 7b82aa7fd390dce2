#![no_main]
//! The MAAS API-key parser: never panics, and an accepted key never shows its secret.

use libfuzzer_sys::fuzz_target;
use maas_credentials::ApiKey;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match ApiKey::parse(text) {
        Ok(key) => {
            let secret = text.trim().rsplit(':').next().unwrap_or_default();
            let shown = format!("{key} {key:?}");
            assert!(secret.len() < 4 || !shown.contains(secret), "the secret leaked: {shown}");
            let _ = key.authorization_header();
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
