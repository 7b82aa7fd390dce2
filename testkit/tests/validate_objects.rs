//! Hand-written objects against the upstream CAPMAAS and CAPI CRDs: each valid object
//! passes, and each single mistake is reported at its path.

use std::sync::Arc;

use serde_json::{Value, json};
use testkit::fixtures::upstream;
use testkit::{Crd, SchemaError, format_errors, validate_against_crd};

fn crd(rel: &str) -> Arc<Crd> {
    Crd::load_cached(upstream(rel))
}

fn maas_cluster_crd() -> Arc<Crd> {
    crd("capmaas/infrastructure.cluster.x-k8s.io_maasclusters.yaml")
}
fn maas_template_crd() -> Arc<Crd> {
    crd("capmaas/infrastructure.cluster.x-k8s.io_maasmachinetemplates.yaml")
}
fn capi_cluster_crd() -> Arc<Crd> {
    crd("capi/cluster.x-k8s.io_clusters.yaml")
}
fn capi_md_crd() -> Arc<Crd> {
    crd("capi/cluster.x-k8s.io_machinedeployments.yaml")
}

fn assert_valid(obj: &Value, crd: &Crd) {
    if let Err(errs) = validate_against_crd(obj, crd) {
        panic!(
            "expected a valid {}, got:\n{}",
            crd.kind,
            format_errors(&errs)
        );
    }
}

/// Asserts that validation fails with an error exactly at `path` whose message contains
/// `message_part`, and returns all errors.
fn assert_invalid(obj: &Value, crd: &Crd, path: &str, message_part: &str) -> Vec<SchemaError> {
    let errs = validate_against_crd(obj, crd).expect_err("expected validation errors");
    assert!(
        errs.iter()
            .any(|e| e.path == path && e.message.contains(message_part)),
        "expected an error at {path:?} containing {message_part:?}, got:\n{}",
        format_errors(&errs)
    );
    errs
}

/// `obj` with the value at JSON pointer `ptr` replaced (or inserted).
fn set(mut obj: Value, ptr: &str, value: Value) -> Value {
    let (parent, key) = ptr.rsplit_once('/').expect("pointer");
    obj.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("no object at {parent}"))
        .insert(key.to_string(), value);
    obj
}

fn remove(mut obj: Value, ptr: &str) -> Value {
    let (parent, key) = ptr.rsplit_once('/').expect("pointer");
    obj.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap()
        .remove(key);
    obj
}

// --- MaasCluster -------------------------------------------------------------------

fn maas_cluster() -> Value {
    json!({
        "apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
        "kind": "MaasCluster",
        "metadata": {
            "name": "example",
            "namespace": "clusters",
            "labels": {"cluster.x-k8s.io/cluster-name": "example"},
            "annotations": {"example.com/note": "free text: anything goes"}
        },
        "spec": {
            "dnsDomain": "maas",
            "controlPlaneEndpoint": {"host": "10.0.0.10", "port": 6443},
            "failureDomains": ["az1", "az2"],
            "lxdConfig": {"enabled": true, "nicType": "bridge"}
        }
    })
}

#[test]
fn maas_cluster_valid() {
    assert_valid(&maas_cluster(), &maas_cluster_crd());
    // Status is optional.
    let with_status = set(maas_cluster(), "/status", json!({"ready": true}));
    assert_valid(&with_status, &maas_cluster_crd());
}

#[test]
fn maas_cluster_unknown_field() {
    let obj = set(maas_cluster(), "/spec/dnsDomian", json!("maas"));
    let errs = assert_invalid(&obj, &maas_cluster_crd(), "spec.dnsDomian", "unknown field");
    assert!(
        errs.iter()
            .any(|e| e.message.contains("did you mean \"dnsDomain\"")),
        "{errs:#?}"
    );
    let nested = set(maas_cluster(), "/spec/lxdConfig/bridge", json!("br0"));
    assert_invalid(
        &nested,
        &maas_cluster_crd(),
        "spec.lxdConfig.bridge",
        "an apiserver would silently drop it",
    );
}

#[test]
fn maas_cluster_required_and_min_length() {
    let missing = remove(maas_cluster(), "/spec/dnsDomain");
    assert_invalid(
        &missing,
        &maas_cluster_crd(),
        "spec.dnsDomain",
        "required field \"dnsDomain\" is missing",
    );
    let empty = set(maas_cluster(), "/spec/dnsDomain", json!(""));
    assert_invalid(
        &empty,
        &maas_cluster_crd(),
        "spec.dnsDomain",
        "must not be empty",
    );
    let no_port = remove(maas_cluster(), "/spec/controlPlaneEndpoint/port");
    assert_invalid(
        &no_port,
        &maas_cluster_crd(),
        "spec.controlPlaneEndpoint.port",
        "missing",
    );
}

