//! `metadata` of a resource. CRD schemas say almost nothing about it (Kubernetes allows
//! only `name`/`generateName` restrictions there); the apiserver validates it as
//! ObjectMeta instead. These are those rules, written from the Kubernetes naming docs.

use serde_json::Value;

use super::object::{describe, short};
use super::{SchemaError, child, index, map_key};

/// ObjectMeta's fields. Anything else would be dropped when the apiserver decodes
/// ObjectMeta, so (like unknown spec fields) it is reported.
const OBJECT_META_FIELDS: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
];

/// Total size limit of all annotation keys and values.
const ANNOTATIONS_MAX_BYTES: usize = 256 * 1024;

pub(crate) fn check(meta: &Value, path: &str, errs: &mut Vec<SchemaError>) {
    let mut err = |p: String, m: String| errs.push(SchemaError::new(p, m));
    let Some(meta) = meta.as_object() else {
        err(
            path.to_string(),
            format!("must be an object, got {}", describe(meta)),
        );
        return;
    };
    for (key, val) in meta {
        let at = child(path, key);
        match key.as_str() {
            "name" => match val.as_str() {
                Some(name) if !is_dns1123_subdomain(name) => err(
                    at,
                    format!(
                        "{} is not a valid name: use at most 253 lowercase letters, digits, '-' \
                         and '.', starting and ending with a letter or digit",
                        short(val)
                    ),
                ),
                Some(_) => {}
                None => err(at, format!("must be a string, got {}", describe(val))),
            },
            "generateName" => match val.as_str() {
                // The apiserver appends 5 random characters, so a trailing '-' is fine.
                Some(prefix)
                    if !prefix.is_empty() && !is_dns1123_subdomain(&format!("{prefix}a")) =>
                {
                    err(at, format!("{} is not a valid name prefix", short(val)))
                }
                Some(_) => {}
                None => err(at, format!("must be a string, got {}", describe(val))),
            },
            "namespace" => match val.as_str() {
                Some(ns) if !is_dns1123_label(ns) => err(
                    at,
                    format!(
                        "{} is not a valid namespace: use at most 63 lowercase letters, digits \
                         and '-', starting and ending with a letter or digit",
                        short(val)
                    ),
                ),
                Some(_) => {}
                None => err(at, format!("must be a string, got {}", describe(val))),
            },
            "labels" => check_string_map(val, &at, true, &mut err),
            "annotations" => {
                check_string_map(val, &at, false, &mut err);
                let size: usize = val
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
                            .sum()
                    })
                    .unwrap_or(0);
                if size > ANNOTATIONS_MAX_BYTES {
                    err(
                        at,
                        format!("annotations total {size} bytes; the limit is 256 KiB"),
                    );
                }
            }
            "finalizers" => match val.as_array() {
                Some(items) => {
                    for (i, f) in items.iter().enumerate() {
                        if !f.as_str().is_some_and(is_qualified_name) {
                            err(
                                index(&at, i),
                                format!(
                                    "{} is not a valid finalizer name (a qualified name such as example.com/cleanup)",
                                    short(f)
                                ),
                            );
                        }
                    }
                }
                None => err(
                    at,
                    format!("must be a list of strings, got {}", describe(val)),
                ),
            },
            "ownerReferences" => check_owner_refs(val, &at, &mut err),
            "generation" | "deletionGracePeriodSeconds" if !(val.is_i64() || val.is_u64()) => {
                err(at, format!("must be an integer, got {}", describe(val)));
            }
            // `creationTimestamp: null` is what Go clients render for an unset time.
            "creationTimestamp" | "deletionTimestamp" if !(val.is_null() || val.is_string()) => {
                err(
                    at,
                    format!("must be an RFC 3339 time string, got {}", describe(val)),
                );
            }
            "uid" | "resourceVersion" | "selfLink" if !val.is_string() => {
                err(at, format!("must be a string, got {}", describe(val)));
            }
            "managedFields" if !val.is_array() => {
                err(at, format!("must be a list, got {}", describe(val)));
            }
            k if !OBJECT_META_FIELDS.contains(&k) => err(
                at,
                format!(
                    "unknown metadata field {k:?}: ObjectMeta has no such field, so an apiserver \
                     would drop it; remove it or fix its name"
                ),
            ),
            _ => {}
        }
    }
}

