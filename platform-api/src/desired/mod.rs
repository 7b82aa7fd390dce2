//! The one place that decides which objects a HostedCluster and its NodePools turn into.
//!
//! `hosted-cluster render`, the operator and the tests all call [`build`]. It is pure: inputs
//! that need I/O (the credentials Secret, the control plane's endpoint) are read by the caller
//! first, so what `render` previews is exactly what the operator applies.

pub mod capi;
pub mod control_plane;
pub mod kubeconfig;
pub mod labels;
pub mod node_pool;
pub mod object;
pub mod pod;
pub mod provider;
pub mod syntax;
pub mod validate;

pub use object::{DesiredObject, Role};

use crate::api::{ApiEndpoint, HostedCluster, NodePool};
use crate::control_plane::{BootstrapTokens, ControlPlane, ControlPlaneStatus, ProviderScope};
use crate::platform::{
    ClusterContext, FieldErrors, MissingSecrets, NodePoolContext, Platform, PlatformError,
    PlatformSettings, SecretData, Warnings,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

/// Everything [`build`] needs, already read: the caller does the I/O so that `build` stays pure.
#[derive(Debug, Clone, Copy)]
pub struct ClusterInputs<'a> {
    /// The HostedCluster to build.
    pub hosted_cluster: &'a HostedCluster,
    /// The cluster's NodePools (pools naming another cluster are reported as invalid).
    pub node_pools: &'a [NodePool],
    /// Content of the platform's credentials Secret, if it could be read.
    pub credentials: Option<&'a SecretData>,
    /// From the HostedControlPlane's status, once reported.
    pub api_endpoint: Option<&'a ApiEndpoint>,
    /// What the platform does without `credentials`: the operator fails, `render` uses
    /// placeholders.
    pub missing_secrets: MissingSecrets,
    /// The operator's platform settings (`render` uses the defaults).
    pub settings: &'a PlatformSettings,
    /// The `cluster.x-k8s.io` version CAPI objects are written in (the one the server stores).
    pub capi: capi::CapiVersion,
    /// What the live control-plane object reports ([`ControlPlane::observe`]), once it exists.
    pub control_plane_status: Option<&'a ControlPlaneStatus>,
    /// Secrets of the control-plane namespace the backend reads: those
    /// [`ControlPlane::input_secrets`] names and the kubeconfig Secret of
    /// `control_plane_status`, as far as they exist.
    pub control_plane_secrets: &'a [SecretData],
    /// Bootstrap tokens by NodePool name: read back from the Secrets built earlier, or
    /// generated once by the operator; `render` passes none and gets placeholders.
    pub bootstrap_tokens: &'a BootstrapTokens,
    /// The serving certificate of the per-namespace CAPI manager's webhooks
    /// ([`capi::webhook_tls`]): read back from its Secret, or generated (and rotated) by the
    /// operator; `render` passes none and gets placeholders.
    pub capi_webhook_tls: Option<&'a capi::webhook_tls::ServingCert>,
}

/// The objects for one NodePool, or why they could not be built. A broken pool must not stop
/// the rest of the cluster, so each pool carries its own result.
#[derive(Debug)]
pub struct NodePoolDesired {
    /// The NodePool's name.
    pub name: String,
    /// Its objects (template, then MachineDeployment; none for a platform without templates),
    /// or why they could not be built. The operator neither applies nor prunes a failed pool.
    pub result: Result<Vec<DesiredObject>, PlatformError>,
}

/// What [`build`] returns: every object of one hosted cluster, built, not yet applied.
#[derive(Debug)]
pub struct DesiredState {
    /// `<namespace>-<name>` of the HostedCluster: where everything but the namespace lives.
    pub control_plane_namespace: String,
    /// Cluster-level objects in apply order (namespace first).
    pub cluster_objects: Vec<DesiredObject>,
    /// One entry per NodePool, in input order.
    pub node_pools: Vec<NodePoolDesired>,
    /// Non-fatal findings of the platform (deprecated input, defaults filled in).
    pub warnings: Vec<String>,
}

impl DesiredState {
    /// Every successfully built object, in apply order.
    pub fn objects(&self) -> impl Iterator<Item = &DesiredObject> {
        self.cluster_objects.iter().chain(
            self.node_pools
                .iter()
                .filter_map(|p| p.result.as_ref().ok())
                .flatten(),
        )
    }

