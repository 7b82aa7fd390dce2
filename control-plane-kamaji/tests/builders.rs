//! The kamaji builders on their own: every object validates strictly against its upstream CRD
//! (Kamaji v0.20.0; CAPI's bootstrap CRDs of the release storing each version), the version
//! annotation is required, and `observe` reads what Kamaji and CAPI report.

use control_plane_kamaji::version::KUBERNETES_VERSION_ANNOTATION;
use control_plane_kamaji::{bootstrap, control_plane, observe};
use kube::api::DynamicObject;
use platform_api::api::{HostedCluster, NodePool};
use platform_api::desired::DesiredObject;
use platform_api::desired::capi::CapiVersion;
use serde_json::{Value, json};
use testkit::fixtures::upstream;
use testkit::schema::Crd;

const NAMESPACE: &str = "clusters-demo";

fn hosted_cluster(annotations: Value, extra_spec: Value) -> HostedCluster {
    let mut hc = json!({
        "apiVersion": "hypershift.openshift.io/v1beta1",
        "kind": "HostedCluster",
        "metadata": { "name": "demo", "namespace": "clusters", "annotations": annotations },
        "spec": {
            "release": { "image": "quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64" },
            "infraID": "demo-x7k2q",
            "platform": { "type": "MAAS" },
            "dns": { "baseDomain": "example.com" },
            "networking": {
                "clusterNetwork": [{ "cidr": "10.132.0.0/14" }],
                "serviceNetwork": [{ "cidr": "172.31.0.0/16" }],
                "networkType": "OVNKubernetes",
            },
            "pullSecret": { "name": "ps" },
            "etcd": { "managementType": "Managed" },
            "services": [
                { "service": "APIServer", "servicePublishingStrategy": {
                    "type": "LoadBalancer", "loadBalancer": { "hostname": "api.demo.example.com" } } },
            ],
        },
    });
    for (k, v) in extra_spec.as_object().unwrap() {
        hc["spec"][k] = v.clone();
    }
    serde_json::from_value(hc).expect("a valid HostedCluster")
}

fn versioned() -> HostedCluster {
    hosted_cluster(
        json!({ KUBERNETES_VERSION_ANNOTATION: "1.31.2" }),
        json!({}),
    )
}

fn node_pool(spec: Value) -> NodePool {
    let mut np = json!({
        "apiVersion": "hypershift.openshift.io/v1beta1",
        "kind": "NodePool",
        "metadata": { "name": "workers", "namespace": "clusters" },
        "spec": {
            "clusterName": "demo",
            "release": { "image": "quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64" },
            "platform": { "type": "MAAS" },
            "replicas": 2,
            "management": { "upgradeType": "Replace" },
        },
    });
    for (k, v) in spec.as_object().unwrap() {
        np["spec"][k] = v.clone();
    }
    serde_json::from_value(np).expect("a valid NodePool")
}

fn validate(obj: &DesiredObject, file: &str) {
    let crd = Crd::load_cached(upstream(file));
    let value = obj.to_value();
    if let Err(errors) = testkit::validate::validate_against_crd(&value, &crd) {
        panic!(
            "{} fails {file}:\n{}\n{value:#}",
            obj.display_name(),
            testkit::validate::format_errors(&errors)
        );
    }
}

const KAMAJI_CRD: &str = "kamaji/v0.20.0/controlplane.cluster.x-k8s.io_kamajicontrolplanes.yaml";

fn bootstrap_crd(capi: CapiVersion) -> String {
    let release = match capi {
        CapiVersion::V1Beta1 => "v1.10.10",
        CapiVersion::V1Beta2 => "v1.13.4",
    };
    format!(
        "capi/config/{release}/bootstrap-kubeadm/bootstrap.cluster.x-k8s.io_kubeadmconfigtemplates.yaml"
    )
}

