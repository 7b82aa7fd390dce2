#![no_main]
//! The MAAS JSON decoders: whatever MAAS (or something pretending to be it) sends, decoding
//! fails or succeeds without panicking.

use libfuzzer_sys::fuzz_target;
use maas_client::{Machine, ResourcePool, Tag, Version, Zone};

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<Vec<Machine>>(data);
    let _ = serde_json::from_slice::<Machine>(data);
    let _ = serde_json::from_slice::<Vec<maas_client::VmHost>>(data);
    let _ = serde_json::from_slice::<Version>(data);
    let _ = serde_json::from_slice::<Vec<Zone>>(data);
    let _ = serde_json::from_slice::<Vec<Tag>>(data);
    let _ = serde_json::from_slice::<Vec<ResourcePool>>(data);
});
