//! Every upstream CRD fixture is a real, apiserver-accepted structural CRD, so each one
//! must pass `check_structural`: this is the self-test of the checker.

use std::path::PathBuf;

use testkit::fixtures::{load_yaml_docs, upstream};
use testkit::{Crd, check_structural, format_errors};

fn upstream_crd_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in [
        "capmaas",
        "capmaas/v4.9.5-spectro",
        "capi",
        "capi/v1.10.10",
        "hypershift",
    ] {
        let dir = upstream(dir);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("dir entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with(".yaml") && !name.starts_with("zz_") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn finds_all_upstream_crds() {
    // 3 + 3 CAPMAAS, 2 + 2 CAPI, 2 HyperShift.
    assert_eq!(
        upstream_crd_files().len(),
        12,
        "{:#?}",
        upstream_crd_files()
    );
}

#[test]
fn every_upstream_crd_is_structural() {
    let mut failures = Vec::new();
    for path in upstream_crd_files() {
        let docs = load_yaml_docs(&path);
        assert_eq!(docs.len(), 1, "{}: expected one document", path.display());
        if let Err(errs) = check_structural(&docs[0]) {
            failures.push(format!("{}:\n{}", path.display(), format_errors(&errs)));
        }
        let crd = Crd::load_cached(&path);
        assert!(crd.storage_version().is_some(), "{}", path.display());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