fn check_string_map(val: &Value, path: &str, labels: bool, err: &mut impl FnMut(String, String)) {
    let what = if labels { "label" } else { "annotation" };
    let Some(map) = val.as_object() else {
        err(
            path.to_string(),
            format!("must be a map of strings, got {}", describe(val)),
        );
        return;
    };
    for (key, v) in map {
        let at = map_key(path, key);
        // Annotation keys are compared case-insensitively, labels keys are not.
        let key_ok = if labels {
            is_qualified_name(key)
        } else {
            is_qualified_name(&key.to_lowercase())
        };
        if !key_ok {
            err(
                at.clone(),
                format!(
                    "{key:?} is not a valid {what} key: use [prefix/]name where the optional \
                     prefix is a DNS subdomain and name is at most 63 characters of \
                     [A-Za-z0-9-_.] starting and ending with an alphanumeric"
                ),
            );
        }
        match v.as_str() {
            None => err(
                at,
                format!(
                    "{what} values must be strings, got {} (quote it)",
                    describe(v)
                ),
            ),
            Some(text) if labels && !is_label_value(text) => err(
                at,
                format!(
                    "{} is not a valid label value: at most 63 characters of [A-Za-z0-9-_.], \
                     starting and ending with an alphanumeric (or empty)",
                    short(v)
                ),
            ),
            Some(_) => {}
        }
    }
}

fn check_owner_refs(val: &Value, path: &str, err: &mut impl FnMut(String, String)) {
    let Some(items) = val.as_array() else {
        err(
            path.to_string(),
            format!("must be a list, got {}", describe(val)),
        );
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let at = index(path, i);
        let Some(obj) = item.as_object() else {
            err(at, format!("must be an object, got {}", describe(item)));
            continue;
        };
        for key in ["apiVersion", "kind", "name", "uid"] {
            if obj
                .get(key)
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                err(
                    child(&at, key),
                    "is required in an owner reference".to_string(),
                );
            }
        }
        for key in ["controller", "blockOwnerDeletion"] {
            if obj.get(key).is_some_and(|v| !v.is_boolean()) {
                err(child(&at, key), "must be a boolean".to_string());
            }
        }
    }
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// RFC 1123 label: at most 63 of `[a-z0-9-]`, starting and ending alphanumeric.
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// RFC 1123 subdomain: at most 253 characters, dot-separated labels.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    // Kubernetes checks the subdomain regex as a whole, so label length is not limited.
    s.len() <= 253
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.iter()
                    .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
        })
}

/// A label value: empty, or at most 63 of `[A-Za-z0-9-_.]` starting and ending alphanumeric.
pub fn is_label_value(s: &str) -> bool {
    let b = s.as_bytes();
    b.is_empty()
        || (b.len() <= 63
            && b.iter()
                .all(|&c| is_alnum(c) || matches!(c, b'-' | b'_' | b'.'))
            && is_alnum(b[0])
            && is_alnum(b[b.len() - 1]))
}

/// A label/annotation key: `[prefix/]name`; the prefix is a DNS subdomain and the name a
/// non-empty label value.
pub fn is_qualified_name(s: &str) -> bool {
    let (prefix, name) = match s.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, s),
    };
    prefix.is_none_or(is_dns1123_subdomain) && !name.is_empty() && is_label_value(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_dns1123_subdomain("example.com") && !is_dns1123_subdomain("Example"));
        assert!(!is_dns1123_subdomain("a..b") && !is_dns1123_subdomain(&"a".repeat(254)));
        assert!(is_dns1123_label("clusters") && !is_dns1123_label("a.b"));
        assert!(is_qualified_name(
            "hypershift.openshift.io/safe-to-delete-with-cluster"
        ));
        assert!(
            !is_qualified_name("a/b/c") && !is_qualified_name("/x") && !is_qualified_name("x/")
        );
        assert!(is_label_value("") && is_label_value("v1.2_3") && !is_label_value("-x"));
        assert!(!is_label_value(&"a".repeat(64)));
    }
}
