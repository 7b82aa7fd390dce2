//! Helpers shared by the suite in `tests/`: running the CLI in-process, loading the examples,
//! and strict validation of produced objects against the upstream CRDs.

use serde_json::Value;
use std::path::{Path, PathBuf};
use testkit::schema::Crd;

// The suite links the in-tree platforms through the one list, and names it, or the linker would
// drop their registrations. Every test links this crate.
use linked_plugins as _;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn examples_dir() -> PathBuf {
    repo_root().join("examples")
}

/// Output of one in-process CLI run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `hosted-cluster ARGS...` in-process.
pub fn cli(args: &[&str]) -> Run {
    hosted_cluster_cli::install_crypto_provider();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv: Vec<&str> = std::iter::once("hosted-cluster")
        .chain(args.iter().copied())
        .collect();
    let code = rt.block_on(hosted_cluster_cli::run(argv, &mut out, &mut err));
    Run {
        code,
        stdout: String::from_utf8(out).expect("utf-8 stdout"),
        stderr: String::from_utf8(err).expect("utf-8 stderr"),
    }
}

/// Parses a YAML stream into JSON documents.
pub fn docs(yaml: &str) -> Vec<Value> {
    testkit::fixtures::parse_yaml_docs(yaml).expect("valid YAML output")
}

/// A pull secret file for CLI runs.
/// Written once per test process: tests run in parallel and must not see a half-written file.
pub fn pull_secret_file() -> PathBuf {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let path = std::env::temp_dir().join(format!(
            "hosted-cluster-suite-ps-{}.json",
            std::process::id()
        ));
        std::fs::write(&path, br#"{"auths":{"quay.io":{"auth":"ZmFrZTpmYWtl"}}}"#)
            .expect("write pull secret");
        path
    })
    .clone()
}

/// The acceptance command line of `create cluster maas --render` (issue 2, item 2).
pub fn acceptance_create_args(pull_secret: &Path) -> Vec<String> {
    [
        "create",
        "cluster",
        "maas",
        "--name",
        "demo",
        "--maas-endpoint",
        "http://10.0.0.2:5240/MAAS",
        "--maas-api-key",
        "ck:tk:ts",
        "--maas-zone",
        "zone1",
        "--maas-dns-domain",
        "custom.maas.local",
        "--maas-image",
        "ubuntu/jammy",
        "--release-image",
        "quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64",
        "--pull-secret",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([pull_secret.display().to_string(), "--render".into()])
    .collect()
}

/// The CAPI release whose CRDs define each `cluster.x-k8s.io` version we write: v1beta2 as
/// CAPI v1.13.4 defines it (its storage version), v1beta1 as CAPI v1.10.10 (the last release
/// that stores v1beta1) defines it.
pub fn capi_crd_dir(api_version: &str) -> Option<&'static str> {
    match api_version {
        "cluster.x-k8s.io/v1beta2" => Some("capi"),
        "cluster.x-k8s.io/v1beta1" => Some("capi/v1.10.10"),
        _ => None,
    }
}

/// Upstream CRDs an object must satisfy, chosen by its kind and `apiVersion`. The MAAS kinds
/// are checked against every CAPMAAS release we support; a CAPI kind against the CAPI release
/// that stores its `apiVersion` (an unknown CAPI version gets no CRD, and the caller's check
/// that something was validated fails).
pub fn upstream_crds_for(obj: &Value) -> Vec<(String, std::sync::Arc<Crd>)> {
    let kind = obj["kind"].as_str().unwrap_or_default();
    let api_version = obj["apiVersion"].as_str().unwrap_or_default();
    let capi = |file: &str| {
        capi_crd_dir(api_version)
            .map(|dir| vec![format!("{dir}/{file}")])
            .unwrap_or_default()
    };
    let files: Vec<String> = match kind {
        "MaasCluster" => vec![
            "capmaas/infrastructure.cluster.x-k8s.io_maasclusters.yaml".into(),
            "capmaas/v4.9.5-spectro/infrastructure.cluster.x-k8s.io_maasclusters.yaml".into(),
        ],
        "MaasMachineTemplate" => vec![
            "capmaas/infrastructure.cluster.x-k8s.io_maasmachinetemplates.yaml".into(),
            "capmaas/v4.9.5-spectro/infrastructure.cluster.x-k8s.io_maasmachinetemplates.yaml"
                .into(),
        ],
        // HyperShift's own CRD: the control-plane operator reads what it accepts.
        "HostedControlPlane" => {
            vec!["hypershift/more/hostedcontrolplanes-Hypershift-Default.crd.yaml".into()]
        }
        "KamajiControlPlane" => {
            vec!["kamaji/v0.20.0/controlplane.cluster.x-k8s.io_kamajicontrolplanes.yaml".into()]
        }
        // The bootstrap group moves with `cluster.x-k8s.io`: checked against the release that
        // stores its version.
        "KubeadmConfigTemplate" => {
            let release = match api_version {
                "bootstrap.cluster.x-k8s.io/v1beta2" => Some("v1.13.4"),
                "bootstrap.cluster.x-k8s.io/v1beta1" => Some("v1.10.10"),
                _ => None,
            };
            release
                .map(|r| {
                    vec![format!(
                        "capi/config/{r}/bootstrap-kubeadm/bootstrap.cluster.x-k8s.io_kubeadmconfigtemplates.yaml"
                    )]
                })
                .unwrap_or_default()
        }
        "Cluster" => capi("cluster.x-k8s.io_clusters.yaml"),
        "MachineDeployment" => capi("cluster.x-k8s.io_machinedeployments.yaml"),
        _ => Vec::new(),
    };
    files
        .into_iter()
        .map(|f| {
            let crd = Crd::load_cached(testkit::fixtures::upstream(&f));
            (f, crd)
        })
        .collect()
}

/// Our generated CRD for `kind`, from `crds/`.
pub fn our_crd_for(kind: &str) -> Option<std::sync::Arc<Crd>> {
    let file = match kind {
        "HostedCluster" => "hypershift.openshift.io_hostedclusters.yaml",
        "NodePool" => "hypershift.openshift.io_nodepools.yaml",
        "HostedControlPlane" => "hypershift.openshift.io_hostedcontrolplanes.yaml",
        _ => return None,
    };
    Some(Crd::load_cached(repo_root().join("crds").join(file)))
}

/// Validates `obj` strictly against every schema that applies to its kind. Returns the list of
/// schema files it was checked against; panics with every error otherwise.
pub fn validate_strictly(obj: &Value) -> Vec<String> {
    let kind = obj["kind"].as_str().unwrap_or_default();
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let mut checked = Vec::new();
    let mut crds = upstream_crds_for(obj);
    if let Some(ours) = our_crd_for(kind) {
        crds.push((format!("crds/ ({kind})"), ours));
    }
    for (file, crd) in crds {
        if let Err(errors) = testkit::validate::validate_against_crd(obj, &crd) {
            panic!(
                "{kind} {name} fails {file}:\n{}",
                testkit::validate::format_errors(&errors)
            );
        }
        checked.push(file);
    }
    checked
}
