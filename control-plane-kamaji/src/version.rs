//! The Kubernetes version of a kamaji cluster: HostedClusters carry an OpenShift release, which
//! says nothing about plain Kubernetes, so the version comes from an annotation.

use platform_api::api::HostedCluster;
use platform_api::platform::{FieldError, FieldErrors};

/// The annotation holding the Kubernetes version of the control plane and the nodes
/// (`v1.31.2` or `1.31.2`); `create cluster --kubernetes-version` sets it.
pub use platform_api::desired::labels::KUBERNETES_VERSION_ANNOTATION;

const PATH: &str = "metadata.annotations[hosted-cluster.io/kubernetes-version]";
const FIX: &str = "set the annotation hosted-cluster.io/kubernetes-version to a Kubernetes \
                   version such as v1.31.2 (create cluster --kubernetes-version does so)";

/// The cluster's Kubernetes version as Kamaji and CAPI write it: `vMAJOR.MINOR.PATCH`.
///
/// # Errors
/// A field error naming the annotation (and the flag that sets it) when it is missing or not a
/// version.
pub fn kubernetes_version(hc: &HostedCluster) -> Result<String, FieldErrors> {
    let value = hc
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(KUBERNETES_VERSION_ANNOTATION));
    let error = |message: String| FieldErrors(vec![FieldError::new(PATH, message, FIX)]);
    let Some(value) = value else {
        return Err(error(
            "the kamaji control plane needs a Kubernetes version and none is set".into(),
        ));
    };
    parse(value).ok_or_else(|| error(format!("{value:?} is not a Kubernetes version")))
}

/// `v1.31.2` from `v1.31.2` or `1.31.2`: three numbers, no pre-release (Kamaji pulls the
/// upstream images of exactly that tag).
fn parse(value: &str) -> Option<String> {
    let digits = value.strip_prefix('v').unwrap_or(value);
    let parts: Vec<&str> = digits.split('.').collect();
    let numeric = |p: &&str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
    (parts.len() == 3 && parts.iter().all(numeric) && parts[0] == "1").then(|| format!("v{digits}"))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn versions_are_normalised_and_junk_rejected() {
        assert_eq!(parse("v1.31.2").as_deref(), Some("v1.31.2"));
        assert_eq!(parse("1.30.10").as_deref(), Some("v1.30.10"));
        for bad in [
            "",
            "v1.31",
            "1.31.x",
            "4.19.0",
            "v1.31.2-rc.1",
            "latest",
            "v1..2",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
