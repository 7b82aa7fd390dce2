//! The HyperShift golden render (`hypershift create cluster none --render`) against the
//! HyperShift CRDs.

use std::sync::Arc;

use serde_json::{Value, json};
use testkit::fixtures::{docs_of_kind, load_yaml_docs, upstream};
use testkit::validate::cel_rules_at;
use testkit::{Crd, format_errors, validate_against_crd};

fn hosted_cluster_crd() -> Arc<Crd> {
    Crd::load_cached(upstream(
        "hypershift/hostedclusters-Hypershift-Default.crd.yaml",
    ))
}
fn node_pool_crd() -> Arc<Crd> {
    Crd::load_cached(upstream("hypershift/nodepools-Default.crd.yaml"))
}

fn golden() -> Vec<Value> {
    load_yaml_docs(upstream(
        "hypershift/zz_fixture_none_TestCreateCluster_minimal_render.yaml",
    ))
}

fn one<'a>(docs: &'a [Value], kind: &'a str) -> Value {
    let mut found = docs_of_kind(docs, kind);
    let doc = found
        .next()
        .unwrap_or_else(|| panic!("no {kind} in the golden render"));
    assert!(found.next().is_none(), "more than one {kind}");
    doc.clone()
}

#[test]
fn golden_render_parses() {
    let docs = golden();
    // Namespace, 2 Secrets, HostedCluster, NodePool; the trailing `---` adds nothing.
    let kinds: Vec<&str> = docs.iter().filter_map(|d| d["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        ["Namespace", "Secret", "Secret", "HostedCluster", "NodePool"]
    );
}

/// The render leaves `spec.release.image` empty (the test renders without a release): the CRD
/// has `minLength: 1` and a CEL rule there. Its NodePort services use `address: fakeAddress`,
/// which the CRD's CEL rule refuses (not a hostname with a dot, nor an IP). Those are the only
/// errors an apiserver would give; everything else, including the rendered `status`, is valid.
#[test]
fn golden_render_validates_except_empty_release_image() {
    let docs = golden();
    for (kind, crd) in [
        ("HostedCluster", hosted_cluster_crd()),
        ("NodePool", node_pool_crd()),
    ] {
        let obj = one(&docs, kind);
        assert!(
            obj.get("status").is_some(),
            "{kind}: the golden render carries a status"
        );
        let errs = validate_against_crd(&obj, &crd).expect_err("release.image is empty");
        let image: Vec<&str> = errs
            .iter()
            .filter(|e| e.path == "spec.release.image")
            .map(|e| e.message.as_str())
            .collect();
        assert_eq!(image.len(), 2, "{kind}:\n{}", format_errors(&errs));
        assert!(image[0].contains("minLength is 1"), "{}", image[0]);
        assert!(
            image[1].starts_with("Invalid value: \"string\": Image must start with a word"),
            "{}",
            image[1]
        );
        let services = obj["spec"]["services"].as_array().map_or(0, |s| {
            s.iter()
                .filter(|s| s.pointer("/servicePublishingStrategy/nodePort").is_some())
                .count()
        });
        let addresses = errs
            .iter()
            .filter(|e| {
                e.path
                    .ends_with("servicePublishingStrategy.nodePort.address")
            })
            .filter(|e| e.message.contains("address must be a valid hostname"))
            .count();
        assert_eq!(addresses, services, "{kind}:\n{}", format_errors(&errs));
        assert_eq!(
            errs.len(),
            2 + services,
            "{kind}:\n{}",
            format_errors(&errs)
        );

        let mut fixed = obj.clone();
        fixed["spec"]["release"]["image"] =
            json!("quay.io/openshift-release-dev/ocp-release:4.17.0-x86_64");
        let services = fixed
            .pointer_mut("/spec/services")
            .and_then(|s| s.as_array_mut());
        for s in services.into_iter().flatten() {
            if let Some(np) = s.pointer_mut("/servicePublishingStrategy/nodePort") {
                np["address"] = json!("api.example.com");
            }
        }
        if let Err(errs) = validate_against_crd(&fixed, &crd) {
            panic!("{kind} with a release image:\n{}", format_errors(&errs));
        }
    }
}

#[test]
fn golden_hosted_cluster_mutations_are_caught() {
    let crd = hosted_cluster_crd();
    let mut hc = one(&golden(), "HostedCluster");
    hc["spec"]["release"]["image"] = json!("quay.io/ocp-release:4.17.0");
    hc["spec"]["services"][1]["servicePublishingStrategy"]["type"] = json!("Ingress");
    hc["spec"]["platform"]["maas"] = json!({"dnsDomain": "maas"});
    hc["spec"]["networking"]["clusterNetwork"][0]["hostPrefix"] = json!("23");
    hc["status"]["controlPlaneEndpoint"]["port"] = json!(1_u64 << 33);
    let errs = validate_against_crd(&hc, &crd).expect_err("mutated");
    let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
    // A wrong type and an enum value stop the CEL rules, as on the apiserver (the root error).
    assert_eq!(
        paths,
        [
            "",
            "spec.networking.clusterNetwork[0].hostPrefix",
            "spec.platform.maas",
            "spec.services[1].servicePublishingStrategy.type",
            "status.controlPlaneEndpoint.port",
        ],
        "{}",
        format_errors(&errs)
    );
}

#[test]
fn cel_rules_are_listed() {
    let crd = hosted_cluster_crd();
    let schema = crd.schema("v1beta1").expect("schema");
    let rules = cel_rules_at(schema, "spec.services[].servicePublishingStrategy");
    assert!(
        rules.iter().any(|r| r.contains("has(self.nodePort)")),
        "{rules:#?}"
    );
    assert!(cel_rules_at(schema, "spec.no.such.field").is_empty());
}

#[test]
fn cached_crd_is_shared() {
    let a = hosted_cluster_crd();
    let b = hosted_cluster_crd();
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(a.kind, "HostedCluster");
    assert_eq!(a.plural, "hostedclusters");
    assert_eq!(a.scope, "Namespaced");
    assert!(
        a.version("v1beta1")
            .is_some_and(|v| v.served && v.storage && v.has_status_subresource())
    );
}
