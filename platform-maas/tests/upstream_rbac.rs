//! Our CAPMAAS RBAC against upstream's `config/rbac/role.yaml`: every rule upstream grants is
//! granted, namespaced rules by the Role in the control-plane namespace and cluster-scoped
//! ones by the per-cluster ClusterRole, and nothing beyond upstream's manager and
//! leader-election roles.

use platform_api::api::HostedCluster;
use platform_api::desired::{self, ClusterInputs, DesiredState};
use platform_api::platform::{MissingSecrets, PlatformSettings, SecretData};
use platform_maas::Maas;
use serde_json::Value;
use std::collections::BTreeSet;

/// (API group, resource, verb).
type Grant = (String, String, String);

/// The resources in upstream's roles that have no namespace; everything else they name is
/// namespaced (core kinds, CAPI and CAPMAAS kinds).
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "namespaces"),
    ("", "nodes"),
    ("apiextensions.k8s.io", "customresourcedefinitions"),
];

fn cluster_scoped(g: &Grant) -> bool {
    CLUSTER_SCOPED.contains(&(g.0.as_str(), g.1.as_str()))
}

fn grants(rules: &Value) -> BTreeSet<Grant> {
    let list = |r: &Value, f: &str| -> Vec<String> {
        r[f].as_array()
            .into_iter()
            .flatten()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let mut out = BTreeSet::new();
    for r in rules.as_array().expect("rules") {
        assert!(r.get("resourceNames").is_none() && r.get("nonResourceURLs").is_none());
        for g in list(r, "apiGroups") {
            for res in list(r, "resources") {
                for v in list(r, "verbs") {
                    for part in [&g, &res, &v] {
                        assert_ne!(part, "*", "wildcard in {r}");
                    }
                    out.insert((g.clone(), res.clone(), v));
                }
            }
        }
    }
    out
}

fn upstream(tag: &str, file: &str) -> BTreeSet<Grant> {
    let docs = testkit::fixtures::load_yaml_docs(testkit::fixtures::upstream(format!(
        "capmaas/config/{tag}/rbac/{file}"
    )));
    docs.iter().flat_map(|d| grants(&d["rules"])).collect()
}

fn built() -> DesiredState {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/hostedcluster.yaml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let hc: HostedCluster = serde_saphyr::from_str(&text).unwrap();
    let creds = SecretData::new("clusters", "maas-credentials")
        .with("MAAS_ENDPOINT", "http://maas.example.com:5240/MAAS")
        .with("MAAS_API_KEY", "abc:def:ghi");
    let inputs = ClusterInputs {
        hosted_cluster: &hc,
        node_pools: &[],
        credentials: Some(&creds),
        api_endpoint: None,
        missing_secrets: MissingSecrets::Fail,
        settings: &PlatformSettings::default(),
        capi: desired::capi::CapiVersion::V1Beta1,
        control_plane_status: None,
        control_plane_secrets: &[],
        bootstrap_tokens: &Default::default(),
        capi_webhook_tls: None,
    };
    // A per-namespace provider, as the HyperShift backend runs it.
    desired::build(
        &inputs,
        &Maas,
        &platform_api::testing::ReferenceControlPlane,
    )
    .unwrap()
}

fn ours(state: &DesiredState, kind: &str) -> (Value, BTreeSet<Grant>) {
    let obj = state
        .objects()
        // The provider's, not the CAPI core manager's (diffed in tests/capi_manager.rs).
        .find(|o| o.kind() == kind && o.role == platform_api::desired::Role::CapiProvider)
        .unwrap_or_else(|| panic!("no {kind}"))
        .to_value();
    let g = grants(&obj["rules"]);
    (obj, g)
}

#[test]
fn capmaas_rbac_is_upstreams_scoped_as_it_must_be() {
    let state = built();
    let (_, role) = ours(&state, "Role");
    let (cluster_role, cluster) = ours(&state, "ClusterRole");
    let manager = upstream("v4.9.5-spectro", "role.yaml");
    let leader = upstream("v4.9.5-spectro", "leader_election_role.yaml");

    // Every upstream grant, where it belongs.
    for g in &manager {
        let (granted_by, name) = if cluster_scoped(g) {
            (&cluster, "ClusterRole")
        } else {
            (&role, "Role")
        };
        assert!(
            granted_by.contains(g),
            "upstream grants {g:?}; our {name} does not"
        );
    }
    // Nothing more, and nothing in the wrong scope.
    for g in &role {
        assert!(
            !cluster_scoped(g),
            "the namespaced Role names cluster-scoped {g:?}"
        );
        assert!(
            manager.contains(g) || leader.contains(g),
            "our Role grants {g:?}, upstream does not"
        );
    }
    for g in &cluster {
        assert!(cluster_scoped(g), "the ClusterRole grants namespaced {g:?}");
        assert!(
            manager.contains(g),
            "our ClusterRole grants {g:?}, upstream does not"
        );
    }

    // One pair per hosted cluster, named after its control-plane namespace, found by label.
    let ns = &state.control_plane_namespace;
    let name = format!("hosted-cluster-capi-provider-{ns}");
    assert_eq!(cluster_role["metadata"]["name"], name.as_str());
    assert!(cluster_role["metadata"].get("namespace").is_none());
    let labels = &cluster_role["metadata"]["labels"];
    assert_eq!(
        labels["hosted-cluster.io/control-plane-namespace"],
        ns.as_str()
    );
    assert_eq!(labels["hypershift.openshift.io/cluster"], "my-maas-cluster");
    let (binding, _) = (
        state
            .objects()
            .find(|o| {
                o.kind() == "ClusterRoleBinding"
                    && o.role == platform_api::desired::Role::CapiProvider
            })
            .unwrap()
            .to_value(),
        (),
    );
    assert_eq!(binding["roleRef"]["name"], name.as_str());
    assert_eq!(binding["subjects"][0]["namespace"], ns.as_str());
    assert!(binding["metadata"].get("namespace").is_none());
}

/// v0.9.0 differs from v4.9.5-spectro only by reading CRDs (cluster-scoped); it never runs
/// per namespace, so our ClusterRole need not grant that.
#[test]
fn upstream_roles_differ_by_the_crd_read_only() {
    let old = upstream("v0.9.0", "role.yaml");
    let new = upstream("v4.9.5-spectro", "role.yaml");
    let extra: Vec<_> = old.difference(&new).collect();
    assert!(new.is_subset(&old));
    assert!(
        extra
            .iter()
            .all(|g| g.0 == "apiextensions.k8s.io" && g.1 == "customresourcedefinitions"),
        "{extra:?}"
    );
}
