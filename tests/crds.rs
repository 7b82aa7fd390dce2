//! Our CRDs: generated (never hand-edited), structural, a subset of HyperShift's field paths,
//! and accepting the examples.

use suite::{docs, examples_dir, repo_root};
use testkit::fixtures::upstream;
use testkit::paths::assert_subset;
use testkit::schema::Crd;

#[test]
fn crds_match_the_rust_types() {
    let generated = hosted_cluster_cli::crds::generate().expect("registry");
    assert_eq!(generated.len(), 3);
    for (file, yaml) in generated {
        let path = repo_root().join("crds").join(&file);
        let on_disk = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run `cargo run --bin crdgen`", path.display()));
        assert!(
            on_disk == yaml,
            "{file} is out of date: run `cargo run --bin crdgen` and commit crds/"
        );
    }
    let files = std::fs::read_dir(repo_root().join("crds")).unwrap().count();
    assert_eq!(files, 3, "crds/ holds a file crdgen does not write");
}

#[test]
fn crds_are_structural() {
    for entry in std::fs::read_dir(repo_root().join("crds")).unwrap() {
        let path = entry.unwrap().path();
        for doc in docs(&std::fs::read_to_string(&path).unwrap()) {
            if let Err(errors) = testkit::structural::check_structural(&doc) {
                panic!(
                    "{} is not structural:\n{}",
                    path.display(),
                    testkit::validate::format_errors(&errors)
                );
            }
        }
    }
}

fn schema(crd: &Crd) -> serde_json::Value {
    crd.schema("v1beta1").expect("v1beta1").clone()
}

#[test]
fn field_paths_are_a_subset_of_hypershift() {
    let pairs = [
        (
            "hypershift.openshift.io_hostedclusters.yaml",
            "hypershift/hostedclusters-Hypershift-Default.crd.yaml",
        ),
        (
            "hypershift.openshift.io_nodepools.yaml",
            "hypershift/nodepools-Default.crd.yaml",
        ),
        // No platform sections here: the HostedControlPlane carries only the type.
        (
            "hypershift.openshift.io_hostedcontrolplanes.yaml",
            "hypershift/more/hostedcontrolplanes-Hypershift-Default.crd.yaml",
        ),
    ];
    for (ours, theirs) in pairs {
        let ours = Crd::load_cached(repo_root().join("crds").join(ours));
        let theirs = Crd::load_cached(upstream(theirs));
        // Only what a linked platform adds under spec.platform.<platform> may be new.
        let sections: Vec<String> = linked_plugins::PLATFORMS
            .iter()
            .map(|p| platform_api::api::platform_spec::platform_field(p))
            .map(|f| format!("spec.platform.{f}"))
            .collect();
        let sections: Vec<&str> = sections.iter().map(String::as_str).collect();
        if let Err(extra) = assert_subset(&schema(&ours), &schema(&theirs), &sections) {
            panic!(
                "{} has field paths HyperShift does not: {extra:#?}",
                ours.kind
            );
        }
    }
}

fn sorted(names: &[&'static str]) -> Vec<&'static str> {
    let mut names = names.to_vec();
    names.sort();
    names
}

#[test]
fn platform_type_is_immutable_and_lists_registered_platforms() {
    let hc = Crd::load_cached(repo_root().join("crds/hypershift.openshift.io_hostedclusters.yaml"));
    let s = schema(&hc);
    let ty = testkit::paths::schema_at(&s, "spec.platform.type").expect("spec.platform.type");
    assert_eq!(
        ty["enum"],
        serde_json::json!(sorted(linked_plugins::PLATFORMS)),
        "crdgen links exactly the in-tree platforms"
    );
    assert!(
        testkit::validate::cel_rules_at(&s, "spec.platform.type")
            .iter()
            .any(|r| r == "self == oldSelf")
    );
    assert!(testkit::paths::schema_at(&s, "spec.platform.maas.identityRef.name").is_some());
}

#[test]
fn examples_validate_against_our_crds() {
    let mut seen = 0;
    for entry in std::fs::read_dir(examples_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            for doc in docs(&std::fs::read_to_string(&path).unwrap()) {
                if suite::our_crd_for(doc["kind"].as_str().unwrap_or_default()).is_some() {
                    suite::validate_strictly(&doc);
                    seen += 1;
                }
            }
        }
    }
    assert_eq!(
        seen, 4,
        "expected the HostedCluster (hypershift and kamaji) and the bare-metal and LXD NodePool examples"
    );
}

/// Where a control plane reports initialization under each CAPI contract: CAPI reads the
/// path of the newest contract the CRD's labels claim.
fn initialization_fields(contract: &str) -> &'static [&'static str] {
    match contract {
        "v1beta1" => &["status.ready", "status.initialized"],
        "v1beta2" => &["status.initialization.controlPlaneInitialized"],
        other => panic!("no initialization rule known for contract {other}"),
    }
}

