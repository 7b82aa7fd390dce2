//! The CAPI core manager that runs in one control-plane namespace (as HyperShift runs it): its
//! ServiceAccount, a namespaced Role for everything it does in that namespace, a ClusterRole
//! for the few cluster-scoped resources it cannot do without, and the Deployment.
//!
//! The rules are CAPI's own `config/rbac/role.yaml` and `leader_election_role.yaml` of the
//! release that matches the [`CapiVersion`] we write, split by the scope of each resource.
//! A test of the suite (`tests/capi_manager.rs`) diffs them against upstream's files.
//!
//! The ClusterRole and ClusterRoleBinding are cluster-scoped: they carry no namespace and must
//! not get one, nor an owner reference to a namespaced object, when `desired::build` finishes
//! the objects; the operator deletes them by the cluster's labels.

use super::CapiVersion;
use crate::desired::labels::CONTROL_PLANE_NAMESPACE_REF_LABEL;
use crate::desired::object::{DesiredObject, Role};
use crate::desired::pod::{deployment_spec, field_env, http_get_probe};
use crate::desired::provider::policy_rule;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, PodSecurityContext, PodSpec, Probe, SeccompProfile,
    SecretVolumeSource, SecurityContext, ServiceAccount, Toleration, Volume, VolumeMount,
};
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role as RbacRole, RoleBinding, RoleRef, Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// Name of the manager's ServiceAccount, Role, RoleBinding and Deployment (HyperShift's name).
pub const MANAGER_NAME: &str = "cluster-api";
/// The Secret (`tls.crt`, `tls.key`) the manager's webhook server reads. CAPI core always
/// serves its webhooks (a port of 0 means controller-runtime's default, 9443) and exits when
/// the certificate files are missing, so whoever deploys the manager must provide it.
pub const WEBHOOK_TLS_SECRET: &str = "capi-webhooks-tls";
/// Where controller-runtime's webhook server looks for its certificate by default.
const WEBHOOK_CERT_DIR: &str = "/tmp/k8s-webhook-server/serving-certs";
const SELECTOR_LABEL: &str = "app";
const HEALTH_PORT: i32 = 9440;
const DIAGNOSTICS_PORT: i32 = 8443;
const WEBHOOK_PORT: i32 = 9443;
/// The non-root user of CAPI's distroless image.
const NONROOT_UID: i64 = 65532;

const ALL_VERBS: &[&str] = &[
    "create", "delete", "get", "list", "patch", "update", "watch",
];
const READ: &[&str] = &["get", "list", "watch"];
const READ_WRITE: &[&str] = &["get", "list", "patch", "update", "watch"];
const WRITE: &[&str] = &["patch", "update"];

/// The CAPI release whose manager we run for objects written in `version`: the release whose
/// CRDs we validate that version against.
pub fn release(version: CapiVersion) -> &'static str {
    match version {
        CapiVersion::V1Beta1 => "v1.10.10",
        CapiVersion::V1Beta2 => "v1.13.4",
    }
}

/// CAPI's published core manager image of [`release`].
pub fn default_image(version: CapiVersion) -> String {
    format!(
        "registry.k8s.io/cluster-api/cluster-api-controller:{}",
        release(version)
    )
}

/// The feature gates upstream's `manager.yaml` enables by default in each release (the
/// defaults of its `${VAR:=default}` substitutions), written out since nothing substitutes them.
fn feature_gates(version: CapiVersion) -> &'static str {
    match version {
        CapiVersion::V1Beta1 => {
            "MachinePool=true,ClusterResourceSet=true,ClusterTopology=false,RuntimeSDK=false,\
             MachineSetPreflightChecks=true,MachineWaitForVolumeDetachConsiderVolumeAttachments=true,\
             PriorityQueue=false"
        }
        CapiVersion::V1Beta2 => {
            "MachinePool=true,ClusterTopology=false,RuntimeSDK=false,MachineSetPreflightChecks=true,\
             MachineWaitForVolumeDetachConsiderVolumeAttachments=true,PriorityQueue=true,\
             ReconcilerRateLimiting=true,InPlaceUpdates=false,MachineTaintPropagation=false"
        }
    }
}

