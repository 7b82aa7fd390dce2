//! MAAS builders from the YAML examples: the objects and their MAAS fields, credentials
//! formats, zone resolution, provider image precedence, and validation errors.
//!
//! What every platform must do (determinism, labels, owners, secret redaction, template
//! renaming, error paths, provider RBAC) is checked by the shared conformance suite in
//! `conformance.rs`; the tests here are about MAAS.

use platform_api::api::{ApiEndpoint, HostedCluster, NodePool};
use platform_api::desired::{self, ClusterInputs, DesiredState};
use platform_api::platform::{MissingSecrets, PlatformError, PlatformSettings, SecretData};
use platform_maas::Maas;
use serde_json::Value;

fn example<T: serde::de::DeserializeOwned>(file: &str) -> T {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/");
    let text = std::fs::read_to_string(format!("{path}{file}")).unwrap();
    let docs: Vec<Value> = serde_saphyr::from_multiple(&text).unwrap();
    serde_json::from_value(docs.into_iter().next().unwrap()).unwrap()
}

fn hc() -> HostedCluster {
    example("hostedcluster.yaml")
}
fn np() -> NodePool {
    example("nodepool.yaml")
}
fn creds() -> SecretData {
    SecretData::new("clusters", "maas-credentials")
        .with("MAAS_ENDPOINT", "http://maas.example.com:5240/MAAS")
        .with("MAAS_API_KEY", "abc:def:ghi\n")
}

struct Build {
    settings: PlatformSettings,
    endpoint: Option<ApiEndpoint>,
    missing: MissingSecrets,
}

impl Default for Build {
    fn default() -> Self {
        Self {
            settings: PlatformSettings::default(),
            endpoint: None,
            missing: MissingSecrets::Fail,
        }
    }
}

impl Build {
    fn run(
        &self,
        hc: &HostedCluster,
        pools: &[NodePool],
        credentials: Option<&SecretData>,
    ) -> Result<DesiredState, desired::BuildError> {
        let inputs = ClusterInputs {
            hosted_cluster: hc,
            node_pools: pools,
            credentials,
            api_endpoint: self.endpoint.as_ref(),
            missing_secrets: self.missing,
            settings: &self.settings,
            capi: platform_api::desired::capi::CapiVersion::V1Beta1,
            control_plane_status: None,
            control_plane_secrets: &[],
            bootstrap_tokens: &Default::default(),
            capi_webhook_tls: None,
        };
        desired::build(
            &inputs,
            &Maas,
            &platform_api::testing::ReferenceControlPlane,
        )
    }
}

/// The first object of `kind`, the CAPI core manager's left out (its Role, Deployment and
/// Secret are CAPI's, not the platform's).
fn find<'a>(state: &'a DesiredState, kind: &str) -> Value {
    state
        .objects()
        .find(|o| o.kind() == kind && o.role != platform_api::desired::Role::CapiManager)
        .unwrap_or_else(|| panic!("no {kind}"))
        .to_value()
}

#[test]
fn builds_every_object_in_order() {
    let state = Build::default()
        .run(&hc(), &[np()], Some(&creds()))
        .unwrap();
    let kinds: Vec<&str> = state.objects().map(|o| o.kind()).collect();
    assert_eq!(
        kinds,
        [
            "Namespace",
            "HostedControlPlane",
            "Secret",
            "MaasCluster",
            "Cluster",
            // The CAPI core manager: its webhook certificate, then as the provider.
            "Secret",
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "ClusterRole",
            "ClusterRoleBinding",
            "Deployment",
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "ClusterRole",
            "ClusterRoleBinding",
            "Deployment",
            "MaasMachineTemplate",
            "MachineDeployment"
        ]
    );
    assert_eq!(state.control_plane_namespace, "clusters-my-maas-cluster");
    assert!(state.warnings.is_empty(), "{:?}", state.warnings);
}

