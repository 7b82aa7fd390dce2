//! Small parts of the pod specs every Deployment and DaemonSet we build shares (the operator's
//! own, the CAPI manager, providers, backend components, the LXD initializer), written once.

use k8s_openapi::api::apps::v1::DeploymentSpec;
use k8s_openapi::api::core::v1::{
    EnvVar, EnvVarSource, HTTPGetAction, ObjectFieldSelector, PodSpec, PodTemplateSpec, Probe,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// An environment variable filled by the downward API from the pod's own `field_path`
/// (e.g. `POD_NAMESPACE` from `metadata.namespace`).
pub fn field_env(name: &str, field_path: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                field_path: field_path.into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// An HTTP GET probe of `path` on `port` (a container port's name or number); timings are the
/// caller's to add with struct update syntax.
pub fn http_get_probe(path: &str, port: IntOrString) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.into()),
            port,
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A Deployment spec of `replicas` pods built from `pod`, selected by `labels`, which its pod
/// template carries.
pub fn deployment_spec(
    replicas: i32,
    labels: BTreeMap<String, String>,
    pod: PodSpec,
) -> DeploymentSpec {
    DeploymentSpec {
        replicas: Some(replicas),
        selector: LabelSelector {
            match_labels: Some(labels.clone()),
            ..Default::default()
        },
        template: PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some(labels),
                ..Default::default()
            }),
            spec: Some(pod),
        },
        ..Default::default()
    }
}
