//! What a platform method is given. Everything here was read by the caller (the operator from the
//! API server, `render` from a file), so platform builders stay pure and testable.

use crate::api::{ApiEndpoint, HostedCluster, NodePool};
use crate::control_plane::{BootstrapTokens, ControlPlaneStatus, ProviderScope};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

/// The contents of a Secret. Values never appear in `Debug` output, so a context can be logged.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretData {
    /// Namespace the Secret was read from, for messages.
    pub namespace: String,
    /// Name of the Secret, for messages.
    pub name: String,
    /// Decoded values by key.
    pub data: BTreeMap<String, Vec<u8>>,
}

impl SecretData {
    /// An empty Secret; add keys with [`with`](Self::with).
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
            data: BTreeMap::new(),
        }
    }

    /// Adds (or replaces) a key, for building test inputs.
    pub fn with(mut self, key: &str, value: impl Into<Vec<u8>>) -> Self {
        self.data.insert(key.to_string(), value.into());
        self
    }

    /// A UTF-8 value with surrounding whitespace trimmed (a trailing newline from `echo` is common).
    /// `None` when absent or empty.
    pub fn text(&self, key: &str) -> Option<String> {
        let v = self.data.get(key)?;
        let s = String::from_utf8_lossy(v).trim().to_string();
        (!s.is_empty()).then_some(s)
    }

    /// From a `core/v1` Secret, merging `stringData` over `data` like the API server does.
    pub fn from_secret(secret: &k8s_openapi::api::core::v1::Secret) -> Self {
        let mut data: BTreeMap<String, Vec<u8>> = secret
            .data
            .iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.0.clone()))
            .collect();
        for (k, v) in secret.string_data.iter().flatten() {
            data.insert(k.clone(), v.clone().into_bytes());
        }
        Self {
            namespace: secret.metadata.namespace.clone().unwrap_or_default(),
            name: secret.metadata.name.clone().unwrap_or_default(),
            data,
        }
    }
}

impl fmt::Debug for SecretData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretData")
            .field("namespace", &self.namespace)
            .field("name", &self.name)
            .field("keys", &self.data.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// How to treat a referenced Secret that the caller could not provide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MissingSecrets {
    /// Missing credentials are an error (the operator reports a condition and waits).
    #[default]
    Fail,
    /// Emit clearly marked placeholder values (`render` without the Secret).
    Placeholder,
}

/// Settings that come from the operator's configuration rather than from a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlatformSettings {
    /// CAPI provider image by platform type, overriding each platform's built-in default.
    pub provider_images: BTreeMap<String, String>,
    /// Image of a control-plane backend's own component (e.g. HyperShift's control-plane
    /// operator) by backend name; a backend without one here (or in its per-cluster
    /// annotation) deploys no such component.
    pub control_plane_images: BTreeMap<String, String>,
    /// The backend of HostedClusters without the control-plane annotation (the operator's
    /// `--default-control-plane`); `None` uses the registry's declared default.
    pub default_control_plane: Option<String>,
    /// Image of the CAPI core manager run in each control-plane namespace of a per-namespace
    /// backend (the operator's `--capi-manager-image`); `None` runs
    /// [`manager::default_image`](crate::desired::capi::manager::default_image) of the CAPI
    /// version written.
    pub capi_manager_image: Option<String>,
}

impl PlatformSettings {
    /// Settings from `TYPE=IMAGE` entries, as the operator's `--default-provider-image` and
    /// `render --provider-image` take them (a later entry for a type wins). An entry without
    /// `=`, or with an empty type or image, is refused as `{flag} "<entry>" is not TYPE=IMAGE`.
    ///
    /// ```
    /// use platform_api::platform::PlatformSettings;
    /// let s = PlatformSettings::from_provider_images("--provider-image", ["MAAS=capmaas:v1"]).unwrap();
    /// assert_eq!(s.provider_images["MAAS"], "capmaas:v1");
    /// let e = PlatformSettings::from_provider_images("--provider-image", ["MAAS="]).unwrap_err();
    /// assert_eq!(e, r#"--provider-image "MAAS=" is not TYPE=IMAGE"#);
    /// ```
    pub fn from_provider_images<S: AsRef<str>>(
        flag: &str,
        entries: impl IntoIterator<Item = S>,
    ) -> Result<Self, String> {
        let mut settings = Self::default();
        for entry in entries {
            let entry = entry.as_ref();
            let (platform, image) = entry
                .split_once('=')
                .filter(|(t, i)| !t.is_empty() && !i.is_empty())
                .ok_or_else(|| format!("{flag} {entry:?} is not TYPE=IMAGE"))?;
            if let Some(why) = crate::desired::syntax::image_problem(image) {
                return Err(format!("{flag} {platform}: {why}"));
            }
            settings
                .provider_images
                .insert(platform.to_string(), image.to_string());
        }
        Ok(settings)
    }
}