#[test]
fn maas_cluster_follows_the_spec() {
    let b = Build {
        endpoint: Some(ApiEndpoint {
            host: "api.example.com".into(),
            port: 6443,
        }),
        ..Default::default()
    };
    let state = b.run(&hc(), &[], Some(&creds())).unwrap();
    let mc = find(&state, "MaasCluster");
    assert_eq!(
        mc["metadata"]["name"], "my-maas-cluster-7k2xq",
        "named after infraID"
    );
    assert_eq!(mc["spec"]["dnsDomain"], "custom.maas.local");
    assert_eq!(mc["spec"]["failureDomains"], serde_json::json!(["zone1"]));
    assert_eq!(
        mc["spec"]["controlPlaneEndpoint"],
        serde_json::json!({"host": "api.example.com", "port": 6443})
    );
    assert!(
        mc["metadata"]["annotations"]
            .get("spectrocloud.com/custom-dns-provided")
            .is_some()
    );
}

#[test]
fn dns_domain_defaults_to_maas_local() {
    let mut hc = hc();
    hc.spec
        .platform
        .sections
        .get_mut("maas")
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove("dnsDomain");
    let state = Build::default().run(&hc, &[], Some(&creds())).unwrap();
    assert_eq!(
        find(&state, "MaasCluster")["spec"]["dnsDomain"],
        "maas.local"
    );
}

#[test]
fn credentials_secret_uses_capmaas_keys_and_normalised_endpoint() {
    let state = Build::default().run(&hc(), &[], Some(&creds())).unwrap();
    let v = find(&state, "Secret");
    assert_eq!(v["metadata"]["name"], "maas-credentials");
    assert_eq!(
        v["stringData"]["MAAS_ENDPOINT"],
        "http://maas.example.com:5240/MAAS/"
    );
    assert_eq!(
        v["stringData"]["MAAS_API_KEY"], "abc:def:ghi",
        "trailing newline trimmed"
    );
}

#[test]
fn legacy_secret_is_read_with_warnings_and_its_zone_fills_in() {
    let legacy = SecretData::new("clusters", "maas-credentials")
        .with("endpoint", "http://maas.example.com:5240/MAAS/api/2.0/")
        .with("api-key", "abc:def:ghi")
        .with("zone", "legacy-zone");
    let mut hc = hc();
    hc.spec
        .platform
        .sections
        .get_mut("maas")
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove("zone");
    let mut pool = np();
    let section = pool
        .spec
        .platform
        .sections
        .get_mut("maas")
        .unwrap()
        .as_object_mut()
        .unwrap();
    section.remove("zone");
    section.remove("failureDomain");
    let state = Build::default().run(&hc, &[pool], Some(&legacy)).unwrap();
    assert_eq!(
        find(&state, "MaasCluster")["spec"]["failureDomains"],
        serde_json::json!(["legacy-zone"])
    );
    assert_eq!(
        find(&state, "MaasMachineTemplate")["spec"]["template"]["spec"]["failureDomain"],
        "legacy-zone"
    );
    assert_eq!(
        find(&state, "Secret")["stringData"]["MAAS_ENDPOINT"],
        "http://maas.example.com:5240/MAAS/"
    );
    assert!(
        state.warnings.iter().any(|w| w.contains("deprecated keys")),
        "{:?}",
        state.warnings
    );
    assert!(
        state
            .warnings
            .iter()
            .any(|w| w.contains("legacy-zone") && w.contains("spec.platform.maas.zone")),
        "{:?}",
        state.warnings
    );
}

#[test]
fn spec_zone_wins_over_legacy_zone() {
    let legacy = SecretData::new("clusters", "maas-credentials")
        .with("endpoint", "http://m:5240/MAAS")
        .with("api-key", "a:b:c")
        .with("zone", "legacy");
    let state = Build::default().run(&hc(), &[], Some(&legacy)).unwrap();
    assert_eq!(
        find(&state, "MaasCluster")["spec"]["failureDomains"],
        serde_json::json!(["zone1"])
    );
}

