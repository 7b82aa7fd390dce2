//! What the server returned after our own writes, per object.
//!
//! A real API server normalises what it stores: it converts to the storage version and prunes
//! what that version's schema lacks, applies defaults and rewrites quantities. Comparing a live
//! object with what we *sent* then finds "drift" that no apply can remove, and the operator
//! writes forever. So after each apply we record the server's own view of the fields we set,
//! and drift is a live object whose view differs from that record.
//!
//! The record also covers the gap until the watch delivers our write: a cached copy older than
//! what the apply returned is replaced by the returned object, and an object we deleted is not
//! deleted again while the cache still shows it.

use super::drift;
use super::key::ObjectKey;
use crate::json::dynamic_to_value;
use kube::api::DynamicObject;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

#[derive(Debug)]
struct Record {
    /// The desired hash the object was applied with.
    hash: String,
    /// Hash of the server's values at the paths we set.
    view: u64,
    /// The object as the apply returned it, until the cache shows that version or a later one.
    fresh: Option<Arc<DynamicObject>>,
    /// Deleted by us at this resourceVersion; the cache may still show it for a moment.
    deleted_at: Option<String>,
}

/// Records of every object applied or deleted since start-up, and the resource versions our own
/// writes produced (their watch events are echoes, not news).
#[derive(Debug, Default)]
pub struct Records(
    Mutex<HashMap<ObjectKey, Record>>,
    Mutex<HashMap<ObjectKey, String>>,
);

/// Fields the server did not keep as we sent them, found when an apply left the object as it
/// was: re-applying cannot change them, so we stop trying and say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalised {
    pub object: ObjectKey,
    pub fields: Vec<String>,
}

impl Records {
    /// Whether `live` differs from what we applied. Without a record (after a restart) the live
    /// object must contain every value we set.
    pub fn drifted(
        &self,
        key: &ObjectKey,
        hash: &str,
        desired: &Value,
        live: &DynamicObject,
    ) -> bool {
        let records = self.0.lock().expect("records lock");
        let live = dynamic_to_value(live);
        match records.get(key) {
            Some(r) if r.hash == hash => view_hash(desired, &live) != r.view,
            _ => drift::drifted(desired, &live),
        }
    }

    /// Records an apply's result. `before` is the live object the apply was decided on. When the
    /// server state did not change although the object drifted, the fields it keeps normalising
    /// are returned.
    pub fn applied(
        &self,
        key: &ObjectKey,
        hash: &str,
        desired: &Value,
        before: Option<&DynamicObject>,
        returned: &DynamicObject,
    ) -> Option<Normalised> {
        let returned_value = dynamic_to_value(returned);
        let unchanged = before.is_some_and(|b| {
            b.metadata.resource_version.is_some()
                && b.metadata.resource_version == returned.metadata.resource_version
        });
        self.wrote(key, returned.metadata.resource_version.as_deref());
        let normalised = unchanged
            .then(|| drift::differences(desired, &returned_value))
            .filter(|f| !f.is_empty())
            .map(|fields| Normalised {
                object: key.clone(),
                fields,
            });
        self.0.lock().expect("records lock").insert(
            key.clone(),
            Record {
                hash: hash.to_string(),
                view: view_hash(desired, &returned_value),
                fresh: Some(Arc::new(returned.clone())),
                deleted_at: None,
            },
        );
        normalised
    }

    /// Notes that we are about to write `key`: its watch event may arrive before the response.
    pub fn writing(&self, key: &ObjectKey) {
        self.1
            .lock()
            .expect("echoes lock")
            .insert(key.clone(), String::new());
    }

    /// Notes that our own write left `key` at `resource_version` (`None`: the write failed).
    pub fn wrote(&self, key: &ObjectKey, resource_version: Option<&str>) {
        let mut echoes = self.1.lock().expect("echoes lock");
        match resource_version {
            Some(rv) => echoes.insert(key.clone(), rv.to_string()),
            None => echoes.remove(key),
        };
    }

