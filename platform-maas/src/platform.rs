//! `Platform` for MAAS: wires the spec types to the CAPMAAS builders.

use crate::credentials::{
    self, API_KEY_KEY, CONTROL_PLANE_SECRET_NAME, ENDPOINT_KEY, MaasCredentials,
};
use crate::spec::{MaasNodePoolPlatform, MaasPlatformSpec, PLATFORM_TYPE};
use crate::{infra, machine_template, provider, provider_version, validate};
use k8s_openapi::api::apps::v1::DeploymentSpec;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::rbac::v1::PolicyRule;
use kube::api::DynamicObject;
use platform_api::api::{HostedCluster, NodePool};
use platform_api::crd::section_schema;
use platform_api::platform::{
    CleanupContext, CleanupOutcome, ClusterContext, FieldErrors, ImageRegistryStorage,
    NodePoolContext, ObjectRef, OpenShiftVersion, Platform, PlatformError,
};
use schemars::{Schema, SchemaGenerator};

#[derive(Clone, Debug, Default)]
pub struct Maas;

impl Maas {
    fn spec(hc: &HostedCluster) -> Result<MaasPlatformSpec, PlatformError> {
        validate::cluster_spec(hc).map_err(PlatformError::Invalid)
    }

    /// Credentials for builders, or `None` when rendering with placeholders.
    fn credentials(ctx: &ClusterContext<'_>) -> Result<Option<MaasCredentials>, PlatformError> {
        let spec = Self::spec(ctx.hosted_cluster)?;
        let ns = ctx
            .hosted_cluster
            .metadata
            .namespace
            .as_deref()
            .unwrap_or_default();
        let creds = credentials::resolve(
            ctx.credentials,
            ctx.missing_secrets,
            ns,
            &spec.identity_ref.name,
        )?;
        if let Some(c) = creds.as_ref().filter(|c| c.legacy_format) {
            ctx.warnings.warn(format!(
                "Secret {ns}/{} uses the deprecated keys endpoint/api-key; rename them to {ENDPOINT_KEY}/{API_KEY_KEY}{}",
                spec.identity_ref.name,
                if c.legacy_zone.is_some() { " and move zone to spec.platform.maas.zone" } else { "" }
            ));
        }
        Ok(creds)
    }

    /// The cluster's default zone: the spec's, else a legacy Secret's (with a warning).
    fn cluster_zone(
        ctx: &ClusterContext<'_>,
        spec: &MaasPlatformSpec,
    ) -> Result<Option<String>, PlatformError> {
        if let Some(z) = spec.zone.clone() {
            return Ok(Some(z));
        }
        let legacy = Self::credentials(ctx)?.and_then(|c| c.legacy_zone);
        if let Some(z) = &legacy {
            ctx.warnings.warn(format!(
                "using zone {z:?} from the credentials Secret; set spec.platform.maas.zone instead"
            ));
        }
        Ok(legacy)
    }
}

