//! Pure builders for `hosted-cluster install --render`: our CRDs, the operator's Namespace,
//! ServiceAccount, least-privilege RBAC and Deployment. The CLI prints them.

use crate::json::to_value;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, Namespace, PodSecurityContext, PodSpec, Probe,
    SeccompProfile, SecurityContext, ServiceAccount,
};
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use platform_api::Registry;
use platform_api::desired::capi::{CapiVersion, manager};
use platform_api::desired::pod::{deployment_spec, field_env, http_get_probe};
use platform_api::desired::provider::{base_policy_rules, policy_rule};
use serde_json::Value;
use std::collections::BTreeMap;

pub const NAME: &str = crate::names::CONTROLLER_NAME;
pub const DEFAULT_NAMESPACE: &str = "hypershift";
pub const DEFAULT_IMAGE: &str = "quay.io/hosted-cluster/hosted-cluster-operator:latest";
pub const METRICS_PORT: i32 = 8080;

#[derive(Clone, Debug)]
pub struct InstallOptions {
    pub namespace: String,
    pub image: String,
    pub replicas: i32,
}

impl Default for InstallOptions {
    fn default() -> Self {
        Self {
            namespace: DEFAULT_NAMESPACE.into(),
            image: DEFAULT_IMAGE.into(),
            replicas: 1,
        }
    }
}

// Server-side apply is a PATCH; when the object does not exist yet the API server also checks
// `create`. Every kind we apply is read from a watch-backed cache (`list` + `watch`).
const APPLY: &[&str] = &["get", "list", "watch", "create", "patch", "delete"];

/// Exactly what the operator does, cluster-wide (control-plane namespaces are created at run
/// time, so a namespaced Role cannot cover them).
pub fn cluster_role_rules(registry: &Registry) -> Vec<PolicyRule> {
    let mut rules = vec![
        // Watched, finalizer added/removed (JSON patch), status written.
        policy_rule(
            &["hypershift.openshift.io"],
            &["hostedclusters"],
            &["get", "list", "watch", "patch"],
        ),
        policy_rule(
            &["hypershift.openshift.io"],
            &["hostedclusters/status"],
            &["patch"],
        ),
        // Watched (mapped to their cluster), deleted on teardown, status written.
        policy_rule(
            &["hypershift.openshift.io"],
            &["nodepools"],
            &["get", "list", "watch", "delete"],
        ),
        policy_rule(
            &["hypershift.openshift.io"],
            &["nodepools/status"],
            &["patch"],
        ),
        // Applied, read for the endpoint, watched, deleted.
        policy_rule(
            &["hypershift.openshift.io"],
            &["hostedcontrolplanes"],
            &["get", "list", "watch", "create", "patch", "delete"],
        ),
        // Owner references with blockOwnerDeletion need update on the owner's finalizers.
        policy_rule(
            &["hypershift.openshift.io"],
            &["hostedcontrolplanes/finalizers"],
            &["update"],
        ),
        policy_rule(&[""], &["namespaces"], APPLY),
        // Credentials Secrets are read and watched; credential objects applied and deleted.
        policy_rule(
            &[""],
            &["secrets"],
            &["get", "list", "watch", "create", "patch", "delete"],
        ),
        // The teardown record (reconcile/record.rs), in each control-plane namespace.
        policy_rule(
            &[""],
            &["configmaps"],
            &["get", "create", "patch", "delete"],
        ),
        // The CAPI provider in each control-plane namespace.
        policy_rule(&[""], &["serviceaccounts"], APPLY),
        policy_rule(&["apps"], &["deployments"], APPLY),
        policy_rule(
            &["rbac.authorization.k8s.io"],
            &["roles", "rolebindings"],
            APPLY,
        ),
        // Its cluster-scoped reads, one ClusterRole and binding per hosted cluster.
        policy_rule(
            &["rbac.authorization.k8s.io"],
            &["clusterroles", "clusterrolebindings"],
            APPLY,
        ),
        // CAPI core objects; MachineSets only watched (which templates are still in use).
        policy_rule(&["cluster.x-k8s.io"], &["clusters"], APPLY),
        policy_rule(&["cluster.x-k8s.io"], &["machinedeployments"], APPLY),
        policy_rule(&["cluster.x-k8s.io"], &["machinesets"], &["list", "watch"]),
        // Discovery is re-run when CRDs change (metadata-only watch).
        policy_rule(
            &["apiextensions.k8s.io"],
            &["customresourcedefinitions"],
            &["list", "watch"],
        ),
        // Infrastructure and machine-template kinds are the platforms'; by CAPI convention they
        // all live in this group, and the operator knows them only at run time.
        policy_rule(&["infrastructure.cluster.x-k8s.io"], &["*"], APPLY),
        policy_rule(&["events.k8s.io"], &["events"], &["create", "patch"]),
    ];
    // Kubernetes only lets us create a Role granting rules we hold ourselves, so the
    // operator needs the CAPI provider's rules (base + each linked platform's).
    rules.extend(base_policy_rules());
    // Likewise the CAPI core manager's, in every CAPI version we may write.
    for version in [CapiVersion::V1Beta1, CapiVersion::V1Beta2] {
        rules.extend(manager::namespaced_rules(version));
    }
    rules.extend(manager::cluster_rules());
    for p in registry.iter() {
        rules.extend(p.capi_provider_policy_rules());
        rules.extend(p.capi_provider_cluster_policy_rules());
    }
    rules
}

fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: namespace.map(Into::into),
        labels: Some(labels()),
        ..Default::default()
    }
}

fn labels() -> BTreeMap<String, String> {
    BTreeMap::from([("app.kubernetes.io/name".to_string(), NAME.to_string())])
}

fn probe(path: &str) -> Probe {
    Probe {
        period_seconds: Some(10),
        ..http_get_probe(path, IntOrString::String("metrics".into()))
    }
}

pub fn deployment(opts: &InstallOptions) -> Deployment {
    let container = Container {
        name: "operator".into(),
        image: Some(opts.image.clone()),
        args: Some(vec![
            "--log-json".into(),
            "--leader-elect".into(),
            format!("--metrics-addr=0.0.0.0:{METRICS_PORT}"),
        ]),
        env: Some(vec![
            field_env("POD_NAME", "metadata.name"),
            field_env("POD_NAMESPACE", "metadata.namespace"),
        ]),
        ports: Some(vec![ContainerPort {
            name: Some("metrics".into()),
            container_port: METRICS_PORT,
            ..Default::default()
        }]),
        liveness_probe: Some(probe("/livez")),
        readiness_probe: Some(probe("/readyz")),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            read_only_root_filesystem: Some(true),
            capabilities: Some(Capabilities {
                drop: Some(vec!["ALL".into()]),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let pod = PodSpec {
        service_account_name: Some(NAME.into()),
        containers: vec![container],
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(true),
            seccomp_profile: Some(SeccompProfile {
                type_: "RuntimeDefault".into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    Deployment {
        metadata: meta(NAME, Some(&opts.namespace)),
        spec: deployment_spec(opts.replicas, labels(), pod),
        status: None,
    }
}

/// Everything to install, in apply order: CRDs, Namespace, ServiceAccount, ClusterRole(+Binding),
/// the Lease Role(+Binding) in the operator's namespace, Deployment.
pub fn objects(opts: &InstallOptions, registry: &Registry) -> Vec<Value> {
    let ns = opts.namespace.as_str();
    let subject = Subject {
        kind: "ServiceAccount".into(),
        name: NAME.into(),
        namespace: Some(ns.into()),
        ..Default::default()
    };
    let mut out: Vec<Value> = platform_api::crd::all(registry)
        .iter()
        .map(|crd| serde_json::to_value(crd).expect("CRDs serialise"))
        .map(|mut v| {
            v["apiVersion"] = "apiextensions.k8s.io/v1".into();
            v["kind"] = "CustomResourceDefinition".into();
            v
        })
        .collect();
    out.push(to_value(&Namespace {
        metadata: meta(ns, None),
        ..Default::default()
    }));
    out.push(to_value(&ServiceAccount {
        metadata: meta(NAME, Some(ns)),
        ..Default::default()
    }));
    out.push(to_value(&ClusterRole {
        metadata: meta(NAME, None),
        rules: Some(cluster_role_rules(registry)),
        ..Default::default()
    }));
    out.push(to_value(&ClusterRoleBinding {
        metadata: meta(NAME, None),
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "ClusterRole".into(),
            name: NAME.into(),
        },
        subjects: Some(vec![subject.clone()]),
    }));
    // Leader election only needs its one Lease, in the operator's namespace.
    out.push(to_value(&Role {
        metadata: meta(&format!("{NAME}-leader-election"), Some(ns)),
        rules: Some(vec![policy_rule(
            &["coordination.k8s.io"],
            &["leases"],
            &["get", "create", "patch"],
        )]),
    }));
    out.push(to_value(&RoleBinding {
        metadata: meta(&format!("{NAME}-leader-election"), Some(ns)),
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "Role".into(),
            name: format!("{NAME}-leader-election"),
        },
        subjects: Some(vec![subject]),
    }));
    out.push(to_value(&deployment(opts)));
    out
}
