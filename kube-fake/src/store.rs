//! The object store: objects, the global resourceVersion, the change history and the watchers.
//! Writes here implement the apiserver's metadata rules (uid, resourceVersion, generation,
//! creationTimestamp, no-op writes, status subresource, finalizers).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::apply::{self, Managers, Scope};
use crate::meta::{self, copy_meta, finalizers, meta_mut, meta_str};
use crate::record::{Fault, RecordedRequest};
use crate::resources::{Registry, ResKey, ResourceInfo};
use crate::secret;
use crate::status::ApiError;

/// An object and its field managers.
#[derive(Clone, Debug)]
pub(crate) struct Stored {
    pub obj: Value,
    pub managers: Managers,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

/// One change, as watchers see it: the object after the change (the last state for a delete)
/// and the one before.
#[derive(Debug)]
pub(crate) struct Change {
    pub key: ResKey,
    pub kind: ChangeKind,
    pub rv: u64,
    pub old: Option<Value>,
    pub obj: Value,
}

pub(crate) struct Watcher {
    pub key: ResKey,
    pub tx: mpsc::UnboundedSender<Arc<Change>>,
}

/// How a write is owned and scoped.
pub(crate) struct Write {
    pub scope: Scope,
    pub manager: String,
    pub dry_run: bool,
    /// The managers an apply computed; `None` for other writes (ownership follows the changes).
    pub managers: Option<Managers>,
}

/// Object identity inside one resource type: (namespace or "", name).
pub(crate) type ObjKey = (String, String);

pub(crate) struct State {
    pub registry: Registry,
    pub objects: BTreeMap<ResKey, BTreeMap<ObjKey, Stored>>,
    pub rv: u64,
    pub seq: u64,
    pub history: VecDeque<Arc<Change>>,
    pub history_limit: usize,
    /// Changes at or below this resourceVersion are no longer in the history.
    pub compacted_rv: u64,
    pub watchers: Vec<Watcher>,
    pub requests: Vec<RecordedRequest>,
    pub faults: Vec<Fault>,
    pub bookmark_interval: Duration,
}

const IMMUTABLE_META: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "resourceVersion",
];

impl State {
    pub fn new() -> Self {
        State {
            registry: Registry::with_builtins(),
            objects: BTreeMap::new(),
            rv: 0,
            seq: 0,
            history: VecDeque::new(),
            history_limit: 10_000,
            compacted_rv: 0,
            watchers: vec![],
            requests: vec![],
            faults: vec![],
            bookmark_interval: Duration::from_secs(60),
        }
    }

    fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn stored(&self, key: &ResKey, ns: &str, name: &str) -> Option<&Stored> {
        self.objects
            .get(key)?
            .get(&(ns.to_string(), name.to_string()))
    }

    /// Objects of one type, in (namespace, name) order.
    pub fn list(&self, key: &ResKey) -> impl Iterator<Item = (&ObjKey, &Stored)> {
        self.objects.get(key).into_iter().flat_map(|m| m.iter())
    }

    fn emit(&mut self, key: ResKey, kind: ChangeKind, old: Option<Value>, obj: Value, rv: u64) {
        let change = Arc::new(Change {
            key,
            kind,
            rv,
            old,
            obj,
        });
        self.history.push_back(change.clone());
        while self.history.len() > self.history_limit {
            if let Some(dropped) = self.history.pop_front() {
                self.compacted_rv = dropped.rv;
            }
        }
        self.watchers.retain(|w| !w.tx.is_closed());
        for w in self.watchers.iter().filter(|w| w.key == change.key) {
            let _ = w.tx.send(change.clone());
        }
    }

    /// The CRD's `x-kubernetes-validations` (422 Invalid, one cause per broken rule, as the
    /// apiserver words them); dry runs are checked too.
    fn check_cel(
        &self,
        info: &ResourceInfo,
        name: &str,
        obj: &Value,
        old: Option<&Value>,
    ) -> Result<(), ApiError> {
        let Some(schemas) = self.registry.schemas.get(&info.key()) else {
            return Ok(());
        };
        let violations = schemas.cel_violations(obj, old);
        match violations.as_slice() {
            [] => Ok(()),
            [one] => Err(ApiError::invalid(&info.kind, name, one)),
            many => {
                let all: Vec<String> = many.iter().map(ToString::to_string).collect();
                Err(ApiError::invalid(
                    &info.kind,
                    name,
                    format!("[{}]", all.join(", ")),
                ))
            }
        }
    }

    fn put(&mut self, info: &ResourceInfo, ns: &str, name: &str, stored: Stored) {
        self.objects
            .entry(info.key())
            .or_default()
            .insert((ns.to_string(), name.to_string()), stored);
    }

