//! What a VM host can still take, under over-commit.
//!
//! MAAS's REST API has no "resources" call, and its `available` block
//! ignores the over-commit ratios (it is plain `total - used`, negative on
//! an over-committed host). Placement needs the capacity MAAS will actually
//! accept, so it is computed here from `total`, `used` and the ratios.

use serde::Serialize;

use crate::types::VmHost;

/// One resource of a VM host. `overcommitted_total` is `total × ratio`
/// rounded down, as MAAS computes it; `available` is that minus `used`,
/// never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ResourceUsage {
    pub total: u64,
    pub used: u64,
    pub available: u64,
    pub overcommitted_total: u64,
}

impl ResourceUsage {
    pub(crate) fn new(total: i64, used: i64, ratio: f64) -> Self {
        let total = u64::try_from(total).unwrap_or(0);
        let used = u64::try_from(used).unwrap_or(0);
        let ratio = if ratio.is_finite() && ratio > 0.0 {
            ratio
        } else {
            1.0
        };
        // `as` saturates for floats, so a huge ratio cannot wrap.
        let overcommitted_total = (total as f64 * ratio).floor() as u64;
        Self {
            total,
            used,
            available: overcommitted_total.saturating_sub(used),
            overcommitted_total,
        }
    }
}

/// A storage pool of a VM host, in bytes. Storage is never over-committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoragePoolUsage {
    pub name: String,
    pub total: u64,
    pub used: u64,
    pub available: u64,
    pub default: bool,
}

/// The capacity view of one VM host.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VmHostResources {
    pub cores: ResourceUsage,
    /// MiB.
    pub memory: ResourceUsage,
    /// Bytes, over all storage pools.
    pub local_storage: ResourceUsage,
    pub storage_pools: Vec<StoragePoolUsage>,
    pub cpu_over_commit_ratio: f64,
    pub memory_over_commit_ratio: f64,
}

impl VmHostResources {
    pub fn storage_pool(&self, name: &str) -> Option<&StoragePoolUsage> {
        self.storage_pools.iter().find(|p| p.name == name)
    }

    pub fn default_storage_pool(&self) -> Option<&StoragePoolUsage> {
        self.storage_pools.iter().find(|p| p.default)
    }
}

impl VmHost {
    /// Capacity under the host's over-commit ratios.
    pub fn resources(&self) -> VmHostResources {
        let storage_pools = self
            .storage_pools
            .iter()
            .map(|p| {
                let usage = ResourceUsage::new(p.total, p.used, 1.0);
                StoragePoolUsage {
                    name: p.name.clone(),
                    total: usage.total,
                    used: usage.used,
                    available: usage.available,
                    default: p.default,
                }
            })
            .collect();
        VmHostResources {
            cores: ResourceUsage::new(
                self.total.cores,
                self.used.cores,
                self.cpu_over_commit_ratio,
            ),
            memory: ResourceUsage::new(
                self.total.memory,
                self.used.memory,
                self.memory_over_commit_ratio,
            ),
            local_storage: ResourceUsage::new(
                self.total.local_storage,
                self.used.local_storage,
                1.0,
            ),
            storage_pools,
            cpu_over_commit_ratio: self.cpu_over_commit_ratio,
            memory_over_commit_ratio: self.memory_over_commit_ratio,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_commit_scales_total_and_available() {
        let u = ResourceUsage::new(40, 36, 2.0);
        assert_eq!(
            u,
            ResourceUsage {
                total: 40,
                used: 36,
                available: 44,
                overcommitted_total: 80
            }
        );
        let u = ResourceUsage::new(16384, 8192, 1.5);
        assert_eq!((u.overcommitted_total, u.available), (24576, 16384));
    }

    #[test]
    fn rounds_down_like_maas_and_never_goes_negative() {
        assert_eq!(ResourceUsage::new(3, 0, 1.1).overcommitted_total, 3);
        assert_eq!(ResourceUsage::new(8, 12, 1.0).available, 0);
        assert_eq!(ResourceUsage::new(-5, -1, 1.0), ResourceUsage::default());
        assert_eq!(ResourceUsage::new(4, 0, 0.0).overcommitted_total, 4);
        assert_eq!(ResourceUsage::new(4, 0, f64::NAN).overcommitted_total, 4);
        assert_eq!(
            ResourceUsage::new(i64::MAX, 0, f64::MAX).overcommitted_total,
            u64::MAX
        );
    }
}