#[test]
fn maas_cluster_types_and_enums() {
    let port = set(
        maas_cluster(),
        "/spec/controlPlaneEndpoint/port",
        json!("6443"),
    );
    assert_invalid(
        &port,
        &maas_cluster_crd(),
        "spec.controlPlaneEndpoint.port",
        "must be of type integer, got string",
    );
    let domains = set(maas_cluster(), "/spec/failureDomains", json!(["az1", 2]));
    assert_invalid(
        &domains,
        &maas_cluster_crd(),
        "spec.failureDomains[1]",
        "quote it",
    );
    let nic = set(maas_cluster(), "/spec/lxdConfig/nicType", json!("ovs"));
    assert_invalid(
        &nic,
        &maas_cluster_crd(),
        "spec.lxdConfig.nicType",
        "must be one of: \"bridge\", \"macvlan\"",
    );
    let null = set(maas_cluster(), "/spec/failureDomains", Value::Null);
    assert_invalid(
        &null,
        &maas_cluster_crd(),
        "spec.failureDomains",
        "nullable",
    );
}

#[test]
fn maas_cluster_metadata_rules() {
    let crd = maas_cluster_crd();
    let bad_name = set(maas_cluster(), "/metadata/name", json!("Example_1"));
    assert_invalid(&bad_name, &crd, "metadata.name", "not a valid name");
    let bad_ns = set(maas_cluster(), "/metadata/namespace", json!("a.b"));
    assert_invalid(&bad_ns, &crd, "metadata.namespace", "not a valid namespace");
    let bad_label = set(maas_cluster(), "/metadata/labels/x", json!("-bad"));
    assert_invalid(
        &bad_label,
        &crd,
        "metadata.labels[x]",
        "not a valid label value",
    );
    let long_label = set(maas_cluster(), "/metadata/labels/x", json!("a".repeat(64)));
    assert_invalid(&long_label, &crd, "metadata.labels[x]", "at most 63");
    let bad_key = set(maas_cluster(), "/metadata/labels", json!({"a/b/c": "v"}));
    assert_invalid(
        &bad_key,
        &crd,
        "metadata.labels[a/b/c]",
        "not a valid label key",
    );
    let number = set(maas_cluster(), "/metadata/annotations/n", json!(1));
    assert_invalid(&number, &crd, "metadata.annotations[n]", "must be strings");
    let typo = set(maas_cluster(), "/metadata/lables", json!({}));
    assert_invalid(&typo, &crd, "metadata.lables", "unknown metadata field");
    let unnamed = remove(maas_cluster(), "/metadata/name");
    assert_invalid(&unnamed, &crd, "metadata.name", "is required");
}

#[test]
fn wrong_api_version_or_kind() {
    let crd = maas_cluster_crd();
    let group = set(
        maas_cluster(),
        "/apiVersion",
        json!("cluster.x-k8s.io/v1beta1"),
    );
    assert_invalid(&group, &crd, "apiVersion", "does not match the CRD group");
    let version = set(
        maas_cluster(),
        "/apiVersion",
        json!("infrastructure.cluster.x-k8s.io/v1beta2"),
    );
    assert_invalid(&version, &crd, "apiVersion", "not defined by CRD");
    let kind = set(maas_cluster(), "/kind", json!("MaasMachine"));
    assert_invalid(&kind, &crd, "kind", "serves kind \"MaasCluster\"");
}

#[test]
fn unserved_version_is_rejected() {
    // CAPI v1.10: v1alpha3/v1alpha4 are defined but not served.
    let old = crd("capi/v1.10.10/cluster.x-k8s.io_clusters.yaml");
    let unserved: Vec<&str> = old
        .versions
        .values()
        .filter(|v| !v.served)
        .map(|v| v.name.as_str())
        .collect();
    assert!(
        !unserved.is_empty(),
        "fixture should have an unserved version"
    );
    let obj = json!({
        "apiVersion": format!("cluster.x-k8s.io/{}", unserved[0]),
        "kind": "Cluster",
        "metadata": {"name": "c"}
    });
    assert_invalid(&obj, &old, "apiVersion", "is not served");
}