/// Rules on namespaced resources: granted by a Role in the control-plane namespace, which is
/// all `--namespace` lets the manager watch.
pub fn namespaced_rules(version: CapiVersion) -> Vec<PolicyRule> {
    // CAPI 1.13 deletes the ConfigMaps it manages; 1.10 never did.
    let configmaps: &[&str] = match version {
        CapiVersion::V1Beta1 => READ_WRITE,
        CapiVersion::V1Beta2 => &["delete", "get", "list", "patch", "update", "watch"],
    };
    vec![
        policy_rule(&[""], &["configmaps"], configmaps),
        policy_rule(&[""], &["events"], &["create", "patch"]),
        policy_rule(&[""], &["secrets"], ALL_VERBS),
        policy_rule(
            &["addons.cluster.x-k8s.io"],
            &[
                "clusterresourcesets/finalizers",
                "clusterresourcesets/status",
            ],
            &["get", "patch", "update"],
        ),
        // The contracts' wildcard: whatever bootstrap, control-plane and infrastructure
        // provider objects the Clusters of this namespace reference.
        policy_rule(
            &[
                "addons.cluster.x-k8s.io",
                "bootstrap.cluster.x-k8s.io",
                "controlplane.cluster.x-k8s.io",
                "infrastructure.cluster.x-k8s.io",
            ],
            &["*"],
            ALL_VERBS,
        ),
        policy_rule(
            &["cluster.x-k8s.io"],
            &[
                "clusterclasses",
                "clusterclasses/status",
                "clusters",
                "clusters/finalizers",
                "clusters/status",
                "machinedrainrules",
                "machinehealthchecks/finalizers",
                "machinehealthchecks/status",
            ],
            READ_WRITE,
        ),
        policy_rule(
            &["cluster.x-k8s.io"],
            &[
                "machinedeployments",
                "machinedeployments/finalizers",
                "machinedeployments/status",
                "machinehealthchecks",
                "machinepools",
                "machinepools/finalizers",
                "machinepools/status",
                "machines",
                "machines/finalizers",
                "machines/status",
                "machinesets",
                "machinesets/finalizers",
                "machinesets/status",
            ],
            ALL_VERBS,
        ),
        policy_rule(
            &["ipam.cluster.x-k8s.io"],
            &["ipaddressclaims", "ipaddresses"],
            READ_WRITE,
        ),
        policy_rule(
            &["ipam.cluster.x-k8s.io"],
            &["ipaddressclaims/status"],
            WRITE,
        ),
        // Leader election (upstream's separate leader-election Role).
        policy_rule(
            &["coordination.k8s.io"],
            &["leases"],
            &[
                "create", "delete", "get", "list", "patch", "update", "watch",
            ],
        ),
    ]
}

/// CAPI's own CRDs, which its CRD migrator may patch (upstream lists them by name; the same
/// list in both releases).
const OWN_CRDS: &[&str] = &[
    "clusterclasses.cluster.x-k8s.io",
    "clusterresourcesetbindings.addons.cluster.x-k8s.io",
    "clusterresourcesets.addons.cluster.x-k8s.io",
    "clusters.cluster.x-k8s.io",
    "extensionconfigs.runtime.cluster.x-k8s.io",
    "ipaddressclaims.ipam.cluster.x-k8s.io",
    "ipaddresses.ipam.cluster.x-k8s.io",
    "machinedeployments.cluster.x-k8s.io",
    "machinedrainrules.cluster.x-k8s.io",
    "machinehealthchecks.cluster.x-k8s.io",
    "machinepools.cluster.x-k8s.io",
    "machines.cluster.x-k8s.io",
    "machinesets.cluster.x-k8s.io",
];

/// Rules on cluster-scoped resources: what a per-namespace manager still needs cluster-wide
/// (namespaces and CRDs it reads, its CRD migrator, authenticated diagnostics, and
/// ExtensionConfigs, which are cluster-scoped), granted by a ClusterRole per hosted cluster.
pub fn cluster_rules() -> Vec<PolicyRule> {
    let mut migrate = policy_rule(
        &["apiextensions.k8s.io"],
        &[
            "customresourcedefinitions",
            "customresourcedefinitions/status",
        ],
        WRITE,
    );
    migrate.resource_names = Some(OWN_CRDS.iter().map(|s| s.to_string()).collect());
    vec![
        policy_rule(&[""], &["namespaces"], READ),
        policy_rule(
            &["apiextensions.k8s.io"],
            &["customresourcedefinitions"],
            READ,
        ),
        migrate,
        // The secure diagnostics endpoint authenticates and authorises its callers.
        policy_rule(&["authentication.k8s.io"], &["tokenreviews"], &["create"]),
        policy_rule(
            &["authorization.k8s.io"],
            &["subjectaccessreviews"],
            &["create"],
        ),
        policy_rule(
            &["runtime.cluster.x-k8s.io"],
            &["extensionconfigs", "extensionconfigs/status"],
            READ_WRITE,
        ),
    ]
}