    /// Makes `owner` (the applied control-plane object) the owner of every object in the
    /// control-plane namespace: all but the owner, the kubeconfig copy (owner references cannot
    /// cross namespaces) and the cluster-scoped objects (the namespace itself, a provider's
    /// ClusterRole and binding), which the operator deletes by label.
    pub fn set_owner(&mut self, owner: &OwnerReference) {
        let pools = self
            .node_pools
            .iter_mut()
            .filter_map(|p| p.result.as_mut().ok())
            .flatten();
        for obj in self.cluster_objects.iter_mut().chain(pools) {
            if !matches!(
                obj.role,
                Role::Namespace | Role::ControlPlane | Role::AdminKubeconfig
            ) {
                obj.set_owner(owner);
            }
        }
    }

    /// Every NodePool that failed to build, by name.
    pub fn node_pool_errors(&self) -> impl Iterator<Item = (&str, &PlatformError)> {
        self.node_pools
            .iter()
            .filter_map(|p| p.result.as_ref().err().map(|e| (p.name.as_str(), e)))
    }
}

/// Why nothing of a cluster could be built. (A failing NodePool is not a `BuildError`: it is
/// reported in its [`NodePoolDesired`] and the rest is built.)
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The generic, the platform's or the control-plane backend's checks rejected the
    /// HostedCluster.
    #[error("HostedCluster {name} is invalid:\n{errors}")]
    InvalidHostedCluster {
        /// `<namespace>/<name>` of the HostedCluster.
        name: String,
        /// Every invalid field, generic ones first.
        errors: FieldErrors,
    },
    /// A platform builder failed (credentials, or a bug in the platform crate).
    #[error(transparent)]
    Platform(#[from] PlatformError),
}

impl BuildError {
    /// Stable short name: metric label and Event reason.
    pub fn reason(&self) -> &'static str {
        match self {
            BuildError::InvalidHostedCluster { .. } => "InvalidHostedCluster",
            BuildError::Platform(e) => e.reason(),
        }
    }
}

