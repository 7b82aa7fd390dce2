//! The per-namespace CAPI core manager against upstream CAPI's own manifests of the release it
//! runs: every rule of `config/rbac/role.yaml` and `leader_election_role.yaml` is granted,
//! namespaced or cluster-scoped as the resource is, and nothing more; its flags are upstream's
//! with their defaults (plus `--namespace`); built-in kinds round-trip through k8s-openapi.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use platform_api::desired::DesiredObject;
use platform_api::desired::capi::CapiVersion;
use platform_api::desired::capi::manager::{self, MANAGER_NAME};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use testkit::fixtures::{load_yaml_docs, upstream};
// Every suite test links the plugin list through the suite library.
use suite as _;

const NAMESPACE: &str = "clusters-demo";

/// One permission: (API group, resource, verb, resource name or "" for any).
type Grant = (String, String, String, String);

fn config_dir(version: CapiVersion) -> String {
    format!("capi/config/{}", manager::release(version))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// Every permission a list of rules (JSON, as in a Role or ClusterRole) grants.
fn expand(rules: &Value) -> BTreeSet<Grant> {
    let mut out = BTreeSet::new();
    for rule in rules.as_array().into_iter().flatten() {
        let names = strings(&rule["resourceNames"]);
        let names = if names.is_empty() {
            vec![String::new()]
        } else {
            names
        };
        for g in strings(&rule["apiGroups"]) {
            for r in strings(&rule["resources"]) {
                for v in strings(&rule["verbs"]) {
                    for n in &names {
                        out.insert((g.clone(), r.clone(), v.clone(), n.clone()));
                    }
                }
            }
        }
    }
    out
}

fn upstream_grants(version: CapiVersion) -> BTreeSet<Grant> {
    let dir = config_dir(version);
    let mut out = BTreeSet::new();
    for file in ["role.yaml", "leader_election_role.yaml"] {
        for doc in load_yaml_docs(upstream(format!("{dir}/rbac/{file}"))) {
            out.extend(expand(&doc["rules"]));
        }
    }
    assert!(out.len() > 50, "{dir}: upstream rules not found");
    out
}

/// Scope of `group/resource` (a subresource has its resource's): CAPI kinds from the scope in
/// their upstream CRDs, built-ins from the Kubernetes API.
fn scopes() -> BTreeMap<(String, String), bool> {
    let mut cluster_scoped = BTreeMap::new();
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for dir in [
        "capi",
        "capi/config/v1.13.4/crd",
        "capi/config/v1.10.10/crd",
    ] {
        for entry in std::fs::read_dir(upstream(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path);
            }
        }
    }
    for path in files {
        for crd in load_yaml_docs(&path) {
            let spec = &crd["spec"];
            cluster_scoped.insert(
                (
                    spec["group"].as_str().unwrap().to_string(),
                    spec["names"]["plural"].as_str().unwrap().to_string(),
                ),
                spec["scope"] == "Cluster",
            );
        }
    }
    for (group, resource, cluster) in [
        ("", "configmaps", false),
        ("", "events", false),
        ("", "secrets", false),
        ("", "namespaces", true),
        ("coordination.k8s.io", "leases", false),
        ("apiextensions.k8s.io", "customresourcedefinitions", true),
        ("authentication.k8s.io", "tokenreviews", true),
        ("authorization.k8s.io", "subjectaccessreviews", true),
    ] {
        cluster_scoped.insert((group.into(), resource.into()), cluster);
    }
    cluster_scoped
}

fn is_cluster_scoped(scopes: &BTreeMap<(String, String), bool>, grant: &Grant) -> bool {
    let (group, resource, ..) = grant;
    let base = resource.split('/').next().unwrap();
    if base == "*" {
        // The provider contracts' wildcard (bootstrap, control-plane, infrastructure and addon
        // objects): all namespaced, living next to the Cluster that references them.
        return false;
    }
    *scopes
        .get(&(group.clone(), base.to_string()))
        .unwrap_or_else(|| panic!("no scope known for {group}/{base}"))
}

fn objects(version: CapiVersion) -> Vec<Value> {
    manager::manager_objects(version, NAMESPACE, None)
        .iter()
        .map(DesiredObject::to_value)
        .collect()
}

