//! Every object we produce validates strictly (unknown fields are errors) against the real
//! upstream CRDs: both CAPMAAS versions, both CAPI versions, and our own CRDs. Built-in kinds
//! must round-trip through the k8s-openapi types unchanged (nothing the API server would drop).

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use serde_json::Value;
use suite::{acceptance_create_args, cli, docs, examples_dir, pull_secret_file, validate_strictly};

fn roundtrip<K: serde::de::DeserializeOwned + serde::Serialize>(obj: &Value) {
    let typed: K = serde_json::from_value(obj.clone())
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", obj["kind"]));
    let back = serde_json::to_value(&typed).unwrap();
    let mut expected = obj.clone();
    expected.as_object_mut().unwrap().remove("apiVersion");
    expected.as_object_mut().unwrap().remove("kind");
    let mut back = back;
    back.as_object_mut().unwrap().remove("apiVersion");
    back.as_object_mut().unwrap().remove("kind");
    assert_eq!(
        back, expected,
        "{} {} has fields the API would drop",
        obj["kind"], obj["metadata"]["name"]
    );
}

/// Checks each object and returns the kinds seen.
fn check_all(objects: &[Value]) -> Vec<String> {
    let mut kinds = Vec::new();
    for obj in objects {
        let kind = obj["kind"].as_str().expect("kind").to_string();
        match kind.as_str() {
            "Namespace" => roundtrip::<Namespace>(obj),
            "Secret" => roundtrip::<Secret>(obj),
            "ServiceAccount" => roundtrip::<ServiceAccount>(obj),
            "Role" => roundtrip::<Role>(obj),
            "RoleBinding" => roundtrip::<RoleBinding>(obj),
            "Deployment" => roundtrip::<Deployment>(obj),
            _ => {
                let checked = validate_strictly(obj);
                assert!(!checked.is_empty(), "no schema to check {kind} against");
                if [
                    "MaasCluster",
                    "MaasMachineTemplate",
                    "Cluster",
                    "MachineDeployment",
                ]
                .contains(&kind.as_str())
                {
                    assert_eq!(
                        checked.len(),
                        2,
                        "{kind} must be checked against both upstream versions"
                    );
                }
            }
        }
        kinds.push(kind);
    }
    kinds
}

fn render_examples(extra: &[&str]) -> Vec<Value> {
    let ex = examples_dir();
    let files = [
        "hostedcluster.yaml",
        "nodepool.yaml",
        "credentials-secret.yaml",
    ]
    .map(|f| ex.join(f).display().to_string());
    let mut args = vec!["render"];
    for f in &files {
        args.extend(["-f", f.as_str()]);
    }
    args.extend(extra);
    let run = cli(&args);
    assert_eq!(run.code, 0, "render failed: {}", run.stderr);
    docs(&run.stdout)
}

#[test]
fn rendered_examples_validate_against_upstream_crds() {
    let objects = render_examples(&[
        "--api-endpoint",
        "api.my-maas-cluster.example.com:6443",
        "--render-sensitive",
    ]);
    let kinds = check_all(&objects);
    for expected in [
        "Namespace",
        "HostedControlPlane",
        "Secret",
        "MaasCluster",
        "Cluster",
        "ServiceAccount",
        "Role",
        "RoleBinding",
        "Deployment",
        "MaasMachineTemplate",
        "MachineDeployment",
    ] {
        assert!(
            kinds.iter().any(|k| k == expected),
            "render printed no {expected}: {kinds:?}"
        );
    }
}

#[test]
fn render_without_endpoint_still_validates() {
    // Before the control plane reports its endpoint the MaasCluster and Cluster omit it.
    let objects = render_examples(&[]);
    check_all(&objects);
    let maas_cluster = objects.iter().find(|o| o["kind"] == "MaasCluster").unwrap();
    assert!(maas_cluster["spec"].get("controlPlaneEndpoint").is_none());
}

#[test]
fn create_render_output_validates_and_renders_again() {
    let ps = pull_secret_file();
    let mut args = acceptance_create_args(&ps);
    args.push("--render-sensitive".into());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = cli(&argv);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let created = docs(&run.stdout);
    check_all(&created);

    // Acceptance 3: render the create output (with its Secret) and validate every object.
    let file = std::env::temp_dir().join(format!("suite-create-{}.yaml", std::process::id()));
    std::fs::write(&file, &run.stdout).unwrap();
    let run = cli(&["render", "-f", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rendered = docs(&run.stdout);
    let kinds = check_all(&rendered);
    for k in [
        "MaasCluster",
        "MaasMachineTemplate",
        "Secret",
        "Deployment",
        "ServiceAccount",
        "Role",
        "RoleBinding",
        "Cluster",
        "MachineDeployment",
    ] {
        assert!(kinds.iter().any(|x| x == k), "missing {k}");
    }
}

#[test]
#[should_panic(expected = "fails")]
fn the_check_is_strict_about_unknown_fields() {
    let mut objects = render_examples(&[]);
    let maas_cluster = objects
        .iter_mut()
        .find(|o| o["kind"] == "MaasCluster")
        .unwrap();
    maas_cluster["spec"]["zone"] = "zone1".into(); // not a MaasCluster field: an API server would prune it
    validate_strictly(maas_cluster);
}
