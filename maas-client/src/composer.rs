//! Composing one or more VMs on the best fitting hosts, falling back to the next fitting host
//! when MAAS refuses one for capacity (its view can be newer than our listing: another client
//! may have composed there meanwhile). Any other error stops at once: it is not about room, and
//! another host would not help.
//!
//! Requests: the caller lists the hosts once; each VM then costs one compose, plus one per
//! refusal. The capacity a compose takes is deducted from the listed host locally, so the next
//! VM is placed without listing again (N VMs, no refusals: N composes after the one listing).

use std::collections::BTreeSet;

use crate::params::ComposeRequest;
use crate::placement::{PlacementError, PlacementStrategy, choose_vm_host};
use crate::types::{ComposedMachine, VmHost};
use crate::{MaasClient, MaasError};

/// A host MAAS refused, with its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Host id.
    pub host_id: u64,
    /// Host name.
    pub host_name: String,
    /// MAAS's message.
    pub message: String,
}

/// Why a VM was not composed.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// No remaining host fits (refused hosts are left out).
    #[error("{error}{}", refused_text(refused))]
    NoFit {
        /// The placement verdict over the remaining hosts.
        error: PlacementError,
        /// Hosts MAAS refused during this run.
        refused: Vec<Refusal>,
    },
    /// MAAS failed for a reason other than capacity.
    #[error(transparent)]
    Maas(#[from] MaasError),
}

fn refused_text(refused: &[Refusal]) -> String {
    if refused.is_empty() {
        return String::new();
    }
    let list: Vec<String> = refused
        .iter()
        .map(|r| format!("vm-host {} ({}): {}", r.host_id, r.host_name, r.message))
        .collect();
    format!("; refused by MAAS: {}", list.join("; "))
}

/// One composed VM and where.
#[derive(Debug, Clone)]
pub struct Composed {
    /// The host it landed on (as listed, before this VM).
    pub host: VmHost,
    /// The new machine.
    pub machine: ComposedMachine,
}

/// Composes VMs over a listed set of hosts, keeping their capacity current locally.
#[derive(Debug)]
pub struct Composer {
    hosts: Vec<VmHost>,
    refused_ids: BTreeSet<u64>,
    /// Every refusal so far.
    pub refused: Vec<Refusal>,
}

impl Composer {
    /// Starts from `hosts` as listed by MAAS.
    pub fn new(hosts: Vec<VmHost>) -> Self {
        Self {
            hosts,
            refused_ids: BTreeSet::new(),
            refused: Vec::new(),
        }
    }

    /// Composes one VM on the best host that fits and has not refused, falling back host by
    /// host on capacity refusals.
    pub async fn compose(
        &mut self,
        client: &MaasClient,
        request: &ComposeRequest,
        strategy: PlacementStrategy,
    ) -> Result<Composed, ComposeError> {
        self.compose_with(client, request, &|_| request.clone(), strategy)
            .await
    }

    /// As [`Composer::compose`], but the request sent to a host is `for_host(host)` (e.g. with
    /// that host's zone and pool ids); placement uses `request`.
    pub async fn compose_with(
        &mut self,
        client: &MaasClient,
        request: &ComposeRequest,
        for_host: &(dyn Fn(&VmHost) -> ComposeRequest + Sync),
        strategy: PlacementStrategy,
    ) -> Result<Composed, ComposeError> {
        loop {
            let candidates: Vec<VmHost> = self
                .hosts
                .iter()
                .filter(|h| !self.refused_ids.contains(&h.id))
                .cloned()
                .collect();
            let host = match choose_vm_host(&candidates, request, strategy) {
                Ok(h) => h.clone(),
                Err(error) => {
                    return Err(ComposeError::NoFit {
                        error,
                        refused: self.refused.clone(),
                    });
                }
            };
            match client.compose(host.id, &for_host(&host)).await {
                Ok(machine) => {
                    if let Some(listed) = self.hosts.iter_mut().find(|h| h.id == host.id) {
                        reserve(listed, request);
                    }
                    return Ok(Composed { host, machine });
                }
                Err(MaasError::VmHostRefused { message, .. }) => {
                    self.refused_ids.insert(host.id);
                    self.refused.push(Refusal {
                        host_id: host.id,
                        host_name: host.name.clone(),
                        message,
                    });
                }
                Err(other) => return Err(ComposeError::Maas(other)),
            }
        }
    }
}

/// Counts a composed VM against the listed host, as MAAS will once it lists the host again.
fn reserve(host: &mut VmHost, request: &ComposeRequest) {
    host.used.cores += i64::from(request.cores);
    host.used.memory += i64::try_from(request.memory).unwrap_or(i64::MAX);
    for disk in request.effective_storage() {
        let bytes = i64::try_from(disk.size_bytes()).unwrap_or(i64::MAX);
        host.used.local_storage += bytes;
        let pool = host.storage_pools.iter_mut().find(|p| match &disk.pool {
            Some(name) => &p.name == name,
            None => p.default,
        });
        if let Some(p) = pool {
            p.used += bytes;
        }
    }
}
