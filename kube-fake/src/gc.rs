//! What controllers of a real cluster do after a write, done synchronously here: owner-reference
//! garbage collection, namespace termination, and CRD establishment.

use serde_json::{Value, json};

use crate::apply::Scope;
use crate::meta::{finalizers, meta_str, owner_uids};
use crate::resources::{self, ResourceInfo};
use crate::status::ApiError;
use crate::store::{State, Write};

const GC_MANAGER: &str = "generic-garbage-collector";

fn is_namespace(info: &ResourceInfo) -> bool {
    info.group.is_empty() && info.plural == "namespaces"
}

fn is_crd(info: &ResourceInfo) -> bool {
    info.group == "apiextensions.k8s.io" && info.plural == "customresourcedefinitions"
}

fn system_write() -> Write {
    Write {
        scope: Scope::All,
        manager: GC_MANAGER.into(),
        dry_run: false,
        managers: None,
    }
}

impl State {
    /// Namespaced creates need an existing namespace that is not terminating.
    pub(crate) fn check_namespace_open(&self, ns: &str) -> Result<(), ApiError> {
        let key = (String::new(), "namespaces".to_string());
        match self.stored(&key, "", ns) {
            None => Err(ApiError::not_found("namespaces", "", ns)),
            Some(s) if meta_str(&s.obj, "deletionTimestamp").is_some() => Err(ApiError::new(
                403,
                "Forbidden",
                format!(
                    "unable to create new content in namespace {ns} because it is being terminated"
                ),
            )),
            Some(_) => Ok(()),
        }
    }

    /// Whether `info`/`name` is a namespace that still holds objects.
    pub(crate) fn namespace_has_content(&self, info: &ResourceInfo, name: &str) -> bool {
        is_namespace(info)
            && self
                .objects
                .values()
                .any(|objs| objs.keys().any(|(ns, _)| ns == name))
    }

    pub(crate) fn after_create(&mut self, info: &ResourceInfo, obj: &Value) {
        if is_crd(info) {
            self.establish_crd(obj);
        }
    }

    pub(crate) fn after_update(&mut self, info: &ResourceInfo, obj: &Value) {
        if is_crd(info) {
            let _ = self.registry.set_crd(obj);
        }
    }

    pub(crate) fn after_remove(&mut self, info: &ResourceInfo, last: &Value, orphan: bool) {
        if let Some(uid) = meta_str(last, "uid") {
            let uid = uid.to_string();
            if !orphan {
                self.collect_dependents(&uid);
            }
        }
        if let Some(ns) = meta_str(last, "namespace") {
            let ns = ns.to_string();
            self.finish_namespace(&ns);
        }
        if is_crd(info)
            && let Ok(ri) = resources::from_crd(last)
        {
            let key = ri.key();
            let names: Vec<_> = self.list(&key).map(|(k, _)| k.clone()).collect();
            for (ns, name) in names {
                let _ = self.mark_deleted(&ri, &ns, &name, false, false);
            }
            self.registry.remove(&key);
        }
    }

    /// Registers a created CRD's type and sets the conditions its controller would.
    fn establish_crd(&mut self, obj: &Value) {
        let Ok(ri) = resources::from_crd(obj) else {
            return;
        };
        let storage = ri.storage_version().to_string();
        if self.registry.set_crd(obj).is_err() {
            return;
        }
        let Some(name) = meta_str(obj, "name").map(str::to_string) else {
            return;
        };
        let now = crate::meta::now();
        let cond = |t: &str, reason: &str| json!({"type": t, "status": "True", "reason": reason, "message": "", "lastTransitionTime": now});
        let mut new = obj.clone();
        new["status"] = json!({
            "acceptedNames": obj.pointer("/spec/names").cloned().unwrap_or_default(),
            "conditions": [cond("NamesAccepted", "NoConflicts"), cond("Established", "InitialNamesAccepted")],
            "storedVersions": [storage],
        });
        let crd_info = self
            .registry
            .by_key(&(
                "apiextensions.k8s.io".into(),
                "customresourcedefinitions".into(),
            ))
            .cloned();
        if let Some(crd_info) = crd_info {
            let w = Write {
                scope: Scope::Status,
                ..system_write()
            };
            let _ = self.update(&crd_info, "", &name, new, w);
        }
    }

