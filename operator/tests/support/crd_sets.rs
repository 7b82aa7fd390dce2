//! The two upstream CRD sets the operator must work with, as a real management cluster has them:
//! CAPI v1.13.4 (stores v1beta2) with CAPMAAS v0.9.0, and CAPI v1.10.10 (stores v1beta1) with
//! CAPMAAS v4.9.5-spectro. `E2E_CAPI=v1beta1|v1beta2` picks one for the real-server suite.
#![allow(dead_code)]

use platform_api::desired::capi::CapiVersion;
use serde_json::Value;
use std::path::PathBuf;

pub const ENV: &str = "E2E_CAPI";

/// The set named by `E2E_CAPI` (default: the v1beta2 one, today's CAPI).
pub fn from_env() -> CapiVersion {
    match std::env::var(ENV) {
        Ok(v) if !v.is_empty() => v.parse().unwrap_or_else(|e| panic!("{ENV}: {e}")),
        _ => CapiVersion::V1Beta2,
    }
}

/// Where the CRD files of a set are, relative to `shared/fixtures/upstream/`.
pub fn files(set: CapiVersion) -> Vec<PathBuf> {
    let up = testkit::upstream("");
    let (capi, capi_config, capmaas) = match set {
        CapiVersion::V1Beta2 => (up.join("capi"), "v1.13.4", up.join("capmaas")),
        CapiVersion::V1Beta1 => (
            up.join("capi/v1.10.10"),
            "v1.10.10",
            up.join("capmaas/v4.9.5-spectro"),
        ),
    };
    let config = up.join("capi/config").join(capi_config).join("crd");
    let mut out = Vec::new();
    for dir in [capi, capmaas] {
        out.extend(yaml_files(&dir));
    }
    for name in [
        "cluster.x-k8s.io_machinesets.yaml",
        "cluster.x-k8s.io_machines.yaml",
    ] {
        out.push(config.join(name));
    }
    out
}

fn yaml_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// Every CRD of the set, parsed.
pub fn crds(set: CapiVersion) -> Vec<Value> {
    files(set)
        .iter()
        .flat_map(testkit::load_yaml_docs)
        .collect()
}
