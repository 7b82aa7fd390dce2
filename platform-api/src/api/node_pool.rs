//! The NodePool resource (`hypershift.openshift.io/v1beta1`).

use super::common::{LocalObjectReference, Release};
use super::platform_spec::PlatformSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The desired state of a group of workers of one hosted cluster, following HyperShift's
/// NodePoolSpec. The operator builds the pool's machine template and MachineDeployment from it.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "hypershift.openshift.io",
    version = "v1beta1",
    kind = "NodePool",
    plural = "nodepools",
    namespaced,
    status = "NodePoolStatus",
    shortname = "np",
    shortname = "nps",
    scale = r#"{"specReplicasPath":".spec.replicas","statusReplicasPath":".status.replicas"}"#,
    printcolumn = r#"{"name":"Cluster","type":"string","jsonPath":".spec.clusterName"}"#,
    printcolumn = r#"{"name":"Desired Nodes","type":"integer","jsonPath":".spec.replicas"}"#,
    printcolumn = r#"{"name":"Current Nodes","type":"integer","jsonPath":".status.replicas"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Message","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].message"}"#
)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct NodePoolSpec {
    /// The HostedCluster (same namespace) this pool belongs to.
    #[schemars(length(max = 253))]
    pub cluster_name: String,
    /// The OpenShift release of the pool's nodes.
    #[schemars(description = "")]
    pub release: Release,
    /// The infrastructure provider (the cluster's) and the pool's machine settings.
    #[schemars(description = "")]
    pub platform: PlatformSpec,
    /// A fixed number of machines; exclusive with `auto_scaling`.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// How the machines are upgraded and repaired.
    #[schemars(description = "")]
    pub management: NodePoolManagement,
    /// Autoscaling bounds; exclusive with `replicas`.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_scaling: Option<NodePoolAutoScaling>,
    /// ConfigMaps with machine configuration applied to the nodes.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config: Vec<LocalObjectReference>,
    /// How long to drain a node before deleting its machine (a duration such as `5m`);
    /// unset waits forever.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_drain_timeout: Option<String>,
    /// How long to wait for volumes to detach before deleting a machine.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_volume_detach_timeout: Option<String>,
    /// Labels put on the pool's nodes.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_labels: BTreeMap<String, String>,
    /// Taints put on the pool's nodes.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taints: Vec<Taint>,
    /// RFC3339 time or `true`/`false`: while set, the pool is not reconciled.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 35))]
    pub paused_until: Option<String>,
    /// ConfigMaps with node tuning (Tuned) configuration.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tuning_config: Vec<LocalObjectReference>,
    /// The CPU architecture; amd64 when unset.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<Arch>,
}

/// How the pool's machines are upgraded and repaired.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct NodePoolManagement {
    /// How changes reach the machines.
    #[schemars(description = "")]
    pub upgrade_type: UpgradeType,
    /// Settings for `Replace`.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace: Option<ReplaceUpgrade>,
    /// Settings for `InPlace`.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_place: Option<InPlaceUpgrade>,
    /// Replace machines whose nodes stay unhealthy.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_repair: Option<bool>,
}

impl Default for NodePoolManagement {
    fn default() -> Self {
        Self {
            upgrade_type: UpgradeType::Replace,
            replace: None,
            in_place: None,
            auto_repair: None,
        }
    }
}

/// How a release or configuration change reaches the machines.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub enum UpgradeType {
    /// New machines replace old ones (a new machine template).
    Replace,
    /// The machines are updated where they are.
    InPlace,
}

/// Settings of the `Replace` upgrade type.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct ReplaceUpgrade {
    /// Rolling or on delete; rolling when unset.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<UpgradeStrategy>,
    /// Bounds for `RollingUpdate`.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling_update: Option<RollingUpdate>,
}

// The variant docs are for rustdoc only (`cfg_attr(doc, ...)`): seen by the JsonSchema derive,
// they would turn this optional enum's schema into a `oneOf` that loses the `null` value.
/// How machines are replaced.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
#[cfg_attr(not(doc), allow(missing_docs))]
pub enum UpgradeStrategy {
    #[cfg_attr(
        doc,
        doc = "Replace machines gradually, within the rolling-update bounds."
    )]
    RollingUpdate,
    #[cfg_attr(doc, doc = "Replace a machine only when someone deletes it.")]
    OnDelete,
}

/// Bounds of a rolling replacement.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct RollingUpdate {
    /// Machines (or a percentage) that may be missing during the update; 0 when unset.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrString>,
    /// Machines (or a percentage) created above the target during the update; 1 when unset.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_surge: Option<IntOrString>,
}

/// Settings of the `InPlace` upgrade type.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct InPlaceUpgrade {
    /// Nodes (or a percentage) updated at the same time.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrString>,
}

/// Bounds for the cluster autoscaler; replaces a fixed replica count.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub struct NodePoolAutoScaling {
    /// The fewest machines (at least 1).
    #[schemars(description = "")]
    pub min: i32,
    /// The most machines (at least `min`).
    #[schemars(description = "")]
    pub max: i32,
}

/// A taint put on the pool's nodes.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub struct Taint {
    /// The taint key.
    #[schemars(description = "")]
    pub key: String,
    /// The taint value.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What the taint does.
    #[schemars(description = "")]
    pub effect: TaintEffect,
}

/// What a taint does to pods that do not tolerate it.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub enum TaintEffect {
    /// New pods are not scheduled.
    NoSchedule,
    /// New pods are avoided if possible.
    PreferNoSchedule,
    /// Running pods are evicted too.
    NoExecute,
}

// The variant docs are for rustdoc only (`cfg_attr(doc, ...)`): seen by the JsonSchema derive,
// they would turn this optional enum's schema into a `oneOf` that loses the `null` value.
/// The CPU architecture of the pool's machines.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(description = "")]
#[cfg_attr(not(doc), allow(missing_docs))]
pub enum Arch {
    #[cfg_attr(doc, doc = "x86-64.")]
    Amd64,
    #[cfg_attr(doc, doc = "64-bit ARM.")]
    Arm64,
    #[cfg_attr(doc, doc = "64-bit POWER, little endian.")]
    Ppc64le,
    #[cfg_attr(doc, doc = "IBM Z.")]
    S390x,
}

/// What the operator reports back about a NodePool.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct NodePoolStatus {
    /// Machines that are ready.
    #[schemars(description = "")]
    #[serde(default)]
    pub replicas: i32,
    /// The OpenShift version the nodes run.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The operator's conditions (Ready, ...).
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

impl NodePool {
    /// Desired replicas; an autoscaled pool starts at its minimum.
    pub fn desired_replicas(&self) -> i32 {
        match (self.spec.replicas, self.spec.auto_scaling) {
            (Some(r), _) => r,
            (None, Some(a)) => a.min,
            (None, None) => 0,
        }
    }
}
