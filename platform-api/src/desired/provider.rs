//! The CAPI infrastructure provider that runs in each control-plane namespace: its Deployment
//! (spec from the platform) and least-privilege RBAC (base rules + the platform's rules).

use super::object::{DesiredObject, Role};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{PolicyRule, Role as RbacRole, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use std::collections::BTreeMap;

/// Name of the provider's Deployment, ServiceAccount, Role and RoleBinding.
pub const PROVIDER_NAME: &str = "capi-provider";
const APP_LABEL: &str = "control-plane";

/// A PolicyRule from string slices: `policy_rule(&[""], &["secrets"], &["get"])`.
pub fn policy_rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
    let s = |v: &[&str]| Some(v.iter().map(|x| x.to_string()).collect());
    PolicyRule {
        api_groups: s(groups),
        resources: s(resources),
        verbs: verbs.iter().map(|v| v.to_string()).collect(),
        ..Default::default()
    }
}

/// What any CAPI infrastructure provider needs in its namespace: read the CAPI objects it
/// serves, read kubeconfig/bootstrap Secrets, record Events, and hold its leader-election Lease.
pub fn base_policy_rules() -> Vec<PolicyRule> {
    const READ: &[&str] = &["get", "list", "watch"];
    vec![
        policy_rule(&[""], &["events"], &["create", "patch", "update"]),
        policy_rule(&[""], &["secrets"], READ),
        policy_rule(
            &["cluster.x-k8s.io"],
            &["clusters", "machines", "machinesets", "machinedeployments"],
            READ,
        ),
        policy_rule(
            &["coordination.k8s.io"],
            &["leases"],
            &["get", "list", "watch", "create", "update", "patch"],
        ),
    ]
}

fn meta(namespace: &str, labels: &BTreeMap<String, String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(PROVIDER_NAME.into()),
        namespace: Some(namespace.into()),
        labels: Some(labels.clone()),
        ..Default::default()
    }
}

/// ServiceAccount, Role, RoleBinding and Deployment, in apply order.
pub(crate) fn provider_objects(
    namespace: &str,
    mut spec: DeploymentSpec,
    platform_rules: Vec<PolicyRule>,
) -> Vec<DesiredObject> {
    let selector = BTreeMap::from([(APP_LABEL.to_string(), PROVIDER_NAME.to_string())]);
    let sa = ServiceAccount {
        metadata: meta(namespace, &selector),
        ..Default::default()
    };
    let mut rules = base_policy_rules();
    rules.extend(platform_rules);
    let role = RbacRole {
        metadata: meta(namespace, &selector),
        rules: Some(rules),
    };
    let binding = RoleBinding {
        metadata: meta(namespace, &selector),
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "Role".into(),
            name: PROVIDER_NAME.into(),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".into(),
            name: PROVIDER_NAME.into(),
            namespace: Some(namespace.into()),
            ..Default::default()
        }]),
    };

    spec.replicas = Some(spec.replicas.unwrap_or(1));
    spec.selector = LabelSelector {
        match_labels: Some(selector.clone()),
        ..Default::default()
    };
    let tmeta = spec.template.metadata.get_or_insert_with(Default::default);
    tmeta
        .labels
        .get_or_insert_with(BTreeMap::new)
        .extend(selector.clone());
    if let Some(pod) = spec.template.spec.as_mut() {
        pod.service_account_name = Some(PROVIDER_NAME.into());
    }
    let deployment = Deployment {
        metadata: meta(namespace, &selector),
        spec,
        status: None,
    };

    vec![
        DesiredObject::typed(Role::CapiProvider, &sa),
        DesiredObject::typed(Role::CapiProvider, &role),
        DesiredObject::typed(Role::CapiProvider, &binding),
        DesiredObject::typed(Role::CapiProvider, &deployment),
    ]
}
