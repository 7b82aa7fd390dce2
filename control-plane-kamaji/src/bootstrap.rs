//! NodePool bootstrap through CAPI's kubeadm bootstrap provider: one `KubeadmConfigTemplate`
//! per pool, from which CABPK renders each Machine's cloud-init join data.

use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
use platform_api::api::NodePool;
use platform_api::desired::capi::{CapiVersion, reference};
use platform_api::desired::labels::NODE_POOL_LABEL;
use platform_api::desired::node_pool::template_name;
use platform_api::desired::{DesiredObject, Role};
use serde_json::{Map, Value, json};

/// API group of CAPI's kubeadm bootstrap provider.
pub const GROUP: &str = "bootstrap.cluster.x-k8s.io";
/// The template kind a MachineDeployment's `bootstrap.configRef` names.
pub const KIND: &str = "KubeadmConfigTemplate";

/// The KubeadmConfigTemplate resource in the version the CAPI release stores: the bootstrap
/// group moves to v1beta2 together with `cluster.x-k8s.io` (CAPI 1.11).
pub fn resource(capi: CapiVersion) -> ApiResource {
    ApiResource::from_gvk(&GroupVersionKind::gvk(GROUP, capi.as_str(), KIND))
}

/// Commands run before `kubeadm join`, as CAPMAAS's own templates do on MAAS images: the
/// kubelet refuses to start with swap on, and the join must wait for containerd.
const PRE_KUBEADM_COMMANDS: &[&str] = &[
    "while [ ! -S /var/run/containerd/containerd.sock ]; do sleep 1; done",
    "sed -ri '/\\sswap\\s/s/^#?/#/' /etc/fstab",
    "swapoff -a",
];

/// The node name cloud-init gives a MAAS machine (its MAAS hostname).
const NODE_NAME: &str = "{{ v1.local_hostname }}";

/// `nodeRegistration.kubeletExtraArgs` in each version's shape: v1beta1 a map, v1beta2 a list
/// of `{name, value}`.
fn kubelet_args(capi: CapiVersion, args: &[(&str, String)]) -> Value {
    match capi {
        CapiVersion::V1Beta1 => Value::Object(
            args.iter()
                .map(|(k, v)| (k.to_string(), Value::from(v.clone())))
                .collect::<Map<_, _>>(),
        ),
        CapiVersion::V1Beta2 => args
            .iter()
            .map(|(k, v)| json!({ "name": k, "value": v }))
            .collect(),
    }
}

/// The join configuration of a pool's nodes: its labels and taints registered by the kubelet.
fn template_spec(capi: CapiVersion, np: &NodePool) -> Value {
    let mut registration = json!({ "name": NODE_NAME });
    if !np.spec.node_labels.is_empty() {
        let labels = np
            .spec
            .node_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        registration["kubeletExtraArgs"] = kubelet_args(capi, &[("node-labels", labels)]);
    }
    if !np.spec.taints.is_empty() {
        registration["taints"] = json!(np.spec.taints);
    }
    json!({
        "template": {
            "spec": {
                "joinConfiguration": { "nodeRegistration": registration },
                "preKubeadmCommands": PRE_KUBEADM_COMMANDS,
            },
        },
    })
}

/// The pool's KubeadmConfigTemplate, named `<pool>-<hash of its spec>` like machine templates:
/// CABPK reads a template when a Machine is created, so a changed spec needs a new name for the
/// MachineDeployment to roll.
pub fn kubeadm_config_template(capi: CapiVersion, np: &NodePool, namespace: &str) -> DesiredObject {
    let pool = np.metadata.name.clone().unwrap_or_default();
    let spec = template_spec(capi, np);
    let resource = resource(capi);
    let object: DynamicObject = serde_json::from_value(json!({
        "apiVersion": resource.api_version,
        "kind": resource.kind,
        "metadata": {
            "name": template_name(&pool, &spec),
            "namespace": namespace,
            "labels": { NODE_POOL_LABEL: pool },
        },
        "spec": spec,
    }))
    .expect("static KubeadmConfigTemplate shape");
    DesiredObject {
        role: Role::Bootstrap,
        resource,
        object,
        sensitive: false,
        cluster_scoped: false,
    }
}

/// What a MachineDeployment's `spec.template.spec.bootstrap.configRef` holds for `template`.
pub fn config_ref(capi: CapiVersion, template: &DesiredObject, namespace: &str) -> Value {
    reference(capi, &template.resource, namespace, template.name())
}
