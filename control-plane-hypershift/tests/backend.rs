//! The `hypershift` backend through `desired::build`, with a small platform of the tests' own
//! whose hooks differ from the defaults.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use control_plane_hypershift::{CONTROL_PLANE, HyperShift, bootstrap, ignition, operator};
use k8s_openapi::api::apps::v1::DeploymentSpec;
use k8s_openapi::api::core::v1::Secret;
use kube::api::DynamicObject;
use platform_api::api::{HostedCluster, NodePool};
use platform_api::control_plane::{
    BootstrapTokens, ControlPlane, ControlPlaneStatus, SecretKeyRef,
};
use platform_api::crd::section_schema;
use platform_api::desired::{self, ClusterInputs, DesiredState, Role};
use platform_api::platform::{
    ClusterContext, FieldErrors, ImageRegistryStorage, IngressPublishingStrategy, MissingSecrets,
    NodePoolContext, OpenShiftVersion, Platform, PlatformError, PlatformSettings, SecretData,
};
use schemars::{Schema, SchemaGenerator};
use serde_json::{Value, json};

#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

/// A platform OpenShift does not know, publishing ingress on the host network, without an
/// image registry, its API server on 7443; its machine template is a plain object.
#[derive(Clone)]
struct Lab;

#[async_trait::async_trait]
impl Platform for Lab {
    fn platform_type(&self) -> &'static str {
        "Lab"
    }
    fn hosted_cluster_schema(&self, g: &mut SchemaGenerator) -> Schema {
        section_schema::<Empty>(g)
    }
    fn node_pool_schema(&self, g: &mut SchemaGenerator) -> Schema {
        section_schema::<Empty>(g)
    }
    fn validate_hosted_cluster(&self, _: &HostedCluster) -> Result<(), FieldErrors> {
        Ok(())
    }
    fn validate_node_pool(&self, _: &HostedCluster, _: &NodePool) -> Result<(), FieldErrors> {
        Ok(())
    }
    fn credentials_secret_name(&self, _: &HostedCluster) -> Option<String> {
        None
    }
    fn credentials(&self, _: &ClusterContext<'_>) -> Result<Vec<Secret>, PlatformError> {
        Ok(Vec::new())
    }
    fn infra_cr(&self, _: &ClusterContext<'_>) -> Result<Option<DynamicObject>, PlatformError> {
        Ok(None)
    }
    fn capi_provider_deployment_spec(
        &self,
        _: &ClusterContext<'_>,
    ) -> Result<Option<DeploymentSpec>, PlatformError> {
        Ok(None)
    }
    fn machine_template(
        &self,
        _: &NodePoolContext<'_>,
    ) -> Result<Option<DynamicObject>, PlatformError> {
        Ok(Some(
            serde_json::from_value(json!({
                "apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
                "kind": "LabMachineTemplate",
                "metadata": {},
                "spec": { "template": { "spec": {} } },
            }))
            .unwrap(),
        ))
    }
    fn infrastructure_platform_type(&self, _: Option<OpenShiftVersion>) -> &'static str {
        "None"
    }
    fn ingress_publishing_strategy(&self) -> IngressPublishingStrategy {
        IngressPublishingStrategy::HostNetwork
    }
    fn image_registry_storage(&self) -> ImageRegistryStorage {
        ImageRegistryStorage::Removed
    }
    fn kas_port(&self) -> i32 {
        7443
    }
}

