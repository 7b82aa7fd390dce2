//! Checks every platform shares. Platform-specific checks live in each platform's
//! `validate_*` methods. Messages name the field and the fix.

use crate::api::{HostedCluster, NodePool};
use crate::platform::{FieldError, FieldErrors};

/// DNS-1123 label: lowercase letters, digits and `-`, starting and ending alphanumeric, ≤ 63.
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

/// DNS-1123 subdomain: dot-separated labels, ≤ 253.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// A DNS domain such as `example.com` (letters allowed in either case, as HyperShift accepts).
pub fn is_dns_domain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// The fix for an invalid name, shared by every check of a DNS-label name.
pub const NAME_FIX: &str = "use lowercase letters, digits and '-', starting and ending with a letter or digit (at most 63)";

/// Records an error at `path` unless `value` is a DNS-1123 label (what namespaces and most
/// generated object names must be).
pub fn check_name(path: &str, value: &str, errors: &mut FieldErrors) {
    if !is_dns1123_label(value) {
        errors.push(FieldError::new(
            path,
            format!("{value:?} is not a valid name"),
            NAME_FIX,
        ));
    }
}

/// Checks the HostedCluster fields every platform relies on.
pub fn hosted_cluster(hc: &HostedCluster) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = hc.metadata.name.as_deref().unwrap_or_default();
    let ns = hc.metadata.namespace.as_deref().unwrap_or_default();
    check_name("metadata.name", name, &mut errors);
    check_name("metadata.namespace", ns, &mut errors);
    let cp_ns = hc.control_plane_namespace();
    if is_dns1123_label(name) && is_dns1123_label(ns) && cp_ns.len() > 63 {
        errors.push(FieldError::new(
            "metadata.name",
            format!("the control-plane namespace {cp_ns:?} would be longer than 63 characters"),
            "shorten the cluster name or its namespace",
        ));
    }
    if hc.spec.release.image.trim().is_empty() {
        errors.push(FieldError::new(
            "spec.release.image",
            "is empty",
            "set the OpenShift release image (--release-image)",
        ));
    }
    if hc.spec.pull_secret.name.is_empty() {
        errors.push(FieldError::new(
            "spec.pullSecret.name",
            "is empty",
            "name the Secret that holds the pull secret (--pull-secret)",
        ));
    }
    if let Some(id) = hc.spec.infra_id.as_deref().filter(|s| !s.is_empty()) {
        if !is_dns1123_subdomain(id) || id.contains('.') {
            errors.push(FieldError::new(
                "spec.infraID",
                format!("{id:?} is not a valid infrastructure ID"),
                NAME_FIX,
            ));
        }
    }
    let base = &hc.spec.dns.base_domain;
    if !base.is_empty() && !is_dns_domain(base) {
        errors.push(FieldError::new(
            "spec.dns.baseDomain",
            format!("{base:?} is not a DNS domain"),
            "use a domain such as example.com",
        ));
    }
    if hc.spec.additional_trust_bundle.is_some() {
        errors.push(FieldError::new(
            "spec.additionalTrustBundle",
            "is not supported yet",
            "remove it; the CRD refuses it too",
        ));
    }
    if hc.spec.services.len() < 4 {
        errors.push(FieldError::new(
            "spec.services",
            format!("has {} entries; APIServer, OAuthServer, Konnectivity and Ignition must be published", hc.spec.services.len()),
            "add a publishing strategy for each service",
        ));
    }
    errors.into_result()
}

/// Checks the NodePool fields every platform relies on.
pub fn node_pool(hc: &HostedCluster, np: &NodePool) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    check_name(
        "metadata.name",
        np.metadata.name.as_deref().unwrap_or_default(),
        &mut errors,
    );
    let hc_name = hc.metadata.name.as_deref().unwrap_or_default();
    if np.spec.cluster_name != hc_name {
        errors.push(FieldError::new(
            "spec.clusterName",
            format!(
                "is {:?} but this pool is being built for HostedCluster {hc_name:?}",
                np.spec.cluster_name
            ),
            "set spec.clusterName to the HostedCluster's name",
        ));
    }
    if np.spec.release.image.trim().is_empty() {
        errors.push(FieldError::new(
            "spec.release.image",
            "is empty",
            "set the OpenShift release image",
        ));
    }
    if let Some(r) = np.spec.replicas.filter(|r| *r < 0) {
        errors.push(FieldError::new(
            "spec.replicas",
            format!("is {r}"),
            "use 0 or more",
        ));
    }
    if let Some(a) = np.spec.auto_scaling {
        if np.spec.replicas.is_some() {
            errors.push(FieldError::new(
                "spec.autoScaling",
                "is set together with spec.replicas",
                "set one of them",
            ));
        }
        if a.min < 1 || a.max < a.min {
            errors.push(FieldError::new(
                "spec.autoScaling",
                format!("min {} max {}", a.min, a.max),
                "use 1 <= min <= max",
            ));
        }
    }
    unsupported_pool_fields(np, &mut errors);
    for (path, value) in [
        ("spec.nodeDrainTimeout", &np.spec.node_drain_timeout),
        (
            "spec.nodeVolumeDetachTimeout",
            &np.spec.node_volume_detach_timeout,
        ),
    ] {
        if let Some(Err(e)) = value.as_deref().map(super::capi::duration::timeout_seconds) {
            errors.push(FieldError::new(
                path,
                e,
                super::capi::machine_deployment::TIMEOUT_FIX,
            ));
        }
    }
    if np.spec.platform.type_ != hc.spec.platform.type_ {
        errors.push(FieldError::new(
            "spec.platform.type",
            format!(
                "is {:?} but the HostedCluster's is {:?}",
                np.spec.platform.type_, hc.spec.platform.type_
            ),
            "use the HostedCluster's platform type",
        ));
    }
    errors.into_result()
}

/// NodePool fields HyperShift has that no backend here implements: refused, as the CRD's rules
/// refuse them, instead of being parsed and dropped.
fn unsupported_pool_fields(np: &NodePool, errors: &mut FieldErrors) {
    const FIX: &str = "remove it; the CRD refuses it too";
    if let Some(a) = np.spec.auto_scaling.filter(|a| a.max > a.min) {
        errors.push(FieldError::new(
            "spec.autoScaling",
            format!(
                "max {} above min {} is not supported yet (no cluster autoscaler)",
                a.max, a.min
            ),
            "set min = max, or use spec.replicas",
        ));
    }
    if !np.spec.tuning_config.is_empty() {
        errors.push(FieldError::new(
            "spec.tuningConfig",
            "is not supported yet",
            FIX,
        ));
    }
    if np
        .spec
        .arch
        .is_some_and(|a| a != crate::api::node_pool::Arch::Amd64)
    {
        errors.push(FieldError::new(
            "spec.arch",
            "other than amd64 is not supported yet",
            FIX,
        ));
    }
    if np.spec.management.auto_repair == Some(true) {
        errors.push(FieldError::new(
            "spec.management.autoRepair",
            "is not supported yet (no MachineHealthCheck is created)",
            "set it to false or remove it",
        ));
    }
}
