//! The CLI end to end (in-process): the acceptance command, secrets kept out of output, every
//! bad input rejected with a non-zero exit naming the flag, and a clear message when no cluster
//! can be reached.

use suite::{acceptance_create_args, cli, docs, pull_secret_file};

fn create(extra: &[&str], drop_flag: Option<&str>) -> suite::Run {
    let ps = pull_secret_file();
    let mut args = acceptance_create_args(&ps);
    if let Some(flag) = drop_flag {
        let i = args.iter().position(|a| a == flag).expect("flag present");
        let takes_value = flag != "--render";
        args.drain(i..i + if takes_value { 2 } else { 1 });
    }
    // Later occurrences of a flag override earlier ones, as users expect.
    args.extend(extra.iter().map(|s| s.to_string()));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    cli(&argv)
}

#[test]
fn acceptance_render_prints_cluster_and_pool_without_secrets() {
    let run = create(&[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let objects = docs(&run.stdout);
    let kinds: Vec<&str> = objects
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"HostedCluster") && kinds.contains(&"NodePool"),
        "{kinds:?}"
    );
    assert!(
        !kinds.contains(&"Secret"),
        "Secrets need --render-sensitive"
    );
    for needle in ["ck:tk:ts", "Y2s6dGs6dHM"] {
        assert!(
            !run.stdout.contains(needle) && !run.stderr.contains(needle),
            "API key {needle} leaked"
        );
    }
    let hc = objects
        .iter()
        .find(|o| o["kind"] == "HostedCluster")
        .unwrap();
    assert_eq!(hc["spec"]["platform"]["type"], "MAAS");
    assert_eq!(hc["spec"]["platform"]["maas"]["zone"], "zone1");
    assert_eq!(
        hc["spec"]["platform"]["maas"]["dnsDomain"],
        "custom.maas.local"
    );
    assert_eq!(
        hc["spec"]["platform"]["maas"]["identityRef"]["name"],
        "demo-maas-credentials"
    );
    for obj in &objects {
        suite::validate_strictly(obj);
    }
}

