//! Server-side apply and field ownership.
//!
//! Ownership is tracked per field manager as a set of leaf paths (maps recurse; lists and scalars are
//! atomic leaves, so lists are replaced, never merged by key). An apply:
//! - conflicts (409) when it changes a field another manager owns, unless `force=true`, which takes
//!   the field over;
//! - removes fields this manager applied before and no longer applies, if no other manager owns them;
//! - merges the applied fields into the object (maps merge, lists and scalars replace).
//!
//! Non-apply writes (create, PUT, merge/JSON patches) give the fields they change to their manager
//! and take them from the others, as the apiserver's managedFields bookkeeping does.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

pub(crate) type Path = Vec<String>;
pub(crate) type Managers = BTreeMap<String, BTreeSet<Path>>;

/// metadata fields the apiserver owns; never tracked, never merged from a client body.
const SYSTEM_META: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
    "generateName",
];

/// Which part of the object a write may touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The whole object.
    All,
    /// Everything but `status` (a main-resource write to a type with a status subresource).
    Main,
    /// Only `status` (a `/status` write).
    Status,
}

impl Scope {
    pub fn contains(self, p: &Path) -> bool {
        let is_status = p.first().is_some_and(|s| s == "status");
        match self {
            Scope::All => true,
            Scope::Main => !is_status,
            Scope::Status => is_status,
        }
    }
}

fn tracked(p: &Path) -> bool {
    match p.first().map(String::as_str) {
        Some("apiVersion" | "kind") => false,
        Some("metadata") => !p.get(1).is_some_and(|k| SYSTEM_META.contains(&k.as_str())),
        _ => true,
    }
}

/// The tracked leaf paths of `v` (non-empty maps recurse; empty maps are not leaves).
pub(crate) fn leaf_paths(v: &Value, scope: Scope) -> BTreeSet<Path> {
    fn walk(v: &Value, prefix: &mut Path, out: &mut BTreeSet<Path>) {
        match v {
            Value::Object(m) if !m.is_empty() || prefix.is_empty() => {
                for (k, child) in m {
                    prefix.push(k.clone());
                    walk(child, prefix, out);
                    prefix.pop();
                }
            }
            Value::Object(_) | Value::Null => {}
            _ => {
                out.insert(prefix.clone());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(v, &mut vec![], &mut out);
    out.retain(|p| tracked(p) && scope.contains(p));
    out
}

pub(crate) fn get_path<'a>(v: &'a Value, p: &Path) -> Option<&'a Value> {
    p.iter().try_fold(v, |v, k| v.get(k))
}

fn remove_path(v: &mut Value, p: &Path) {
    let Some((last, parents)) = p.split_last() else {
        return;
    };
    let mut cur = v;
    for k in parents {
        match cur.get_mut(k) {
            Some(next) => cur = next,
            None => return,
        }
    }
    if let Some(m) = cur.as_object_mut() {
        m.remove(last);
    }
}

fn overlaps(a: &Path, b: &Path) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// Recursively merges `applied` into `target`: maps merge, everything else replaces; nulls are skipped.
pub(crate) fn deep_merge(target: &mut Value, applied: &Value) {
    match (target, applied) {
        (Value::Object(t), Value::Object(a)) => {
            for (k, av) in a {
                if av.is_null() {
                    continue;
                }
                match t.get_mut(k) {
                    Some(tv) if tv.is_object() && av.is_object() => deep_merge(tv, av),
                    _ => {
                        t.insert(k.clone(), av.clone());
                    }
                }
            }
        }
        (t, a) => *t = a.clone(),
    }
}

/// Removes null map entries recursively (the apiserver prunes nulls of non-nullable fields).
pub(crate) fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, v| !v.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// What the apiserver stores: no nulls, no empty metadata collections (Go's `omitempty`).
pub(crate) fn normalize(v: &mut Value) {
    strip_nulls(v);
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.retain(|_, f| match f {
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
            Value::String(s) => !s.is_empty(),
            _ => true,
        });
    }
}

fn dotted(p: &Path) -> String {
    format!(".{}", p.join("."))
}

