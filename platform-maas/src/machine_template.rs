//! The MaasMachineTemplate of a NodePool. CAPMAAS makes image, minCPU and minMemory immutable;
//! platform-api names templates after a hash of the spec, so a change rolls a new template.

use crate::infra::INFRA_API_VERSION;
use crate::spec::{DEFAULT_MIN_CPU, DEFAULT_MIN_MEMORY_MIB, MaasNodePoolPlatform};
use kube::api::DynamicObject;
use serde_json::{Value, json};

/// Tags a pool's machines must carry: the machine type first, then the pool's tags, no repeats.
pub fn tag_constraints(pool: &MaasNodePoolPlatform) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for t in pool.machine_type.iter().chain(pool.tags.iter()) {
        if !t.is_empty() && !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    tags
}

/// Builds the template; `zone` is the resolved failure domain (pool, cluster or legacy Secret).
/// The caller has checked that an image is set.
pub fn maas_machine_template(
    pool: &MaasNodePoolPlatform,
    image: &str,
    zone: Option<&str>,
) -> DynamicObject {
    let mut spec = json!({
        "image": image,
        "minCPU": pool.min_cpu.unwrap_or(DEFAULT_MIN_CPU),
        "minMemory": pool.min_memory.unwrap_or(DEFAULT_MIN_MEMORY_MIB),
    });
    let tags = tag_constraints(pool);
    if !tags.is_empty() {
        spec["tags"] = json!(tags);
    }
    if let Some(pool_name) = pool.resource_pool.as_deref().filter(|p| !p.is_empty()) {
        spec["resourcePool"] = json!(pool_name);
    }
    if let Some(z) = zone {
        spec["failureDomain"] = json!(z);
    }
    if let Some(d) = pool.min_disk_size {
        spec["minDiskSize"] = json!(d);
    }
    if let Some(lxd) = pool.lxd.as_ref().filter(|l| l.enabled) {
        let mut vm = serde_json::Map::new();
        if let Some(a) = lxd.auto_start {
            vm.insert("autoStart".into(), json!(a));
        }
        if let Some(d) = lxd.disk_size {
            vm.insert("diskSize".into(), json!(d));
        }
        if let Some(p) = &lxd.storage_pool {
            vm.insert("storagePool".into(), json!(p));
        }
        if let Some(n) = &lxd.network {
            vm.insert("network".into(), json!(n));
        }
        spec["lxd"] = json!({ "enabled": true, "vmConfig": Value::Object(vm) });
    }
    serde_json::from_value(json!({
        "apiVersion": INFRA_API_VERSION,
        "kind": "MaasMachineTemplate",
        "metadata": {},
        "spec": { "template": { "spec": spec } },
    }))
    .expect("static MaasMachineTemplate shape")
}
