//! CRD assembly: our base schemas (kube-derive) plus each registered platform's section under
//! `spec.platform.<type lower-cased>`, the enum of known types, and CEL rules that schemars
//! cannot express. `crdgen` writes the result to `crds/`; a test fails on any drift.

use crate::api::{HostedCluster, HostedControlPlane, NodePool, platform_field};
use crate::registry::Registry;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A schema generator configured like kube-derive's, so platform sections come out structural
/// (inlined, no `$ref`, nullable options) in the same style as the rest of the CRD.
pub fn schema_generator() -> SchemaGenerator {
    schemars::generate::SchemaSettings::openapi3()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .with_transform(schemars::transform::AddNullable::default())
        .with_transform(kube::core::schema::StructuralSchemaRewriter)
        .with_transform(kube::core::schema::OptionalEnum)
        .with_transform(kube::core::schema::OptionalIntOrString)
        .into_generator()
}

/// The schema of `T` as a platform section (what `Platform::*_schema` usually returns).
pub fn section_schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    let mut schema = generator.root_schema_for::<T>();
    if let Some(obj) = schema.as_object_mut() {
        obj.remove("title");
        obj.remove("$schema");
    }
    schema
}

/// A CEL rule to add at a dotted schema path (`spec.platform.type`).
struct Rule {
    path: &'static str,
    rule: &'static str,
    message: &'static str,
}

const HOSTED_CLUSTER_RULES: &[Rule] = &[
    Rule {
        path: "spec.platform.type",
        rule: "self == oldSelf",
        message: "Type is immutable",
    },
    Rule {
        path: "spec.infraID",
        rule: "oldSelf == '' || self == oldSelf",
        message: "infraID is immutable",
    },
    Rule {
        path: "spec.infraID",
        rule: "self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",
        message: "infraID must be a lowercase DNS label",
    },
    Rule {
        path: "spec.release.image",
        rule: "self.matches('^(\\\\w+\\\\S+)$')",
        message: "release image must be an image reference",
    },
    // Parsed by HyperShift but implemented by no backend here: refused until it is, rather
    // than accepted and ignored (render and the operator check the same in `validate`).
    Rule {
        path: "spec",
        rule: "!has(self.additionalTrustBundle)",
        message: "spec.additionalTrustBundle is not supported yet",
    },
];

const NODE_POOL_RULES: &[Rule] = &[
    Rule {
        path: "spec.platform.type",
        rule: "self == oldSelf",
        message: "Type is immutable",
    },
    Rule {
        path: "spec.clusterName",
        rule: "self == oldSelf",
        message: "ClusterName is immutable",
    },
    Rule {
        path: "spec",
        rule: "!has(self.replicas) || !has(self.autoScaling)",
        message: "Both replicas or autoScaling should not be set",
    },
    // Parsed by HyperShift but implemented by no backend here: refused until it is, rather
    // than accepted and ignored (render and the operator check the same in `validate`).
    Rule {
        path: "spec",
        rule: "!has(self.autoScaling) || self.autoScaling.max == self.autoScaling.min",
        message: "spec.autoScaling with max above min is not supported yet (no cluster autoscaler); set min = max or use replicas",
    },
    Rule {
        path: "spec",
        rule: "!has(self.tuningConfig) || size(self.tuningConfig) == 0",
        message: "spec.tuningConfig is not supported yet",
    },
    Rule {
        path: "spec",
        rule: "!has(self.arch) || self.arch == 'amd64'",
        message: "spec.arch other than amd64 is not supported yet",
    },
    Rule {
        path: "spec.management",
        rule: "!has(self.autoRepair) || !self.autoRepair",
        message: "spec.management.autoRepair is not supported yet (no MachineHealthCheck is created)",
    },
];

/// Which platform schema a CRD's `spec.platform` gets.
#[derive(Clone, Copy)]
enum Section {
    HostedCluster,
    NodePool,
}

/// The HostedCluster CRD, with every registered platform's cluster section and the
/// immutability rules of `spec.platform.type` and `spec.infraID`.
pub fn hosted_cluster(registry: &Registry) -> CustomResourceDefinition {
    assemble(
        HostedCluster::crd(),
        registry,
        Some(Section::HostedCluster),
        HOSTED_CLUSTER_RULES,
    )
}

/// The NodePool CRD, with every registered platform's pool section and the immutability
/// rules of `spec.platform.type` and `spec.clusterName`.
pub fn node_pool(registry: &Registry) -> CustomResourceDefinition {
    assemble(
        NodePool::crd(),
        registry,
        Some(Section::NodePool),
        NODE_POOL_RULES,
    )
}