    /// Whether a watch event of `key` at `resource_version` is the echo of our own write to it
    /// (one under way, or the last one). A reconcile need not run for it: the one that wrote
    /// already saw that state, and a write under way is followed by that reconcile's status.
    ///
    /// The mark is not consumed: a resource version names one state of the object, and more
    /// than one watch may deliver it (the HostedControlPlane is seen by the typed watch that
    /// feeds the inputs and by the owned cache of its kind). Consuming it on the first sight
    /// made the second watch wake the cluster for nothing: a third reconcile per cluster.
    pub fn is_echo(&self, key: &ObjectKey, resource_version: Option<&str>) -> bool {
        let echoes = self.1.lock().expect("echoes lock");
        match (echoes.get(key), resource_version) {
            (Some(ours), _) if ours.is_empty() => true,
            (Some(ours), Some(rv)) => ours == rv,
            _ => false,
        }
    }

    /// Records a delete made at `resource_version`.
    pub fn deleted(&self, key: &ObjectKey, resource_version: Option<String>) {
        self.1.lock().expect("echoes lock").remove(key);
        self.0.lock().expect("records lock").insert(
            key.clone(),
            Record {
                hash: String::new(),
                view: 0,
                fresh: None,
                deleted_at: Some(resource_version.unwrap_or_default()),
            },
        );
    }

    /// The freshest copy of `key` we know: the cached one, unless an apply returned a later
    /// version than the cache has seen, or we deleted what the cache still shows (then `None`).
    pub fn freshest(
        &self,
        key: &ObjectKey,
        cached: Option<Arc<DynamicObject>>,
    ) -> Option<Arc<DynamicObject>> {
        let mut records = self.0.lock().expect("records lock");
        let Some(r) = records.get_mut(key) else {
            return cached;
        };
        if let Some(at) = &r.deleted_at {
            return match cached {
                None => {
                    records.remove(key);
                    None
                }
                Some(c) if c.metadata.deletion_timestamp.is_some() => Some(c),
                Some(c) if not_newer(c.metadata.resource_version.as_deref(), at) => None,
                // Created again since (by us in a later round, or by someone else).
                Some(c) => {
                    records.remove(key);
                    Some(c)
                }
            };
        }
        let Some(fresh) = &r.fresh else {
            return cached;
        };
        match cached {
            Some(c)
                if !not_newer(
                    c.metadata.resource_version.as_deref(),
                    fresh
                        .metadata
                        .resource_version
                        .as_deref()
                        .unwrap_or_default(),
                ) || c.metadata.resource_version == fresh.metadata.resource_version =>
            {
                // The cache has caught up: drop the copy (memory stays flat in steady state).
                r.fresh = None;
                Some(c)
            }
            _ => Some(fresh.clone()),
        }
    }

    /// Forgets objects no longer wanted (pruned and gone).
    pub fn forget(&self, key: &ObjectKey) {
        self.0.lock().expect("records lock").remove(key);
        self.1.lock().expect("echoes lock").remove(key);
    }

