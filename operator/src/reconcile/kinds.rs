//! Pipeline step 3: the kinds applied into the control-plane namespace, recorded on that
//! Namespace (as stackable's `ClusterResources` records what it applied). Deletion reads the
//! list instead of building the desired state a second time.
//!
//! The list only grows: a kind this round no longer wants (a NodePool moved to another machine
//! template kind) may still have objects that prune has not removed yet, or that a MachineSet
//! keeps; deletion must still find them. A longer list costs one empty LIST per kind at
//! deletion.

use crate::apply::Live;
use crate::names::APPLIED_KINDS_ANNOTATION;
use platform_api::desired::{DesiredState, Role};
use std::collections::BTreeSet;

/// A kind as recorded: `(group, kind)`; the version is left out, as in `ObjectKey`, so a kind
/// served in a newer version is still the same kind.
pub type GroupKind = (String, String);

fn format(kinds: &BTreeSet<GroupKind>) -> String {
    kinds
        .iter()
        .map(|(group, kind)| match group.as_str() {
            "" => kind.clone(),
            g => format!("{kind}.{g}"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The kinds recorded in a Namespace's annotations (none when it carries no list).
pub fn recorded(
    annotations: Option<&std::collections::BTreeMap<String, String>>,
) -> Vec<GroupKind> {
    annotations
        .and_then(|a| a.get(APPLIED_KINDS_ANNOTATION))
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| match s.split_once('.') {
                    Some((kind, group)) => (group.to_string(), kind.to_string()),
                    None => (String::new(), s.to_string()),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Puts the list on the desired Namespace: what the live Namespace recorded, every namespaced
/// kind this round wants and every kind we own live in the namespace.
pub fn record(state: &mut DesiredState, live: &Live) {
    let ns = state.control_plane_namespace.clone();
    let mut kinds: BTreeSet<GroupKind> = state
        .objects()
        .filter(|o| o.namespace().is_some())
        .map(|o| (o.resource.group.clone(), o.kind().to_string()))
        .collect();
    kinds.extend(
        live.objects
            .keys()
            .filter(|k| k.namespace.as_deref() == Some(ns.as_str()))
            .map(|k| (k.group.clone(), k.kind.clone())),
    );
    let namespace = state
        .cluster_objects
        .iter_mut()
        .find(|o| o.role == Role::Namespace)
        .expect("desired::build always emits the control-plane Namespace");
    let live_ns = live.objects.values().find(|l| {
        l.resource.kind == "Namespace" && l.object.metadata.name.as_deref() == Some(ns.as_str())
    });
    if let Some(l) = live_ns {
        kinds.extend(recorded(l.object.metadata.annotations.as_ref()));
    }
    namespace
        .object
        .metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(APPLIED_KINDS_ANNOTATION.to_string(), format(&kinds));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_reads_back_as_written() {
        let kinds: BTreeSet<GroupKind> = [
            ("".into(), "Secret".into()),
            ("cluster.x-k8s.io".into(), "MachineDeployment".into()),
            (
                "infrastructure.cluster.x-k8s.io".into(),
                "ExampleMachineTemplate".into(),
            ),
        ]
        .into();
        let value = format(&kinds);
        assert_eq!(
            value,
            "Secret,MachineDeployment.cluster.x-k8s.io,ExampleMachineTemplate.infrastructure.cluster.x-k8s.io"
        );
        let annotations = [(APPLIED_KINDS_ANNOTATION.to_string(), value)].into();
        let back: BTreeSet<GroupKind> = recorded(Some(&annotations)).into_iter().collect();
        assert_eq!(back, kinds);
        assert!(recorded(None).is_empty());
    }
}
