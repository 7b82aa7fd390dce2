//! Which `cluster.x-k8s.io` API version CAPI objects are written in.

use super::CAPI_GROUP;
use kube::api::{ApiResource, GroupVersionKind};

/// The `cluster.x-k8s.io` API version CAPI objects are written in.
///
/// A real API server converts a write to the CRD's storage version and prunes what that
/// version's schema lacks, so we write the version it stores: v1beta2 where it is served
/// (CAPI 1.11 and later store it), v1beta1 for older CAPI (1.10 stores v1beta1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CapiVersion {
    /// CAPI ≤ 1.10: references are `{apiVersion, kind, namespace, name}`.
    V1Beta1,
    /// CAPI ≥ 1.11: references are `{apiGroup, kind, name}`.
    #[default]
    V1Beta2,
}

impl CapiVersion {
    /// Every version, oldest first.
    pub const ALL: [CapiVersion; 2] = [CapiVersion::V1Beta1, CapiVersion::V1Beta2];

    /// `v1beta1` or `v1beta2`.
    pub fn as_str(self) -> &'static str {
        match self {
            CapiVersion::V1Beta1 => "v1beta1",
            CapiVersion::V1Beta2 => "v1beta2",
        }
    }

    /// `cluster.x-k8s.io/<version>`.
    pub fn api_version(self) -> String {
        format!("{CAPI_GROUP}/{}", self.as_str())
    }

    /// The API resource of a `cluster.x-k8s.io` kind in this version.
    pub fn resource(self, kind: &str) -> ApiResource {
        ApiResource::from_gvk(&GroupVersionKind::gvk(CAPI_GROUP, self.as_str(), kind))
    }

    /// The CAPI releases that store this version, for messages.
    pub fn capi_releases(self) -> &'static str {
        match self {
            CapiVersion::V1Beta1 => "CAPI 1.10 and older",
            CapiVersion::V1Beta2 => "CAPI 1.11 and newer",
        }
    }

    /// The newest version in `served` (versions of the `cluster.x-k8s.io` group the server
    /// serves), or `None` when CAPI is not installed.
    pub fn newest_served<'a>(served: impl IntoIterator<Item = &'a str>) -> Option<CapiVersion> {
        served.into_iter().filter_map(|v| v.parse().ok()).max()
    }
}

impl std::fmt::Display for CapiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for CapiVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "v1beta1" => Ok(CapiVersion::V1Beta1),
            "v1beta2" => Ok(CapiVersion::V1Beta2),
            other => Err(format!(
                "unknown CAPI API version {other:?}; use v1beta1 (CAPI 1.10 and older) or v1beta2 (CAPI 1.11 and newer)"
            )),
        }
    }
}