#[test]
fn kamaji_control_plane_validates_and_carries_the_cluster_settings() {
    let kcp = control_plane::kamaji_control_plane(&versioned(), NAMESPACE).unwrap();
    validate(&kcp, KAMAJI_CRD);
    let v = kcp.to_value();
    assert_eq!(v["apiVersion"], "controlplane.cluster.x-k8s.io/v1alpha2");
    assert_eq!(v["metadata"]["name"], "demo");
    assert_eq!(v["metadata"]["namespace"], NAMESPACE);
    assert_eq!(
        v["metadata"]["labels"][control_plane::CLUSTER_NAME_LABEL],
        "demo-x7k2q"
    );
    let spec = &v["spec"];
    assert_eq!(spec["version"], "v1.31.2");
    assert_eq!(spec["replicas"], 3);
    assert_eq!(spec["network"]["serviceType"], "LoadBalancer");
    assert_eq!(spec["network"]["certSANs"], json!(["api.demo.example.com"]));
    assert_eq!(spec["network"]["dnsServiceIPs"], json!(["172.31.0.10"]));
    assert!(spec.get("dataStoreName").is_none());
}

#[test]
fn optional_settings_map_and_still_validate() {
    let hc = hosted_cluster(
        json!({
            KUBERNETES_VERSION_ANNOTATION: "v1.30.4",
            control_plane::DATASTORE_ANNOTATION: "etcd-main",
        }),
        json!({
            "controllerAvailabilityPolicy": "SingleReplica",
            "nodeSelector": { "node-role.kubernetes.io/infra": "" },
            "tolerations": [{ "key": "infra", "operator": "Exists", "effect": "NoSchedule" }],
            "networking": {
                "clusterNetwork": [{ "cidr": "10.132.0.0/14" }],
                "serviceNetwork": [{ "cidr": "10.96.0.0/12" }],
                "networkType": "OVNKubernetes",
                "apiServer": { "advertiseAddress": "10.0.0.5" },
            },
            "services": [
                { "service": "APIServer", "servicePublishingStrategy": {
                    "type": "NodePort", "nodePort": { "address": "10.0.0.2", "port": 30443 } } },
            ],
        }),
    );
    let kcp = control_plane::kamaji_control_plane(&hc, NAMESPACE).unwrap();
    validate(&kcp, KAMAJI_CRD);
    let spec = &kcp.to_value()["spec"];
    assert_eq!(spec["replicas"], 1);
    assert_eq!(spec["dataStoreName"], "etcd-main");
    assert_eq!(spec["network"]["serviceType"], "NodePort");
    assert_eq!(spec["network"]["serviceAddress"], "10.0.0.2");
    assert_eq!(spec["network"]["advertiseAddress"], "10.0.0.5");
    assert_eq!(spec["network"]["dnsServiceIPs"], json!(["10.96.0.10"]));
    assert_eq!(spec["deployment"]["tolerations"][0]["key"], "infra");
}

#[test]
fn a_route_needs_a_hostname_and_becomes_an_ingress() {
    let route = |hostname: Value| {
        hosted_cluster(
            json!({ KUBERNETES_VERSION_ANNOTATION: "v1.31.2" }),
            json!({ "services": [{ "service": "APIServer", "servicePublishingStrategy": {
                "type": "Route", "route": hostname } }] }),
        )
    };
    let kcp =
        control_plane::kamaji_control_plane(&route(json!({ "hostname": "api.x.io" })), NAMESPACE)
            .unwrap();
    validate(&kcp, KAMAJI_CRD);
    let network = &kcp.to_value()["spec"]["network"];
    assert_eq!(network["serviceType"], "ClusterIP");
    assert_eq!(network["ingress"]["hostname"], "api.x.io");
    let err = control_plane::validate(&route(json!({}))).unwrap_err();
    assert_eq!(err.0[0].path, "spec.services");
    assert!(err.to_string().contains("without a hostname"), "{err}");
}

#[test]
fn a_missing_or_malformed_version_names_the_annotation_and_the_flag() {
    for annotations in [json!({}), json!({ KUBERNETES_VERSION_ANNOTATION: "4.19" })] {
        let hc = hosted_cluster(annotations, json!({}));
        let err = control_plane::validate(&hc).unwrap_err().to_string();
        assert!(
            err.contains(KUBERNETES_VERSION_ANNOTATION) && err.contains("--kubernetes-version"),
            "{err}"
        );
        assert!(control_plane::kamaji_control_plane(&hc, NAMESPACE).is_err());
    }
}

