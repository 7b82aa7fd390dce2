//! MAAS-specific checks. Paths start at the object root; messages say how to fix.

use crate::lxd;
use crate::spec::{MAX_TAGS, MaasLxdMachine, MaasNodePoolPlatform, MaasPlatformSpec};
use platform_api::api::{HostedCluster, NodePool};
use platform_api::desired::validate::{is_dns_domain, is_dns1123_subdomain};
use platform_api::platform::{FieldError, FieldErrors};

pub const HC_SECTION: &str = "spec.platform.maas";

/// The cluster's MAAS section, or the errors that stop us from reading it.
pub fn cluster_spec(hc: &HostedCluster) -> Result<MaasPlatformSpec, FieldErrors> {
    match hc.spec.platform.get::<MaasPlatformSpec>() {
        Ok(Some(spec)) => Ok(spec),
        Ok(None) => Err(FieldErrors(vec![FieldError::new(
            HC_SECTION,
            "is required when spec.platform.type is MAAS",
            "add spec.platform.maas.identityRef.name naming the MAAS credentials Secret",
        )])),
        Err(e) => Err(FieldErrors(vec![FieldError::new(
            format!("{HC_SECTION}{}", e.at),
            e.source.to_string(),
            "fix the field named in the message",
        )])),
    }
}

/// The pool's MAAS section (absent means all defaults).
pub fn pool_spec(np: &NodePool) -> Result<MaasNodePoolPlatform, FieldErrors> {
    np.spec
        .platform
        .get::<MaasNodePoolPlatform>()
        .map(Option::unwrap_or_default)
        .map_err(|e| {
            FieldErrors(vec![FieldError::new(
                format!("{HC_SECTION}{}", e.at),
                e.source.to_string(),
                "fix the field named in the message",
            )])
        })
}

pub fn hosted_cluster(hc: &HostedCluster) -> Result<(), FieldErrors> {
    let spec = cluster_spec(hc)?;
    let mut errors = FieldErrors::default();
    let name = &spec.identity_ref.name;
    if name.is_empty() || !is_dns1123_subdomain(name) {
        errors.push(FieldError::new(
            "spec.platform.maas.identityRef.name",
            format!("{name:?} is not a Secret name"),
            "name the Secret holding MAAS_ENDPOINT and MAAS_API_KEY (--credentials-name)",
        ));
    }
    if let Some(d) = spec.dns_domain.as_deref() {
        if !is_dns_domain(d) {
            errors.push(FieldError::new(
                "spec.platform.maas.dnsDomain",
                format!("{d:?} is not a DNS domain"),
                "use e.g. maas.local",
            ));
        }
    }
    if let Some(z) = spec.zone.as_deref() {
        check_maas_name("spec.platform.maas.zone", z, &mut errors);
    }
    let annotation = crate::provider::PROVIDER_IMAGE_ANNOTATION;
    if let Some(image) = hc
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(annotation))
    {
        if let Some(why) = platform_api::desired::syntax::image_problem(image) {
            errors.push(FieldError::new(
                format!("metadata.annotations[{annotation}]"),
                why,
                "give the CAPMAAS image, e.g. ghcr.io/spectrocloud/cluster-api-provider-maas:v0.6.1, or remove the annotation",
            ));
        }
    }
    errors.into_result()
}

/// MAAS names (zones, pools, tags) are letters, digits, `-` and `_`; CAPMAAS joins tags with
/// commas, so a comma would silently split one tag into two.
fn check_maas_name(path: &str, value: &str, errors: &mut FieldErrors) {
    let ok = !value.is_empty()
        && value.len() <= 255
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if !ok {
        errors.push(FieldError::new(
            path,
            format!("{value:?} is not a valid MAAS name"),
            "use letters, digits, '-', '_' or '.'",
        ));
    }
}

