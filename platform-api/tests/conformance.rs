//! The conformance suite on a platform defined here, which uses every part of the trait
//! (credentials, an infrastructure cluster, a CAPI provider, machine templates), and on
//! deliberately flawed copies of it, to show the suite catches each flaw.

use k8s_openapi::api::apps::v1::DeploymentSpec;
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec, Secret};
use k8s_openapi::api::rbac::v1::PolicyRule;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::DynamicObject;
use platform_api::Platform;
use platform_api::api::{HostedCluster, NodePool, PlatformSpec, PlatformSpecType};
use platform_api::crd::section_schema;
use platform_api::desired::provider::policy_rule;
use platform_api::manifests::{ClusterTemplate, Publishing};
use platform_api::platform::{
    ClusterContext, FieldError, FieldErrors, MissingSecrets, NodePoolContext, ObjectRef,
    PlatformError, SecretData,
};
use platform_api::testing::{Fixtures, conformance};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

const TYPE: &str = "Test";
const SECTION: &str = "spec.platform.test";
const CP_SECRET: &str = "test-credentials";

/// `spec.platform.test` of a HostedCluster.
#[derive(Serialize, Deserialize, Clone, Debug, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct ClusterSection {
    /// The Secret with the API token.
    credentials_ref: String,
    /// Region of the cluster's machines.
    region: String,
}

impl PlatformSpecType for ClusterSection {
    const PLATFORM_TYPE: &'static str = TYPE;
}

/// `spec.platform.test` of a NodePool.
#[derive(Serialize, Deserialize, Clone, Debug, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct PoolSection {
    /// Machine flavor.
    flavor: String,
    /// Root disk size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    disk_gb: Option<i32>,
}

impl PlatformSpecType for PoolSection {
    const PLATFORM_TYPE: &'static str = TYPE;
}

/// What a flawed copy of the platform gets wrong.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Flaw {
    None,
    /// Validation paths relative to the section instead of the object root.
    RelativePaths,
    /// Replicas in the template spec: scaling would replace every machine.
    ReplicasInTemplate,
    /// The API token copied into the (non-sensitive) infrastructure object.
    TokenInInfra,
    /// A wildcard verb in the provider's RBAC.
    WildcardRbac,
}

#[derive(Clone, Debug)]
struct TestPlatform(Flaw);

fn cluster_section(hc: &HostedCluster) -> Result<ClusterSection, FieldErrors> {
    let mut errors = FieldErrors::default();
    match hc.spec.platform.get::<ClusterSection>() {
        Ok(Some(s)) => Ok(s),
        Ok(None) => {
            errors.push(FieldError::new(
                SECTION,
                "is missing",
                "add the test section",
            ));
            Err(errors)
        }
        Err(e) => {
            errors.push(FieldError::new(SECTION, e.to_string(), ""));
            Err(errors)
        }
    }
}

fn pool_section(np: &NodePool) -> Result<PoolSection, FieldErrors> {
    let mut errors = FieldErrors::default();
    match np.spec.platform.get::<PoolSection>() {
        Ok(Some(s)) => Ok(s),
        _ => {
            errors.push(FieldError::new(SECTION, "is missing or invalid", ""));
            Err(errors)
        }
    }
}

impl TestPlatform {
    fn path(&self, field: &str) -> String {
        if self.0 == Flaw::RelativePaths {
            field.to_string()
        } else {
            format!("{SECTION}.{field}")
        }
    }

    fn token(ctx: &ClusterContext<'_>) -> Result<Option<String>, PlatformError> {
        let hc = ctx.hosted_cluster;
        let section = cluster_section(hc)?;
        match (ctx.credentials, ctx.missing_secrets) {
            (Some(secret), _) => {
                secret
                    .text("token")
                    .map(Some)
                    .ok_or_else(|| PlatformError::CredentialsInvalid {
                        namespace: secret.namespace.clone(),
                        name: secret.name.clone(),
                        reason: "key token is empty".into(),
                    })
            }
            (None, MissingSecrets::Placeholder) => Ok(None),
            (None, MissingSecrets::Fail) => Err(PlatformError::CredentialsNotFound {
                namespace: hc.metadata.namespace.clone().unwrap_or_default(),
                name: section.credentials_ref,
                expected_keys: "token".into(),
                reference_path: format!("{SECTION}.credentialsRef"),
            }),
        }
    }
}

fn object(api_version: &str, kind: &str, name: &str, spec: serde_json::Value) -> DynamicObject {
    serde_json::from_value(json!({
        "apiVersion": api_version,
        "kind": kind,
        "metadata": { "name": name },
        "spec": spec,
    }))
    .unwrap()
}

