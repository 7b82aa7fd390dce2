//! The simulated MAAS database. One `SimState` sits behind a mutex; every request runs to
//! completion under the lock, so requests are serialised like MAAS's locked transactions.

pub(crate) mod build;
pub(crate) mod catalog;
pub(crate) mod dns;
pub(crate) mod machines;
pub(crate) mod names;
pub(crate) mod vm_hosts;

use std::collections::HashMap;

use rand::rngs::StdRng;

use catalog::{BootResource, Pool, Tag, User, Zone};
use dns::{DnsResource, Domain, StaticIp};
use machines::Machine;
use vm_hosts::VmHost;

/// Next free ids for objects created at run time.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sequences {
    pub machine: u64,
    pub zone: u32,
    pub pool: u32,
    pub vm_host: u32,
    pub vm: u32,
    pub disk: u32,
    pub nic: u32,
    pub dns_resource: u32,
    pub static_ip: u32,
}

impl Sequences {
    pub fn next_machine(&mut self) -> u64 {
        self.machine += 1;
        self.machine
    }
    pub fn next_zone(&mut self) -> u32 {
        self.zone += 1;
        self.zone
    }
    pub fn next_pool(&mut self) -> u32 {
        self.pool += 1;
        self.pool
    }
    pub fn next_vm_host(&mut self) -> u32 {
        self.vm_host += 1;
        self.vm_host
    }
    pub fn next_vm(&mut self) -> u32 {
        self.vm += 1;
        self.vm
    }
    pub fn next_disk(&mut self) -> u32 {
        self.disk += 1;
        self.disk
    }
    pub fn next_nic(&mut self) -> u32 {
        self.nic += 1;
        self.nic
    }
    pub fn next_dns_resource(&mut self) -> u32 {
        self.dns_resource += 1;
        self.dns_resource
    }
    pub fn next_static_ip(&mut self) -> u32 {
        self.static_ip += 1;
        self.static_ip
    }
}

pub(crate) struct SimState {
    /// Name of the default domain (id 0), the domain of every machine.
    pub domain: String,
    /// All DNS domains, the default one first.
    pub domains: Vec<Domain>,
    /// Ordered by `id`.
    pub dns_resources: Vec<DnsResource>,
    /// Ordered by `id`.
    pub static_ips: Vec<StaticIp>,
    pub default_distro_series: String,
    pub zones: Vec<Zone>,
    pub pools: Vec<Pool>,
    pub tags: Vec<Tag>,
    pub boot_resources: Vec<BootResource>,
    pub users: Vec<User>,
    /// Ordered by `id`.
    pub machines: Vec<Machine>,
    /// Ordered by `id`.
    pub vm_hosts: Vec<VmHost>,
    /// OAuth nonces seen, keyed by (consumer, token, nonce), with their timestamp.
    pub nonces: HashMap<(String, String, String), i64>,
    pub seq: Sequences,
    pub rng: StdRng,
}

impl SimState {
    pub fn zone(&self, id: u32) -> Option<&Zone> {
        self.zones.iter().find(|z| z.id == id)
    }
    pub fn zone_named(&self, name: &str) -> Option<&Zone> {
        self.zones.iter().find(|z| z.name == name)
    }
    pub fn pool(&self, id: u32) -> Option<&Pool> {
        self.pools.iter().find(|p| p.id == id)
    }
    pub fn pool_named(&self, name: &str) -> Option<&Pool> {
        self.pools.iter().find(|p| p.name == name)
    }
    pub fn default_zone_id(&self) -> u32 {
        self.zone_named("default").map_or(1, |z| z.id)
    }
    pub fn default_pool_id(&self) -> u32 {
        self.pool_named("default").map_or(0, |p| p.id)
    }
    pub fn vm_host(&self, id: u32) -> Option<&VmHost> {
        self.vm_hosts.iter().find(|h| h.id == id)
    }
    pub fn machine(&self, system_id: &str) -> Option<&Machine> {
        self.machines.iter().find(|m| m.system_id == system_id)
    }
    pub fn machine_index(&self, system_id: &str) -> Option<usize> {
        self.machines.iter().position(|m| m.system_id == system_id)
    }
    pub fn domain_by_id(&self, id: u32) -> Option<&Domain> {
        self.domains.iter().find(|d| d.id == id)
    }
    pub fn user(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }
    pub fn hostname_taken(&self, hostname: &str) -> bool {
        self.machines.iter().any(|m| m.hostname == hostname)
    }

    /// Create a tag if it does not exist yet (MAAS `get_or_create`).
    pub fn ensure_tag(&mut self, name: &str, kernel_opts: &str) {
        if !self.tags.iter().any(|t| t.name == name) {
            self.tags.push(Tag {
                name: name.to_string(),
                comment: String::new(),
                definition: String::new(),
                kernel_opts: kernel_opts.to_string(),
            });
        }
    }

    /// A fresh system id.
    pub fn new_system_id(&mut self) -> String {
        let taken: Vec<String> = self.machines.iter().map(|m| m.system_id.clone()).collect();
        names::system_id(&mut self.rng, |id| taken.iter().any(|t| t == id))
    }

    /// A fresh two-word hostname.
    pub fn new_hostname(&mut self) -> String {
        let taken: Vec<String> = self.machines.iter().map(|m| m.hostname.clone()).collect();
        names::petname(&mut self.rng, |name| taken.iter().any(|t| t == name))
    }
}

/// The tag MAAS puts on every VM host and its VMs so their consoles are logged.
pub(crate) const CONSOLE_LOGGING_TAG: &str = "pod-console-logging";
pub(crate) const CONSOLE_LOGGING_KERNEL_OPTS: &str = "console=tty1 console=ttyS0";