#[test]
fn kubeadm_config_templates_validate_in_each_capi_version() {
    let plain = node_pool(json!({}));
    let tuned = node_pool(json!({
        "nodeLabels": { "tier": "gpu", "zone": "a" },
        "taints": [{ "key": "gpu", "value": "true", "effect": "NoSchedule" }],
    }));
    for capi in CapiVersion::ALL {
        for np in [&plain, &tuned] {
            let template = bootstrap::kubeadm_config_template(capi, np, NAMESPACE);
            validate(&template, &bootstrap_crd(capi));
            assert_eq!(
                template.api_version(),
                format!("bootstrap.cluster.x-k8s.io/{}", capi.as_str())
            );
            assert!(
                template.name().starts_with("workers-"),
                "{}",
                template.name()
            );
        }
        let registration = &bootstrap::kubeadm_config_template(capi, &tuned, NAMESPACE).to_value()
            ["spec"]["template"]["spec"]["joinConfiguration"]["nodeRegistration"];
        let labels = match capi {
            CapiVersion::V1Beta1 => registration["kubeletExtraArgs"]["node-labels"].clone(),
            CapiVersion::V1Beta2 => registration["kubeletExtraArgs"][0]["value"].clone(),
        };
        assert_eq!(labels, "tier=gpu,zone=a");
        assert_eq!(registration["taints"][0]["effect"], "NoSchedule");
    }
}

#[test]
fn the_template_name_rolls_with_its_spec() {
    let a =
        bootstrap::kubeadm_config_template(CapiVersion::V1Beta2, &node_pool(json!({})), NAMESPACE);
    let again =
        bootstrap::kubeadm_config_template(CapiVersion::V1Beta2, &node_pool(json!({})), NAMESPACE);
    let b = bootstrap::kubeadm_config_template(
        CapiVersion::V1Beta2,
        &node_pool(json!({ "nodeLabels": { "tier": "gpu" } })),
        NAMESPACE,
    );
    // Replicas are not part of the template: scaling keeps the name.
    let scaled = bootstrap::kubeadm_config_template(
        CapiVersion::V1Beta2,
        &node_pool(json!({ "replicas": 5 })),
        NAMESPACE,
    );
    assert_eq!(a.name(), again.name());
    assert_eq!(a.name(), scaled.name());
    assert_ne!(a.name(), b.name());
}

#[test]
fn config_ref_names_the_template_in_each_layout() {
    let template =
        bootstrap::kubeadm_config_template(CapiVersion::V1Beta2, &node_pool(json!({})), NAMESPACE);
    assert_eq!(
        bootstrap::config_ref(CapiVersion::V1Beta2, &template, NAMESPACE),
        json!({ "apiGroup": "bootstrap.cluster.x-k8s.io", "kind": "KubeadmConfigTemplate",
                "name": template.name() })
    );
    let template =
        bootstrap::kubeadm_config_template(CapiVersion::V1Beta1, &node_pool(json!({})), NAMESPACE);
    assert_eq!(
        bootstrap::config_ref(CapiVersion::V1Beta1, &template, NAMESPACE),
        json!({ "apiVersion": "bootstrap.cluster.x-k8s.io/v1beta1",
                "kind": "KubeadmConfigTemplate", "namespace": NAMESPACE, "name": template.name() })
    );
}

fn live(status: Value, endpoint: Value) -> DynamicObject {
    let mut kcp = control_plane::kamaji_control_plane(&versioned(), NAMESPACE)
        .unwrap()
        .to_value();
    kcp["status"] = status;
    kcp["spec"]["controlPlaneEndpoint"] = endpoint;
    serde_json::from_value(kcp).unwrap()
}

#[test]
fn observe_reads_readiness_endpoint_and_the_capi_kubeconfig_secret() {
    let before = observe::observe(&live(
        json!({ "ready": false }),
        json!({ "host": "", "port": 0 }),
    ));
    assert_eq!(before, observe::Observed::default());

    let up = observe::observe(&live(
        json!({ "ready": true, "initialization": { "controlPlaneInitialized": true } }),
        json!({ "host": "10.0.0.50", "port": 6443 }),
    ));
    assert!(up.ready && up.initialized);
    assert_eq!(up.endpoint, Some(("10.0.0.50".into(), 6443)));
    assert_eq!(
        up.kubeconfig,
        Some(("demo-x7k2q-kubeconfig".into(), "value".into()))
    );
}