#[async_trait::async_trait]
impl Platform for TestPlatform {
    fn platform_type(&self) -> &'static str {
        TYPE
    }

    fn hosted_cluster_schema(&self, generator: &mut SchemaGenerator) -> Schema {
        section_schema::<ClusterSection>(generator)
    }

    fn node_pool_schema(&self, generator: &mut SchemaGenerator) -> Schema {
        section_schema::<PoolSection>(generator)
    }

    fn validate_hosted_cluster(&self, hc: &HostedCluster) -> Result<(), FieldErrors> {
        let section = cluster_section(hc)?;
        let mut errors = FieldErrors::default();
        if section.region.is_empty() || section.region.contains(char::is_uppercase) {
            errors.push(FieldError::new(
                self.path("region"),
                format!("{:?} is not a region", section.region),
                "use a lowercase region name",
            ));
        }
        errors.into_result()
    }

    fn validate_node_pool(&self, _hc: &HostedCluster, np: &NodePool) -> Result<(), FieldErrors> {
        let section = pool_section(np)?;
        let mut errors = FieldErrors::default();
        if section.flavor.is_empty() {
            errors.push(FieldError::new(
                self.path("flavor"),
                "is empty",
                "name a flavor",
            ));
        }
        if section.disk_gb.is_some_and(|d| d < 10) {
            errors.push(FieldError::new(
                self.path("diskGb"),
                "is below 10",
                "use 10 or more",
            ));
        }
        errors.into_result()
    }

    fn credentials_secret_name(&self, hc: &HostedCluster) -> Option<String> {
        cluster_section(hc).ok().map(|s| s.credentials_ref)
    }

    fn credentials(&self, ctx: &ClusterContext<'_>) -> Result<Vec<Secret>, PlatformError> {
        let token = Self::token(ctx)?.unwrap_or_else(|| "PLACEHOLDER".into());
        Ok(vec![Secret {
            metadata: ObjectMeta {
                name: Some(CP_SECRET.into()),
                ..Default::default()
            },
            string_data: Some(BTreeMap::from([("token".to_string(), token)])),
            ..Default::default()
        }])
    }

    fn infra_cr(&self, ctx: &ClusterContext<'_>) -> Result<Option<DynamicObject>, PlatformError> {
        let section = cluster_section(ctx.hosted_cluster)?;
        let mut spec = json!({ "region": section.region });
        if let Some(ep) = ctx.api_endpoint {
            spec["controlPlaneEndpoint"] = json!({ "host": ep.host, "port": ep.port });
        }
        if self.0 == Flaw::TokenInInfra {
            spec["token"] = Self::token(ctx)?.into();
        }
        Ok(Some(object(
            "infrastructure.cluster.x-k8s.io/v1beta1",
            "TestCluster",
            &ctx.hosted_cluster.infra_id(),
            spec,
        )))
    }

    fn capi_provider_deployment_spec(
        &self,
        _ctx: &ClusterContext<'_>,
    ) -> Result<Option<DeploymentSpec>, PlatformError> {
        Ok(Some(DeploymentSpec {
            template: PodTemplateSpec {
                metadata: None,
                spec: Some(PodSpec {
                    containers: vec![Container {
                        name: "manager".into(),
                        image: Some("example.com/capt:v1".into()),
                        ..Default::default()
                    }],
                    ..Default::default()
                }),
            },
            ..Default::default()
        }))
    }

    fn capi_provider_policy_rules(&self) -> Vec<PolicyRule> {
        let verbs: &[&str] = if self.0 == Flaw::WildcardRbac {
            &["*"]
        } else {
            &["get", "list", "watch", "patch", "update"]
        };
        vec![policy_rule(
            &["infrastructure.cluster.x-k8s.io"],
            &["testclusters", "testmachines", "testmachinetemplates"],
            verbs,
        )]
    }

    fn machine_template(
        &self,
        ctx: &NodePoolContext<'_>,
    ) -> Result<Option<DynamicObject>, PlatformError> {
        let section = pool_section(ctx.node_pool).map_err(PlatformError::Invalid)?;
        let mut machine =
            json!({ "flavor": section.flavor, "diskGB": section.disk_gb.unwrap_or(50) });
        if self.0 == Flaw::ReplicasInTemplate {
            machine["replicas"] = ctx.node_pool.desired_replicas().into();
        }
        Ok(Some(object(
            "infrastructure.cluster.x-k8s.io/v1beta1",
            "TestMachineTemplate",
            "ignored",
            json!({ "template": { "spec": machine } }),
        )))
    }

    fn credential_objects(&self, _hc: &HostedCluster, namespace: &str) -> Vec<ObjectRef> {
        vec![ObjectRef {
            api_version: "v1".into(),
            kind: "Secret".into(),
            namespace: namespace.into(),
            name: CP_SECRET.into(),
        }]
    }
}

fn section<T: PlatformSpecType>(value: &T) -> PlatformSpec {
    PlatformSpec::typed(value)
}

fn pool_with(np: &NodePool, change: impl FnOnce(&mut PoolSection)) -> PlatformSpec {
    let mut s = np.spec.platform.get::<PoolSection>().unwrap().unwrap();
    change(&mut s);
    section(&s)
}

