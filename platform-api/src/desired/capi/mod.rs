//! CAPI core objects: the Cluster and one MachineDeployment per NodePool, written in the API
//! version the management cluster's CAPI stores ([`CapiVersion`]), so that what the server
//! keeps is what we sent.
//!
//! * [`version`]: the version choice.
//! * [`reference`](mod@reference): object references in each version's shape.
//! * [`duration`]: Kubernetes durations, and the seconds v1beta2 stores instead.
//! * [`cluster`](mod@cluster) and [`machine_deployment`](mod@machine_deployment): the objects.
//! * [`manager`]: the CAPI core manager run in a control-plane namespace.
//! * [`webhook_tls`]: the serving certificate its webhook server needs.

pub mod cluster;
pub mod duration;
pub mod machine_deployment;
pub mod manager;
pub mod reference;
pub mod version;
pub mod webhook_tls;

pub use cluster::cluster;
pub use machine_deployment::machine_deployment;
pub use reference::reference;
pub use version::CapiVersion;

use super::object::{DesiredObject, Role};
use kube::api::DynamicObject;
use serde_json::{Value, json};

/// The API group of CAPI's core objects (Cluster, MachineDeployment) and contract labels.
pub const CAPI_GROUP: &str = "cluster.x-k8s.io";

/// A `cluster.x-k8s.io` object of `kind` in `version`.
fn build(
    version: CapiVersion,
    kind: &str,
    namespace: &str,
    name: &str,
    spec: Value,
) -> DesiredObject {
    let resource = version.resource(kind);
    let object: DynamicObject = serde_json::from_value(json!({
        "apiVersion": resource.api_version,
        "kind": resource.kind,
        "metadata": { "name": name, "namespace": namespace },
        "spec": spec,
    }))
    .expect("static CAPI object shape");
    DesiredObject {
        role: if kind == "Cluster" {
            Role::CapiCluster
        } else {
            Role::MachineDeployment
        },
        resource,
        object,
        sensitive: false,
        cluster_scoped: false,
    }
}