pub fn node_pool(hc: &HostedCluster, np: &NodePool) -> Result<(), FieldErrors> {
    let pool = pool_spec(np)?;
    let mut errors = FieldErrors::default();
    let p = "spec.platform.maas";
    if np.desired_replicas() > 0 && pool.image.as_deref().is_none_or(str::is_empty) {
        errors.push(FieldError::new(
            format!("{p}.image"),
            format!(
                "is required because the pool wants {} machine(s)",
                np.desired_replicas()
            ),
            "set the MAAS image to deploy, e.g. ubuntu/jammy (--maas-image)",
        ));
    }
    if let Some(c) = pool.min_cpu.filter(|c| *c < 1) {
        errors.push(FieldError::new(
            format!("{p}.minCpu"),
            format!("is {c}"),
            "use at least 1 (--min-cpu)",
        ));
    }
    if let Some(m) = pool.min_memory.filter(|m| *m < 1024) {
        errors.push(FieldError::new(
            format!("{p}.minMemory"),
            format!("is {m} MiB"),
            "use at least 1024 MiB (--min-memory)",
        ));
    }
    if let Some(d) = pool.min_disk_size.filter(|d| *d < 0) {
        errors.push(FieldError::new(
            format!("{p}.minDiskSize"),
            format!("is {d}"),
            "use 0 or more GB",
        ));
    }
    if pool.tags.len() > MAX_TAGS {
        errors.push(FieldError::new(
            format!("{p}.tags"),
            format!("has {} tags", pool.tags.len()),
            format!("use at most {MAX_TAGS} tags (--tags)"),
        ));
    }
    for (i, t) in pool.tags.iter().enumerate() {
        check_maas_name(&format!("{p}.tags[{i}]"), t, &mut errors);
    }
    if let Some(t) = pool.machine_type.as_deref() {
        check_maas_name(&format!("{p}.machineType"), t, &mut errors);
    }
    if let Some(z) = pool.zone.as_deref() {
        check_maas_name(&format!("{p}.zone"), z, &mut errors);
    }
    if let Some(r) = pool.resource_pool.as_deref() {
        check_maas_name(&format!("{p}.resourcePool"), r, &mut errors);
    }
    if let Some(fd) = pool.failure_domain.as_deref() {
        check_maas_name(&format!("{p}.failureDomain"), fd, &mut errors);
    }
    // MAAS image names are `os/series` or a custom name: no whitespace or control characters.
    if let Some(image) = pool.image.as_deref().filter(|i| !i.is_empty()) {
        if image.chars().any(|c| c.is_whitespace() || c.is_control()) {
            errors.push(FieldError::new(
                format!("{p}.image"),
                format!("{image:?} contains whitespace"),
                "use a MAAS image name such as ubuntu/jammy (--maas-image)",
            ));
        }
    }
    if let (Some(z), Some(fd)) = (pool.zone.as_deref(), pool.failure_domain.as_deref()) {
        if z != fd {
            errors.push(FieldError::new(
                format!("{p}.failureDomain"),
                format!("is {fd:?} but zone is {z:?}; for MAAS the failure domain is the zone"),
                "set only one of zone and failureDomain, or make them equal",
            ));
        }
    }
    if let Some(lxd) = &pool.lxd {
        lxd_checks(&pool, lxd, &mut errors);
    }
    if let (Some(r), Ok(spec)) = (pool.identity_ref.as_ref(), cluster_spec(hc)) {
        if r.name != spec.identity_ref.name {
            errors.push(FieldError::new(
                format!("{p}.identityRef.name"),
                format!(
                    "is {:?} but the HostedCluster uses {:?}",
                    r.name, spec.identity_ref.name
                ),
                "remove it, or name the HostedCluster's credentials Secret",
            ));
        }
    }
    errors.into_result()
}

/// `spec.platform.maas.lxd`: a positive disk size, LXD names, and no tag only bare metal has.
fn lxd_checks(pool: &MaasNodePoolPlatform, lxd: &MaasLxdMachine, errors: &mut FieldErrors) {
    let p = "spec.platform.maas.lxd";
    if let Some(d) = lxd.disk_size.filter(|d| *d < 1) {
        errors.push(FieldError::new(
            format!("{p}.diskSize"),
            format!("is {d}"),
            "use a positive number of GB, e.g. 60 (--lxd-disk-size)",
        ));
    }
    let names = [
        ("storagePool", lxd.storage_pool.as_deref(), lxd::NAME_MAX),
        ("network", lxd.network.as_deref(), lxd::NETWORK_NAME_MAX),
    ];
    for (field, value, max) in names {
        if let Some(reason) = value.and_then(|v| lxd::check_name(v, max).err()) {
            errors.push(FieldError::new(
                format!("{p}.{field}"),
                format!("is not an LXD name: {reason}"),
                "name an existing LXD storage pool or network (`lxc storage list`, `lxc network list`)",
            ));
        }
    }
    if !lxd.enabled {
        return;
    }
    let tagged = pool
        .machine_type
        .iter()
        .map(|t| ("spec.platform.maas.machineType".to_string(), t))
        .chain(
            pool.tags
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("spec.platform.maas.tags[{i}]"), t)),
        );
    for (path, tag) in tagged.filter(|(_, t)| lxd::is_bare_metal_only(t)) {
        errors.push(FieldError::new(
            path,
            format!(
                "{tag:?} only matches bare-metal machines, but lxd.enabled composes LXD VMs, so no machine could ever match"
            ),
            "remove the tag, or set spec.platform.maas.lxd.enabled to false for bare metal",
        ));
    }
}
