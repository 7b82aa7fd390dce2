//! Choosing the VM host a new VM goes to.
//!
//! MAAS composes on the host it is told to; picking one is the caller's
//! job. The checks mirror what MAAS will enforce (over-committed cores and
//! memory, free space in the named storage pool, architecture, the
//! `composable` capability), so a chosen host is one MAAS should accept,
//! and a refusal explains per host why nothing fits.

pub mod pool;

use std::collections::BTreeMap;
use std::fmt;

use crate::params::ComposeRequest;
use crate::types::VmHost;

/// How to pick among the hosts that fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlacementStrategy {
    /// The host with the most memory left after placing the VM, then the
    /// most cores; spreads load.
    #[default]
    MostFree,
    /// The fitting host with the lowest id; packs hosts in a fixed order.
    FirstFit,
}

/// Why one host was not chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub host_id: u64,
    pub host_name: String,
    pub reasons: Vec<String>,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "vm-host {} ({}): {}",
            self.host_id,
            self.host_name,
            self.reasons.join(", ")
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlacementError {
    #[error("no VM hosts to choose from; register one or relax the query")]
    NoHosts,
    #[error("no VM host fits {request}: {}", list(rejections))]
    NoFit {
        request: String,
        rejections: Vec<Rejection>,
    },
}

fn list(rejections: &[Rejection]) -> String {
    rejections
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Picks the host for `request`. Deterministic: the same hosts and request
/// give the same answer whatever order MAAS listed them in (ties go to the
/// lowest id).
pub fn choose_vm_host<'a>(
    hosts: &'a [VmHost],
    request: &ComposeRequest,
    strategy: PlacementStrategy,
) -> Result<&'a VmHost, PlacementError> {
    if hosts.is_empty() {
        return Err(PlacementError::NoHosts);
    }
    let mut fitting: Vec<(&VmHost, (u64, u64))> = Vec::new();
    let mut rejections = Vec::new();
    for host in hosts {
        let reasons = rejection_reasons(host, request);
        if reasons.is_empty() {
            let r = host.resources();
            let left = (
                r.memory.available - request.memory,
                r.cores.available - u64::from(request.cores),
            );
            fitting.push((host, left));
        } else {
            rejections.push(Rejection {
                host_id: host.id,
                host_name: host.name.clone(),
                reasons,
            });
        }
    }
    let best = match strategy {
        PlacementStrategy::FirstFit => fitting.into_iter().min_by_key(|(h, _)| h.id),
        PlacementStrategy::MostFree => fitting
            .into_iter()
            .max_by(|(a, a_left), (b, b_left)| a_left.cmp(b_left).then(b.id.cmp(&a.id))),
    };
    match best {
        Some((host, _)) => Ok(host),
        None => {
            rejections.sort_by_key(|r| r.host_id);
            Err(PlacementError::NoFit {
                request: describe(request),
                rejections,
            })
        }
    }
}

/// Every reason `host` cannot take `request`; empty when it can.
pub fn rejection_reasons(host: &VmHost, request: &ComposeRequest) -> Vec<String> {
    let mut reasons = Vec::new();
    if !host.capabilities.is_empty() && !host.has_capability("composable") {
        reasons.push("cannot compose VMs (no \"composable\" capability)".to_string());
    }
    if let Some(arch) = request.architecture.as_deref()
        && !host.architectures.is_empty()
        && !host
            .architectures
            .iter()
            .any(|a| a == arch || a.starts_with(&format!("{arch}/")))
    {
        reasons.push(format!(
            "architecture {arch} not offered (has {})",
            host.architectures.join(", ")
        ));
    }
    let r = host.resources();
    if r.cores.available < u64::from(request.cores) {
        reasons.push(format!(
            "needs {} cores, {} free of {} (over-commit {})",
            request.cores, r.cores.available, r.cores.overcommitted_total, r.cpu_over_commit_ratio
        ));
    }
    if r.memory.available < request.memory {
        reasons.push(format!(
            "needs {} MiB memory, {} MiB free of {} (over-commit {})",
            request.memory,
            r.memory.available,
            r.memory.overcommitted_total,
            r.memory_over_commit_ratio
        ));
    }
    reasons.extend(storage_reasons(host, request));
    reasons
}

fn storage_reasons(host: &VmHost, request: &ComposeRequest) -> Vec<String> {
    let r = host.resources();
    // Bytes wanted per pool; `None` is the host's default pool.
    let mut wanted: BTreeMap<Option<String>, u64> = BTreeMap::new();
    for disk in request.effective_storage() {
        *wanted.entry(disk.pool.clone()).or_default() += disk.size_bytes();
    }
    let mut reasons = Vec::new();
    for (pool, bytes) in wanted {
        let free = if r.storage_pools.is_empty() {
            // Hosts without pool reporting (old virsh) only give a total.
            if pool.is_some() {
                reasons.push(format!(
                    "reports no storage pools, so pool {:?} cannot be checked",
                    pool.unwrap_or_default()
                ));
                continue;
            }
            r.local_storage.available
        } else {
            let found = match &pool {
                Some(name) => r.storage_pool(name),
                None => r.default_storage_pool(),
            };
            match found {
                Some(p) => p.available,
                None => {
                    reasons.push(match pool {
                        Some(name) => format!("has no storage pool {name:?}"),
                        None => "has no default storage pool".to_string(),
                    });
                    continue;
                }
            }
        };
        if free < bytes {
            reasons.push(format!(
                "needs {} GB in storage pool {}, {} GB free",
                gb(bytes),
                pool.as_deref().unwrap_or("(default)"),
                gb(free)
            ));
        }
    }
    reasons
}

fn gb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1e9)
}

fn describe(request: &ComposeRequest) -> String {
    let storage = request
        .effective_storage()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    format!(
        "{} cores, {} MiB, storage {storage}",
        request.cores, request.memory
    )
}

#[cfg(test)]
mod tests;