#[test]
fn missing_credentials_fail_with_the_secret_name_or_render_placeholders() {
    let err = Build::default().run(&hc(), &[], None).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("clusters/maas-credentials") && msg.contains("MAAS_API_KEY"),
        "{msg}"
    );
    assert_eq!(err.reason(), "PlatformCredentialsNotFound");

    let b = Build {
        missing: MissingSecrets::Placeholder,
        ..Default::default()
    };
    let state = b.run(&hc(), &[], None).unwrap();
    assert!(
        find(&state, "Secret")["stringData"]["MAAS_API_KEY"]
            .as_str()
            .unwrap()
            .starts_with("PLACEHOLDER")
    );
}

#[test]
fn bad_credentials_name_the_key_and_never_echo_it() {
    for (key, bad) in [
        ("MAAS_API_KEY", "only:two"),
        ("MAAS_ENDPOINT", "maas.example.com/MAAS"),
    ] {
        let mut s = creds();
        s.data.insert(key.into(), bad.as_bytes().to_vec());
        let err = Build::default().run(&hc(), &[], Some(&s)).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(key), "{msg}");
        assert!(!msg.contains("ghi"), "secret part of the key leaked: {msg}");
        assert!(matches!(
            err,
            desired::BuildError::Platform(PlatformError::CredentialsInvalid { .. })
        ));
    }
}

#[test]
fn machine_template_maps_the_pool() {
    let state = Build::default()
        .run(&hc(), &[np()], Some(&creds()))
        .unwrap();
    let t = find(&state, "MaasMachineTemplate");
    let spec = &t["spec"]["template"]["spec"];
    assert_eq!(spec["image"], "ubuntu/focal");
    assert_eq!(spec["minCPU"], 4);
    assert_eq!(spec["minMemory"], 8192);
    assert_eq!(
        spec["tags"],
        serde_json::json!(["compute", "production"]),
        "machine type first, no duplicates"
    );
    assert_eq!(spec["resourcePool"], "default");
    assert_eq!(spec["failureDomain"], "zone1");
    let md = find(&state, "MachineDeployment");
    assert_eq!(md["spec"]["replicas"], 3);
    assert_eq!(md["spec"]["clusterName"], "my-maas-cluster-7k2xq");
    assert_eq!(
        md["spec"]["template"]["spec"]["bootstrap"]["dataSecretName"],
        "user-data-my-maas-nodepool"
    );
}

#[test]
fn provider_image_precedence() {
    let image = |hc: &HostedCluster, settings: PlatformSettings| {
        let state = Build {
            settings,
            ..Default::default()
        }
        .run(hc, &[], Some(&creds()))
        .unwrap();
        find(&state, "Deployment")["spec"]["template"]["spec"]["containers"][0]["image"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        image(&hc(), PlatformSettings::default()),
        platform_maas::provider::DEFAULT_PROVIDER_IMAGE
    );
    let mut settings = PlatformSettings::default();
    settings
        .provider_images
        .insert("MAAS".into(), "example.com/capmaas:global".into());
    assert_eq!(image(&hc(), settings.clone()), "example.com/capmaas:global");
    let mut annotated = hc();
    annotated.metadata.annotations = Some(
        [(
            platform_maas::provider::PROVIDER_IMAGE_ANNOTATION.to_string(),
            "example.com/capmaas:mine".to_string(),
        )]
        .into(),
    );
    assert_eq!(image(&annotated, settings), "example.com/capmaas:mine");
}

#[test]
fn provider_deployment_is_least_privilege_and_reads_the_secret() {
    let state = Build::default().run(&hc(), &[], Some(&creds())).unwrap();
    let d = find(&state, "Deployment");
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        c["resources"]["requests"],
        serde_json::json!({"cpu": "200m", "memory": "20Mi"})
    );
    assert_eq!(
        c["resources"]["limits"],
        serde_json::json!({"cpu": "200m", "memory": "100Mi"})
    );
    assert!(
        c["args"]
            .as_array()
            .unwrap()
            .contains(&"--namespace=clusters-my-maas-cluster".into())
    );
    assert_eq!(
        c["env"][1]["valueFrom"]["secretKeyRef"],
        serde_json::json!({"name": "maas-credentials", "key": "MAAS_API_KEY", "optional": false})
    );
    assert!(
        c["livenessProbe"]["httpGet"].is_object() && c["readinessProbe"]["httpGet"].is_object()
    );
    let role = find(&state, "Role");
    let rules = role["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| {
        r["resources"]
            .as_array()
            .unwrap()
            .contains(&"maasmachines".into())
    }));
}

