//! HyperShift's control-plane operator (CPO): the Deployment, ServiceAccount, Role and
//! RoleBinding HyperShift's HostedCluster controller creates in each control-plane namespace.
//!
//! The image comes from the HostedCluster's [`IMAGE_ANNOTATION`] or the operator's
//! configuration ([`PlatformSettings::control_plane_images`](platform_api::platform::PlatformSettings::control_plane_images),
//! under this backend's name). Without one nothing is deployed: HyperShift reads the image
//! from the release payload, which needs a registry client this builder (pure) cannot use.

use crate::CONTROL_PLANE;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EnvVar, PodSpec, PodTemplateSpec, Probe, ResourceRequirements,
    ServiceAccount,
};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role as RbacRole, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use platform_api::api::HostedCluster;
use platform_api::desired::pod::{field_env, http_get_probe};
use platform_api::desired::provider::policy_rule;
use platform_api::desired::{DesiredObject, Role};
use platform_api::platform::{ClusterContext, FieldError, FieldErrors};
use std::collections::BTreeMap;

/// Per-cluster control-plane operator image (HyperShift's annotation).
pub const IMAGE_ANNOTATION: &str = "hypershift.openshift.io/control-plane-operator-image";
/// Name of the Deployment, ServiceAccount, Role and RoleBinding.
pub const NAME: &str = "control-plane-operator";

/// The annotation, when present, must name an image; fields this backend does not implement
/// are refused.
pub fn validate(hc: &HostedCluster) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    let annotation = hc
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(IMAGE_ANNOTATION));
    if annotation.is_some_and(|v| v.trim().is_empty()) {
        errors.push(FieldError::new(
            format!("metadata.annotations[{IMAGE_ANNOTATION}]"),
            "is empty",
            "set it to the control-plane operator image, or remove it",
        ));
    }
    crate::unsupported::hosted_cluster(hc, &mut errors);
    errors.into_result()
}

/// The image to run, if known.
pub fn image(ctx: &ClusterContext<'_>) -> Option<String> {
    ctx.annotation(IMAGE_ANNOTATION)
        .map(str::to_string)
        .or_else(|| {
            ctx.settings
                .control_plane_images
                .get(CONTROL_PLANE)
                .cloned()
        })
}

/// ServiceAccount, Role, RoleBinding and Deployment, in apply order; none without an image.
pub fn objects(ctx: &ClusterContext<'_>) -> Vec<DesiredObject> {
    let Some(image) = image(ctx) else {
        return Vec::new();
    };
    let ns = ctx.control_plane_namespace;
    let meta = || ObjectMeta {
        name: Some(NAME.into()),
        namespace: Some(ns.into()),
        ..Default::default()
    };
    let sa = ServiceAccount {
        metadata: meta(),
        ..Default::default()
    };
    let role = RbacRole {
        metadata: meta(),
        rules: Some(rules()),
    };
    let binding = RoleBinding {
        metadata: meta(),
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "Role".into(),
            name: NAME.into(),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".into(),
            name: NAME.into(),
            namespace: Some(ns.into()),
            ..Default::default()
        }]),
    };
    let deployment = Deployment {
        metadata: meta(),
        spec: deployment_spec(&image, &ctx.hosted_cluster.spec.release.image),
        status: None,
    };
    vec![
        DesiredObject::typed(Role::ControlPlaneComponent, &sa),
        DesiredObject::typed(Role::ControlPlaneComponent, &role),
        DesiredObject::typed(Role::ControlPlaneComponent, &binding),
        DesiredObject::typed(Role::ControlPlaneComponent, &deployment),
    ]
}

