//! Object metadata helpers: timestamps, uids, generated names, name validation and accessors.

use std::hash::{BuildHasher, Hasher};

use serde_json::{Map, Value};

use crate::status::ApiError;

/// Now, as the apiserver writes timestamps (RFC 3339, whole seconds, UTC).
pub(crate) fn now() -> String {
    let now = k8s_openapi::jiff::Timestamp::now();
    k8s_openapi::jiff::Timestamp::from_second(now.as_second())
        .map(|t| t.to_string())
        .unwrap_or_else(|_| now.to_string())
}

fn hash(seed: u64) -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(seed);
    h.finish()
}

/// A fresh, unique, UUID-shaped uid.
pub(crate) fn uid(seq: u64) -> String {
    let r = hash(seq);
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        r >> 32,
        (r >> 16) & 0xffff,
        r & 0xfff,
        (seq >> 48) & 0xfff,
        seq & 0xffff_ffff_ffff
    )
}

/// The 5-character suffix the apiserver appends to `generateName`.
pub(crate) fn name_suffix(seq: u64) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut r = hash(seq);
    (0..5)
        .map(|_| {
            let c = ALPHABET[(r % ALPHABET.len() as u64) as usize] as char;
            r /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

/// How the API server validates names of a kind.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameRule {
    /// Most kinds: a DNS-1123 subdomain.
    Subdomain,
    /// Namespaces: a DNS-1123 label.
    Label,
    /// RBAC kinds (Role, ClusterRole and their bindings): any path segment, so that names
    /// such as `system:controller:x` are accepted, as the API server does.
    PathSegment,
}

impl NameRule {
    /// The rule for a resource of `group`/`plural`.
    pub(crate) fn of(group: &str, plural: &str) -> Self {
        match (group, plural) {
            ("", "namespaces") => NameRule::Label,
            ("rbac.authorization.k8s.io", _) => NameRule::PathSegment,
            _ => NameRule::Subdomain,
        }
    }
}

/// Validates an object name by `rule`.
pub(crate) fn validate_name_by(kind: &str, name: &str, rule: NameRule) -> Result<(), ApiError> {
    match rule {
        NameRule::Subdomain => validate_name(kind, name, false),
        NameRule::Label => validate_name(kind, name, true),
        NameRule::PathSegment => {
            let bad = if name.is_empty() {
                Some("may not be empty".to_string())
            } else if name == "." || name == ".." {
                Some(format!("may not be '{name}'"))
            } else {
                ["/", "%"]
                    .iter()
                    .find(|c| name.contains(**c))
                    .map(|c| format!("may not contain '{c}'"))
            };
            match bad {
                None => Ok(()),
                Some(why) => Err(ApiError::invalid(
                    kind,
                    name,
                    format!("metadata.name: Invalid value: \"{name}\": {why}"),
                )),
            }
        }
    }
}

/// Validates an object name as a DNS-1123 subdomain (a DNS-1123 label for namespaces).
pub(crate) fn validate_name(kind: &str, name: &str, label_only: bool) -> Result<(), ApiError> {
    let max = if label_only { 63 } else { 253 };
    let ok_char = |c: char| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || (!label_only && c == '.')
    };
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let valid = !name.is_empty()
        && name.len() <= max
        && name.chars().all(ok_char)
        && alnum(name.chars().next())
        && alnum(name.chars().last());
    if valid {
        return Ok(());
    }
    let what = if label_only {
        "RFC 1123 label"
    } else {
        "RFC 1123 subdomain"
    };
    Err(ApiError::invalid(
        kind,
        name,
        format!(
            "metadata.name: Invalid value: \"{name}\": a lowercase {what} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
        ),
    ))
}

/// `metadata` as a mutable map, created if missing.
pub(crate) fn meta_mut(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj.is_object() {
        *obj = Value::Object(Map::new());
    }
    let m = obj.as_object_mut().expect("object");
    let meta = m
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    meta.as_object_mut().expect("metadata object")
}

pub(crate) fn meta_str<'a>(obj: &'a Value, field: &str) -> Option<&'a str> {
    obj.get("metadata")?
        .get(field)?
        .as_str()
        .filter(|s| !s.is_empty())
}

pub(crate) fn finalizers(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn owner_uids(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|r| r.get("uid").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Copies `fields` of `metadata` from `from` to `to` (removing them from `to` where `from` lacks them).
pub(crate) fn copy_meta(from: &Value, to: &mut Value, fields: &[&str]) {
    let src = from.get("metadata").cloned().unwrap_or_default();
    let dst = meta_mut(to);
    for f in fields {
        match src.get(*f) {
            Some(v) => {
                dst.insert(f.to_string(), v.clone());
            }
            None => {
                dst.remove(*f);
            }
        }
    }
}