    /// Creates an object (POST, or an apply of a missing object when `w.managers` is set).
    pub fn create(
        &mut self,
        info: &ResourceInfo,
        version: &str,
        ns: Option<&str>,
        mut obj: Value,
        w: Write,
    ) -> Result<Value, ApiError> {
        check_types(info, version, &obj)?;
        apply::normalize(&mut obj);
        secret::fold_string_data(info, &mut obj);
        let seq = self.next_seq();
        let meta = meta_mut(&mut obj);
        let name = match meta
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            Some(n) => n.to_string(),
            None => match meta.get("generateName").and_then(Value::as_str) {
                Some(prefix) => format!("{prefix}{}", meta::name_suffix(seq)),
                None => {
                    return Err(ApiError::invalid(
                        &info.kind,
                        "",
                        "metadata.name: Required value: name or generateName is required",
                    ));
                }
            },
        };
        meta::validate_name_by(
            &info.kind,
            &name,
            meta::NameRule::of(&info.group, &info.plural),
        )?;
        if meta
            .get("resourceVersion")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
        {
            return Err(ApiError::for_code(
                500,
                "resourceVersion should not be set on objects to be created",
            ));
        }
        let ns = if info.namespaced {
            let ns = ns.ok_or_else(ApiError::method_not_allowed)?;
            if meta
                .get("namespace")
                .and_then(Value::as_str)
                .is_some_and(|m| !m.is_empty() && m != ns)
            {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            meta.insert("namespace".into(), json!(ns));
            ns.to_string()
        } else {
            meta.remove("namespace");
            String::new()
        };
        meta.insert("name".into(), json!(name));
        for f in [
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "managedFields",
            "resourceVersion",
        ] {
            meta.remove(f);
        }
        meta.insert("uid".into(), json!(meta::uid(seq)));
        meta.insert("creationTimestamp".into(), json!(meta::now()));
        if info.generation {
            meta.insert("generation".into(), json!(1));
        } else {
            meta.remove("generation");
        }
        if info.namespaced {
            self.check_namespace_open(&ns)?;
        }
        if self.stored(&info.key(), &ns, &name).is_some() {
            return Err(ApiError::already_exists(&info.plural, &info.group, &name));
        }
        if info.status_subresource
            && let Some(m) = obj.as_object_mut()
        {
            m.remove("status");
        }
        if info.group.is_empty() && info.plural == "namespaces" {
            obj["spec"] = json!({ "finalizers": ["kubernetes"] });
            obj["status"] = json!({ "phase": "Active" });
        }
        obj["apiVersion"] = json!(info.api_version(info.storage_version()));
        self.check_cel(info, &name, &obj, None)?;
        let managers = w.managers.unwrap_or_else(|| {
            let mut m = Managers::new();
            apply::record_update(&mut m, &w.manager, &apply::empty(), &obj);
            m
        });
        if w.dry_run {
            return Ok(obj);
        }
        let rv = self.next_rv();
        meta_mut(&mut obj).insert("resourceVersion".into(), json!(rv.to_string()));
        self.put(
            info,
            &ns,
            &name,
            Stored {
                obj: obj.clone(),
                managers,
            },
        );
        self.emit(info.key(), ChangeKind::Added, None, obj.clone(), rv);
        self.after_create(info, &obj);
        Ok(obj)
    }