/// Name of the ClusterRole and ClusterRoleBinding of the manager of `namespace`: cluster-scoped
/// names must be unique per hosted cluster.
pub fn cluster_role_name(namespace: &str) -> String {
    format!("hosted-cluster:{MANAGER_NAME}:{namespace}")
}

fn selector() -> BTreeMap<String, String> {
    BTreeMap::from([(SELECTOR_LABEL.to_string(), MANAGER_NAME.to_string())])
}

fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: namespace.map(Into::into),
        labels: Some(selector()),
        ..Default::default()
    }
}

fn service_account_subject(namespace: &str) -> Subject {
    Subject {
        kind: "ServiceAccount".into(),
        name: MANAGER_NAME.into(),
        namespace: Some(namespace.into()),
        ..Default::default()
    }
}

fn role_ref(kind: &str, name: &str) -> RoleRef {
    RoleRef {
        api_group: Some("rbac.authorization.k8s.io".into()),
        kind: kind.into(),
        name: name.into(),
    }
}

fn port(name: &str, number: i32) -> ContainerPort {
    ContainerPort {
        name: Some(name.into()),
        container_port: number,
        protocol: Some("TCP".into()),
        ..Default::default()
    }
}

fn probe(path: &str) -> Probe {
    http_get_probe(path, IntOrString::String("healthz".into()))
}

/// The manager's command line: upstream's `manager.yaml` arguments with their defaults, and
/// `--namespace`, which limits its cache (and so what it reconciles) to the control-plane
/// namespace, so that managers of different hosted clusters never touch each other's objects.
pub fn args(version: CapiVersion, namespace: &str) -> Vec<String> {
    vec![
        format!("--namespace={namespace}"),
        "--leader-elect".into(),
        format!("--diagnostics-address=:{DIAGNOSTICS_PORT}"),
        "--insecure-diagnostics=false".into(),
        format!("--feature-gates={}", feature_gates(version)),
    ]
}

fn deployment(version: CapiVersion, namespace: &str, image: &str) -> Deployment {
    let container = Container {
        name: "manager".into(),
        image: Some(image.into()),
        command: Some(vec!["/manager".into()]),
        args: Some(args(version, namespace)),
        env: Some(vec![
            field_env("POD_NAMESPACE", "metadata.namespace"),
            field_env("POD_NAME", "metadata.name"),
            field_env("POD_UID", "metadata.uid"),
        ]),
        ports: Some(vec![
            port("webhook-server", WEBHOOK_PORT),
            port("healthz", HEALTH_PORT),
            port("metrics", DIAGNOSTICS_PORT),
        ]),
        readiness_probe: Some(probe("/readyz")),
        liveness_probe: Some(probe("/healthz")),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            capabilities: Some(Capabilities {
                drop: Some(vec!["ALL".into()]),
                ..Default::default()
            }),
            privileged: Some(false),
            run_as_user: Some(NONROOT_UID),
            run_as_group: Some(NONROOT_UID),
            ..Default::default()
        }),
        termination_message_policy: Some("FallbackToLogsOnError".into()),
        volume_mounts: Some(vec![VolumeMount {
            name: "webhook-certs".into(),
            mount_path: WEBHOOK_CERT_DIR.into(),
            read_only: Some(true),
            ..Default::default()
        }]),
        ..Default::default()
    };
    let toleration = |key: &str| Toleration {
        effect: Some("NoSchedule".into()),
        key: Some(key.into()),
        ..Default::default()
    };
    let pod = PodSpec {
        containers: vec![container],
        service_account_name: Some(MANAGER_NAME.into()),
        termination_grace_period_seconds: Some(10),
        tolerations: Some(vec![
            toleration("node-role.kubernetes.io/master"),
            toleration("node-role.kubernetes.io/control-plane"),
        ]),
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(true),
            seccomp_profile: Some(SeccompProfile {
                type_: "RuntimeDefault".into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
        volumes: Some(vec![Volume {
            name: "webhook-certs".into(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(WEBHOOK_TLS_SECRET.into()),
                ..Default::default()
            }),
            ..Default::default()
        }]),
        ..Default::default()
    };
    Deployment {
        metadata: meta(MANAGER_NAME, Some(namespace)),
        spec: deployment_spec(1, selector(), pod),
        status: None,
    }
}

