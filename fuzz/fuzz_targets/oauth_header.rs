#![no_main]
//! The simulator's parsers of untrusted request bytes: the OAuth `Authorization` header and the
//! url-encoded and multipart bodies.

use libfuzzer_sys::fuzz_target;
use maas_simulator::fuzzing::{form_body, oauth_header};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = oauth_header(text);
    }
    let _ = form_body("application/x-www-form-urlencoded", data);
    let _ = form_body("multipart/form-data; boundary=\"b\"", data);
});