/// Builds the full desired state of one hosted cluster with its platform and control-plane
/// backend.
///
/// The order of the [`Platform`] and [`ControlPlane`] calls and what each may return are
/// described on the traits. Objects come in apply order: the namespace, the backend's
/// control-plane object and extras, credentials, the infrastructure cluster, the CAPI
/// Cluster, the per-namespace CAPI manager (its webhook certificate first) and provider, the
/// admin kubeconfig copy; per NodePool the machine
/// template, the bootstrap objects and the MachineDeployment. Every object gets the
/// cluster's labels and annotations ([`labels`]) and, unless it is cluster-scoped
/// ([`DesiredObject::cluster_scoped`]) or has one, the control-plane namespace. No owner is set: the operator sets the applied control-plane object as owner
/// with [`DesiredState::set_owner`].
///
/// # Errors
/// [`BuildError::InvalidHostedCluster`] when the HostedCluster fails validation,
/// [`BuildError::Platform`] when a cluster-level platform or backend builder fails.
pub fn build(
    inputs: &ClusterInputs<'_>,
    platform: &dyn Platform,
    control_plane: &dyn ControlPlane,
) -> Result<DesiredState, BuildError> {
    let hc = inputs.hosted_cluster;
    let mut errors = FieldErrors::default();
    if let Err(e) = validate::hosted_cluster(hc) {
        errors.extend(e);
    }
    if let Err(e) = platform.validate_hosted_cluster(hc) {
        errors.extend(e);
    }
    if let Err(e) = control_plane.validate(hc) {
        errors.extend(e);
    }
    if !errors.is_empty() {
        let name = format!(
            "{}/{}",
            hc.metadata.namespace.as_deref().unwrap_or_default(),
            hc.metadata.name.as_deref().unwrap_or_default()
        );
        return Err(BuildError::InvalidHostedCluster { name, errors });
    }

    let namespace = hc.control_plane_namespace();
    let warnings = Warnings::default();
    let ctx = ClusterContext {
        hosted_cluster: hc,
        control_plane_namespace: &namespace,
        api_endpoint: inputs.api_endpoint,
        credentials: inputs.credentials,
        missing_secrets: inputs.missing_secrets,
        settings: inputs.settings,
        capi: inputs.capi,
        warnings: &warnings,
        provider_scope: control_plane.provider_scope(),
        control_plane_status: inputs.control_plane_status,
        control_plane_secrets: inputs.control_plane_secrets,
        bootstrap_tokens: inputs.bootstrap_tokens,
    };

    let mut objects = vec![control_plane::namespace(&namespace)];
    objects.extend(control_plane::objects(control_plane, &ctx, platform)?);
    // Placeholders (render without the user's Secret) hold nothing secret and stay visible.
    let sensitive = inputs.credentials.is_some();
    let credentials = platform.credentials(&ctx)?;
    let credentials_hash = provider::credentials_hash(&credentials);
    for s in credentials {
        objects.push(DesiredObject::typed(Role::Credentials, &s).sensitive_if(sensitive));
    }
    for s in platform.secret_encryption(&ctx)? {
        objects.push(DesiredObject::typed(Role::SecretEncryption, &s).sensitive_if(sensitive));
    }
    let infra = platform
        .infra_cr(&ctx)?
        .map(|o| DesiredObject::dynamic(Role::InfraCluster, o))
        .transpose()
        .map_err(|e| PlatformError::Bug(format!("infrastructure object: {e}")))?;
    let capi_cluster = capi::cluster(
        inputs.capi,
        hc,
        &namespace,
        &control_plane.control_plane_ref(hc),
        infra.as_ref(),
        inputs.api_endpoint,
    );
    objects.extend(infra);
    objects.push(capi_cluster);
    if !machine_management_disabled(hc) && ctx.provider_scope == ProviderScope::PerNamespace {
        // The CAPI core manager of this namespace comes before the infrastructure provider,
        // as HyperShift runs it (also with no provider: it reconciles the MachineDeployments).
        // Its webhook certificate comes first: the manager exits without it.
        objects.push(capi::webhook_tls::secret(
            &namespace,
            inputs.capi_webhook_tls,
        ));
        objects.extend(capi::manager::manager_objects(
            inputs.capi,
            &namespace,
            inputs.settings.capi_manager_image.as_deref(),
        ));
        if let Some(spec) = platform.capi_provider_deployment_spec(&ctx)? {
            objects.extend(provider::provider_objects(
                &namespace,
                provider::ProviderParts {
                    spec,
                    rules: platform.capi_provider_policy_rules(),
                    cluster_rules: platform.capi_provider_cluster_policy_rules(),
                    credentials_hash,
                },
            ));
        }
    }
    objects.extend(kubeconfig::admin_kubeconfig(&ctx));

    let node_pools = inputs
        .node_pools
        .iter()
        .map(|np| {
            let name = np.metadata.name.clone().unwrap_or_default();
            let result = validate::node_pool(hc, np)
                .and_then(|_| control_plane.validate_node_pool(np))
                .map_err(PlatformError::Invalid)
                .and_then(|_| {
                    node_pool::objects(
                        platform,
                        control_plane,
                        &NodePoolContext {
                            cluster: &ctx,
                            node_pool: np,
                        },
                    )
                });
            NodePoolDesired { name, result }
        })
        .collect::<Vec<_>>();

    let mut state = DesiredState {
        control_plane_namespace: namespace,
        cluster_objects: objects,
        node_pools,
        warnings: warnings.take(),
    };
    finish(&mut state, hc);
    Ok(state)
}

/// Common metadata on every object: namespace, labels, annotations. The owner is set later
/// ([`DesiredState::set_owner`]), once the control-plane object exists.
fn finish(state: &mut DesiredState, hc: &HostedCluster) {
    let labels = labels::cluster_labels(hc);
    let annotations = labels::cluster_annotations(hc);
    let ns = state.control_plane_namespace.clone();
    let pools = state
        .node_pools
        .iter_mut()
        .filter_map(|p| p.result.as_mut().ok())
        .flatten();
    for obj in state.cluster_objects.iter_mut().chain(pools) {
        obj.stamp(&labels, &annotations);
        if obj.cluster_scoped {
            continue;
        }
        obj.object
            .metadata
            .namespace
            .get_or_insert_with(|| ns.clone());
    }
}

/// Whether the HostedCluster opts out of machine management
/// ([`DISABLE_MACHINE_MANAGEMENT_ANNOTATION`](labels::DISABLE_MACHINE_MANAGEMENT_ANNOTATION)):
/// then no CAPI provider is deployed, and someone else manages the machines.
pub fn machine_management_disabled(hc: &HostedCluster) -> bool {
    hc.metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(labels::DISABLE_MACHINE_MANAGEMENT_ANNOTATION))
}