/// Non-fatal findings collected while building (e.g. a deprecated field in use).
#[derive(Debug, Default)]
pub struct Warnings(Mutex<Vec<String>>);

impl Warnings {
    /// Records a finding; `build` returns it in
    /// [`DesiredState::warnings`](crate::desired::DesiredState::warnings), the operator logs it and `render` prints it.
    pub fn warn(&self, message: impl Into<String>) {
        self.0.lock().expect("warnings lock").push(message.into());
    }
    /// Removes and returns everything recorded so far.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().expect("warnings lock"))
    }
}

/// Input for cluster-scoped platform builders, built by `desired::build` from its
/// [`ClusterInputs`](crate::desired::ClusterInputs) once the HostedCluster is valid.
#[derive(Debug)]
pub struct ClusterContext<'a> {
    /// The HostedCluster being built (already validated).
    pub hosted_cluster: &'a HostedCluster,
    /// `<namespace>-<name>`: where every built object goes.
    pub control_plane_namespace: &'a str,
    /// The hosted API server's endpoint, once the control plane reports it.
    pub api_endpoint: Option<&'a ApiEndpoint>,
    /// The Secret named by the platform's credentials reference, if it could be read.
    pub credentials: Option<&'a SecretData>,
    /// What to do when `credentials` is `None`: fail (operator) or emit placeholders (`render`).
    pub missing_secrets: MissingSecrets,
    /// The operator's configuration (e.g. provider image overrides).
    pub settings: &'a PlatformSettings,
    /// The `cluster.x-k8s.io` version the CAPI objects are written in.
    pub capi: crate::desired::capi::CapiVersion,
    /// Where to record non-fatal findings (deprecated input, defaults filled in).
    pub warnings: &'a Warnings,
    /// Where the CAPI provider runs, as the control-plane backend decides: with
    /// [`ProviderScope::ClusterWide`] `build` deploys no provider per namespace.
    pub provider_scope: ProviderScope,
    /// What the live control-plane object reports, once it exists.
    pub control_plane_status: Option<&'a ControlPlaneStatus>,
    /// Secrets of the control-plane namespace the backend asked for
    /// ([`ControlPlane::input_secrets`](crate::control_plane::ControlPlane::input_secrets)) and
    /// the kubeconfig Secret the status names, those that exist.
    pub control_plane_secrets: &'a [SecretData],
    /// Bootstrap tokens by NodePool name, read or generated by the caller.
    pub bootstrap_tokens: &'a BootstrapTokens,
}

impl ClusterContext<'_> {
    /// A HostedCluster annotation, for per-cluster overrides (e.g. a provider image).
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.hosted_cluster
            .metadata
            .annotations
            .as_ref()?
            .get(key)
            .map(String::as_str)
    }

    /// A Secret of [`control_plane_secrets`](Self::control_plane_secrets) by name.
    pub fn control_plane_secret(&self, name: &str) -> Option<&SecretData> {
        self.control_plane_secrets.iter().find(|s| s.name == name)
    }
}

/// Input for node-pool builders: the cluster context plus the pool.
#[derive(Debug)]
pub struct NodePoolContext<'a> {
    /// The cluster the pool belongs to.
    pub cluster: &'a ClusterContext<'a>,
    /// The NodePool being built (its generic fields are already validated).
    pub node_pool: &'a NodePool,
}