    /// Background-propagation GC of the dependents of a removed owner: a dependent with no other
    /// live owner is deleted; one with other live owners loses the dangling reference.
    fn collect_dependents(&mut self, uid: &str) {
        let mut dependents = vec![];
        for (key, objs) in &self.objects {
            for ((ns, name), s) in objs {
                if owner_uids(&s.obj).iter().any(|u| u == uid) {
                    dependents.push((key.clone(), ns.clone(), name.clone()));
                }
            }
        }
        for (key, ns, name) in dependents {
            self.collect_one(&key, &ns, &name);
        }
    }

    fn uid_exists(&self, uid: &str) -> bool {
        self.objects
            .values()
            .any(|objs| objs.values().any(|s| meta_str(&s.obj, "uid") == Some(uid)))
    }

    /// Deletes `key/ns/name` if none of its owners exist, or drops its dangling owner references.
    /// Returns whether it did anything.
    pub(crate) fn collect_one(&mut self, key: &(String, String), ns: &str, name: &str) -> bool {
        let (Some(info), Some(s)) = (
            self.registry.by_key(key).cloned(),
            self.stored(key, ns, name),
        ) else {
            return false;
        };
        let obj = s.obj.clone();
        let owners = owner_uids(&obj);
        if owners.is_empty() {
            return false;
        }
        let live: Vec<&String> = owners.iter().filter(|u| self.uid_exists(u)).collect();
        if live.len() == owners.len() {
            return false;
        }
        if live.is_empty() {
            if meta_str(&obj, "deletionTimestamp").is_some() {
                return false;
            }
            return self.mark_deleted(&info, ns, name, false, false).is_ok();
        }
        let mut new = obj.clone();
        if let Some(refs) = new
            .pointer_mut("/metadata/ownerReferences")
            .and_then(Value::as_array_mut)
        {
            let keep: Vec<String> = live.into_iter().cloned().collect();
            refs.retain(|r| {
                r.get("uid")
                    .and_then(Value::as_str)
                    .is_some_and(|u| keep.iter().any(|k| k == u))
            });
        }
        self.update(&info, ns, name, new, system_write()).is_ok()
    }

    /// Sweeps every object whose owners are gone (what the GC does for references that dangle
    /// from the start). Returns how many objects it deleted or changed.
    pub(crate) fn collect_garbage(&mut self) -> usize {
        let mut all = vec![];
        for (key, objs) in &self.objects {
            for ((ns, name), s) in objs {
                if !owner_uids(&s.obj).is_empty() {
                    all.push((key.clone(), ns.clone(), name.clone()));
                }
            }
        }
        all.into_iter()
            .filter(|(key, ns, name)| self.collect_one(key, ns, name))
            .count()
    }

    /// Deletes every object in a terminating namespace, then finishes the namespace if empty.
    pub(crate) fn empty_namespace(&mut self, ns: &str) {
        let mut inside = vec![];
        for (key, objs) in &self.objects {
            for (ons, name) in objs.keys() {
                if ons == ns {
                    inside.push((key.clone(), name.clone()));
                }
            }
        }
        for (key, name) in inside {
            if let Some(info) = self.registry.by_key(&key).cloned() {
                let _ = self.mark_deleted(&info, ns, &name, false, false);
            }
        }
        self.finish_namespace(ns);
    }

    /// Removes a terminating namespace once it is empty and has no metadata finalizers.
    fn finish_namespace(&mut self, ns: &str) {
        let Some(info) = self
            .registry
            .by_key(&(String::new(), "namespaces".into()))
            .cloned()
        else {
            return;
        };
        let Some(s) = self.stored(&info.key(), "", ns) else {
            return;
        };
        let obj = s.obj.clone();
        if meta_str(&obj, "deletionTimestamp").is_none()
            || !finalizers(&obj).is_empty()
            || self.namespace_has_content(&info, ns)
        {
            return;
        }
        self.remove(&info, "", ns, obj, false);
    }
}