fn fixtures() -> Fixtures {
    let template = ClusterTemplate {
        name: "demo".into(),
        namespace: "clusters".into(),
        infra_id: "demo-4f7q2".into(),
        release_image: "quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64".into(),
        base_domain: "example.com".into(),
        pull_secret_name: "demo-pull-secret".into(),
        ssh_key_name: None,
        etcd_encryption_key_name: None,
        publishing: Publishing::LoadBalancerAndRoutes,
        node_pool_name: "demo-workers".into(),
        node_pool_replicas: 2,
        annotations: BTreeMap::new(),
    };
    let hc = template.hosted_cluster(section(&ClusterSection {
        credentials_ref: "demo-test-credentials".into(),
        region: "eu-1".into(),
    }));
    let pool = PoolSection {
        flavor: "m1.large".into(),
        disk_gb: None,
    };
    let np = template.node_pool(section(&pool));
    let mut second = template.node_pool(section(&PoolSection {
        flavor: "m1.small".into(),
        disk_gb: Some(20),
    }));
    second.metadata.name = Some("demo-small".into());
    Fixtures::new(hc, vec![np, second])
        .with_credentials(
            SecretData::new("clusters", "demo-test-credentials").with("token", "s3cr3t-t0ken\n"),
        )
        .template_change("flavor", |np| {
            np.spec.platform = pool_with(np, |s| s.flavor = "m1.xlarge".into())
        })
        .template_change("diskGb", |np| {
            np.spec.platform = pool_with(np, |s| s.disk_gb = Some(100))
        })
        .invalid_hosted_cluster(format!("{SECTION}.region"), |hc| {
            hc.spec.platform = section(&ClusterSection {
                credentials_ref: "demo-test-credentials".into(),
                region: "EU 1".into(),
            })
        })
        .invalid_node_pool(format!("{SECTION}.flavor"), |np| {
            np.spec.platform = pool_with(np, |s| s.flavor.clear())
        })
        .invalid_node_pool(format!("{SECTION}.diskGb"), |np| {
            np.spec.platform = pool_with(np, |s| s.disk_gb = Some(1))
        })
}

#[test]
fn a_complete_platform_conforms() {
    conformance(&TestPlatform(Flaw::None), &fixtures());
}

#[test]
#[should_panic(expected = "validation paths: HostedCluster invalid at spec.platform.test.region")]
fn relative_validation_paths_are_caught() {
    conformance(&TestPlatform(Flaw::RelativePaths), &fixtures());
}

#[test]
#[should_panic(expected = "templates: a replicas-only change renamed the template")]
fn replicas_in_the_template_are_caught() {
    conformance(&TestPlatform(Flaw::ReplicasInTemplate), &fixtures());
}

#[test]
#[should_panic(expected = "is not sensitive but contains a credentials value")]
fn a_token_outside_a_secret_is_caught() {
    conformance(&TestPlatform(Flaw::TokenInInfra), &fixtures());
}

#[test]
#[should_panic(expected = "provider: the provider Role has a wildcard in verbs")]
fn wildcard_rbac_is_caught() {
    conformance(&TestPlatform(Flaw::WildcardRbac), &fixtures());
}

#[test]
#[should_panic(
    expected = "the fixtures list template changes but the platform builds no machine template"
)]
fn template_changes_need_a_template() {
    #[derive(Clone)]
    struct NoTemplates(TestPlatform);
    #[async_trait::async_trait]
    impl Platform for NoTemplates {
        fn platform_type(&self) -> &'static str {
            self.0.platform_type()
        }
        fn hosted_cluster_schema(&self, g: &mut SchemaGenerator) -> Schema {
            self.0.hosted_cluster_schema(g)
        }
        fn node_pool_schema(&self, g: &mut SchemaGenerator) -> Schema {
            self.0.node_pool_schema(g)
        }
        fn validate_hosted_cluster(&self, hc: &HostedCluster) -> Result<(), FieldErrors> {
            self.0.validate_hosted_cluster(hc)
        }
        fn validate_node_pool(&self, hc: &HostedCluster, np: &NodePool) -> Result<(), FieldErrors> {
            self.0.validate_node_pool(hc, np)
        }
        fn credentials_secret_name(&self, hc: &HostedCluster) -> Option<String> {
            self.0.credentials_secret_name(hc)
        }
        fn credentials(&self, ctx: &ClusterContext<'_>) -> Result<Vec<Secret>, PlatformError> {
            self.0.credentials(ctx)
        }
        fn infra_cr(
            &self,
            ctx: &ClusterContext<'_>,
        ) -> Result<Option<DynamicObject>, PlatformError> {
            self.0.infra_cr(ctx)
        }
        fn capi_provider_deployment_spec(
            &self,
            ctx: &ClusterContext<'_>,
        ) -> Result<Option<DeploymentSpec>, PlatformError> {
            self.0.capi_provider_deployment_spec(ctx)
        }
        fn machine_template(
            &self,
            _ctx: &NodePoolContext<'_>,
        ) -> Result<Option<DynamicObject>, PlatformError> {
            Ok(None)
        }
    }
    conformance(&NoTemplates(TestPlatform(Flaw::None)), &fixtures());
}