/// The rules HyperShift grants the CPO in its namespace. They are HyperShift's, wildcards
/// included: the CPO creates and owns every control-plane component there, of kinds that
/// vary by release.
pub fn rules() -> Vec<PolicyRule> {
    const ALL: &[&str] = &["*"];
    const READ: &[&str] = &["get", "list", "watch"];
    let mut sccs = policy_rule(
        &["security.openshift.io"],
        &["securitycontextconstraints"],
        &["use"],
    );
    sccs.resource_names = Some(vec!["hostnetwork".into()]);
    vec![
        policy_rule(&["hypershift.openshift.io"], ALL, ALL),
        policy_rule(
            &[
                "bootstrap.cluster.x-k8s.io",
                "controlplane.cluster.x-k8s.io",
                "infrastructure.cluster.x-k8s.io",
                "machines.cluster.x-k8s.io",
                "exp.infrastructure.cluster.x-k8s.io",
                "addons.cluster.x-k8s.io",
                "exp.cluster.x-k8s.io",
                "cluster.x-k8s.io",
                "monitoring.coreos.com",
            ],
            ALL,
            ALL,
        ),
        policy_rule(
            &["rbac.authorization.k8s.io"],
            &["roles", "rolebindings"],
            &[
                "get", "list", "watch", "create", "update", "patch", "delete",
            ],
        ),
        policy_rule(&["route.openshift.io"], ALL, ALL),
        policy_rule(
            &[""],
            &[
                "events",
                "configmaps",
                "persistentvolumeclaims",
                "pods",
                "pods/log",
                "secrets",
                "nodes",
                "serviceaccounts",
                "services",
                "endpoints",
            ],
            ALL,
        ),
        policy_rule(&["apps"], &["deployments", "statefulsets"], ALL),
        policy_rule(&["batch"], &["cronjobs", "jobs"], ALL),
        policy_rule(&["policy"], &["poddisruptionbudgets"], ALL),
        policy_rule(&["coordination.k8s.io"], &["leases"], ALL),
        policy_rule(
            &["discovery.k8s.io"],
            &["endpointslices"],
            &["list", "watch"],
        ),
        sccs,
        policy_rule(
            &["apiextensions.k8s.io"],
            &["customresourcedefinitions"],
            READ,
        ),
    ]
}

fn probe(path: &str, initial_delay: i32, failures: i32) -> Probe {
    let mut probe = http_get_probe(path, IntOrString::Int(6060));
    if let Some(get) = probe.http_get.as_mut() {
        get.scheme = Some("HTTP".into());
    }
    Probe {
        initial_delay_seconds: Some(initial_delay),
        period_seconds: Some(60),
        success_threshold: Some(1),
        failure_threshold: Some(failures),
        timeout_seconds: Some(5),
        ..probe
    }
}

/// The CPO's pod, as HyperShift runs it: `run` in its own namespace, on the cluster's release.
fn deployment_spec(image: &str, release_image: &str) -> DeploymentSpec {
    let labels = BTreeMap::from([
        ("name".to_string(), NAME.to_string()),
        ("app".to_string(), NAME.to_string()),
        (
            "hypershift.openshift.io/control-plane-component".to_string(),
            NAME.to_string(),
        ),
    ]);
    let args = [
        "run",
        "--namespace",
        "$(MY_NAMESPACE)",
        "--deployment-name",
        NAME,
        "--metrics-addr",
        "0.0.0.0:8080",
    ];
    DeploymentSpec {
        replicas: Some(1),
        selector: LabelSelector {
            match_labels: Some(BTreeMap::from([("name".to_string(), NAME.to_string())])),
            ..Default::default()
        },
        template: PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some(labels),
                ..Default::default()
            }),
            spec: Some(PodSpec {
                service_account_name: Some(NAME.into()),
                containers: vec![Container {
                    name: NAME.into(),
                    image: Some(image.into()),
                    image_pull_policy: Some("IfNotPresent".into()),
                    command: Some(vec!["/usr/bin/control-plane-operator".into()]),
                    args: Some(args.iter().map(|a| a.to_string()).collect()),
                    env: Some(vec![
                        field_env("MY_NAMESPACE", "metadata.namespace"),
                        field_env("POD_NAME", "metadata.name"),
                        EnvVar {
                            name: "OPERATE_ON_RELEASE_IMAGE".into(),
                            value: Some(release_image.into()),
                            ..Default::default()
                        },
                    ]),
                    ports: Some(vec![ContainerPort {
                        name: Some("metrics".into()),
                        container_port: 8080,
                        ..Default::default()
                    }]),
                    liveness_probe: Some(probe("/healthz", 60, 5)),
                    readiness_probe: Some(probe("/readyz", 15, 3)),
                    resources: Some(ResourceRequirements {
                        requests: Some(BTreeMap::from([
                            ("cpu".to_string(), Quantity("10m".into())),
                            ("memory".to_string(), Quantity("80Mi".into())),
                        ])),
                        ..Default::default()
                    }),
                    ..Default::default()
                }],
                ..Default::default()
            }),
        },
        ..Default::default()
    }
}
