//! The DaemonSet that runs `hosted-cluster lxd daemon` on each node, and what it needs.
//!
//! Least privilege: the daemon never calls the Kubernetes API (the kubelet injects the MAAS
//! credentials from the Secret and the node name from the downward API), so its ServiceAccount
//! has no Role and mounts no token. It is privileged and on the host network because it
//! manages the host's LXD and registers the host's own address with MAAS; the Namespace carries
//! the `privileged` Pod Security level for that reason, so nothing else should run in it.

use platform_api::desired::pod::field_env;
use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EnvVar, EnvVarSource, HTTPGetAction, HostPathVolumeSource, Namespace,
    PodSpec, PodTemplateSpec, Probe, SecretKeySelector, SecurityContext, ServiceAccount,
    Toleration, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Serialize;
use serde_json::Value;

/// Name of every object.
pub const NAME: &str = "lxd-initializer";
/// Default namespace (CAPMAAS's, as in seed 001).
pub const DEFAULT_NAMESPACE: &str = "capmaas-system";
/// Default image: the hosted-cluster CLI, which has the `lxd daemon` command.
pub const DEFAULT_IMAGE: &str = "quay.io/hosted-cluster/hosted-cluster:latest";
/// Default Secret with `MAAS_ENDPOINT` and `MAAS_API_KEY` (the keys of `examples/credentials-secret.yaml`).
pub const DEFAULT_SECRET: &str = "maas-credentials";
/// Default `/readyz` port on the host network.
pub const DEFAULT_PORT: u16 = 8089;

/// What the manifests are built from.
#[derive(Clone, Debug)]
pub struct InstallOptions {
    /// Namespace of the DaemonSet.
    pub namespace: String,
    /// Container image.
    pub image: String,
    /// Secret holding `MAAS_ENDPOINT` and `MAAS_API_KEY`.
    pub credentials_secret: String,
    /// The LXD socket on the host; its directory is mounted at the same path.
    pub socket: String,
    /// `/readyz` port (on the host network).
    pub port: u16,
    /// Extra `lxd daemon` arguments (zone, pool, project, storage, network).
    pub daemon_args: Vec<String>,
}

impl Default for InstallOptions {
    fn default() -> Self {
        Self {
            namespace: DEFAULT_NAMESPACE.into(),
            image: DEFAULT_IMAGE.into(),
            credentials_secret: DEFAULT_SECRET.into(),
            socket: crate::DEFAULT_SOCKET.into(),
            port: DEFAULT_PORT,
            daemon_args: Vec::new(),
        }
    }
}

fn labels() -> BTreeMap<String, String> {
    BTreeMap::from([("app.kubernetes.io/name".to_string(), NAME.to_string())])
}

fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: namespace.map(Into::into),
        labels: Some(labels()),
        ..Default::default()
    }
}

fn to_value<K: k8s_openapi::Resource + Serialize>(obj: &K) -> Value {
    let mut v = serde_json::to_value(obj).expect("Kubernetes objects serialise");
    v["apiVersion"] = K::API_VERSION.into();
    v["kind"] = K::KIND.into();
    v
}

fn env_secret(name: &str, secret: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.into(),
                key: name.into(),
                optional: Some(false),
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The DaemonSet.
pub fn daemon_set(opts: &InstallOptions) -> DaemonSet {
    let socket_dir = std::path::Path::new(&opts.socket)
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "/var/lib/lxd".into());
    let mut args = vec![
        "lxd".to_string(),
        "daemon".into(),
        format!("--socket={}", opts.socket),
        // The kubelet expands $(NODE_NAME) from the env below.
        "--name=$(NODE_NAME)".into(),
        format!("--readyz-addr=0.0.0.0:{}", opts.port),
    ];
    args.extend(opts.daemon_args.iter().cloned());
    let container = Container {
        name: NAME.into(),
        image: Some(opts.image.clone()),
        command: Some(vec!["hosted-cluster".into()]),
        args: Some(args),
        env: Some(vec![
            field_env("NODE_NAME", "spec.nodeName"),
            env_secret("MAAS_ENDPOINT", &opts.credentials_secret),
            env_secret("MAAS_API_KEY", &opts.credentials_secret),
        ]),
        ports: Some(vec![ContainerPort {
            name: Some("readyz".into()),
            container_port: i32::from(opts.port),
            ..Default::default()
        }]),
        readiness_probe: Some(Probe {
            http_get: Some(HTTPGetAction {
                path: Some("/readyz".into()),
                port: IntOrString::String("readyz".into()),
                ..Default::default()
            }),
            period_seconds: Some(10),
            ..Default::default()
        }),
        security_context: Some(SecurityContext {
            privileged: Some(true),
            ..Default::default()
        }),
        volume_mounts: Some(vec![VolumeMount {
            name: "lxd-socket".into(),
            mount_path: socket_dir.clone(),
            ..Default::default()
        }]),
        ..Default::default()
    };
    DaemonSet {
        metadata: meta(NAME, Some(&opts.namespace)),
        spec: DaemonSetSpec {
            selector: LabelSelector {
                match_labels: Some(labels()),
                ..Default::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels()),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    service_account_name: Some(NAME.into()),
                    automount_service_account_token: Some(false),
                    host_network: Some(true),
                    containers: vec![container],
                    // Seed 001 turns control-plane nodes into VM hosts.
                    tolerations: Some(vec![Toleration {
                        key: Some("node-role.kubernetes.io/control-plane".into()),
                        operator: Some("Exists".into()),
                        effect: Some("NoSchedule".into()),
                        ..Default::default()
                    }]),
                    volumes: Some(vec![Volume {
                        name: "lxd-socket".into(),
                        // The directory, not the socket file: LXD recreates the socket when it
                        // restarts, and a file mount would keep the old one.
                        host_path: Some(HostPathVolumeSource {
                            path: socket_dir,
                            type_: Some("Directory".into()),
                        }),
                        ..Default::default()
                    }]),
                    ..Default::default()
                }),
            },
            ..Default::default()
        },
        status: None,
    }
}

/// Everything to apply, in order: Namespace, ServiceAccount, DaemonSet.
pub fn objects(opts: &InstallOptions) -> Vec<Value> {
    let mut namespace = meta(&opts.namespace, None);
    namespace.labels.get_or_insert_default().insert(
        "pod-security.kubernetes.io/enforce".into(),
        "privileged".into(),
    );
    vec![
        to_value(&Namespace {
            metadata: namespace,
            ..Default::default()
        }),
        to_value(&ServiceAccount {
            metadata: meta(NAME, Some(&opts.namespace)),
            automount_service_account_token: Some(false),
            ..Default::default()
        }),
        to_value(&daemon_set(opts)),
    ]
}