/// The HostedControlPlane: a subset of HyperShift's CRD, so no platform sections (its
/// `spec.platform` carries only the Infrastructure type). CAPI's Cluster references it
/// (`spec.controlPlaneRef`), so it carries the contract labels.
pub fn hosted_control_plane(registry: &Registry) -> CustomResourceDefinition {
    let mut crd = assemble(HostedControlPlane::crd(), registry, None, &[]);
    crd.metadata.labels = Some(capi_contract_labels(&crd));
    crd
}

/// The CAPI contract versions our CAPI-referenced CRDs implement.
///
/// CAPI finds the API version of a referenced kind through labels on its CRD:
/// `cluster.x-k8s.io/<contract>: <versions joined by _>`. CAPI 1.11 and newer accept the
/// v1beta2 and (deprecated) v1beta1 contracts and use the newest one a CRD claims, which also
/// decides where CAPI reads the object's status: under v1beta1 a control plane reports
/// initialization in `status.ready`/`status.initialized`, under v1beta2 in
/// `status.initialization.controlPlaneInitialized`. The HostedControlPlane status has only the
/// v1beta1 fields, so claiming v1beta2 would leave CAPI waiting for a field that never appears.
/// Add `v1beta2` here once the status carries it (a test checks the claim against the schema).
pub const CAPI_CONTRACT_VERSIONS: &[&str] = &["v1beta1"];

/// `cluster.x-k8s.io/<contract>` for each of [`CAPI_CONTRACT_VERSIONS`], valued with the
/// CRD's served versions (every version we serve implements the contract).
fn capi_contract_labels(crd: &CustomResourceDefinition) -> BTreeMap<String, String> {
    let served: Vec<&str> = crd
        .spec
        .versions
        .iter()
        .filter(|v| v.served)
        .map(|v| v.name.as_str())
        .collect();
    CAPI_CONTRACT_VERSIONS
        .iter()
        .map(|contract| {
            (
                format!("{}/{contract}", crate::desired::capi::CAPI_GROUP),
                served.join("_"),
            )
        })
        .collect()
}

/// Every CRD we own, in install order.
pub fn all(registry: &Registry) -> Vec<CustomResourceDefinition> {
    vec![
        hosted_cluster(registry),
        node_pool(registry),
        hosted_control_plane(registry),
    ]
}

fn assemble(
    crd: CustomResourceDefinition,
    registry: &Registry,
    section: Option<Section>,
    rules: &[Rule],
) -> CustomResourceDefinition {
    let mut crd = serde_json::to_value(crd).expect("CRDs serialise");
    // The API server defaults listKind; we spell it out so the file says what gets installed.
    let list_kind = format!(
        "{}List",
        crd["spec"]["names"]["kind"].as_str().expect("kind")
    );
    crd["spec"]["names"]["listKind"] = list_kind.into();
    for version in crd["spec"]["versions"]
        .as_array_mut()
        .expect("CRD has versions")
    {
        let root = &mut version["schema"]["openAPIV3Schema"];
        if let Some(section) = section {
            add_platforms(node_mut(root, "spec.platform"), registry, section);
        }
        for r in rules {
            let node = node_mut(root, r.path);
            let list = node
                .as_object_mut()
                .expect("schema node is an object")
                .entry("x-kubernetes-validations")
                .or_insert_with(|| json!([]));
            list.as_array_mut()
                .expect("validations are a list")
                .push(json!({ "rule": r.rule, "message": r.message }));
        }
    }
    serde_json::from_value(crd).expect("assembled CRD is a valid CRD")
}

fn add_platforms(platform: &mut Value, registry: &Registry, section: Section) {
    let names: Vec<&str> = registry.names();
    platform["properties"]["type"]["enum"] = json!(names);
    let mut rules = Vec::new();
    for p in registry.iter() {
        let field = platform_field(p.platform_type());
        let mut generator = schema_generator();
        let schema = match section {
            Section::HostedCluster => p.hosted_cluster_schema(&mut generator),
            Section::NodePool => p.node_pool_schema(&mut generator),
        };
        platform["properties"][&field] = schema.to_value();
        rules.push(json!({
            "rule": format!("!has(self.{field}) || self.type == '{}'", p.platform_type()),
            "message": format!("spec.platform.{field} is only allowed when type is {}", p.platform_type()),
        }));
    }
    if !rules.is_empty() {
        platform["x-kubernetes-validations"] = json!(rules);
    }
}

/// The schema node at a dotted property path; panics on a path that does not exist, because the
/// paths are constants checked by the CRD tests.
fn node_mut<'a>(root: &'a mut Value, path: &str) -> &'a mut Value {
    path.split('.').fold(root, |node, key| {
        let next = &mut node["properties"][key];
        assert!(next.is_object(), "CRD schema has no property path {path}");
        next
    })
}

/// Multi-document YAML of the CRDs, as written to `crds/`.
pub fn to_yaml(crd: &CustomResourceDefinition) -> String {
    crate::yaml::to_yaml(&serde_json::to_value(crd).expect("CRDs serialise"))
}
