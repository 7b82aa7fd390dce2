//! `Platform` for MAAS: wires the spec types to the CAPMAAS builders.

use crate::credentials::{
    self, API_KEY_KEY, CONTROL_PLANE_SECRET_NAME, ENDPOINT_KEY, MaasCredentials,
};
use crate::spec::{MaasNodePoolPlatform, MaasPlatformSpec, PLATFORM_TYPE};
use crate::{
    capacity, infra, machine_status, machine_template, orphans, provider, provider_version,
    validate,
};
use k8s_openapi::api::apps::v1::DeploymentSpec;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::rbac::v1::PolicyRule;
use kube::api::DynamicObject;
use maas_client::MaasError;
use platform_api::api::{HostedCluster, NodePool};
use platform_api::crd::section_schema;
use platform_api::platform::{
    CapacityContext, CapacityReport, CleanupContext, CleanupOutcome, ClusterContext, FieldErrors,
    ImageRegistryStorage, MissingSecrets, NodePoolContext, ObjectRef, OpenShiftVersion, Platform,
    PlatformError, PoolCondition, RecordedKind, SecretData,
};
use schemars::{Schema, SchemaGenerator};
use std::collections::BTreeMap;
use std::time::Duration;

/// One teardown pass must not hang on a MAAS that does not answer: short timeouts and one
/// retry, because the operator retries the whole pass with backoff (and gives up after its
/// orphan-cleanup timeout).
fn cleanup_client_options() -> maas_client::ClientOptions {
    maas_client::ClientOptions {
        timeout: Duration::from_secs(15),
        connect_timeout: Duration::from_secs(5),
        retry: maas_client::RetryPolicy {
            max_attempts: 2,
            ..maas_client::RetryPolicy::default()
        },
    }
}

#[derive(Clone, Debug, Default)]
pub struct Maas;

/// A MAAS client from the cluster's credentials Secret (which must exist).
fn maas_client(
    hc: &HostedCluster,
    secret: Option<&SecretData>,
) -> Result<maas_client::MaasClient, PlatformError> {
    let ns = hc.metadata.namespace.as_deref().unwrap_or_default();
    let name = validate::cluster_spec(hc)
        .map(|s| s.identity_ref.name)
        .unwrap_or_default();
    let creds = credentials::resolve(secret, MissingSecrets::Fail, ns, &name)?
        .ok_or_else(|| PlatformError::Bug("credentials resolved to none".into()))?;
    let endpoint = maas_client::MaasEndpoint::parse(&creds.endpoint).map_err(|e| {
        PlatformError::CredentialsInvalid {
            namespace: ns.into(),
            name: name.clone(),
            reason: format!("{ENDPOINT_KEY} {e}"),
        }
    })?;
    maas_client::MaasClient::new(endpoint, creds.api_key, cleanup_client_options())
        .map_err(|e| api_error("setting up the MAAS client", e))
}

fn api_error(what: &str, e: MaasError) -> PlatformError {
    PlatformError::Api {
        platform: PLATFORM_TYPE.into(),
        message: format!("{what}: {e}"),
        retryable: e.is_retryable(),
    }
}

/// The pool's LXD VMs not composed yet as a placement request, and how many are; `None` for
/// pools that compose none (or that do not validate: validation reports those). The composed
/// ones already use their hosts' capacity, so counting them again would report a full host
/// for a pool that is simply running.
fn capacity_request(ctx: &CapacityContext<'_>) -> Option<(maas_client::PoolRequest, u32)> {
    let cluster = validate::cluster_spec(ctx.hosted_cluster).ok()?;
    let pool = validate::pool_spec(ctx.node_pool).ok()?;
    let mut request = capacity::pool_request(&cluster, &pool, ctx.node_pool.desired_replicas())?;
    let composed = u32::try_from(machine_status::composed(ctx.machines)).unwrap_or(u32::MAX);
    request.replicas = request.replicas.saturating_sub(composed);
    Some((request, composed))
}

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

    fn teardown_record_kinds(&self) -> Vec<RecordedKind> {
        vec![RecordedKind {
            group: orphans::MACHINE_GROUP.into(),
            kind: orphans::MACHINE_KIND.into(),
        }]
    }

    fn machine_status_kinds(&self) -> Vec<RecordedKind> {
        self.teardown_record_kinds()
    }

    fn machine_condition_types(&self) -> Vec<&'static str> {
        machine_status::TYPES.to_vec()
    }

    /// `LXDHostSelected`, `VMCreated` and `Deployed` for LXD pools (see [`machine_status`]).
    fn node_pool_machine_conditions(
        &self,
        np: &NodePool,
        machines: &[DynamicObject],
    ) -> Vec<PoolCondition> {
        let lxd = validate::pool_spec(np)
            .ok()
            .and_then(|p| p.lxd)
            .is_some_and(|l| l.enabled);
        if !lxd {
            return Vec::new();
        }
        machine_status::conditions(np.desired_replicas(), machines)
    }

    /// The MaasMachines' system IDs (see [`orphans::record`]).
    fn teardown_record(&self, objects: &[DynamicObject]) -> BTreeMap<String, String> {
        orphans::record(objects)
    }

    /// Releases the recorded machines MAAS still shows allocated to the credentials' user, and
    /// decomposes the LXD VMs CAPMAAS composed (see [`orphans::release`]). Nothing recorded,
    /// nothing asked: MAAS is not even contacted.
    async fn cleanup_orphaned_machines(
        &self,
        ctx: &CleanupContext<'_>,
    ) -> Result<CleanupOutcome, PlatformError> {
        if ctx.recorded.is_empty() {
            return Ok(CleanupOutcome::default());
        }
        let client = maas_client(ctx.hosted_cluster, ctx.credentials)?;
        let what = format!(
            "releasing the machines recorded before teardown ({})",
            ctx.recorded.keys().cloned().collect::<Vec<_>>().join(", ")
        );
        orphans::release(&client, ctx.recorded)
            .await
            .map_err(|e| api_error(&what, e))
    }

    /// LXD pools with replicas only: the placement request (of the VMs not composed yet) and
    /// the MAAS endpoint.
    fn capacity_check_key(&self, ctx: &CapacityContext<'_>) -> Option<String> {
        let request = capacity_request(ctx)?.0;
        let endpoint = ctx
            .credentials
            .and_then(|s| MaasCredentials::from_secret(s).ok())
            .map(|c| c.endpoint)
            .unwrap_or_default();
        Some(format!(
            "{endpoint} {}",
            serde_json::to_string(&request).unwrap_or_default()
        ))
    }

    /// Places the pool's VMs on the MAAS VM hosts with `place_pool`, as `hosted-cluster maas
    /// placement` does; a MAAS without VM hosts (410) is a report, not an error.
    async fn node_pool_capacity(
        &self,
        ctx: &CapacityContext<'_>,
    ) -> Result<CapacityReport, PlatformError> {
        let Some((request, composed)) = capacity_request(ctx) else {
            return Ok(CapacityReport {
                available: true,
                reason: capacity::FITS.into(),
                message: "the pool composes no LXD VMs".into(),
            });
        };
        if request.replicas == 0 {
            return Ok(capacity::all_composed(composed));
        }
        let client = maas_client(ctx.hosted_cluster, ctx.credentials)?;
        match client.vm_hosts().await {
            Ok(hosts) => Ok(capacity::report(
                &request,
                composed,
                &maas_client::place_pool(&hosts, &request),
            )),
            Err(MaasError::VmHostsUnsupported { status, .. }) => Ok(capacity::unsupported(status)),
            Err(e) => Err(api_error("listing the VM hosts for the capacity check", e)),
        }
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