fn hosted_cluster() -> HostedCluster {
    serde_json::from_value(json!({
        "apiVersion": "hypershift.openshift.io/v1beta1",
        "kind": "HostedCluster",
        "metadata": { "name": "lab", "namespace": "clusters" },
        "spec": {
            "release": { "image": "quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64" },
            "platform": { "type": "Lab", "lab": {} },
            "dns": { "baseDomain": "example.com" },
            "networking": {
                "clusterNetwork": [{ "cidr": "10.132.0.0/14" }],
                "serviceNetwork": [{ "cidr": "172.31.0.0/16" }],
                "networkType": "OVNKubernetes",
            },
            "pullSecret": { "name": "lab-pull-secret" },
            "etcd": { "managementType": "Managed", "managed": { "storage": { "type": "PersistentVolume" } } },
            "services": [
                { "service": "APIServer", "servicePublishingStrategy": { "type": "LoadBalancer" } },
                { "service": "OAuthServer", "servicePublishingStrategy": { "type": "Route" } },
                { "service": "Konnectivity", "servicePublishingStrategy": { "type": "Route" } },
                { "service": "Ignition", "servicePublishingStrategy": {
                    "type": "NodePort", "nodePort": { "address": "10.0.0.5", "port": 30080 } } },
            ],
        },
    }))
    .unwrap()
}

fn node_pool(release: &str, replicas: i32) -> NodePool {
    serde_json::from_value(json!({
        "apiVersion": "hypershift.openshift.io/v1beta1",
        "kind": "NodePool",
        "metadata": { "name": "workers", "namespace": "clusters" },
        "spec": {
            "clusterName": "lab",
            "release": { "image": release },
            "replicas": replicas,
            "management": { "upgradeType": "Replace" },
            "platform": { "type": "Lab", "lab": {} },
        },
    }))
    .unwrap()
}

const RELEASE: &str = "quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64";
const TOKEN: &str = "5d6c1f8e-0000-4000-8000-00000000abcd";
const CA: &str = "-----BEGIN CERTIFICATE-----\nlab\n-----END CERTIFICATE-----\n";

struct Inputs {
    hc: HostedCluster,
    pools: Vec<NodePool>,
    settings: PlatformSettings,
    tokens: BootstrapTokens,
    secrets: Vec<SecretData>,
    status: Option<ControlPlaneStatus>,
    missing: MissingSecrets,
}

impl Inputs {
    fn new() -> Self {
        Self {
            hc: hosted_cluster(),
            pools: vec![node_pool(RELEASE, 2)],
            settings: PlatformSettings::default(),
            tokens: BootstrapTokens::default().with("workers", TOKEN),
            secrets: vec![
                SecretData::new("clusters-lab", ignition::CA_SECRET).with(ignition::CA_KEY, CA),
            ],
            status: None,
            missing: MissingSecrets::Fail,
        }
    }

    fn build(&self) -> DesiredState {
        desired::build(
            &ClusterInputs {
                hosted_cluster: &self.hc,
                node_pools: &self.pools,
                credentials: None,
                api_endpoint: None,
                missing_secrets: self.missing,
                settings: &self.settings,
                capi: Default::default(),
                control_plane_status: self.status.as_ref(),
                control_plane_secrets: &self.secrets,
                bootstrap_tokens: &self.tokens,
                capi_webhook_tls: None,
            },
            &Lab,
            &HyperShift,
        )
        .expect("builds")
    }
}

fn find<'a>(state: &'a DesiredState, kind: &str, name_prefix: &str) -> Option<Value> {
    state
        .objects()
        .find(|o| o.kind() == kind && o.name().starts_with(name_prefix))
        .map(|o| o.to_value())
}