fn find<'a>(objects: &'a [Value], kind: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| o["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

#[test]
fn rbac_grants_exactly_upstreams_rules_in_the_right_scope() {
    let scopes = scopes();
    for version in CapiVersion::ALL {
        let objects = objects(version);
        let namespaced = expand(&find(&objects, "Role")["rules"]);
        let cluster = expand(&find(&objects, "ClusterRole")["rules"]);
        let upstream = upstream_grants(version);
        let dir = config_dir(version);
        for grant in &upstream {
            let (want, scope) = if is_cluster_scoped(&scopes, grant) {
                (&cluster, "the ClusterRole")
            } else {
                (&namespaced, "the namespaced Role")
            };
            assert!(
                want.contains(grant),
                "{dir}: upstream grants {grant:?}, {scope} does not"
            );
        }
        for grant in &namespaced {
            assert!(
                upstream.contains(grant),
                "{dir}: Role grants {grant:?} beyond upstream"
            );
            assert!(
                !is_cluster_scoped(&scopes, grant),
                "{dir}: a namespaced Role cannot grant cluster-scoped {grant:?}"
            );
        }
        for grant in &cluster {
            assert!(
                upstream.contains(grant),
                "{dir}: ClusterRole grants {grant:?} beyond upstream"
            );
            assert!(
                is_cluster_scoped(&scopes, grant),
                "{dir}: {grant:?} is namespaced and belongs in the Role, not cluster-wide"
            );
        }
    }
}

#[test]
fn bindings_give_the_rules_to_the_managers_service_account_only() {
    for version in CapiVersion::ALL {
        let objects = objects(version);
        let subject = serde_json::json!([{
            "kind": "ServiceAccount", "name": MANAGER_NAME, "namespace": NAMESPACE,
        }]);
        let binding = find(&objects, "RoleBinding");
        assert_eq!(binding["subjects"], subject);
        assert_eq!(binding["roleRef"]["kind"], "Role");
        assert_eq!(binding["roleRef"]["name"], MANAGER_NAME);
        let cluster_binding = find(&objects, "ClusterRoleBinding");
        assert_eq!(cluster_binding["subjects"], subject);
        let name = manager::cluster_role_name(NAMESPACE);
        assert_eq!(cluster_binding["roleRef"]["name"], name.as_str());
        assert_eq!(
            find(&objects, "ClusterRole")["metadata"]["name"],
            name.as_str()
        );
        assert!(
            name.contains(NAMESPACE),
            "cluster-scoped names are unique per cluster"
        );
        for kind in ["ClusterRole", "ClusterRoleBinding"] {
            assert!(find(&objects, kind)["metadata"].get("namespace").is_none());
        }
        let deployment = find(&objects, "Deployment");
        assert_eq!(
            deployment["spec"]["template"]["spec"]["serviceAccountName"],
            MANAGER_NAME
        );
    }
}

/// Upstream's `${VAR:=default}` substitutions, resolved to their defaults.
fn resolve_defaults(arg: &str) -> String {
    let mut out = String::new();
    let mut rest = arg;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').unwrap() + start;
        let inner = &rest[start + 2..end];
        out.push_str(inner.split_once(":=").unwrap().1);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn deployment_runs_upstreams_flags_for_one_namespace() {
    for version in CapiVersion::ALL {
        let dir = config_dir(version);
        let upstream = load_yaml_docs(upstream(format!("{dir}/manager/manager.yaml")));
        let container = &upstream[0]["spec"]["template"]["spec"]["containers"][0];
        let mut want: Vec<String> = strings(&container["args"])
            .iter()
            .map(|a| resolve_defaults(a))
            .collect();
        want.insert(0, format!("--namespace={NAMESPACE}"));

        let objects = objects(version);
        let ours = &find(&objects, "Deployment")["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(strings(&ours["args"]), want, "{dir}");
        assert_eq!(ours["command"], container["command"], "{dir}");
        assert_eq!(ours["env"], container["env"], "{dir}");
        assert_eq!(
            ours["image"],
            format!(
                "registry.k8s.io/cluster-api/cluster-api-controller:{}",
                manager::release(version)
            )
        );
        // The webhook server always runs: it needs its certificate.
        assert_eq!(
            find(&objects, "Deployment")["spec"]["template"]["spec"]["volumes"][0]["secret"]["secretName"],
            manager::WEBHOOK_TLS_SECRET
        );
    }
}

fn roundtrip<K: serde::de::DeserializeOwned + serde::Serialize>(obj: &Value) {
    let typed: K = serde_json::from_value(obj.clone())
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", obj["kind"]));
    let mut back = serde_json::to_value(&typed).unwrap();
    let mut expected = obj.clone();
    for v in [&mut back, &mut expected] {
        v.as_object_mut().unwrap().remove("apiVersion");
        v.as_object_mut().unwrap().remove("kind");
    }
    assert_eq!(
        back, expected,
        "{} has fields the API would drop",
        obj["kind"]
    );
}

#[test]
fn every_object_round_trips_through_k8s_openapi() {
    for version in CapiVersion::ALL {
        let objects = objects(version);
        assert_eq!(objects.len(), 6);
        for obj in &objects {
            match obj["kind"].as_str().unwrap() {
                "ServiceAccount" => roundtrip::<ServiceAccount>(obj),
                "Role" => roundtrip::<Role>(obj),
                "RoleBinding" => roundtrip::<RoleBinding>(obj),
                "ClusterRole" => roundtrip::<ClusterRole>(obj),
                "ClusterRoleBinding" => roundtrip::<ClusterRoleBinding>(obj),
                "Deployment" => roundtrip::<Deployment>(obj),
                other => panic!("unexpected {other}"),
            }
        }
    }
}
