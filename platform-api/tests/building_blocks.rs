//! The pieces platforms and callers rely on, tested on their own: the registry's refusals,
//! release parsing for the hooks, Secret handling, error formatting and template naming.

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use platform_api::desired::node_pool::{template_hash, template_name};
use platform_api::platform::{FieldError, FieldErrors, OpenShiftVersion, SecretData};
use platform_api::registry::{PlatformRegistration, Registry, RegistryError};
use serde_json::json;
use std::collections::BTreeMap;

mod none {
    //! The smallest platform, for the registry tests.
    use k8s_openapi::api::apps::v1::DeploymentSpec;
    use k8s_openapi::api::core::v1::Secret;
    use kube::api::DynamicObject;
    use platform_api::Platform;
    use platform_api::api::{HostedCluster, NodePool};
    use platform_api::platform::{ClusterContext, FieldErrors, NodePoolContext, PlatformError};
    use schemars::{Schema, SchemaGenerator, json_schema};

    #[derive(Clone)]
    pub struct Named(pub &'static str);

    #[async_trait::async_trait]
    impl Platform for Named {
        fn platform_type(&self) -> &'static str {
            self.0
        }
        fn hosted_cluster_schema(&self, _: &mut SchemaGenerator) -> Schema {
            json_schema!({ "type": "object" })
        }
        fn node_pool_schema(&self, _: &mut SchemaGenerator) -> Schema {
            json_schema!({ "type": "object" })
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
            Ok(None)
        }
    }
}

fn reg(
    name: &'static str,
    constructor: fn() -> Box<dyn platform_api::Platform>,
) -> PlatformRegistration {
    PlatformRegistration { name, constructor }
}

#[test]
fn the_registry_serves_each_type_once_and_names_the_known_ones() {
    let regs = [
        reg("B", || Box::new(none::Named("B"))),
        reg("A", || Box::new(none::Named("A"))),
    ];
    let registry = Registry::from_registrations(&regs).unwrap();
    assert_eq!(registry.names(), ["A", "B"], "sorted");
    assert_eq!(registry.get("B").unwrap().platform_type(), "B");
    let unknown = registry.get("C").err().unwrap();
    assert_eq!(
        unknown,
        RegistryError::Unknown {
            requested: "C".into(),
            known: vec!["A", "B"]
        }
    );
    assert!(unknown.to_string().contains("known platform types: A, B"));
    let empty = Registry::from_registrations(&[]).unwrap();
    assert!(
        empty
            .get("A")
            .err()
            .unwrap()
            .to_string()
            .contains("no platform crate is linked"),
        "an empty registry says why"
    );
}

#[test]
fn the_registry_refuses_duplicates_and_mismatched_names() {
    let dup = [
        reg("A", || Box::new(none::Named("A"))),
        reg("A", || Box::new(none::Named("A"))),
    ];
    assert_eq!(
        Registry::from_registrations(&dup).err(),
        Some(RegistryError::Duplicate { name: "A" })
    );
    let mismatch = [reg("A", || Box::new(none::Named("a")))];
    assert_eq!(
        Registry::from_registrations(&mismatch).err(),
        Some(RegistryError::NameMismatch {
            registered: "A",
            reported: "a"
        })
    );
}

#[test]
fn release_versions_come_from_the_image_tag() {
    let v = |s: &str| OpenShiftVersion::from_release_image(s);
    assert_eq!(
        v("quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64"),
        Some(OpenShiftVersion {
            major: 4,
            minor: 19
        })
    );
    assert_eq!(
        v("registry:5000/ocp/release:4.18.3"),
        Some(OpenShiftVersion {
            major: 4,
            minor: 18
        }),
        "a registry port is not a tag"
    );
    assert_eq!(v("registry:5000/ocp/release"), None);
    assert_eq!(v("quay.io/ocp-release@sha256:abc"), None);
    assert!(v("r:4.9.0") < v("r:4.10.0"), "versions compare numerically");
}

#[test]
fn secret_data_merges_string_data_trims_text_and_hides_values() {
    let secret = Secret {
        metadata: ObjectMeta {
            name: Some("creds".into()),
            namespace: Some("ns".into()),
            ..Default::default()
        },
        data: Some(BTreeMap::from([
            ("a".to_string(), ByteString(b"from-data".to_vec())),
            ("b".to_string(), ByteString(b"  padded\n".to_vec())),
        ])),
        string_data: Some(BTreeMap::from([(
            "a".to_string(),
            "from-string-data".to_string(),
        )])),
        ..Default::default()
    };
    let data = SecretData::from_secret(&secret);
    assert_eq!(
        (data.namespace.as_str(), data.name.as_str()),
        ("ns", "creds")
    );
    assert_eq!(
        data.text("a").as_deref(),
        Some("from-string-data"),
        "stringData wins"
    );
    assert_eq!(data.text("b").as_deref(), Some("padded"));
    assert_eq!(data.with("c", "  \n").text("c"), None, "blank is absent");
    let debug = format!("{:?}", SecretData::from_secret(&secret));
    assert!(
        debug.contains("\"a\"") && !debug.contains("from-"),
        "{debug}"
    );
}

#[test]
fn field_errors_list_every_field_with_its_fix() {
    let mut errors = FieldErrors::default();
    assert!(errors.is_empty());
    errors.push(FieldError::new("spec.a", "is empty", "set it"));
    errors.push(FieldError::new("spec.b", "is wrong", ""));
    assert_eq!(
        errors.to_string(),
        "spec.a: is empty (fix: set it)\nspec.b: is wrong"
    );
    assert!(errors.into_result().is_err());
    assert_eq!(FieldErrors::default().into_result(), Ok(()));
}

#[test]
fn template_names_hash_the_spec_independently_of_key_order() {
    let a = json!({ "flavor": "x", "disk": 1 });
    let b = json!({ "disk": 1, "flavor": "x" });
    assert_eq!(template_hash(&a), template_hash(&b));
    assert_ne!(
        template_hash(&a),
        template_hash(&json!({ "flavor": "y", "disk": 1 }))
    );
    let name = template_name("pool", &a);
    assert!(
        name.starts_with("pool-") && name.len() == "pool-".len() + 8,
        "{name}"
    );
}