/// Server-side apply of `applied` onto `current` (an empty map for a create).
/// Returns the new object or the conflict message.
pub(crate) fn apply(
    current: &Value,
    applied: &Value,
    manager: &str,
    force: bool,
    scope: Scope,
    managers: &mut Managers,
) -> Result<Value, String> {
    let new_paths = leaf_paths(applied, scope);
    // Conflicts: a changed value on a field another manager owns.
    let mut conflicts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in &new_paths {
        let cur = get_path(current, p);
        if cur.is_none() || cur == get_path(applied, p) {
            continue;
        }
        for (other, owned) in managers.iter() {
            if other != manager && owned.iter().any(|o| overlaps(o, p)) {
                conflicts.entry(other.clone()).or_default().push(dotted(p));
            }
        }
    }
    if !conflicts.is_empty() && !force {
        let n: usize = conflicts.values().map(Vec::len).sum();
        let list: Vec<String> = conflicts
            .iter()
            .flat_map(|(m, ps)| {
                ps.iter()
                    .map(move |p| format!("conflict with \"{m}\": {p}"))
            })
            .collect();
        let plural = if n == 1 { "conflict" } else { "conflicts" };
        return Err(format!(
            "Apply failed with {n} {plural}: {}",
            list.join("\n")
        ));
    }
    if force {
        for (other, owned) in managers.iter_mut() {
            if other != manager {
                owned.retain(|o| {
                    !new_paths
                        .iter()
                        .any(|p| overlaps(o, p) && get_path(current, p) != get_path(applied, p))
                });
            }
        }
    }
    let mut result = current.clone();
    // Fields this manager applied before and dropped now, unless someone else owns them too.
    let previous: BTreeSet<Path> = managers.get(manager).cloned().unwrap_or_default();
    for p in previous
        .iter()
        .filter(|p| scope.contains(p) && !new_paths.contains(*p))
    {
        let shared = managers
            .iter()
            .any(|(m, owned)| m != manager && owned.iter().any(|o| overlaps(o, p)));
        if !shared {
            remove_path(&mut result, p);
        }
    }
    let mut body = applied.clone();
    scope_body(&mut body, scope);
    deep_merge(&mut result, &body);
    let mut mine: BTreeSet<Path> = previous
        .into_iter()
        .filter(|p| !scope.contains(p))
        .collect();
    mine.extend(new_paths);
    managers.insert(manager.to_string(), mine);
    managers.retain(|_, owned| !owned.is_empty());
    Ok(result)
}

/// Drops from a client body what the scope and the apiserver do not let it set.
pub(crate) fn scope_body(body: &mut Value, scope: Scope) {
    let Some(m) = body.as_object_mut() else {
        return;
    };
    match scope {
        Scope::All => {}
        Scope::Main => {
            m.remove("status");
        }
        Scope::Status => m.retain(|k, _| k == "status"),
    }
    if let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in SYSTEM_META {
            meta.remove(*k);
        }
    }
}

/// Ownership bookkeeping of a non-apply write from `old` to `new`.
pub(crate) fn record_update(managers: &mut Managers, manager: &str, old: &Value, new: &Value) {
    let (old_paths, new_paths) = (leaf_paths(old, Scope::All), leaf_paths(new, Scope::All));
    let changed: Vec<&Path> = new_paths
        .iter()
        .filter(|p| get_path(old, p) != get_path(new, p))
        .collect();
    let removed: Vec<&Path> = old_paths.difference(&new_paths).collect();
    for (m, owned) in managers.iter_mut() {
        owned.retain(|o| {
            !removed.contains(&o) && (m == manager || !changed.iter().any(|p| overlaps(o, p)))
        });
    }
    if !changed.is_empty() {
        managers
            .entry(manager.to_string())
            .or_default()
            .extend(changed.into_iter().cloned());
    }
    managers.retain(|_, owned| !owned.is_empty());
}

/// An empty object to apply onto for a create.
pub(crate) fn empty() -> Value {
    Value::Object(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reapply_removes_dropped_fields_and_keeps_others() {
        let mut m = Managers::new();
        let a1 =
            json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"x": 1, "l": [1, 2]}});
        let o = apply(&empty(), &a1, "me", false, Scope::All, &mut m).unwrap();
        assert_eq!(o, a1);
        let mut o2 = o.clone();
        o2["spec"]["other"] = json!("kept");
        record_update(&mut m, "kubectl", &o, &o2);
        let a2 = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"x": 1, "l": [3]}});
        let o3 = apply(&o2, &a2, "me", false, Scope::All, &mut m).unwrap();
        assert_eq!(
            o3,
            json!({"metadata": {"labels": {"a": "1"}}, "spec": {"x": 1, "l": [3], "other": "kept"}})
        );
    }

    #[test]
    fn conflicts_unless_forced() {
        let mut m = Managers::new();
        let o = apply(
            &empty(),
            &json!({"spec": {"x": 1}}),
            "a",
            false,
            Scope::All,
            &mut m,
        )
        .unwrap();
        let err = apply(
            &o,
            &json!({"spec": {"x": 2}}),
            "b",
            false,
            Scope::All,
            &mut m,
        )
        .unwrap_err();
        assert!(err.contains("conflict with \"a\": .spec.x"), "{err}");
        // Same value: shared ownership, no conflict.
        apply(
            &o,
            &json!({"spec": {"x": 1}}),
            "b",
            false,
            Scope::All,
            &mut m,
        )
        .unwrap();
        let o = apply(
            &o,
            &json!({"spec": {"x": 3}}),
            "c",
            true,
            Scope::All,
            &mut m,
        )
        .unwrap();
        assert_eq!(o["spec"]["x"], 3);
        assert!(!m.contains_key("a"));
    }
}
