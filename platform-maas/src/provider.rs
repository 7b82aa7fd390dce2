//! The CAPMAAS controller that runs in each control-plane namespace, shaped after upstream's
//! `config/manager` and `config/default` patches (args, env, resources, security context),
//! with the changes per-namespace placement needs: `--namespace`, webhooks off, no
//! kube-rbac-proxy sidecar (it would need cluster-wide token and access reviews).

use crate::credentials::{API_KEY_KEY, CONTROL_PLANE_SECRET_NAME, ENDPOINT_KEY};
use crate::provider_version::{CapmaasVersion, ImageSource};
use k8s_openapi::api::apps::v1::DeploymentSpec;
use k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, EnvVar, EnvVarSource, HTTPGetAction,
    PodSecurityContext, PodSpec, PodTemplateSpec, Probe, ResourceRequirements, SeccompProfile,
    SecretKeySelector, SecurityContext,
};
use k8s_openapi::api::rbac::v1::PolicyRule;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use platform_api::desired::provider::policy_rule;
use std::collections::BTreeMap;

/// The CAPMAAS image used unless a cluster annotation or the operator configuration says
/// otherwise: the version whose CRDs (and v1beta1 contract) we validate against and that can
/// run per control-plane namespace.
pub const DEFAULT_PROVIDER_IMAGE: &str = "us-docker.pkg.dev/palette-images/palette/cluster-api-maas/cluster-api-provider-maas-controller:v4.9.5-spectro";
/// Per-cluster override of the CAPMAAS image.
pub const PROVIDER_IMAGE_ANNOTATION: &str = "hypershift.openshift.io/capi-provider-maas-image";
/// The port of CAPMAAS's health endpoints (its `--health-addr` default).
const HEALTH_PORT: i32 = 9440;
/// Upstream binds metrics to localhost behind kube-rbac-proxy; without the proxy they stay
/// local rather than unauthenticated on the pod network.
const METRICS_ADDR: &str = "127.0.0.1:8080";
/// The UID/GID upstream's manager runs as (distroless nonroot).
const NONROOT_ID: i64 = 65532;

/// The image for a cluster and where it was chosen: the HostedCluster annotation, else the
/// operator's setting for MAAS, else [`DEFAULT_PROVIDER_IMAGE`].
pub fn image(annotation: Option<&str>, setting: Option<&str>) -> (String, ImageSource) {
    match (annotation, setting) {
        (Some(a), _) => (
            a.to_string(),
            ImageSource::Annotation(PROVIDER_IMAGE_ANNOTATION),
        ),
        (None, Some(s)) => (s.to_string(), ImageSource::Settings),
        (None, None) => (DEFAULT_PROVIDER_IMAGE.to_string(), ImageSource::Default),
    }
}

fn secret_env(name: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: CONTROL_PLANE_SECRET_NAME.into(),
                key: name.into(),
                optional: Some(false),
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn probe(path: &str) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.into()),
            port: IntOrString::String("healthz".into()),
            ..Default::default()
        }),
        initial_delay_seconds: Some(10),
        period_seconds: Some(10),
        ..Default::default()
    }
}

fn quantities(cpu: &str, memory: &str) -> BTreeMap<String, Quantity> {
    BTreeMap::from([
        ("cpu".to_string(), Quantity(cpu.into())),
        ("memory".to_string(), Quantity(memory.into())),
    ])
}

/// The CAPMAAS Deployment spec for `version`, watching only `namespace`. Only versions that
/// can run per namespace get here ([`provider_version::resolve`](crate::provider_version::resolve)
/// refuses the others), so webhooks are always off.
pub fn deployment_spec(image: &str, namespace: &str, version: CapmaasVersion) -> DeploymentSpec {
    debug_assert!(version.webhooks_can_be_disabled());
    let container = Container {
        name: "manager".into(),
        image: Some(image.into()),
        image_pull_policy: Some("IfNotPresent".into()),
        command: Some(vec!["/manager".into()]),
        args: Some(vec![
            "--leader-elect".into(),
            format!("--namespace={namespace}"),
            // Admission webhooks would need serving certificates and a cluster-wide webhook
            // configuration per namespace; the CRDs' schemas still validate.
            "--webhook-port=0".into(),
            format!("--metrics-bind-addr={METRICS_ADDR}"),
        ]),
        env: Some(vec![secret_env(ENDPOINT_KEY), secret_env(API_KEY_KEY)]),
        // Not in upstream's manifest, which has no probes; the health server is on by default.
        ports: Some(vec![ContainerPort {
            name: Some("healthz".into()),
            container_port: HEALTH_PORT,
            protocol: Some("TCP".into()),
            ..Default::default()
        }]),
        resources: Some(ResourceRequirements {
            requests: Some(quantities("200m", "20Mi")),
            limits: Some(quantities("200m", "100Mi")),
            ..Default::default()
        }),
        liveness_probe: Some(probe("/healthz")),
        readiness_probe: Some(probe("/readyz")),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            run_as_non_root: Some(true),
            run_as_user: Some(NONROOT_ID),
            run_as_group: Some(NONROOT_ID),
            capabilities: Some(Capabilities {
                drop: Some(vec!["ALL".into()]),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    DeploymentSpec {
        replicas: Some(1),
        template: PodTemplateSpec {
            metadata: None,
            spec: Some(PodSpec {
                containers: vec![container],
                security_context: Some(PodSecurityContext {
                    seccomp_profile: Some(SeccompProfile {
                        type_: "RuntimeDefault".into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                termination_grace_period_seconds: Some(10),
                ..Default::default()
            }),
        },
        ..Default::default()
    }
}

const READ: &[&str] = &["get", "list", "watch"];
const ALL: &[&str] = &[
    "create", "delete", "get", "list", "patch", "update", "watch",
];

/// Upstream's `manager-role` (v4.9.5-spectro) on namespaced resources, beyond the base
/// provider rules: granted by a Role in the control-plane namespace.
pub fn policy_rules() -> Vec<PolicyRule> {
    vec![
        policy_rule(&[""], &["configmaps"], ALL),
        policy_rule(
            &[""],
            &["events"],
            &["create", "get", "list", "patch", "update", "watch"],
        ),
        policy_rule(
            &["cluster.x-k8s.io"],
            &["machines"],
            &["delete", "get", "list", "watch"],
        ),
        policy_rule(
            &["controlplane.cluster.x-k8s.io"],
            &["kubeadmcontrolplanes"],
            &["get", "list", "patch", "update", "watch"],
        ),
        policy_rule(
            &["infrastructure.cluster.x-k8s.io"],
            &["maasclusters", "maasmachines"],
            ALL,
        ),
        policy_rule(
            &["infrastructure.cluster.x-k8s.io"],
            &["maasclusters/status", "maasmachines/status"],
            &["get", "patch", "update"],
        ),
        policy_rule(
            &["infrastructure.cluster.x-k8s.io"],
            &["maasmachinetemplates"],
            &["create", "get", "list", "patch", "update", "watch"],
        ),
    ]
}

/// Upstream's `manager-role` (v4.9.5-spectro) on cluster-scoped resources: granted by a
/// ClusterRole per hosted cluster. (v0.9.0 also reads CRDs, but it never runs per namespace.)
pub fn cluster_policy_rules() -> Vec<PolicyRule> {
    vec![
        policy_rule(
            &[""],
            &["namespaces"],
            &["get", "list", "patch", "update", "watch"],
        ),
        policy_rule(&[""], &["nodes"], READ),
    ]
}