fn contract_labels(crd_doc: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
    crd_doc["metadata"]["labels"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.starts_with("cluster.x-k8s.io/"))
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().expect("label values are strings").to_string(),
            )
        })
        .collect()
}

#[test]
fn the_control_plane_crd_carries_the_capi_contract_labels() {
    use platform_api::crd::CAPI_CONTRACT_VERSIONS;
    assert!(!CAPI_CONTRACT_VERSIONS.is_empty());
    let path = repo_root().join("crds/hypershift.openshift.io_hostedcontrolplanes.yaml");
    let doc = docs(&std::fs::read_to_string(&path).unwrap()).remove(0);
    let crd = Crd::from_value(&doc).unwrap();
    let labels = contract_labels(&doc);
    let keys: Vec<String> = labels
        .keys()
        .map(|k| k.trim_start_matches("cluster.x-k8s.io/").to_string())
        .collect();
    let mut expected: Vec<&str> = CAPI_CONTRACT_VERSIONS.to_vec();
    expected.sort();
    assert_eq!(
        keys, expected,
        "one label per supported contract, no others"
    );
    for (key, value) in &labels {
        let contract = key.trim_start_matches("cluster.x-k8s.io/");
        assert!(
            !value.is_empty(),
            "{key} is empty: CAPI treats that as missing"
        );
        for version in value.split('_') {
            assert!(
                crd.served_versions().contains(&version),
                "{key}: {version:?} is not a served version of {} ({:?})",
                crd.name,
                crd.served_versions()
            );
            // Claiming a contract makes CAPI read that contract's status fields.
            let schema = crd.schema(version).expect("schema");
            for field in initialization_fields(contract) {
                assert!(
                    testkit::paths::schema_at(schema, field).is_some(),
                    "{key}: {} {version} claims the {contract} contract but its schema has no {field}",
                    crd.kind
                );
            }
        }
    }
}

#[test]
fn only_crds_capi_references_carry_contract_labels() {
    for file in [
        "hypershift.openshift.io_hostedclusters.yaml",
        "hypershift.openshift.io_nodepools.yaml",
    ] {
        let text = std::fs::read_to_string(repo_root().join("crds").join(file)).unwrap();
        let doc = docs(&text).remove(0);
        assert!(contract_labels(&doc).is_empty(), "{file}");
    }
}

