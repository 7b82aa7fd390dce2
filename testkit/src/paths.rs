//! Field paths declared by a schema, to check that a schema we generate is a subset of an
//! upstream one (every field we emit must exist upstream, except under prefixes we own).
//!
//! Syntax: properties are joined with `.`, array items append `[]`, and the values of an
//! `additionalProperties` map append `{}`: `spec.services[].servicePublishingStrategy.type`,
//! `spec.nodeSelector{}`. Only the main tree is walked: in a structural schema every field
//! named inside `allOf`/`anyOf`/`oneOf`/`not` is also declared outside.

use std::collections::BTreeSet;

use serde_json::Value;

/// Every declared property path of `schema` (an `openAPIV3Schema`).
pub fn field_paths(schema: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk(schema, "", &mut out);
    out
}

fn walk(s: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (name, ps) in props {
            let path = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}.{name}")
            };
            out.insert(path.clone());
            walk(ps, &path, out);
        }
    }
    if let Some(items) = s.get("items").filter(|i| i.is_object()) {
        walk(items, &format!("{prefix}[]"), out);
    }
    if let Some(additional) = s.get("additionalProperties").filter(|a| a.is_object()) {
        let path = format!("{prefix}{{}}");
        out.insert(path.clone());
        walk(additional, &path, out);
    }
}

/// The paths declared in `ours` but not in `theirs`, except those equal to or below one of
/// `allowed_extra_prefixes` (e.g. `spec.platform.maas`). `Err` lists them sorted.
pub fn assert_subset(
    ours: &Value,
    theirs: &Value,
    allowed_extra_prefixes: &[&str],
) -> Result<(), Vec<String>> {
    let theirs = field_paths(theirs);
    let extra: Vec<String> = field_paths(ours)
        .into_iter()
        .filter(|p| !theirs.contains(p))
        .filter(|p| {
            !allowed_extra_prefixes
                .iter()
                .any(|prefix| is_under(p, prefix))
        })
        .collect();
    if extra.is_empty() { Ok(()) } else { Err(extra) }
}

/// `path` is `prefix` or below it (`prefix.x`, `prefix[]`, `prefix{}`), never merely
/// sharing a string prefix (`spec.platformX` is not under `spec.platform`).
fn is_under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[', '{']))
}

/// The schema node at `path` (syntax as in [`field_paths`]; `""` is the root).
pub fn schema_at<'a>(schema: &'a Value, path: &str) -> Option<&'a Value> {
    let mut node = schema;
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("[]") {
            node = node.get("items")?;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("{}") {
            node = node.get("additionalProperties").filter(|a| a.is_object())?;
            rest = r;
        } else {
            let r = rest.strip_prefix('.').unwrap_or(rest);
            let end = r.find(['.', '[', '{']).unwrap_or(r.len());
            node = node.get("properties")?.get(&r[..end])?;
            rest = &r[end..];
        }
    }
    Some(node)
}
