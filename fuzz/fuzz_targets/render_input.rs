#![no_main]
//! `render -f`'s YAML input: any text is parsed and checked without panicking or running away
//! (YAML bombs are bounded by the parser's budget).

use hosted_cluster_cli::commands::render_input::from_texts;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = from_texts(&[("fuzz".to_string(), text.to_string())]);
});