#[async_trait::async_trait]
impl Platform for Maas {
    fn platform_type(&self) -> &'static str {
        PLATFORM_TYPE
    }

    fn hosted_cluster_schema(&self, generator: &mut SchemaGenerator) -> Schema {
        section_schema::<MaasPlatformSpec>(generator)
    }

    fn node_pool_schema(&self, generator: &mut SchemaGenerator) -> Schema {
        section_schema::<MaasNodePoolPlatform>(generator)
    }

    fn validate_hosted_cluster(&self, hc: &HostedCluster) -> Result<(), FieldErrors> {
        validate::hosted_cluster(hc)
    }

    fn validate_node_pool(&self, hc: &HostedCluster, np: &NodePool) -> Result<(), FieldErrors> {
        validate::node_pool(hc, np)
    }

    fn credentials_secret_name(&self, hc: &HostedCluster) -> Option<String> {
        validate::cluster_spec(hc).ok().map(|s| s.identity_ref.name)
    }

    fn credentials_migration(
        &self,
        hc: &HostedCluster,
        secret: &platform_api::platform::SecretData,
    ) -> Option<platform_api::platform::CredentialsMigration> {
        let zone = validate::cluster_spec(hc).ok().and_then(|s| s.zone);
        credentials::migration(secret, zone.as_deref())
    }

    fn credentials(&self, ctx: &ClusterContext<'_>) -> Result<Vec<Secret>, PlatformError> {
        let spec = Self::spec(ctx.hosted_cluster)?;
        let ns = ctx
            .hosted_cluster
            .metadata
            .namespace
            .as_deref()
            .unwrap_or_default();
        let (endpoint, key) = match Self::credentials(ctx)? {
            Some(c) => (c.endpoint, c.api_key.expose()),
            None => (
                credentials::placeholder(ENDPOINT_KEY, ns, &spec.identity_ref.name),
                credentials::placeholder(API_KEY_KEY, ns, &spec.identity_ref.name),
            ),
        };
        Ok(vec![credentials::control_plane_secret(
            ctx.control_plane_namespace,
            &endpoint,
            &key,
        )])
    }

    fn infra_cr(&self, ctx: &ClusterContext<'_>) -> Result<Option<DynamicObject>, PlatformError> {
        let spec = Self::spec(ctx.hosted_cluster)?;
        let zone = Self::cluster_zone(ctx, &spec)?;
        Ok(Some(infra::maas_cluster(
            &ctx.hosted_cluster.infra_id(),
            ctx.control_plane_namespace,
            &spec,
            zone.as_deref(),
            ctx.api_endpoint,
        )))
    }

    fn capi_provider_deployment_spec(
        &self,
        ctx: &ClusterContext<'_>,
    ) -> Result<Option<DeploymentSpec>, PlatformError> {
        let (image, source) = provider::image(
            ctx.annotation(provider::PROVIDER_IMAGE_ANNOTATION),
            ctx.settings
                .provider_images
                .get(PLATFORM_TYPE)
                .map(String::as_str),
        );
        let version = provider_version::resolve(&image, &source, ctx.provider_scope, ctx.warnings)?;
        Ok(Some(provider::deployment_spec(
            &image,
            ctx.control_plane_namespace,
            version,
        )))
    }

    fn capi_provider_policy_rules(&self) -> Vec<PolicyRule> {
        provider::policy_rules()
    }

    fn capi_provider_cluster_policy_rules(&self) -> Vec<PolicyRule> {
        provider::cluster_policy_rules()
    }

    fn machine_template(
        &self,
        ctx: &NodePoolContext<'_>,
    ) -> Result<Option<DynamicObject>, PlatformError> {
        let pool = validate::pool_spec(ctx.node_pool).map_err(PlatformError::Invalid)?;
        let Some(image) = pool.image.as_deref().filter(|i| !i.is_empty()) else {
            // Validation already rejected a pool that wants machines but has no image.
            ctx.cluster.warnings.warn(format!(
                "NodePool {} has no image and no replicas: no machine template is created",
                ctx.node_pool.metadata.name.as_deref().unwrap_or_default()
            ));
            return Ok(None);
        };
        let spec = Self::spec(ctx.cluster.hosted_cluster)?;
        let zone = match pool.zone.clone().or_else(|| pool.failure_domain.clone()) {
            Some(z) => Some(z),
            None => Self::cluster_zone(ctx.cluster, &spec)?,
        };
        Ok(Some(machine_template::maas_machine_template(
            &pool,
            image,
            zone.as_deref(),
        )))
    }

    fn credential_objects(
        &self,
        _hc: &HostedCluster,
        control_plane_namespace: &str,
    ) -> Vec<ObjectRef> {
        vec![ObjectRef {
            api_version: "v1".into(),
            kind: "Secret".into(),
            namespace: control_plane_namespace.into(),
            name: CONTROL_PLANE_SECRET_NAME.into(),
        }]
    }

    /// TODO: release machines CAPMAAS allocated but did not give back. Nothing is released yet,
    /// on purpose: this hook runs after the CAPI Cluster is gone, when the MaasMachines (and
    /// their `systemID`s) are gone too, and CAPMAAS leaves no per-cluster marker in MAAS (no
    /// `agent_name`, no tag) that would let us find them without risking someone else's bare
    /// metal. Doing it safely needs the system IDs recorded before teardown (e.g. in the
    /// HostedCluster's status); then `maas_client::MaasClient::release` does the rest.
    async fn cleanup_orphaned_machines(
        &self,
        _ctx: &CleanupContext<'_>,
    ) -> Result<CleanupOutcome, PlatformError> {
        Ok(CleanupOutcome::default())
    }

    /// OpenShift's Infrastructure API has no MAAS type (4.19 rejects unknown values), so the
    /// hosted cluster reports `None`: no cloud integration, which is what bare metal via MAAS is.
    fn infrastructure_platform_type(&self, _release: Option<OpenShiftVersion>) -> &'static str {
        "None"
    }

    /// MAAS has no object storage service.
    fn image_registry_storage(&self) -> ImageRegistryStorage {
        ImageRegistryStorage::EmptyDir
    }
}
