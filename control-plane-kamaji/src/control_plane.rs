//! The KamajiControlPlane (`controlplane.cluster.x-k8s.io/v1alpha2`): Kamaji's CAPI
//! control-plane provider runs the hosted API server, controller manager and scheduler from it.

use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
use platform_api::api::HostedCluster;
use platform_api::api::hosted_cluster::AvailabilityPolicy;
use platform_api::api::services::{PublishingStrategyType, ServiceType};
use platform_api::desired::{DesiredObject, Role};
use platform_api::platform::{FieldError, FieldErrors};
use serde_json::{Map, Value, json};
use std::net::Ipv4Addr;

/// API group of Kamaji's CAPI control-plane provider.
pub const GROUP: &str = "controlplane.cluster.x-k8s.io";
/// The version Kamaji v0.20 serves and stores.
pub const VERSION: &str = "v1alpha2";
/// The control-plane kind.
pub const KIND: &str = "KamajiControlPlane";
/// Optional annotation naming the Kamaji `DataStore` (cluster-scoped, installed with Kamaji)
/// that holds the cluster's state; unset, Kamaji uses its default DataStore.
pub const DATASTORE_ANNOTATION: &str = "hosted-cluster.io/kamaji-datastore";
/// The label CAPI puts on objects of a Cluster; set here too, so that [`crate::observe`] can
/// name the Cluster's kubeconfig Secret from the live object alone.
pub const CLUSTER_NAME_LABEL: &str = "cluster.x-k8s.io/cluster-name";

/// The API resource of the KamajiControlPlane.
pub fn resource() -> ApiResource {
    ApiResource::from_gvk(&GroupVersionKind::gvk(GROUP, VERSION, KIND))
}

const SERVICES_PATH: &str = "spec.services";

/// How the API server is published, in Kamaji's terms: the Service type, the NodePort
/// address, and an ingress hostname for a Route.
struct Exposure {
    service_type: &'static str,
    service_address: Option<String>,
    ingress_hostname: Option<String>,
}

fn exposure(hc: &HostedCluster) -> Result<Exposure, FieldErrors> {
    let invalid = |message: &str| {
        FieldErrors(vec![FieldError::new(
            SERVICES_PATH,
            message,
            "publish the APIServer service as LoadBalancer, NodePort (with an address) or \
             Route (with a hostname)",
        )])
    };
    let Some(api) = hc
        .spec
        .services
        .iter()
        .find(|s| s.service == ServiceType::APIServer)
    else {
        return Err(invalid("the APIServer service is not published"));
    };
    let strategy = &api.service_publishing_strategy;
    match strategy.type_ {
        PublishingStrategyType::LoadBalancer => Ok(Exposure {
            service_type: "LoadBalancer",
            service_address: None,
            ingress_hostname: None,
        }),
        PublishingStrategyType::NodePort => Ok(Exposure {
            service_type: "NodePort",
            service_address: strategy.node_port.as_ref().map(|n| n.address.clone()),
            ingress_hostname: None,
        }),
        // Kamaji serves a Route's role with an Ingress in front of a ClusterIP Service; it
        // needs the hostname.
        PublishingStrategyType::Route => {
            let hostname = strategy.route.as_ref().and_then(|r| r.hostname.clone());
            match hostname {
                Some(h) => Ok(Exposure {
                    service_type: "ClusterIP",
                    service_address: None,
                    ingress_hostname: Some(h),
                }),
                None => Err(invalid(
                    "the APIServer is published as a Route without a hostname, which Kamaji \
                     cannot serve",
                )),
            }
        }
        other => Err(invalid(&format!(
            "the APIServer is published as {other:?}, which Kamaji cannot serve"
        ))),
    }
}

/// The backend's checks of a HostedCluster: a Kubernetes version and an API server exposure
/// Kamaji can serve. Paths are from the object root.
///
/// # Errors
/// Every problem found, as field errors.
pub fn validate(hc: &HostedCluster) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    if let Err(e) = crate::version::kubernetes_version(hc) {
        errors.extend(e);
    }
    if let Err(e) = exposure(hc) {
        errors.extend(e);
    }
    errors.into_result()
}