#[test]
fn install_render_prints_the_contract_labels() {
    let run = suite::cli(&["install", "--render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let printed = docs(&run.stdout)
        .into_iter()
        .find(|d| {
            d["kind"] == "CustomResourceDefinition"
                && d["spec"]["names"]["kind"] == "HostedControlPlane"
        })
        .expect("install --render prints the HostedControlPlane CRD");
    let path = repo_root().join("crds/hypershift.openshift.io_hostedcontrolplanes.yaml");
    let on_disk = docs(&std::fs::read_to_string(&path).unwrap()).remove(0);
    assert!(!contract_labels(&printed).is_empty());
    assert_eq!(contract_labels(&printed), contract_labels(&on_disk));
}

/// Every `(path, type)` of a schema, `type` absent where the schema leaves it open.
fn typed_paths(schema: &serde_json::Value, path: String, out: &mut Vec<(String, Option<String>)>) {
    let ty = schema["type"].as_str().map(String::from);
    out.push((path.clone(), ty));
    if let Some(props) = schema["properties"].as_object() {
        for (k, v) in props {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            typed_paths(v, p, out);
        }
    }
    if schema["items"].is_object() {
        typed_paths(&schema["items"], format!("{path}[]"), out);
    }
    if schema["additionalProperties"].is_object() {
        typed_paths(&schema["additionalProperties"], format!("{path}{{}}"), out);
    }
}

#[test]
fn hosted_control_plane_is_a_typed_subset_of_hypershifts() {
    let ours =
        Crd::load_cached(repo_root().join("crds/hypershift.openshift.io_hostedcontrolplanes.yaml"));
    let theirs = Crd::load_cached(upstream(
        "hypershift/more/hostedcontrolplanes-Hypershift-Default.crd.yaml",
    ));
    let (mut mine, mut upstream_paths) = (Vec::new(), Vec::new());
    typed_paths(&schema(&ours), String::new(), &mut mine);
    typed_paths(&schema(&theirs), String::new(), &mut upstream_paths);
    let upstream_paths: std::collections::BTreeMap<_, _> = upstream_paths.into_iter().collect();
    let mut wrong = Vec::new();
    for (path, ty) in mine {
        match upstream_paths.get(&path) {
            None => wrong.push(format!("{path}: not in HyperShift's CRD")),
            // An open type upstream (int-or-string, preserved fields) accepts ours.
            Some(None) => {}
            Some(theirs) if *theirs != ty => {
                wrong.push(format!("{path}: ours is {ty:?}, HyperShift's {theirs:?}"))
            }
            Some(_) => {}
        }
    }
    assert!(
        wrong.is_empty(),
        "HostedControlPlane CRD:\n{}",
        wrong.join("\n")
    );
}

/// Fields HyperShift has and no backend here implements are refused at admission (issue 11),
/// and a MAAS pool whose zone and failure domain differ too.
#[test]
fn unsupported_fields_are_refused_by_cel_rules() {
    let np = Crd::load_cached(repo_root().join("crds/hypershift.openshift.io_nodepools.yaml"));
    let s = schema(&np);
    let spec_rules = testkit::validate::cel_rules_at(&s, "spec");
    for field in ["autoScaling", "tuningConfig", "arch"] {
        assert!(
            spec_rules
                .iter()
                .any(|r| r.contains(&format!("self.{field}"))),
            "no rule on spec.{field}: {spec_rules:?}"
        );
    }
    assert!(
        testkit::validate::cel_rules_at(&s, "spec.management")
            .iter()
            .any(|r| r.contains("autoRepair"))
    );
    assert!(
        testkit::validate::cel_rules_at(&s, "spec.platform.maas")
            .iter()
            .any(|r| r.contains("self.zone == self.failureDomain"))
    );
    let hc = Crd::load_cached(repo_root().join("crds/hypershift.openshift.io_hostedclusters.yaml"));
    assert!(
        testkit::validate::cel_rules_at(&schema(&hc), "spec")
            .iter()
            .any(|r| r.contains("additionalTrustBundle"))
    );
}

/// Every CEL rule of our CRDs is evaluated by kube-fake and the strict validator: none fails to
/// parse or calls a function they lack (upstream CRDs may; see `upstream_schemas`).
#[test]
fn every_cel_rule_of_our_crds_is_evaluated() {
    let mut total = 0;
    for entry in std::fs::read_dir(repo_root().join("crds")).unwrap() {
        let path = entry.unwrap().path();
        for doc in docs(&std::fs::read_to_string(&path).unwrap()) {
            let crd = Crd::from_value(&doc).expect("a CRD");
            for version in crd.served_versions() {
                let cel = testkit::validate::cel::CelSchema::compile(crd.schema(version).unwrap());
                println!(
                    "{} {version}: {} CEL rules, {} skipped",
                    path.file_name().unwrap().to_string_lossy(),
                    cel.rule_count(),
                    cel.skipped().len()
                );
                assert!(
                    cel.skipped().is_empty(),
                    "{}: rules not evaluated: {:#?}",
                    path.display(),
                    cel.skipped()
                );
                total += cel.rule_count();
            }
        }
    }
    assert!(total >= 15, "our CRDs carry CEL rules: {total}");
}