    /// Replaces an existing object with `candidate` within `w.scope`. Metadata the apiserver owns
    /// is kept; a write that changes nothing changes nothing (no resourceVersion bump, no event).
    pub fn update(
        &mut self,
        info: &ResourceInfo,
        ns: &str,
        name: &str,
        mut candidate: Value,
        w: Write,
    ) -> Result<Value, ApiError> {
        let stored = self
            .stored(&info.key(), ns, name)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&info.plural, &info.group, name))?;
        let old = stored.obj;
        apply::normalize(&mut candidate);
        secret::fold_string_data(info, &mut candidate);
        let mut new = match w.scope {
            Scope::Status => {
                let mut new = old.clone();
                match candidate.get("status") {
                    Some(st) => new["status"] = st.clone(),
                    None => {
                        new.as_object_mut().map(|m| m.remove("status"));
                    }
                }
                new
            }
            Scope::Main => {
                match old.get("status") {
                    Some(st) => candidate["status"] = st.clone(),
                    None => {
                        candidate.as_object_mut().map(|m| m.remove("status"));
                    }
                }
                candidate
            }
            Scope::All => candidate,
        };
        copy_meta(&old, &mut new, IMMUTABLE_META);
        meta_mut(&mut new).remove("managedFields");
        new["apiVersion"] = old["apiVersion"].clone();
        new["kind"] = old["kind"].clone();
        let deleting = meta_str(&old, "deletionTimestamp").is_some();
        if deleting {
            let before = finalizers(&old);
            if finalizers(&new).iter().any(|f| !before.contains(f)) {
                return Err(ApiError::invalid(
                    &info.kind,
                    name,
                    "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted",
                ));
            }
        }
        if info.generation && spec_changed(info, &old, &new) {
            let g = old
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            meta_mut(&mut new).insert("generation".into(), json!(g + 1));
        }
        if new == old {
            // Nothing changed: no resourceVersion bump, no event; an apply may still take ownership.
            if let (Some(m), false) = (w.managers, w.dry_run)
                && let Some(s) = self
                    .objects
                    .get_mut(&info.key())
                    .and_then(|o| o.get_mut(&(ns.to_string(), name.to_string())))
            {
                s.managers = m;
            }
            return Ok(old);
        }
        self.check_cel(info, name, &new, Some(&old))?;
        let managers = w.managers.unwrap_or_else(|| {
            let mut m = stored.managers.clone();
            apply::record_update(&mut m, &w.manager, &old, &new);
            m
        });
        if w.dry_run {
            return Ok(new);
        }
        if deleting && finalizers(&new).is_empty() && !self.namespace_has_content(info, name) {
            return Ok(self.remove(info, ns, name, new, false));
        }
        let rv = self.next_rv();
        meta_mut(&mut new).insert("resourceVersion".into(), json!(rv.to_string()));
        self.put(
            info,
            ns,
            name,
            Stored {
                obj: new.clone(),
                managers,
            },
        );
        self.emit(info.key(), ChangeKind::Modified, Some(old), new.clone(), rv);
        self.after_update(info, &new);
        Ok(new)
    }

    /// Marks an object deleted: sets deletionTimestamp if it has finalizers (returns the object),
    /// else removes it (returns the last state). The `bool` tells whether it is gone.
    pub fn mark_deleted(
        &mut self,
        info: &ResourceInfo,
        ns: &str,
        name: &str,
        orphan: bool,
        dry_run: bool,
    ) -> Result<(Value, bool), ApiError> {
        let stored = self
            .stored(&info.key(), ns, name)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&info.plural, &info.group, name))?;
        let old = stored.obj;
        let is_namespace = info.group.is_empty() && info.plural == "namespaces";
        if !finalizers(&old).is_empty() || is_namespace {
            if meta_str(&old, "deletionTimestamp").is_some() || dry_run {
                return Ok((old, false));
            }
            let mut new = old.clone();
            let m = meta_mut(&mut new);
            m.insert("deletionTimestamp".into(), json!(meta::now()));
            m.insert("deletionGracePeriodSeconds".into(), json!(0));
            if is_namespace {
                new["status"] = json!({ "phase": "Terminating" });
            }
            let rv = self.next_rv();
            meta_mut(&mut new).insert("resourceVersion".into(), json!(rv.to_string()));
            self.put(
                info,
                ns,
                name,
                Stored {
                    obj: new.clone(),
                    managers: stored.managers,
                },
            );
            self.emit(info.key(), ChangeKind::Modified, Some(old), new.clone(), rv);
            if is_namespace {
                self.empty_namespace(name);
                let gone = self.stored(&info.key(), ns, name).is_none();
                return Ok((new, gone));
            }
            return Ok((new, false));
        }
        if dry_run {
            return Ok((old, true));
        }
        Ok((self.remove(info, ns, name, old, orphan), true))
    }

    /// Removes an object for good: DELETED event, owner-reference GC, namespace completion.
    pub fn remove(
        &mut self,
        info: &ResourceInfo,
        ns: &str,
        name: &str,
        mut last: Value,
        orphan: bool,
    ) -> Value {
        let Some(prev) = self
            .objects
            .get_mut(&info.key())
            .and_then(|m| m.remove(&(ns.to_string(), name.to_string())))
        else {
            return last;
        };
        let rv = self.next_rv();
        meta_mut(&mut last).insert("resourceVersion".into(), json!(rv.to_string()));
        self.emit(
            info.key(),
            ChangeKind::Deleted,
            Some(prev.obj),
            last.clone(),
            rv,
        );
        self.after_remove(info, &last, orphan);
        last
    }
}

/// `kind` and `apiVersion` of a body must be there and name this type.
pub(crate) fn check_types(info: &ResourceInfo, version: &str, obj: &Value) -> Result<(), ApiError> {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
    let api_version = obj
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if kind.is_empty() {
        return Err(ApiError::bad_request(format!(
            "Object 'Kind' is missing in '{obj}'"
        )));
    }
    let served = info
        .versions
        .iter()
        .any(|v| info.api_version(v) == api_version);
    if kind != info.kind || !served {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({api_version}) does not match the expected API version ({})",
            info.api_version(version)
        )));
    }
    Ok(())
}

/// Whether anything but metadata (and status, with a status subresource) changed.
fn spec_changed(info: &ResourceInfo, old: &Value, new: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("metadata");
            if info.status_subresource {
                m.remove("status");
            }
        }
        v
    };
    strip(old) != strip(new)
}