/// The names the API server certificate must hold beyond Kamaji's own: the hostnames the
/// cluster publishes its API server under.
fn cert_sans(hc: &HostedCluster) -> Vec<String> {
    let mut sans: Vec<String> = Vec::new();
    for mapping in hc
        .spec
        .services
        .iter()
        .filter(|s| s.service == ServiceType::APIServer)
    {
        let s = &mapping.service_publishing_strategy;
        let names = [
            s.load_balancer.as_ref().and_then(|l| l.hostname.clone()),
            s.route.as_ref().and_then(|r| r.hostname.clone()),
            s.node_port.as_ref().map(|n| n.address.clone()),
        ];
        for name in names.into_iter().flatten() {
            if !sans.contains(&name) {
                sans.push(name);
            }
        }
    }
    sans
}

/// The cluster DNS address: the tenth address of the first IPv4 service network, where
/// kubeadm puts it too (Kamaji's default, 10.96.0.10, only fits the default service CIDR).
pub fn dns_service_ip(hc: &HostedCluster) -> Option<String> {
    hc.spec.networking.service_network.iter().find_map(|n| {
        let (base, prefix) = n.cidr.split_once('/')?;
        let base: Ipv4Addr = base.parse().ok()?;
        let prefix: u32 = prefix.parse().ok()?;
        if prefix > 28 {
            return None;
        }
        let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
        Some(Ipv4Addr::from((u32::from(base) & mask) + 10).to_string())
    })
}

fn replicas(hc: &HostedCluster) -> i64 {
    // HyperShift's meaning of the policy: one replica, or three spread for availability.
    match hc.spec.controller_availability_policy {
        Some(AvailabilityPolicy::SingleReplica) => 1,
        _ => 3,
    }
}

fn network(hc: &HostedCluster) -> Result<Value, FieldErrors> {
    let exposure = exposure(hc)?;
    let mut network = Map::new();
    network.insert("serviceType".into(), exposure.service_type.into());
    if let Some(address) = exposure.service_address {
        network.insert("serviceAddress".into(), address.into());
    }
    if let Some(hostname) = exposure.ingress_hostname {
        network.insert("ingress".into(), json!({ "hostname": hostname }));
    }
    if let Some(address) = hc
        .spec
        .networking
        .api_server
        .as_ref()
        .and_then(|a| a.advertise_address.clone())
    {
        network.insert("advertiseAddress".into(), address.into());
    }
    let sans = cert_sans(hc);
    if !sans.is_empty() {
        network.insert("certSANs".into(), sans.into());
    }
    if let Some(ip) = dns_service_ip(hc) {
        network.insert("dnsServiceIPs".into(), json!([ip]));
    }
    Ok(Value::Object(network))
}

/// The KamajiControlPlane of a HostedCluster, named after it (as the HostedControlPlane is),
/// in the control-plane namespace.
///
/// # Errors
/// The field errors of [`validate`].
pub fn kamaji_control_plane(
    hc: &HostedCluster,
    namespace: &str,
) -> Result<DesiredObject, FieldErrors> {
    validate(hc)?;
    let version = crate::version::kubernetes_version(hc)?;
    let mut spec = json!({
        "version": version,
        "replicas": replicas(hc),
        "network": network(hc)?,
        // Workers sit in the MAAS network, apart from the control-plane pods: Konnectivity
        // carries the API server's calls to the kubelets; CoreDNS and kube-proxy are what a
        // plain Kubernetes node expects.
        "addons": { "coreDNS": {}, "kubeProxy": {}, "konnectivity": {} },
    });
    if let Some(store) = hc
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(DATASTORE_ANNOTATION))
    {
        spec["dataStoreName"] = store.clone().into();
    }
    let mut deployment = Map::new();
    if !hc.spec.node_selector.is_empty() {
        deployment.insert("nodeSelector".into(), json!(hc.spec.node_selector));
    }
    if !hc.spec.tolerations.is_empty() {
        deployment.insert("tolerations".into(), json!(hc.spec.tolerations));
    }
    if !hc.spec.labels.is_empty() {
        deployment.insert(
            "podAdditionalMetadata".into(),
            json!({ "labels": hc.spec.labels }),
        );
    }
    if !deployment.is_empty() {
        spec["deployment"] = Value::Object(deployment);
    }
    let resource = resource();
    let object: DynamicObject = serde_json::from_value(json!({
        "apiVersion": resource.api_version,
        "kind": resource.kind,
        "metadata": {
            "name": hc.metadata.name.clone().unwrap_or_default(),
            "namespace": namespace,
            "labels": { CLUSTER_NAME_LABEL: hc.infra_id() },
        },
        "spec": spec,
    }))
    .expect("static KamajiControlPlane shape");
    Ok(DesiredObject {
        role: Role::ControlPlane,
        resource,
        object,
        sensitive: false,
        cluster_scoped: false,
    })
}