/// The CAPI core manager of one control-plane namespace, in apply order: ServiceAccount, Role,
/// RoleBinding, ClusterRole, ClusterRoleBinding, Deployment. `image` defaults to
/// [`default_image`] of `version`.
pub fn manager_objects(
    version: CapiVersion,
    namespace: &str,
    image: Option<&str>,
) -> Vec<DesiredObject> {
    let image = image.map_or_else(|| default_image(version), str::to_string);
    let sa = ServiceAccount {
        metadata: meta(MANAGER_NAME, Some(namespace)),
        ..Default::default()
    };
    let role = RbacRole {
        metadata: meta(MANAGER_NAME, Some(namespace)),
        rules: Some(namespaced_rules(version)),
    };
    let binding = RoleBinding {
        metadata: meta(MANAGER_NAME, Some(namespace)),
        role_ref: role_ref("Role", MANAGER_NAME),
        subjects: Some(vec![service_account_subject(namespace)]),
    };
    let cluster_name = cluster_role_name(namespace);
    // As on the provider's: the label that prune and teardown select cluster-scoped objects by.
    let mut cluster_meta = meta(&cluster_name, None);
    cluster_meta
        .labels
        .get_or_insert_with(BTreeMap::new)
        .insert(
            CONTROL_PLANE_NAMESPACE_REF_LABEL.to_string(),
            namespace.to_string(),
        );
    let cluster_role = ClusterRole {
        metadata: cluster_meta.clone(),
        rules: Some(cluster_rules()),
        aggregation_rule: None,
    };
    let cluster_binding = ClusterRoleBinding {
        metadata: cluster_meta,
        role_ref: role_ref("ClusterRole", &cluster_name),
        subjects: Some(vec![service_account_subject(namespace)]),
    };
    vec![
        DesiredObject::typed(Role::CapiManager, &sa),
        DesiredObject::typed(Role::CapiManager, &role),
        DesiredObject::typed(Role::CapiManager, &binding),
        DesiredObject::typed(Role::CapiManager, &cluster_role).cluster_scoped(),
        DesiredObject::typed(Role::CapiManager, &cluster_binding).cluster_scoped(),
        DesiredObject::typed(Role::CapiManager, &deployment(version, namespace, &image)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_scoped_rbac_is_marked_and_labelled_for_prune_and_teardown() {
        let objects = manager_objects(CapiVersion::V1Beta2, "clusters-demo", None);
        let cluster: Vec<&DesiredObject> = objects
            .iter()
            .filter(|o| o.kind().starts_with("Cluster"))
            .collect();
        assert_eq!(cluster.len(), 2);
        for o in cluster {
            assert!(o.cluster_scoped, "{}", o.display_name());
            assert_eq!(o.namespace(), None);
            assert_eq!(o.name(), "hosted-cluster:cluster-api:clusters-demo");
            let labels = o.object.metadata.labels.as_ref().unwrap();
            assert_eq!(labels[CONTROL_PLANE_NAMESPACE_REF_LABEL], "clusters-demo");
        }
        assert!(
            objects
                .iter()
                .filter(|o| !o.kind().starts_with("Cluster"))
                .all(|o| !o.cluster_scoped && o.namespace() == Some("clusters-demo"))
        );
    }

    #[test]
    fn the_image_defaults_to_the_release_of_the_capi_version_and_can_be_overridden() {
        let image = |objects: &[DesiredObject]| {
            let d = objects.iter().find(|o| o.kind() == "Deployment").unwrap();
            d.to_value()["spec"]["template"]["spec"]["containers"][0]["image"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(
            image(&manager_objects(CapiVersion::V1Beta1, "ns", None)),
            "registry.k8s.io/cluster-api/cluster-api-controller:v1.10.10"
        );
        assert_eq!(
            image(&manager_objects(
                CapiVersion::V1Beta2,
                "ns",
                Some("mirror/capi:v1")
            )),
            "mirror/capi:v1"
        );
    }
}
