//! `install --render` builders: every built-in object round-trips through its k8s-openapi type
//! (nothing the API server would drop), our CRDs are structural and equal the files in `crds/`,
//! and the ClusterRole covers every request a reconcile makes (see `rbac_covers_requests`).

mod support;

use hosted_cluster_operator::install::{self, InstallOptions, METRICS_PORT};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::Value;

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

fn objects() -> Vec<Value> {
    let registry = platform_api::registry().unwrap();
    install::objects(
        &InstallOptions {
            namespace: "hc-system".into(),
            image: "example.com/op:v1".into(),
            replicas: 1,
        },
        registry,
    )
}

#[test]
fn every_object_is_a_valid_builtin_or_a_structural_crd() {
    let objs = objects();
    let kinds: Vec<&str> = objs.iter().map(|o| o["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "CustomResourceDefinition",
            "CustomResourceDefinition",
            "CustomResourceDefinition",
            "Namespace",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "Deployment"
        ]
    );
    for o in &objs {
        match o["kind"].as_str().unwrap() {
            "CustomResourceDefinition" => {
                roundtrip::<CustomResourceDefinition>(o);
                testkit::check_structural(o).unwrap_or_else(|e| {
                    panic!("{}: {}", o["metadata"]["name"], testkit::format_errors(&e))
                });
            }
            "Namespace" => roundtrip::<Namespace>(o),
            "ServiceAccount" => roundtrip::<ServiceAccount>(o),
            "ClusterRole" => roundtrip::<ClusterRole>(o),
            "ClusterRoleBinding" => roundtrip::<ClusterRoleBinding>(o),
            "Role" => roundtrip::<Role>(o),
            "RoleBinding" => roundtrip::<RoleBinding>(o),
            "Deployment" => roundtrip::<Deployment>(o),
            k => panic!("unexpected kind {k}"),
        }
    }
}

#[test]
fn crds_are_the_generated_files() {
    for o in objects()
        .iter()
        .filter(|o| o["kind"] == "CustomResourceDefinition")
    {
        let crd: CustomResourceDefinition = serde_json::from_value(o.clone()).unwrap();
        let file = support::repo_root()
            .join("crds")
            .join(format!("{}_{}.yaml", crd.spec.group, crd.spec.names.plural));
        let on_disk: Vec<Value> =
            platform_api::yaml::from_yaml_stream(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(
            &on_disk[0],
            o,
            "{} differs from the install output",
            file.display()
        );
    }
}

#[test]
fn deployment_probes_metrics_and_identity() {
    let objs = objects();
    let d: Deployment = serde_json::from_value(
        objs.iter()
            .find(|o| o["kind"] == "Deployment")
            .unwrap()
            .clone(),
    )
    .unwrap();
    assert_eq!(d.metadata.namespace.as_deref(), Some("hc-system"));
    let pod = d.spec.template.spec.unwrap();
    assert_eq!(pod.service_account_name.as_deref(), Some(install::NAME));
    let c = &pod.containers[0];
    assert_eq!(c.image.as_deref(), Some("example.com/op:v1"));
    let path = |p: &Option<k8s_openapi::api::core::v1::Probe>| {
        p.as_ref()
            .unwrap()
            .http_get
            .as_ref()
            .unwrap()
            .path
            .clone()
            .unwrap()
    };
    assert_eq!(path(&c.liveness_probe), "/livez");
    assert_eq!(path(&c.readiness_probe), "/readyz");
    assert_eq!(c.ports.as_ref().unwrap()[0].container_port, METRICS_PORT);
    let env: Vec<&str> = c
        .env
        .as_ref()
        .unwrap()
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert!(env.contains(&"POD_NAME") && env.contains(&"POD_NAMESPACE"));
    assert!(
        c.args
            .as_ref()
            .unwrap()
            .contains(&"--leader-elect".to_string())
    );
}

#[test]
fn leases_are_namespaced_not_cluster_wide() {
    let objs = objects();
    let cr: ClusterRole = serde_json::from_value(
        objs.iter()
            .find(|o| o["kind"] == "ClusterRole")
            .unwrap()
            .clone(),
    )
    .unwrap();
    // The CAPI provider's base rules include leases (the operator must hold what it grants),
    // but the operator's own Lease access comes from the namespaced Role.
    let role: Role =
        serde_json::from_value(objs.iter().find(|o| o["kind"] == "Role").unwrap().clone()).unwrap();
    assert_eq!(role.metadata.namespace.as_deref(), Some("hc-system"));
    let r = &role.rules.unwrap()[0];
    assert_eq!(r.resources.as_deref(), Some(&["leases".to_string()][..]));
    assert!(
        !cr.rules
            .unwrap()
            .iter()
            .any(|r| r.verbs.iter().any(|v| v == "*"))
    );
}
