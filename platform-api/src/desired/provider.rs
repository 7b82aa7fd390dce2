//! The CAPI infrastructure provider that runs in each control-plane namespace: its Deployment
//! (spec from the platform) and least-privilege RBAC: a Role for the namespaced resources and,
//! when the platform needs cluster-scoped reads, a ClusterRole and binding per hosted cluster.

use super::labels::{CONTROL_PLANE_NAMESPACE_REF_LABEL, CREDENTIALS_HASH_ANNOTATION};
use super::object::{DesiredObject, Role};
use crate::platform::SecretData;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role as RbacRole, RoleBinding, RoleRef, Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Name of the provider's Deployment, ServiceAccount, Role and RoleBinding.
pub const PROVIDER_NAME: &str = "capi-provider";
const APP_LABEL: &str = "control-plane";
const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

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

/// What any CAPI infrastructure provider needs in its namespace: read the CAPI Clusters and
/// Machines it serves and the kubeconfig/bootstrap Secrets, record Events, and hold its
/// leader-election Lease. Kept to what every provider's upstream RBAC grants, so that a
/// platform's rules plus these stay within its upstream role.
pub fn base_policy_rules() -> Vec<PolicyRule> {
    const READ: &[&str] = &["get", "list", "watch"];
    vec![
        policy_rule(&[""], &["events"], &["create", "patch", "update"]),
        policy_rule(&[""], &["secrets"], READ),
        policy_rule(&["cluster.x-k8s.io"], &["clusters", "machines"], READ),
        policy_rule(
            &["coordination.k8s.io"],
            &["leases"],
            &["get", "list", "watch", "create", "update", "patch"],
        ),
    ]
}

/// Name of the provider's ClusterRole and ClusterRoleBinding for the hosted cluster whose
/// control plane lives in `namespace`: one pair per hosted cluster, so that deleting one
/// cluster's pair never affects another's.
pub fn cluster_rbac_name(namespace: &str) -> String {
    format!("hosted-cluster-{PROVIDER_NAME}-{namespace}")
}

fn meta(name: &str, namespace: Option<&str>, labels: &BTreeMap<String, String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: namespace.map(Into::into),
        labels: Some(labels.clone()),
        ..Default::default()
    }
}

/// A hash of the credentials Secrets' content (keys and values, `stringData` over `data`),
/// `None` without Secrets. Only the digest leaves this function, never a value.
pub(crate) fn credentials_hash(secrets: &[Secret]) -> Option<String> {
    if secrets.is_empty() {
        return None;
    }
    let mut hasher = Sha256::new();
    for s in secrets {
        let data = SecretData::from_secret(s);
        hasher.update(s.metadata.name.as_deref().unwrap_or_default().as_bytes());
        hasher.update([0]);
        for (k, v) in &data.data {
            // Lengths first, so that no two different maps feed the same bytes.
            hasher.update((k.len() as u64).to_be_bytes());
            hasher.update(k.as_bytes());
            hasher.update((v.len() as u64).to_be_bytes());
            hasher.update(v);
        }
    }
    let digest = hasher.finalize();
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// What [`provider_objects`] builds from.
pub(crate) struct ProviderParts {
    /// The platform's Deployment spec.
    pub spec: DeploymentSpec,
    /// The platform's namespaced rules (added to [`base_policy_rules`]).
    pub rules: Vec<PolicyRule>,
    /// The platform's rules on cluster-scoped resources; none → no ClusterRole.
    pub cluster_rules: Vec<PolicyRule>,
    /// Hash of the credentials the provider reads, if there are any.
    pub credentials_hash: Option<String>,
}

/// ServiceAccount, Role, RoleBinding, (ClusterRole, ClusterRoleBinding,) and Deployment, in
/// apply order: the Deployment comes last so that its pod starts with every permission.
pub(crate) fn provider_objects(namespace: &str, parts: ProviderParts) -> Vec<DesiredObject> {
    let ProviderParts {
        mut spec,
        rules: platform_rules,
        cluster_rules,
        credentials_hash,
    } = parts;
    let selector = BTreeMap::from([(APP_LABEL.to_string(), PROVIDER_NAME.to_string())]);
    let ns = Some(namespace);
    let subject = Subject {
        kind: "ServiceAccount".into(),
        name: PROVIDER_NAME.into(),
        namespace: Some(namespace.into()),
        ..Default::default()
    };
    let sa = ServiceAccount {
        metadata: meta(PROVIDER_NAME, ns, &selector),
        ..Default::default()
    };
    let mut rules = base_policy_rules();
    rules.extend(platform_rules);
    let role = RbacRole {
        metadata: meta(PROVIDER_NAME, ns, &selector),
        rules: Some(rules),
    };
    let binding = RoleBinding {
        metadata: meta(PROVIDER_NAME, ns, &selector),
        role_ref: RoleRef {
            api_group: Some(RBAC_GROUP.into()),
            kind: "Role".into(),
            name: PROVIDER_NAME.into(),
        },
        subjects: Some(vec![subject.clone()]),
    };
    let mut objects = vec![
        DesiredObject::typed(Role::CapiProvider, &sa),
        DesiredObject::typed(Role::CapiProvider, &role),
        DesiredObject::typed(Role::CapiProvider, &binding),
    ];

    if !cluster_rules.is_empty() {
        let name = cluster_rbac_name(namespace);
        let mut labels = selector.clone();
        labels.insert(
            CONTROL_PLANE_NAMESPACE_REF_LABEL.to_string(),
            namespace.to_string(),
        );
        let cluster_role = ClusterRole {
            metadata: meta(&name, None, &labels),
            rules: Some(cluster_rules),
            aggregation_rule: None,
        };
        let cluster_binding = ClusterRoleBinding {
            metadata: meta(&name, None, &labels),
            role_ref: RoleRef {
                api_group: Some(RBAC_GROUP.into()),
                kind: "ClusterRole".into(),
                name: name.clone(),
            },
            subjects: Some(vec![subject]),
        };
        objects.push(DesiredObject::typed(Role::CapiProvider, &cluster_role).cluster_scoped());
        objects.push(DesiredObject::typed(Role::CapiProvider, &cluster_binding).cluster_scoped());
    }

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
    if let Some(hash) = credentials_hash {
        tmeta
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .insert(CREDENTIALS_HASH_ANNOTATION.to_string(), hash);
    }
    if let Some(pod) = spec.template.spec.as_mut() {
        pod.service_account_name = Some(PROVIDER_NAME.into());
    }
    let deployment = Deployment {
        metadata: meta(PROVIDER_NAME, ns, &selector),
        spec,
        status: None,
    };
    objects.push(DesiredObject::typed(Role::CapiProvider, &deployment));
    objects
}
