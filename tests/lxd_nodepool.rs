//! LXD NodePools: `spec.platform.maas.lxd` becomes the MaasMachineTemplate's `spec.lxd`, valid
//! under both CAPMAAS versions' CRDs; bad LXD settings are rejected with the field and the fix;
//! `create cluster maas --lxd ...` writes the section.

use platform_api::desired::capi::CapiVersion;
use serde_json::{Value, json};
use suite::{acceptance_create_args, cli, docs, examples_dir, pull_secret_file, validate_strictly};

fn render(nodepool: &str, capi: CapiVersion) -> (i32, Vec<Value>, String) {
    let ex = examples_dir();
    let files = [
        ex.join("hostedcluster.yaml"),
        ex.join("credentials-secret.yaml"),
    ];
    // Tests run in parallel in this process: one file per content.
    let np = std::env::temp_dir().join(format!(
        "lxd-nodepool-{}-{}-{}.yaml",
        std::process::id(),
        capi.as_str(),
        platform_api::desired::node_pool::template_hash(&json!(nodepool))
    ));
    std::fs::write(&np, nodepool).unwrap();
    let mut args = vec!["render", "--capi", capi.as_str()];
    for f in &files {
        args.extend(["-f", f.to_str().unwrap()]);
    }
    args.extend(["-f", np.to_str().unwrap()]);
    let run = cli(&args);
    let _ = std::fs::remove_file(&np);
    (run.code, docs(&run.stdout), run.stderr)
}

fn example() -> String {
    std::fs::read_to_string(examples_dir().join("nodepool-lxd.yaml")).unwrap()
}

#[test]
fn lxd_example_renders_spec_lxd_valid_under_both_capmaas_versions() {
    for capi in CapiVersion::ALL {
        let (code, objects, err) = render(&example(), capi);
        assert_eq!(code, 0, "{err}");
        let template = objects
            .iter()
            .find(|o| o["kind"] == "MaasMachineTemplate")
            .expect("a MaasMachineTemplate");
        let checked = validate_strictly(template);
        assert!(
            checked.iter().any(|f| f.contains("v4.9.5-spectro"))
                && checked.iter().any(|f| !f.contains("v4.9.5-spectro")),
            "checked against both CAPMAAS versions: {checked:?}"
        );
        assert_eq!(
            template["spec"]["template"]["spec"]["lxd"],
            json!({"enabled": true, "vmConfig": {"diskSize": 60, "storagePool": "default", "network": "lxdbr0"}})
        );
        for o in &objects {
            validate_strictly(o);
        }
    }
}

#[test]
fn auto_start_is_passed_and_disabled_lxd_is_bare_metal() {
    let with_auto = example().replace("enabled: true", "enabled: true\n        autoStart: false");
    let (code, objects, err) = render(&with_auto, CapiVersion::default());
    assert_eq!(code, 0, "{err}");
    let t = objects
        .iter()
        .find(|o| o["kind"] == "MaasMachineTemplate")
        .unwrap();
    validate_strictly(t);
    assert_eq!(
        t["spec"]["template"]["spec"]["lxd"]["vmConfig"]["autoStart"],
        false
    );
    let disabled = example().replace("enabled: true", "enabled: false");
    let (code, objects, err) = render(&disabled, CapiVersion::default());
    assert_eq!(code, 0, "{err}");
    let t = objects
        .iter()
        .find(|o| o["kind"] == "MaasMachineTemplate")
        .unwrap();
    assert!(t["spec"]["template"]["spec"].get("lxd").is_none());
}

#[test]
fn bad_lxd_settings_are_rejected_with_field_and_fix() {
    let bad = example()
        .replace("diskSize: 60", "diskSize: 0")
        .replace("storagePool: default", "storagePool: \"fast ssd\"")
        .replace("network: lxdbr0", "network: 0bridge")
        .replace(
            "resourcePool: default",
            "resourcePool: default\n      tags: [ipmi]",
        );
    let (code, _, err) = render(&bad, CapiVersion::default());
    assert_ne!(code, 0);
    for expected in [
        "spec.platform.maas.lxd.diskSize",
        "positive number of GB",
        "spec.platform.maas.lxd.storagePool",
        "spec.platform.maas.lxd.network",
        "must start with a letter",
        "spec.platform.maas.tags[0]",
        "only matches bare-metal machines",
    ] {
        assert!(err.contains(expected), "{expected:?} missing from:\n{err}");
    }
}

#[test]
fn create_cluster_maas_lxd_flags_write_the_section() {
    let ps = pull_secret_file();
    let mut args = acceptance_create_args(&ps);
    args.extend(
        [
            "--lxd",
            "--lxd-disk-size",
            "80",
            "--lxd-storage-pool",
            "fast",
            "--lxd-network",
            "br0",
        ]
        .map(String::from),
    );
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = cli(&argv);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let np = docs(&run.stdout)
        .into_iter()
        .find(|o| o["kind"] == "NodePool")
        .unwrap();
    assert_eq!(
        np["spec"]["platform"]["maas"]["lxd"],
        json!({"enabled": true, "diskSize": 80, "storagePool": "fast", "network": "br0"})
    );
    validate_strictly(&np);

    // The LXD-only flags without --lxd, and a bad disk size, name their flags.
    let mut args = acceptance_create_args(&ps);
    args.extend(["--lxd-network", "br0"].map(String::from));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = cli(&argv);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--lxd-network") && run.stderr.contains("add --lxd"),
        "{}",
        run.stderr
    );
    let mut args = acceptance_create_args(&ps);
    args.extend(["--lxd", "--lxd-disk-size=0"].map(String::from));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = cli(&argv);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--lxd-disk-size"), "{}", run.stderr);
}
