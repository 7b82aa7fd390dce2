//! The CAPMAAS controller that runs in each control-plane namespace.

use crate::credentials::{API_KEY_KEY, CONTROL_PLANE_SECRET_NAME, ENDPOINT_KEY};
use k8s_openapi::api::apps::v1::DeploymentSpec;
use k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, EnvVar, EnvVarSource, HTTPGetAction, PodSpec,
    PodTemplateSpec, Probe, ResourceRequirements, SecretKeySelector, SecurityContext,
};
use k8s_openapi::api::rbac::v1::PolicyRule;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// The CAPMAAS image used unless a cluster annotation or the operator configuration says otherwise.
pub const DEFAULT_PROVIDER_IMAGE: &str = "us-docker.pkg.dev/palette-images/palette/cluster-api-maas/cluster-api-provider-maas-controller:v0.6.1-spectro-4.7.0";
/// Per-cluster override of the CAPMAAS image.
pub const PROVIDER_IMAGE_ANNOTATION: &str = "hypershift.openshift.io/capi-provider-maas-image";
const HEALTH_PORT: i32 = 9440;
const METRICS_PORT: i32 = 8080;

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

/// The CAPMAAS Deployment spec, watching only `namespace`.
pub fn deployment_spec(image: &str, namespace: &str) -> DeploymentSpec {
    let container = Container {
        name: "manager".into(),
        image: Some(image.into()),
        args: Some(vec![
            format!("--namespace={namespace}"),
            "--leader-elect=true".into(),
            "--sync-period=15m".into(),
            format!("--health-addr=:{HEALTH_PORT}"),
            format!("--metrics-bind-addr=:{METRICS_PORT}"),
            "--v=2".into(),
        ]),
        env: Some(vec![secret_env(ENDPOINT_KEY), secret_env(API_KEY_KEY)]),
        ports: Some(vec![
            ContainerPort {
                name: Some("healthz".into()),
                container_port: HEALTH_PORT,
                ..Default::default()
            },
            ContainerPort {
                name: Some("metrics".into()),
                container_port: METRICS_PORT,
                ..Default::default()
            },
        ]),
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
                termination_grace_period_seconds: Some(10),
                ..Default::default()
            }),
        },
        ..Default::default()
    }
}

/// What CAPMAAS needs beyond the base provider rules: its own resources, nothing cluster-wide.
pub fn policy_rules() -> Vec<PolicyRule> {
    let rule = |resources: &[&str], verbs: &[&str]| PolicyRule {
        api_groups: Some(vec!["infrastructure.cluster.x-k8s.io".into()]),
        resources: Some(resources.iter().map(|s| s.to_string()).collect()),
        verbs: verbs.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    vec![
        rule(
            &["maasclusters", "maasmachines"],
            &[
                "get", "list", "watch", "create", "update", "patch", "delete",
            ],
        ),
        rule(
            &["maasclusters/status", "maasmachines/status"],
            &["get", "update", "patch"],
        ),
        rule(&["maasmachinetemplates"], &["get", "list", "watch"]),
    ]
}