    pub fn len(&self) -> usize {
        self.0.lock().expect("records lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `true` when `rv` is not a later version than `than`. Resource versions are opaque to clients,
/// but every API server backed by etcd issues increasing integers; anything else counts as
/// newer, so the cache wins when in doubt.
fn not_newer(rv: Option<&str>, than: &str) -> bool {
    match (rv.and_then(|v| v.parse::<u64>().ok()), than.parse::<u64>()) {
        (Some(a), Ok(b)) => a <= b,
        _ => false,
    }
}

/// The server's values at the paths `desired` sets, hashed.
fn view_hash(desired: &Value, live: &Value) -> u64 {
    let view = project(live, &drift::comparable(desired));
    let mut h = DefaultHasher::new();
    serde_json::to_string(&view)
        .expect("values serialise")
        .hash(&mut h);
    h.finish()
}

/// `live` restricted to the map keys of `template`; lists and scalars are taken whole.
fn project(live: &Value, template: &Value) -> Value {
    match (live, template) {
        (Value::Object(l), Value::Object(t)) => Value::Object(
            t.iter()
                .filter_map(|(k, tv)| l.get(k).map(|lv| (k.clone(), project(lv, tv))))
                .collect::<Map<_, _>>(),
        ),
        (l, _) => l.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key() -> ObjectKey {
        ObjectKey {
            group: "cluster.x-k8s.io".into(),
            kind: "Cluster".into(),
            namespace: Some("ns".into()),
            name: "c".into(),
        }
    }

    fn obj(v: Value) -> DynamicObject {
        serde_json::from_value(v).unwrap()
    }

    fn sent() -> Value {
        json!({"apiVersion": "cluster.x-k8s.io/v1beta1", "kind": "Cluster",
               "metadata": {"name": "c", "namespace": "ns"},
               "spec": {"controlPlaneRef": {"apiVersion": "x/v1", "kind": "K", "name": "n", "namespace": "ns"}}})
    }

    /// What a server storing v1beta2 keeps of `sent()`: the ref without apiVersion/namespace.
    fn stored(rv: &str) -> DynamicObject {
        obj(
            json!({"apiVersion": "cluster.x-k8s.io/v1beta1", "kind": "Cluster",
                   "metadata": {"name": "c", "namespace": "ns", "resourceVersion": rv},
                   "spec": {"controlPlaneRef": {"kind": "K", "name": "n"}, "paused": false}}),
        )
    }

    #[test]
    fn pruned_fields_are_drift_only_until_the_server_view_is_recorded() {
        let r = Records::default();
        assert!(r.drifted(&key(), "h", &sent(), &stored("5")));
        let normalised = r.applied(&key(), "h", &sent(), Some(&stored("5")), &stored("5"));
        let n = normalised.expect("an apply that changed nothing reports the fields");
        assert_eq!(
            n.fields,
            vec![
                "spec.controlPlaneRef.apiVersion",
                "spec.controlPlaneRef.namespace"
            ]
        );
        assert!(!r.drifted(&key(), "h", &sent(), &stored("5")));
        // A real change by someone else is still drift.
        let mut edited = stored("6");
        edited.data["spec"]["controlPlaneRef"]["name"] = json!("other");
        assert!(r.drifted(&key(), "h", &sent(), &edited));
        // A new desired hash falls back to the full comparison.
        assert!(r.drifted(&key(), "h2", &sent(), &stored("5")));
    }

    #[test]
    fn an_apply_that_changed_the_object_is_not_normalisation() {
        let r = Records::default();
        assert_eq!(
            r.applied(&key(), "h", &sent(), Some(&stored("5")), &stored("6")),
            None
        );
        assert_eq!(r.applied(&key(), "h", &sent(), None, &stored("6")), None);
    }

    #[test]
    fn the_returned_object_stands_in_until_the_cache_catches_up() {
        let r = Records::default();
        r.applied(&key(), "h", &sent(), None, &stored("7"));
        let got = r.freshest(&key(), Some(Arc::new(stored("5")))).unwrap();
        assert_eq!(got.metadata.resource_version.as_deref(), Some("7"));
        assert_eq!(
            r.freshest(&key(), None)
                .unwrap()
                .metadata
                .resource_version
                .as_deref(),
            Some("7")
        );
        let got = r.freshest(&key(), Some(Arc::new(stored("8")))).unwrap();
        assert_eq!(got.metadata.resource_version.as_deref(), Some("8"));
        // The copy is gone once the cache caught up.
        assert_eq!(
            r.freshest(&key(), Some(Arc::new(stored("5"))))
                .unwrap()
                .metadata
                .resource_version
                .as_deref(),
            Some("5")
        );
    }

    #[test]
    fn our_own_write_is_an_echo_to_every_watch() {
        let r = Records::default();
        r.applied(&key(), "h", &sent(), None, &stored("7"));
        assert!(!r.is_echo(&key(), Some("8")), "someone else's change");
        assert!(r.is_echo(&key(), Some("7")));
        assert!(r.is_echo(&key(), Some("7")), "a second watch of the kind");
        r.writing(&key());
        assert!(
            r.is_echo(&key(), Some("9")),
            "the event of a write under way"
        );
        r.wrote(&key(), None);
        assert!(
            !r.is_echo(&key(), Some("9")),
            "a failed write leaves no mark"
        );
    }

    #[test]
    fn a_deleted_object_stays_deleted_while_the_cache_lags() {
        let r = Records::default();
        r.deleted(&key(), Some("9".into()));
        assert!(r.freshest(&key(), Some(Arc::new(stored("9")))).is_none());
        let again = r.freshest(&key(), Some(Arc::new(stored("12"))));
        assert!(again.is_some(), "created again later: visible");
        r.deleted(&key(), Some("12".into()));
        assert!(r.freshest(&key(), None).is_none());
        assert!(r.is_empty(), "gone from the cache: forgotten");
    }
}