fn decoded(secret: &Value, key: &str) -> String {
    String::from_utf8(
        STANDARD
            .decode(secret["data"][key].as_str().unwrap())
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn the_hosted_control_plane_carries_the_platform_hooks() {
    let state = Inputs::new().build();
    let objects: Vec<_> = state.objects().collect();
    assert_eq!(objects[1].role, Role::ControlPlane);
    let hcp = objects[1].to_value();
    assert_eq!(hcp["kind"], "HostedControlPlane");
    assert_eq!(hcp["metadata"]["name"], "lab");
    assert_eq!(hcp["spec"]["platform"], json!({ "type": "None" }));
    assert_eq!(hcp["spec"]["networking"]["apiServer"]["port"], 7443);
    assert_eq!(
        hcp["spec"]["operatorConfiguration"]["ingressOperator"]["endpointPublishingStrategy"]["type"],
        "HostNetwork"
    );
    assert_eq!(
        hcp["spec"]["capabilities"]["disabled"],
        json!(["ImageRegistry"])
    );
    assert_eq!(hcp["spec"]["issuerURL"], "https://kubernetes.default.svc");
    // The CAPI Cluster points at it.
    let cluster = find(&state, "Cluster", "").unwrap();
    assert_eq!(
        cluster["spec"]["controlPlaneRef"],
        json!({ "apiGroup": "hypershift.openshift.io", "kind": "HostedControlPlane", "name": "lab" })
    );
}

#[test]
fn the_control_plane_operator_runs_only_with_an_image() {
    let mut inputs = Inputs::new();
    assert!(find(&inputs.build(), "Deployment", operator::NAME).is_none());

    inputs.settings.control_plane_images.insert(
        CONTROL_PLANE.into(),
        "registry.example.com/hypershift:flag".into(),
    );
    let state = inputs.build();
    let deployment = find(&state, "Deployment", operator::NAME).unwrap();
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["image"], "registry.example.com/hypershift:flag");
    assert_eq!(container["env"][2]["value"], RELEASE);
    for kind in ["ServiceAccount", "Role", "RoleBinding"] {
        let obj = state
            .objects()
            .find(|o| o.kind() == kind && o.name() == operator::NAME)
            .unwrap_or_else(|| panic!("no {kind}"));
        assert_eq!(obj.role, Role::ControlPlaneComponent);
    }

    // The annotation wins over the flag.
    inputs.hc.metadata.annotations = Some(
        [(
            operator::IMAGE_ANNOTATION.to_string(),
            "registry.example.com/hypershift:annotation".to_string(),
        )]
        .into(),
    );
    let deployment = find(&inputs.build(), "Deployment", operator::NAME).unwrap();
    assert_eq!(
        deployment["spec"]["template"]["spec"]["containers"][0]["image"],
        "registry.example.com/hypershift:annotation"
    );
}

#[test]
fn node_pool_bootstrap_is_a_token_and_an_ignition_pointer_the_machine_deployment_uses() {
    let state = Inputs::new().build();
    let np = node_pool(RELEASE, 2);
    let token = find(&state, "Secret", "token-workers-").unwrap();
    let user_data = find(&state, "Secret", "user-data-workers-").unwrap();
    assert_eq!(token["metadata"]["name"], bootstrap::token_secret_name(&np));
    assert_eq!(decoded(&token, "token"), TOKEN);
    assert_eq!(decoded(&token, "release"), RELEASE);
    assert_eq!(
        token["metadata"]["annotations"]["hypershift.openshift.io/nodePool"],
        "clusters/workers"
    );
    let md = find(&state, "MachineDeployment", "workers").unwrap();
    assert_eq!(
        md["spec"]["template"]["spec"]["bootstrap"]["dataSecretName"],
        user_data["metadata"]["name"]
    );
    let pointer: Value = serde_json::from_str(&decoded(&user_data, "value")).unwrap();
    let merge = &pointer["ignition"]["config"]["merge"][0];
    assert_eq!(merge["source"], "https://10.0.0.5:30080/ignition");
    assert_eq!(
        merge["httpHeaders"][0]["value"],
        format!("Bearer {}", STANDARD.encode(TOKEN))
    );
    assert_eq!(
        pointer["ignition"]["security"]["tls"]["certificateAuthorities"][0]["source"],
        format!("data:text/plain;base64,{}", STANDARD.encode(CA))
    );
    assert_eq!(pointer["ignition"]["version"], "3.2.0");
    // Both hold the token: hidden from `render` unless asked.
    for obj in state.objects().filter(|o| o.role == Role::Bootstrap) {
        assert!(obj.sensitive, "{}", obj.display_name());
    }
}

#[test]
fn bootstrap_names_change_with_the_release_not_with_replicas() {
    let a = bootstrap::user_data_secret_name(&node_pool(RELEASE, 2));
    assert_eq!(a, bootstrap::user_data_secret_name(&node_pool(RELEASE, 5)));
    assert_ne!(
        a,
        bootstrap::user_data_secret_name(&node_pool("quay.io/x/ocp-release:4.20.0-x86_64", 2))
    );
}

#[test]
fn without_token_or_ca_the_operator_waits_and_render_shows_placeholders() {
    let mut inputs = Inputs::new();
    inputs.tokens = BootstrapTokens::default();
    let state = inputs.build();
    let (_, err) = state.node_pool_errors().next().expect("the pool waits");
    assert!(matches!(err, PlatformError::Waiting(_)), "{err}");

    let mut inputs = Inputs::new();
    inputs.secrets.clear();
    let state = inputs.build();
    let (_, err) = state.node_pool_errors().next().expect("the pool waits");
    assert!(err.to_string().contains(ignition::CA_SECRET), "{err}");

    inputs.tokens = BootstrapTokens::default();
    inputs.missing = MissingSecrets::Placeholder;
    let state = inputs.build();
    assert!(state.node_pool_errors().next().is_none());
    let token = find(&state, "Secret", "token-workers-").unwrap();
    assert_eq!(decoded(&token, "token"), bootstrap::PLACEHOLDER_TOKEN);
    assert!(
        state
            .objects()
            .filter(|o| o.role == Role::Bootstrap)
            .all(|o| !o.sensitive)
    );
}

#[test]
fn observe_reads_ready_endpoint_and_kubeconfig() {
    let live: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "hypershift.openshift.io/v1beta1",
        "kind": "HostedControlPlane",
        "metadata": { "name": "lab", "namespace": "clusters-lab" },
        "status": {
            "ready": true,
            "initialized": true,
            "controlPlaneEndpoint": { "host": "api.lab.example.com", "port": 6443 },
            "kubeConfig": { "name": "admin-kubeconfig", "key": "kubeconfig" },
        },
    }))
    .unwrap();
    let status = HyperShift.observe(&live);
    assert!(status.ready);
    assert_eq!(status.endpoint.unwrap().host, "api.lab.example.com");
    assert_eq!(
        status.kubeconfig,
        Some(SecretKeyRef {
            name: "admin-kubeconfig".into(),
            key: "kubeconfig".into()
        })
    );
    let fresh: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "hypershift.openshift.io/v1beta1",
        "kind": "HostedControlPlane",
        "metadata": { "name": "lab" },
    }))
    .unwrap();
    assert_eq!(HyperShift.observe(&fresh), ControlPlaneStatus::default());
}

#[test]
fn the_admin_kubeconfig_is_copied_next_to_the_hosted_cluster() {
    let mut inputs = Inputs::new();
    assert!(find(&inputs.build(), "Secret", "lab-admin-kubeconfig").is_none());
    inputs.status = Some(ControlPlaneStatus {
        ready: true,
        kubeconfig: Some(SecretKeyRef {
            name: "admin-kubeconfig".into(),
            key: "kubeconfig".into(),
        }),
        ..Default::default()
    });
    inputs.secrets.push(
        SecretData::new("clusters-lab", "admin-kubeconfig").with("kubeconfig", "apiVersion: v1\n"),
    );
    let state = inputs.build();
    let copy = state
        .objects()
        .find(|o| o.role == Role::AdminKubeconfig)
        .expect("the copy");
    assert!(copy.sensitive);
    assert_eq!(copy.namespace(), Some("clusters"));
    assert_eq!(copy.name(), "lab-admin-kubeconfig");
    assert_eq!(decoded(&copy.to_value(), "kubeconfig"), "apiVersion: v1\n");
}