#[test]
fn a_multi_version_crd_validates_against_the_objects_version() {
    // CAPI v1.13.4 serves v1beta1 (deprecated) and v1beta2 (storage) with different layouts:
    // each layout passes its own version's schema and fails the other's.
    let cluster = capi_cluster_crd();
    assert!(
        cluster
            .version("v1beta2")
            .is_some_and(|v| v.served && v.storage)
    );
    let v1beta2 = json!({
        "apiVersion": "cluster.x-k8s.io/v1beta2",
        "kind": "Cluster",
        "metadata": {"name": "example", "namespace": "clusters"},
        "spec": {
            "controlPlaneRef": {"apiGroup": "hypershift.openshift.io", "kind": "HostedControlPlane", "name": "example"}
        }
    });
    assert_valid(&v1beta2, &cluster);
    let as_v1beta1 = set(
        v1beta2.clone(),
        "/apiVersion",
        json!("cluster.x-k8s.io/v1beta1"),
    );
    assert_invalid(&as_v1beta1, &cluster, "spec.controlPlaneRef.apiGroup", "");
    assert_valid(&capi_cluster(), &cluster);
    let as_v1beta2 = set(
        capi_cluster(),
        "/apiVersion",
        json!("cluster.x-k8s.io/v1beta2"),
    );
    assert_invalid(&as_v1beta2, &cluster, "spec.controlPlaneRef.apiVersion", "");
    // CAPI v1.10.10 does not define v1beta2 at all.
    let old = crd("capi/v1.10.10/cluster.x-k8s.io_clusters.yaml");
    assert_invalid(&v1beta2, &old, "apiVersion", "not defined by CRD");
}

// --- MaasMachineTemplate -----------------------------------------------------------

fn maas_template() -> Value {
    json!({
        "apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
        "kind": "MaasMachineTemplate",
        "metadata": {"name": "example-workers", "namespace": "clusters"},
        "spec": {"template": {"spec": {
            "image": "ubuntu-2204",
            "minCPU": 4,
            "minMemory": 8192,
            "tags": ["worker", "gpu"],
            "lxd": {"enabled": false, "vmConfig": {"diskSize": 80, "interfaceLinkModes": {"eth0": "dhcp"}}}
        }}}
    })
}

#[test]
fn maas_machine_template_valid() {
    assert_valid(&maas_template(), &maas_template_crd());
}

#[test]
fn maas_machine_template_errors() {
    let crd = maas_template_crd();
    let tag = set(
        maas_template(),
        "/spec/template/spec/tags",
        json!(["a", "b", true]),
    );
    assert_invalid(
        &tag,
        &crd,
        "spec.template.spec.tags[2]",
        "must be of type string, got boolean",
    );
    let cpu = set(maas_template(), "/spec/template/spec/minCPU", json!(-1));
    assert_invalid(&cpu, &crd, "spec.template.spec.minCPU", "must be >= 0");
    let frac = set(maas_template(), "/spec/template/spec/minMemory", json!(1.5));
    assert_invalid(&frac, &crd, "spec.template.spec.minMemory", "fractional");
    let missing = remove(maas_template(), "/spec/template/spec/image");
    assert_invalid(&missing, &crd, "spec.template.spec.image", "missing");
    let map_value = set(
        maas_template(),
        "/spec/template/spec/lxd/vmConfig/interfaceLinkModes/eth1",
        json!(1),
    );
    assert_invalid(
        &map_value,
        &crd,
        "spec.template.spec.lxd.vmConfig.interfaceLinkModes[eth1]",
        "type string",
    );
    // An unknown field inside an additionalProperties map value is still a type error,
    // but any key is allowed.
    let any_key = set(
        maas_template(),
        "/spec/template/spec/lxd/vmConfig/interfaceLinkModes/anything-goes",
        json!("x"),
    );
    assert_valid(&any_key, &crd);
}

// --- CAPI Cluster v1beta1 ----------------------------------------------------------

fn capi_cluster() -> Value {
    json!({
        "apiVersion": "cluster.x-k8s.io/v1beta1",
        "kind": "Cluster",
        "metadata": {"name": "example", "namespace": "clusters"},
        "spec": {
            "clusterNetwork": {
                "pods": {"cidrBlocks": ["10.132.0.0/14"]},
                "services": {"cidrBlocks": ["172.31.0.0/16"]},
                "apiServerPort": 6443
            },
            "controlPlaneEndpoint": {"host": "api.example.com", "port": 6443},
            "controlPlaneRef": {"apiVersion": "hypershift.openshift.io/v1beta1", "kind": "HostedControlPlane", "name": "example", "namespace": "clusters-example"},
            "infrastructureRef": {"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1", "kind": "MaasCluster", "name": "example", "namespace": "clusters-example"}
        }
    })
}

