//! Pure decision of what to write: which desired objects need applying (missing, hash differs,
//! or the live copy drifted) and which live objects to prune. No I/O, so it is tested from
//! fixtures.

use super::hash::live_hash;
use super::key::ObjectKey;
use super::live::Live;
use super::record::Records;
use platform_api::desired::DesiredObject;
use platform_api::desired::labels::NODE_POOL_LABEL;
use std::collections::BTreeSet;

#[derive(Debug, Default)]
pub struct Diff {
    /// Objects to apply, in the desired (creation) order.
    pub apply: Vec<DesiredObject>,
    /// Desired objects whose live copy already carries the same hash.
    pub unchanged: Vec<ObjectKey>,
    /// Live objects we own that this round no longer wants, in reverse creation order.
    pub prune: Vec<ObjectKey>,
}

impl Diff {
    pub fn is_noop(&self) -> bool {
        self.apply.is_empty() && self.prune.is_empty()
    }
}

/// `desired` must already carry its hash annotation (see `hash::stamp`).
///
/// `keep_pools` names NodePools whose objects could not be built this round (a validation
/// error): their live objects are kept, so a typo in a pool never deletes its machines.
/// Live objects a MachineSet still points at (old machine templates) are kept too, until CAPI
/// has rolled every MachineSet to the new template.
///
/// A live object drifted when it no longer holds what the server returned after our last apply
/// of it (see `record`), so what the server normalises is never mistaken for drift.
pub fn diff(
    desired: &[DesiredObject],
    live: &Live,
    records: &Records,
    keep_pools: &BTreeSet<String>,
) -> Diff {
    let mut out = Diff::default();
    let mut wanted = BTreeSet::new();
    for obj in desired {
        let key = ObjectKey::of_desired(obj);
        let want = super::hash::desired_hash(obj);
        match live.objects.get(&key) {
            Some(l)
                if live_hash(&l.object) == Some(want.as_str())
                    && !records.drifted(&key, &want, &obj.to_value(), &l.object) =>
            {
                out.unchanged.push(key.clone())
            }
            _ => out.apply.push(obj.clone()),
        }
        wanted.insert(key);
    }
    let mut prune: Vec<ObjectKey> = live
        .objects
        .iter()
        .filter(|(key, l)| {
            let pool = l
                .object
                .metadata
                .labels
                .as_ref()
                .and_then(|m| m.get(NODE_POOL_LABEL));
            !wanted.contains(*key)
                // The namespace goes only with the cluster (teardown), never by pruning.
                && !(key.namespace.is_none() && key.group.is_empty() && key.kind == "Namespace")
                // Already going away: deleting again would be a write on every resync.
                && l.object.metadata.deletion_timestamp.is_none()
                && !pool.is_some_and(|p| keep_pools.contains(p))
                && !live.in_use_by_machine_set(key)
        })
        .map(|(k, _)| k.clone())
        .collect();
    // Delete dependants before what they point at: MachineDeployments before templates.
    prune.sort_by_key(|k| prune_rank(&k.kind));
    out.prune = prune;
    out
}

fn prune_rank(kind: &str) -> u8 {
    match kind {
        "MachineDeployment" => 0,
        _ => 1,
    }
}
