//! Golden outputs: `create cluster maas --render` and `render -f examples` (CAPI objects in
//! v1beta1 and in the default, v1beta2; and the kamaji example). A change in what we produce shows up as a diff here.
//! Set UPDATE_GOLDEN=1 to rewrite the files after review.

use suite::{cli, examples_dir, pull_secret_file, repo_root};

fn check_golden(name: &str, actual: &str) {
    let path = repo_root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_GOLDEN=1", path.display()));
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{name} differs from the golden file at line {}:\n  golden: {:?}\n  actual: {:?}\nRe-run with UPDATE_GOLDEN=1 if the change is intended.",
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

#[test]
fn create_cluster_maas_render() {
    let ps = pull_secret_file();
    let mut args = suite::acceptance_create_args(&ps);
    args.extend(["--infra-id".into(), "demo-abcde".into()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = cli(&argv);
    assert_eq!(run.code, 0, "{}", run.stderr);
    check_golden("create_cluster_maas.yaml", &run.stdout);
}

fn example_args() -> Vec<String> {
    let ex = examples_dir();
    let mut args = vec!["render".to_string()];
    for f in [
        "hostedcluster.yaml",
        "nodepool.yaml",
        "credentials-secret.yaml",
    ] {
        args.push("-f".into());
        args.push(ex.join(f).display().to_string());
    }
    args.extend([
        "--api-endpoint".into(),
        "api.my-maas-cluster.example.com:6443".into(),
    ]);
    args
}

fn render(extra: &[&str]) -> suite::Run {
    let mut args = example_args();
    args.extend(extra.iter().map(|s| s.to_string()));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = cli(&argv);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run
}

/// CAPI objects in cluster.x-k8s.io/v1beta1, for CAPI 1.10 and older.
#[test]
fn render_examples() {
    let run = render(&["--capi", "v1beta1"]);
    check_golden("render_examples.yaml", &run.stdout);
}

/// The default: CAPI objects in cluster.x-k8s.io/v1beta2, for CAPI 1.11 and newer.
#[test]
fn render_examples_v1beta2() {
    let run = render(&[]);
    check_golden("render_examples_v1beta2.yaml", &run.stdout);
    assert_eq!(render(&["--capi", "v1beta2"]).stdout, run.stdout);
}

/// The kamaji backend's example: a KamajiControlPlane and a KubeadmConfigTemplate, nothing run
/// per namespace (CAPI objects in the default, v1beta2).
#[test]
fn render_examples_kamaji() {
    let ex = examples_dir();
    let file = |f: &str| ex.join(f).display().to_string();
    let (hc, np, creds) = (
        file("hostedcluster-kamaji.yaml"),
        file("nodepool.yaml"),
        file("credentials-secret.yaml"),
    );
    let run = cli(&["render", "-f", &hc, "-f", &np, "-f", &creds]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    check_golden("render_examples_kamaji.yaml", &run.stdout);
}

#[test]
fn render_is_deterministic() {
    let ex = examples_dir();
    let hc = ex.join("hostedcluster.yaml").display().to_string();
    let np = ex.join("nodepool.yaml").display().to_string();
    let a = cli(&["render", "-f", &hc, "-f", &np]);
    let b = cli(&["render", "-f", &hc, "-f", &np]);
    assert_eq!(a.stdout, b.stdout);
}
