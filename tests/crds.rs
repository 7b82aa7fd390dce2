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
    ];
    for (ours, theirs) in pairs {
        let ours = Crd::load_cached(repo_root().join("crds").join(ours));
        let theirs = Crd::load_cached(upstream(theirs));
        // Only what a platform adds under spec.platform.<platform> may be new.
        if let Err(extra) = assert_subset(&schema(&ours), &schema(&theirs), &["spec.platform.maas"])
        {
            panic!(
                "{} has field paths HyperShift does not: {extra:#?}",
                ours.kind
            );
        }
    }
}

#[test]
fn platform_type_is_immutable_and_lists_registered_platforms() {
    let hc = Crd::load_cached(repo_root().join("crds/hypershift.openshift.io_hostedclusters.yaml"));
    let s = schema(&hc);
    let ty = testkit::paths::schema_at(&s, "spec.platform.type").expect("spec.platform.type");
    assert_eq!(
        ty["enum"],
        serde_json::json!(["MAAS"]),
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
    assert_eq!(seen, 2, "expected the HostedCluster and NodePool examples");
}
