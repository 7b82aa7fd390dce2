#![no_main]
//! The MAAS endpoint parser: never panics; an accepted endpoint builds its URLs.

use libfuzzer_sys::fuzz_target;
use maas_credentials::MaasEndpoint;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(e) = MaasEndpoint::parse(text) {
        assert!(e.api_url().as_str().ends_with("/api/2.0/"));
        let _ = e.url_for(&["machines", text]);
        let _ = e.authority();
    }
});