#[test]
fn capi_cluster_v1beta1_valid() {
    let crd = capi_cluster_crd();
    assert!(
        crd.version("v1beta1")
            .is_some_and(|v| v.served && v.deprecated && !v.storage)
    );
    assert_valid(&capi_cluster(), &crd);
}

#[test]
fn capi_cluster_v1beta1_errors() {
    let crd = capi_cluster_crd();
    let port = set(
        capi_cluster(),
        "/spec/clusterNetwork/apiServerPort",
        json!(1_u64 << 40),
    );
    assert_invalid(
        &port,
        &crd,
        "spec.clusterNetwork.apiServerPort",
        "out of range for format int32",
    );
    let pods = remove(capi_cluster(), "/spec/clusterNetwork/pods/cidrBlocks");
    assert_invalid(
        &pods,
        &crd,
        "spec.clusterNetwork.pods.cidrBlocks",
        "missing",
    );
    let empty_cidr = set(
        capi_cluster(),
        "/spec/clusterNetwork/services/cidrBlocks",
        json!([""]),
    );
    assert_invalid(
        &empty_cidr,
        &crd,
        "spec.clusterNetwork.services.cidrBlocks[0]",
        "minLength is 1",
    );
    // A v1beta2-only field is unknown in v1beta1.
    let v1beta2_only = set(capi_cluster(), "/spec/controlPlaneRef/apiGroup", json!("x"));
    assert_invalid(
        &v1beta2_only,
        &crd,
        "spec.controlPlaneRef.apiGroup",
        "unknown field",
    );
}

// --- CAPI MachineDeployment v1beta1 ------------------------------------------------

fn capi_md() -> Value {
    json!({
        "apiVersion": "cluster.x-k8s.io/v1beta1",
        "kind": "MachineDeployment",
        "metadata": {"name": "example-workers", "namespace": "clusters-example"},
        "spec": {
            "clusterName": "example",
            "replicas": 3,
            "selector": {"matchLabels": {"cluster.x-k8s.io/deployment-name": "example-workers"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}},
            "template": {
                "metadata": {"labels": {"cluster.x-k8s.io/deployment-name": "example-workers"}},
                "spec": {
                    "clusterName": "example",
                    "version": "v1.31.0",
                    "bootstrap": {"dataSecretName": "example-user-data"},
                    "infrastructureRef": {"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1", "kind": "MaasMachineTemplate", "name": "example-workers"},
                    "readinessGates": [{"conditionType": "example.com/Ready"}]
                }
            }
        }
    })
}

#[test]
fn capi_machine_deployment_v1beta1_valid() {
    assert_valid(&capi_md(), &capi_md_crd());
}

#[test]
fn capi_machine_deployment_v1beta1_errors() {
    let crd = capi_md_crd();
    let surge = set(
        capi_md(),
        "/spec/strategy/rollingUpdate/maxSurge",
        json!(true),
    );
    assert_invalid(
        &surge,
        &crd,
        "spec.strategy.rollingUpdate.maxSurge",
        "integer or a string",
    );
    let surge_float = set(
        capi_md(),
        "/spec/strategy/rollingUpdate/maxSurge",
        json!(1.5),
    );
    assert_invalid(
        &surge_float,
        &crd,
        "spec.strategy.rollingUpdate.maxSurge",
        "integer or a string",
    );
    let strategy = set(capi_md(), "/spec/strategy/type", json!("Recreate"));
    assert_invalid(&strategy, &crd, "spec.strategy.type", "must be one of");
    let gate = set(
        capi_md(),
        "/spec/template/spec/readinessGates/0/conditionType",
        json!("not/valid/twice"),
    );
    assert_invalid(
        &gate,
        &crd,
        "spec.template.spec.readinessGates[0].conditionType",
        "does not match the pattern",
    );
    let dup = set(
        capi_md(),
        "/spec/template/spec/readinessGates",
        json!([{"conditionType": "A"}, {"conditionType": "A", "polarity": "Negative"}]),
    );
    assert_invalid(
        &dup,
        &crd,
        "spec.template.spec.readinessGates[1]",
        "duplicate key (conditionType=\"A\")",
    );
    let cluster = remove(capi_md(), "/spec/clusterName");
    assert_invalid(&cluster, &crd, "spec.clusterName", "missing");
    let replicas = set(capi_md(), "/spec/replicas", json!("3"));
    assert_invalid(&replicas, &crd, "spec.replicas", "remove the quotes");
}