#[test]
fn every_invalid_pool_field_is_reported_at_once() {
    let mut pool = np();
    let section = pool
        .spec
        .platform
        .sections
        .get_mut("maas")
        .unwrap()
        .as_object_mut()
        .unwrap();
    section.remove("image");
    section.insert("minMemory".into(), 512.into());
    section.insert("zone".into(), "zone2".into());
    let state = Build::default()
        .run(&hc(), &[pool], Some(&creds()))
        .unwrap();
    let errors: Vec<_> = state.node_pool_errors().collect();
    assert_eq!(errors.len(), 1);
    let msg = errors[0].1.to_string();
    for needle in [
        "spec.platform.maas.image",
        "spec.platform.maas.minMemory",
        "spec.platform.maas.failureDomain",
    ] {
        assert!(msg.contains(needle), "{needle} missing from: {msg}");
    }
}

#[test]
fn a_pool_without_image_and_replicas_builds_nothing() {
    let mut pool = np();
    pool.spec.replicas = Some(0);
    pool.spec
        .platform
        .sections
        .get_mut("maas")
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove("image");
    let state = Build::default()
        .run(&hc(), &[pool], Some(&creds()))
        .unwrap();
    assert!(!state.objects().any(|o| o.kind() == "MachineDeployment"));
    assert!(state.warnings.iter().any(|w| w.contains("no image")));
}

#[test]
fn hooks_answer_for_maas() {
    use platform_api::Platform;
    use platform_api::platform::{
        ImageRegistryStorage, IngressPublishingStrategy, OpenShiftVersion,
    };
    let v = OpenShiftVersion::from_release_image(
        "quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64",
    );
    assert_eq!(Maas.infrastructure_platform_type(v), "None");
    assert_eq!(
        Maas.image_registry_storage(),
        ImageRegistryStorage::EmptyDir
    );
    assert_eq!(
        Maas.ingress_publishing_strategy(),
        IngressPublishingStrategy::LoadBalancer
    );
    assert_eq!(Maas.kas_port(), 6443);
    assert_eq!(
        Maas.credentials_secret_name(&hc()).as_deref(),
        Some("maas-credentials")
    );
}

fn with_image(image: &str) -> HostedCluster {
    let mut hc = hc();
    hc.metadata.annotations = Some(
        [(
            platform_maas::provider::PROVIDER_IMAGE_ANNOTATION.to_string(),
            image.to_string(),
        )]
        .into(),
    );
    hc
}

