//! `render` with the kamaji backend (the kamaji example HostedCluster): every object validates
//! strictly against its upstream CRD under both CRD sets (CAPI v1.13 with CAPMAAS v0.9.0, CAPI
//! v1.10 with CAPMAAS v4.9.5-spectro: the MAAS kinds are checked against both CAPMAAS
//! releases), built-in kinds round-trip through k8s-openapi, nothing runs per namespace, and
//! the references resolve to rendered objects.

use k8s_openapi::api::core::v1::{Namespace, Secret};
use platform_api::desired::capi::CapiVersion;
use serde_json::{Value, json};
use suite::{cli, docs, examples_dir, validate_strictly};

fn example_files() -> Vec<String> {
    let ex = examples_dir();
    [
        "hostedcluster-kamaji.yaml",
        "nodepool.yaml",
        "credentials-secret.yaml",
    ]
    .map(|f| ex.join(f).display().to_string())
    .to_vec()
}

fn render(files: &[String], capi: CapiVersion) -> suite::Run {
    let mut args = vec!["render", "--capi", capi.as_str()];
    for f in files {
        args.extend(["-f", f.as_str()]);
    }
    cli(&args)
}

fn render_ok(capi: CapiVersion) -> Vec<Value> {
    let run = render(&example_files(), capi);
    assert_eq!(run.code, 0, "render failed: {}", run.stderr);
    docs(&run.stdout)
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

fn find<'a>(objects: &'a [Value], kind: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| o["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} rendered"))
}

#[test]
fn every_rendered_object_validates_under_both_crd_sets() {
    for capi in CapiVersion::ALL {
        let objects = render_ok(capi);
        let mut kinds = Vec::new();
        for obj in &objects {
            let kind = obj["kind"].as_str().unwrap().to_string();
            match kind.as_str() {
                "Namespace" => roundtrip::<Namespace>(obj),
                "Secret" => roundtrip::<Secret>(obj),
                _ => {
                    let checked = validate_strictly(obj);
                    assert!(
                        !checked.is_empty(),
                        "{capi}: no schema to check {kind} against"
                    );
                    if kind.starts_with("Maas") {
                        assert_eq!(checked.len(), 2, "{kind}: both CAPMAAS releases");
                    }
                }
            }
            kinds.push(kind);
        }
        for expected in [
            "Namespace",
            "KamajiControlPlane",
            "MaasCluster",
            "Cluster",
            "MaasMachineTemplate",
            "KubeadmConfigTemplate",
            "MachineDeployment",
        ] {
            assert!(
                kinds.iter().any(|k| k == expected),
                "{capi}: no {expected}: {kinds:?}"
            );
        }
        // CAPI core, the providers and Kamaji run cluster-wide: nothing per namespace.
        for absent in [
            "HostedControlPlane",
            "Deployment",
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "ClusterRole",
            "ClusterRoleBinding",
        ] {
            assert!(
                !kinds.iter().any(|k| k == absent),
                "{capi}: {absent} rendered: {kinds:?}"
            );
        }
    }
}

#[test]
fn references_resolve_to_rendered_objects() {
    for capi in CapiVersion::ALL {
        let objects = render_ok(capi);
        let kcp = find(&objects, "KamajiControlPlane");
        let cluster = find(&objects, "Cluster");
        let md = find(&objects, "MachineDeployment");
        let template = find(&objects, "KubeadmConfigTemplate");
        let config_ref = &md["spec"]["template"]["spec"]["bootstrap"]["configRef"];
        let cp_ref = &cluster["spec"]["controlPlaneRef"];
        match capi {
            CapiVersion::V1Beta2 => {
                assert_eq!(
                    *cp_ref,
                    json!({ "apiGroup": "controlplane.cluster.x-k8s.io",
                            "kind": "KamajiControlPlane", "name": kcp["metadata"]["name"] })
                );
                assert_eq!(
                    *config_ref,
                    json!({ "apiGroup": "bootstrap.cluster.x-k8s.io",
                            "kind": "KubeadmConfigTemplate", "name": template["metadata"]["name"] })
                );
            }
            CapiVersion::V1Beta1 => {
                assert_eq!(
                    cp_ref["apiVersion"],
                    "controlplane.cluster.x-k8s.io/v1alpha2"
                );
                assert_eq!(cp_ref["name"], kcp["metadata"]["name"]);
                assert_eq!(
                    config_ref["apiVersion"],
                    "bootstrap.cluster.x-k8s.io/v1beta1"
                );
                assert_eq!(config_ref["name"], template["metadata"]["name"]);
            }
        }
        assert!(
            md["spec"]["template"]["spec"]
                .get("bootstrap")
                .unwrap()
                .get("dataSecretName")
                .is_none(),
            "kamaji pools bootstrap through the template, not a user-data Secret"
        );
        // CABPK renders the join for the Machine's Kubernetes version.
        assert_eq!(md["spec"]["template"]["spec"]["version"], "v1.31.2");
        assert_eq!(kcp["spec"]["version"], "v1.31.2");
        for obj in [kcp, cluster, md, template] {
            assert_eq!(obj["metadata"]["namespace"], "clusters-my-maas-cluster");
        }
    }
}

/// The kamaji example with its annotations replaced, written to a temporary file.
fn hosted_cluster_file(tag: &str, annotations: Value) -> String {
    let text = std::fs::read_to_string(examples_dir().join("hostedcluster-kamaji.yaml")).unwrap();
    let mut hc = docs(&text).remove(0);
    hc["metadata"]["annotations"] = annotations;
    let path = std::env::temp_dir().join(format!("suite-kamaji-{tag}-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_string(&hc).unwrap()).unwrap();
    path.display().to_string()
}

#[test]
fn a_missing_or_malformed_kubernetes_version_is_a_clear_error() {
    for (tag, annotations) in [
        (
            "noversion",
            json!({ "hosted-cluster.io/control-plane": "kamaji" }),
        ),
        (
            "badversion",
            json!({ "hosted-cluster.io/control-plane": "kamaji",
                    "hosted-cluster.io/kubernetes-version": "4.19.0" }),
        ),
    ] {
        let run = render(
            &[hosted_cluster_file(tag, annotations)],
            CapiVersion::default(),
        );
        assert_ne!(run.code, 0, "{tag}");
        for needle in [
            "hosted-cluster.io/kubernetes-version",
            "--kubernetes-version",
        ] {
            assert!(run.stderr.contains(needle), "{tag}: {}", run.stderr);
        }
    }
}

#[test]
fn the_hypershift_example_still_renders_without_a_kubernetes_version() {
    let ex = examples_dir();
    let run = cli(&[
        "render",
        "-f",
        &ex.join("hostedcluster.yaml").display().to_string(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        docs(&run.stdout)
            .iter()
            .any(|o| o["kind"] == "HostedControlPlane")
    );
}