#[test]
fn render_sensitive_includes_the_credentials_secret() {
    let run = create(&["--render-sensitive"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let objects = docs(&run.stdout);
    let secret = objects
        .iter()
        .find(|o| o["kind"] == "Secret" && o["metadata"]["name"] == "demo-maas-credentials")
        .expect("credentials Secret");
    assert_eq!(secret["stringData"]["MAAS_API_KEY"], "ck:tk:ts");
    assert_eq!(
        secret["stringData"]["MAAS_ENDPOINT"],
        "http://10.0.0.2:5240/MAAS/"
    );
    assert_eq!(
        secret["metadata"]["labels"]["hypershift.openshift.io/safe-to-delete-with-cluster"],
        "true"
    );
}

#[test]
fn render_without_sensitive_redacts_provided_credentials() {
    let run = create(&["--render-sensitive"], None);
    let file = std::env::temp_dir().join(format!("suite-cli-{}.yaml", std::process::id()));
    std::fs::write(&file, &run.stdout).unwrap();
    let run = cli(&["render", "-f", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !run.stdout.contains("ck:tk:ts"),
        "render leaked the API key"
    );
    let run = cli(&["render", "-f", file.to_str().unwrap(), "--render-sensitive"]);
    assert!(run.stdout.contains("ck:tk:ts"));
}

#[test]
fn json_output_is_a_list() {
    let run = create(&["-o", "json"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(list["kind"], "List");
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        3,
        "Namespace, HostedCluster, NodePool"
    );
}

/// (extra args, flag removed, flag the error must name)
const BAD_INPUTS: &[(&[&str], Option<&str>, &str)] = &[
    (&["--maas-api-key", "not-a-key"], None, "--maas-api-key"),
    (&["--maas-api-key", "ck::ts"], None, "--maas-api-key"),
    (
        &["--maas-endpoint", "10.0.0.2:5240/MAAS"],
        None,
        "--maas-endpoint",
    ),
    (
        &["--maas-endpoint", "ftp://10.0.0.2/MAAS"],
        None,
        "--maas-endpoint",
    ),
    (&["--name", "Demo"], None, "--name"),
    (&["--name", "my_cluster"], None, "--name"),
    (&["--min-memory", "512"], None, "--min-memory"),
    (&["--min-cpu", "0"], None, "--min-cpu"),
    (&["--tags", "a,b,c,d,e,f,g,h,i,j,k"], None, "--tags"),
    (&["--tags", "bad tag"], None, "--tags"),
    (&[], Some("--maas-image"), "--maas-image"),
    (
        &["--pull-secret", "/nonexistent/pull-secret.json"],
        None,
        "--pull-secret",
    ),
    (&["--maas-zone", "zone 1"], None, "--maas-zone"),
    (
        &["--maas-dns-domain", "bad_domain!"],
        None,
        "--maas-dns-domain",
    ),
];

#[test]
fn bad_input_is_rejected_naming_the_flag() {
    for (extra, drop, flag) in BAD_INPUTS {
        let run = create(extra, *drop);
        assert_ne!(run.code, 0, "{extra:?} was accepted");
        assert!(
            run.stdout.is_empty(),
            "{extra:?} printed objects: nothing may be half-created"
        );
        assert!(
            run.stderr.contains(flag),
            "{extra:?}: error does not name {flag}:\n{}",
            run.stderr
        );
        assert!(!run.stderr.contains("ck:tk:ts"), "error leaked the API key");
    }
}

#[test]
fn a_missing_image_is_fine_without_workers() {
    let run = create(&["--node-pool-replicas", "0"], Some("--maas-image"));
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn every_problem_is_reported_at_once() {
    let run = create(&["--min-cpu", "0", "--min-memory", "100"], None);
    assert!(
        run.stderr.contains("--min-cpu") && run.stderr.contains("--min-memory"),
        "{}",
        run.stderr
    );
}

#[test]
fn no_create_secret_needs_no_credentials() {
    let run = create(
        &["--no-create-secret", "--render-sensitive"],
        Some("--maas-api-key"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !docs(&run.stdout)
            .iter()
            .any(|o| o["metadata"]["name"] == "demo-maas-credentials")
    );
}

fn unreachable_kubeconfig() -> std::path::PathBuf {
    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    let path = std::env::temp_dir().join(format!("suite-kubeconfig-{}", std::process::id()));
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n",
    )
    .unwrap();
    path
}

#[test]
fn destroy_on_an_unreachable_cluster_says_so() {
    let kc = unreachable_kubeconfig();
    let run = cli(&[
        "destroy",
        "cluster",
        "maas",
        "--name",
        "demo",
        "--kubeconfig",
        kc.to_str().unwrap(),
    ]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("cannot reach the Kubernetes API server"),
        "{}",
        run.stderr
    );
}

#[test]
fn create_on_an_unreachable_cluster_changes_nothing_and_says_so() {
    let kc = unreachable_kubeconfig();
    let run = create(&["--kubeconfig", kc.to_str().unwrap()], Some("--render"));
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("cannot reach the Kubernetes API server")
            && run.stderr.contains("nothing was changed"),
        "{}",
        run.stderr
    );
}

#[test]
fn destroy_takes_no_platform() {
    let run = cli(&["destroy", "cluster", "--name", "Bad_Name"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--name"), "{}", run.stderr);
    let run = cli(&["destroy", "cluster", "--help"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("--name"), "{}", run.stdout);
    // The platform spelling is a hidden alias: not offered in the help.
    assert!(!run.stdout.contains("Commands:"), "{}", run.stdout);
}

#[test]
fn destroy_validates_the_name() {
    let run = cli(&["destroy", "cluster", "maas", "--name", "Bad_Name"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("--name"));
}

fn render_examples(extra: &[&str]) -> suite::Run {
    let ex = suite::examples_dir();
    let hc = ex.join("hostedcluster.yaml").display().to_string();
    let np = ex.join("nodepool.yaml").display().to_string();
    let mut args = vec!["render", "-f", &hc, "-f", &np];
    args.extend(extra);
    cli(&args)
}

#[test]
fn render_says_which_capi_version_it_assumed() {
    for (extra, version, other, other_releases) in [
        (&[][..], "v1beta2", "v1beta1", "CAPI 1.10 and older"),
        (
            &["--capi", "v1beta2"][..],
            "v1beta2",
            "v1beta1",
            "CAPI 1.10 and older",
        ),
        (
            &["--capi", "v1beta1"][..],
            "v1beta1",
            "v1beta2",
            "CAPI 1.11 and newer",
        ),
    ] {
        let run = render_examples(extra);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let note = format!("note: CAPI objects are cluster.x-k8s.io/{version} (");
        assert!(run.stderr.contains(&note), "{extra:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("use --capi {other} for {other_releases}")),
            "{extra:?}: {}",
            run.stderr
        );
        assert!(!run.stdout.contains("note:"), "the note goes to stderr");
        for obj in docs(&run.stdout) {
            if obj["kind"] == "Cluster" || obj["kind"] == "MachineDeployment" {
                assert_eq!(obj["apiVersion"], format!("cluster.x-k8s.io/{version}"));
            }
        }
    }
}

#[test]
fn render_rejects_an_unknown_capi_version() {
    let run = render_examples(&["--capi", "v1alpha4"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    for part in ["--capi", "v1alpha4", "v1beta1", "v1beta2"] {
        assert!(run.stderr.contains(part), "{part} in: {}", run.stderr);
    }
    assert!(run.stdout.is_empty());
}

/// `main` runs offline commands on a runtime without I/O or timer drivers (start-up cost): they
/// must work there, and only they may be treated as offline.
#[test]
fn offline_commands_run_without_io_drivers() {
    let ps = pull_secret_file();
    let parse = |args: &[String]| {
        let argv = std::iter::once("hosted-cluster".to_string()).chain(args.iter().cloned());
        let (mut out, mut err) = (Vec::new(), Vec::new());
        hosted_cluster_cli::parse(argv, &mut out, &mut err).expect("parses")
    };
    let render = acceptance_create_args(&ps);
    let apply: Vec<String> = render
        .iter()
        .filter(|a| *a != "--render")
        .cloned()
        .collect();
    let examples = suite::examples_dir().join("hostedcluster.yaml");
    let render_file: Vec<String> = ["render", "-f", examples.to_str().unwrap()]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert!(parse(&render).is_offline());
    assert!(parse(&render_file).is_offline());
    assert!(parse(&["install".into(), "--render".into()]).is_offline());
    assert!(!parse(&apply).is_offline());
    assert!(!parse(&["destroy", "cluster", "--name", "demo"].map(String::from)).is_offline());
    assert!(!parse(&["create", "kubeconfig", "--name", "demo"].map(String::from)).is_offline());

    let bare = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for args in [render, render_file] {
        let cli = parse(&args);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = bare.block_on(hosted_cluster_cli::execute(
            &cli,
            hosted_cluster_cli::progress::Stdout::Plain,
            &mut out,
            &mut err,
        ));
        assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
        assert!(!docs(&String::from_utf8(out).unwrap()).is_empty());
    }
}

#[test]
fn help_and_version_need_no_command_to_run() {
    // Parsed in one step; `--version` and `--help` print and exit 0 without running anything.
    let run = cli(&["--version"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("hosted-cluster "), "{}", run.stdout);
    // Each subcommand's arguments are built when invoked (deferred): their help is complete.
    let run = cli(&["create", "cluster", "maas", "--help"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("--wait") && run.stdout.contains("--kubeconfig"));
    let run = cli(&["create", "--help"]);
    assert!(
        run.stdout
            .contains("kubeconfig  Print the admin kubeconfig of a hosted cluster")
    );
}

#[test]
fn control_plane_and_kubernetes_version_become_annotations_the_render_follows() {
    let backend = linked_plugins::DEFAULT_CONTROL_PLANE;
    let run = create(
        &[
            "--control-plane",
            backend,
            "--kubernetes-version",
            "v1.33.0",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let objects = docs(&run.stdout);
    let hc = objects
        .iter()
        .find(|o| o["kind"] == "HostedCluster")
        .unwrap();
    let annotations = &hc["metadata"]["annotations"];
    assert_eq!(annotations["hosted-cluster.io/control-plane"], backend);
    assert_eq!(
        annotations["hosted-cluster.io/kubernetes-version"],
        "v1.33.0"
    );

    // `render -f` builds the backend the annotation names.
    let dir = std::env::temp_dir().join(format!("cp-annotation-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cluster.yaml");
    std::fs::write(&file, &run.stdout).unwrap();
    let rendered = cli(&["render", "-f", file.to_str().unwrap()]);
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    let backend_impl = platform_api::control_plane::control_plane_for(backend).unwrap();
    let hc_obj: platform_api::api::HostedCluster = serde_json::from_value(hc.clone()).unwrap();
    let wanted = backend_impl.control_plane_ref(&hc_obj);
    assert!(
        docs(&rendered.stdout)
            .iter()
            .any(|o| o["kind"] == wanted.resource.kind.as_str()),
        "{}",
        rendered.stdout
    );

    // An unknown backend in the annotation is an error naming the annotation and the known ones.
    let bad = run.stdout.replace(
        &format!("hosted-cluster.io/control-plane: {backend}"),
        "hosted-cluster.io/control-plane: nope",
    );
    std::fs::write(&file, bad).unwrap();
    let rendered = cli(&["render", "-f", file.to_str().unwrap()]);
    assert_ne!(rendered.code, 0);
    assert!(
        rendered.stderr.contains("hosted-cluster.io/control-plane")
            && rendered.stderr.contains(backend),
        "{}",
        rendered.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_control_plane_and_bad_kubernetes_version_are_refused() {
    let run = create(&["--control-plane", "nope"], None);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains(linked_plugins::DEFAULT_CONTROL_PLANE),
        "{}",
        run.stderr
    );
    let run = create(&["--kubernetes-version", "1.33"], None);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("--kubernetes-version"),
        "{}",
        run.stderr
    );
}