#[test]
fn the_default_image_runs_per_namespace_without_webhooks() {
    assert!(platform_maas::provider::DEFAULT_PROVIDER_IMAGE.ends_with(":v4.9.5-spectro"));
    let state = Build::default().run(&hc(), &[], Some(&creds())).unwrap();
    assert!(state.warnings.is_empty(), "{:?}", state.warnings);
    let d = find(&state, "Deployment");
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    let args: Vec<&str> = c["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    for want in [
        "--leader-elect",
        "--namespace=clusters-my-maas-cluster",
        "--webhook-port=0",
    ] {
        assert!(args.contains(&want), "{want} missing from {args:?}");
    }
    assert_eq!(c["command"], serde_json::json!(["/manager"]));
    assert_eq!(c["securityContext"]["runAsUser"], 65532);
    assert_eq!(
        d["spec"]["template"]["spec"]["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
    // No webhook server, so no serving port and no certificate volume.
    assert!(!c["ports"].to_string().contains("9443"));
    assert!(d["spec"]["template"]["spec"].get("volumes").is_none());
}

#[test]
fn a_per_namespace_v0_9_0_is_refused_naming_image_version_and_fix() {
    let image = "example.com/capmaas:v0.9.0";
    let err = Build::default()
        .run(&with_image(image), &[], Some(&creds()))
        .unwrap_err();
    let msg = err.to_string();
    assert_eq!(err.reason(), "InvalidSpec");
    for part in [
        "metadata.annotations[hypershift.openshift.io/capi-provider-maas-image]",
        image,
        "version v0.9.0",
        "clusterctl",
        "v4.9.5-spectro",
    ] {
        assert!(msg.contains(part), "{part} missing from {msg}");
    }
    // The same image from the operator's settings names the setting.
    let mut settings = PlatformSettings::default();
    settings.provider_images.insert("MAAS".into(), image.into());
    let msg = Build {
        settings,
        ..Default::default()
    }
    .run(&hc(), &[], Some(&creds()))
    .unwrap_err()
    .to_string();
    assert!(msg.contains("--default-provider-image"), "{msg}");
}

#[test]
fn an_unknown_tag_runs_as_the_newest_version_with_a_warning() {
    let state = Build::default()
        .run(
            &with_image("example.com/capmaas:v5.0.0-dev"),
            &[],
            Some(&creds()),
        )
        .unwrap();
    assert!(
        state.warnings.iter().any(|w| w.contains("v5.0.0-dev")),
        "{:?}",
        state.warnings
    );
    assert!(
        find(&state, "Deployment")
            .to_string()
            .contains("--webhook-port=0")
    );
}

#[test]
fn a_per_namespace_provider_of_a_version_that_watches_every_namespace_is_refused() {
    use platform_api::Platform;
    use platform_api::control_plane::{BootstrapTokens, ProviderScope};
    use platform_api::platform::{ClusterContext, Warnings};
    let hc = with_image("example.com/capmaas:v0.9.0");
    let settings = PlatformSettings::default();
    let warnings = Warnings::default();
    let creds = creds();
    let tokens = BootstrapTokens::default();
    let ctx = ClusterContext {
        hosted_cluster: &hc,
        control_plane_namespace: "clusters-my-maas-cluster",
        api_endpoint: None,
        credentials: Some(&creds),
        missing_secrets: MissingSecrets::Fail,
        settings: &settings,
        capi: platform_api::desired::capi::CapiVersion::V1Beta1,
        warnings: &warnings,
        provider_scope: ProviderScope::PerNamespace,
        control_plane_status: None,
        control_plane_secrets: &[],
        bootstrap_tokens: &tokens,
    };
    // v0.9.0 ignores --namespace: per namespace it would reconcile its siblings' machines.
    assert!(Maas.capi_provider_deployment_spec(&ctx).is_err());
}

#[test]
fn a_rotated_key_rolls_the_provider_and_the_hash_hides_the_key() {
    let hash = |creds: &SecretData| {
        let state = Build::default().run(&hc(), &[], Some(creds)).unwrap();
        let d = find(&state, "Deployment");
        d["spec"]["template"]["metadata"]["annotations"]["hosted-cluster.io/credentials-hash"]
            .as_str()
            .expect("credentials hash annotation")
            .to_string()
    };
    let before = hash(&creds());
    assert_eq!(before, hash(&creds()), "deterministic");
    let rotated = creds().with("MAAS_API_KEY", "abc:def:xyz");
    assert_ne!(before, hash(&rotated));
    assert_eq!(before.len(), 64);
    for secret in ["abc:def:ghi", "def", "ghi"] {
        assert!(!before.contains(secret));
    }
}
