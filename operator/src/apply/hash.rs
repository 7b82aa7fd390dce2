//! The desired-hash annotation: what lets a resync skip objects that are already as desired
//! without a diff against the live object (which carries defaults and other managers' fields).

use crate::names::DESIRED_HASH_ANNOTATION;
use kube::api::DynamicObject;
use platform_api::desired::DesiredObject;
use sha2::{Digest, Sha256};

/// SHA-256 (hex, first 16 bytes) of the object as it would be applied, hash annotation excluded.
pub fn desired_hash(obj: &DesiredObject) -> String {
    let mut value = obj.to_value();
    if let Some(a) = value
        .pointer_mut("/metadata/annotations")
        .and_then(|a| a.as_object_mut())
    {
        a.remove(DESIRED_HASH_ANNOTATION);
    }
    // serde_json maps are ordered by key, so equal objects serialise to equal bytes.
    let bytes = serde_json::to_vec(&value).expect("JSON values serialise");
    Sha256::digest(&bytes)
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Puts the hash annotation on the object and returns the hash.
pub fn stamp(obj: &mut DesiredObject) -> String {
    let hash = desired_hash(obj);
    obj.object
        .metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(DESIRED_HASH_ANNOTATION.to_string(), hash.clone());
    hash
}

/// The hash a live object was last applied with, if it carries one.
pub fn live_hash(obj: &DynamicObject) -> Option<&str> {
    obj.metadata
        .annotations
        .as_ref()?
        .get(DESIRED_HASH_ANNOTATION)
        .map(String::as_str)
}
