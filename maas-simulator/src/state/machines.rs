//! Machines: their state, lifecycle transitions and the MAAS 3.7 machine JSON.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::{Value, json};

use super::SimState;
use crate::API;
use crate::status::MachineStatus;

#[derive(Clone, Debug)]
pub(crate) struct Disk {
    pub id: u32,
    pub name: String,
    /// Bytes.
    pub size: u64,
    pub tags: Vec<String>,
    /// Storage pool (by name) on the VM host, for VM disks.
    pub storage_pool: Option<String>,
    pub model: String,
    pub serial: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Nic {
    pub id: u32,
    pub name: String,
    pub mac: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Hardware {
    pub vendor: String,
    pub product: String,
    pub cpu_model: String,
}

/// A status change that completes once simulated time reaches `at`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pending {
    pub at: Instant,
    pub to: MachineStatus,
}

#[derive(Clone, Debug)]
pub(crate) struct Machine {
    /// Database id: orders listings, as MAAS orders by id.
    pub id: u64,
    pub system_id: String,
    pub hostname: String,
    pub description: String,
    pub status: MachineStatus,
    pub status_message: String,
    pub pending: Option<Pending>,
    pub owner: Option<String>,
    pub agent_name: String,
    pub architecture: String,
    pub cpu_count: u32,
    pub cpu_speed: u32,
    /// MiB.
    pub memory: u64,
    pub disks: Vec<Disk>,
    pub nics: Vec<Nic>,
    pub zone_id: u32,
    pub pool_id: u32,
    pub tags: Vec<String>,
    pub power_type: String,
    pub power_on: bool,
    pub osystem: String,
    pub distro_series: String,
    pub hwe_kernel: Option<String>,
    pub user_data: Option<Vec<u8>>,
    pub ip: Option<String>,
    pub locked: bool,
    pub owner_data: BTreeMap<String, String>,
    pub hardware: Hardware,
    /// VM host this machine is a VM on.
    pub vm_host_id: Option<u32>,
    pub virtualmachine_id: Option<u32>,
    /// Composed by `allocate`; MAAS decomposes such machines when they are released.
    pub dynamic: bool,
}

impl Machine {
    /// Total disk size in bytes.
    pub fn storage_bytes(&self) -> u64 {
        self.disks.iter().map(|d| d.size).sum()
    }

    pub fn set_status(&mut self, status: MachineStatus, message: impl Into<String>) {
        self.status = status;
        self.status_message = message.into();
        self.pending = None;
    }

    /// Enter `status` now and move on to `to` at `at`.
    pub fn set_status_until(
        &mut self,
        status: MachineStatus,
        message: &str,
        at: Instant,
        to: MachineStatus,
    ) {
        self.set_status(status, message);
        self.pending = Some(Pending { at, to });
    }

    /// Back to an unowned, powered-off `Ready` machine, as after a completed release.
    pub fn reset_to_ready(&mut self, message: &str) {
        self.set_status(MachineStatus::Ready, message);
        self.owner = None;
        self.agent_name.clear();
        self.osystem.clear();
        self.distro_series.clear();
        self.hwe_kernel = None;
        self.user_data = None;
        self.ip = None;
        self.power_on = false;
        self.owner_data.clear();
    }
}

/// The single network every machine sits on (MAAS's default fabric, untagged VLAN).
const SUBNET_CIDR: &str = "10.10.0.0/16";
const GATEWAY: &str = "10.10.0.1";

fn vlan_json() -> Value {
    json!({
        "vid": 0,
        "mtu": 1500,
        "dhcp_on": true,
        "external_dhcp": null,
        "relay_vlan": null,
        "id": 5001,
        "secondary_rack": null,
        "fabric": "fabric-0",
        "space": "undefined",
        "fabric_id": 0,
        "name": "untagged",
        "primary_rack": "rack01",
        "resource_uri": format!("{API}vlans/5001/"),
    })
}

fn subnet_json() -> Value {
    json!({
        "name": SUBNET_CIDR,
        "description": "",
        "vlan": vlan_json(),
        "cidr": SUBNET_CIDR,
        "rdns_mode": 2,
        "gateway_ip": GATEWAY,
        "dns_servers": [],
        "allow_dns": true,
        "allow_proxy": true,
        "active_discovery": false,
        "managed": true,
        "disabled_boot_architectures": [],
        "id": 1,
        "space": "undefined",
        "resource_uri": format!("{API}subnets/1/"),
    })
}

/// A deterministic address on the simulated subnet for machine `id`.
pub(crate) fn address_for(id: u64) -> String {
    format!("10.10.{}.{}", 1 + id / 250, 1 + id % 250)
}

fn script_status(done: bool) -> (i64, &'static str) {
    if done { (2, "Passed") } else { (-1, "Unknown") }
}

impl SimState {
    fn nic_json(&self, m: &Machine, nic: &Nic) -> Value {
        let mut link = json!({"id": nic.id, "mode": "auto", "subnet": subnet_json()});
        if let Some(ip) = &m.ip {
            link["ip_address"] = json!(ip);
        }
        json!({
            "params": "",
            "effective_mtu": 1500,
            "vendor": null,
            "interface_speed": if m.vm_host_id.is_some() { 0 } else { 10000 },
            "parents": [],
            "numa_node": 0,
            "name": nic.name,
            "vlan": vlan_json(),
            "children": [],
            "link_speed": if m.vm_host_id.is_some() { 0 } else { 10000 },
            "link_connected": true,
            "mac_address": nic.mac,
            "product": null,
            "system_id": m.system_id,
            "enabled": true,
            "links": [link],
            "discovered": [],
            "firmware_version": null,
            "tags": [],
            "id": nic.id,
            "sriov_max_vf": 0,
            "type": "physical",
            "resource_uri": format!("{API}nodes/{}/interfaces/{}/", m.system_id, nic.id),
        })
    }

    fn disk_json(m: &Machine, disk: &Disk) -> Value {
        json!({
            "firmware_version": "2.5+",
            "numa_node": 0,
            "available_size": disk.size,
            "used_for": "Unused",
            "name": disk.name,
            "block_size": 512,
            "path": format!("/dev/disk/by-dname/{}", disk.name),
            "filesystem": null,
            "uuid": null,
            "serial": disk.serial,
            "size": disk.size,
            "storage_pool": disk.storage_pool,
            "system_id": m.system_id,
            "partition_table_type": null,
            "model": disk.model,
            "tags": disk.tags,
            "id": disk.id,
            "partitions": [],
            "id_path": format!("/dev/disk/by-id/scsi-{}", disk.serial),
            "used_size": 0,
            "type": "physical",
            "resource_uri": format!("{API}nodes/{}/blockdevices/{}/", m.system_id, disk.id),
        })
    }

    fn domain_json(&self) -> Value {
        json!({
            "authoritative": true,
            "ttl": null,
            "id": 0,
            "resource_record_count": 0,
            "is_default": true,
            "name": self.domain,
            "resource_uri": format!("{API}domains/0/"),
        })
    }

    /// The machine as `GET machines/{system_id}/` shows it (MAAS 3.7 field set).
    pub fn machine_json(&self, m: &Machine) -> Value {
        let zone = self.zone(m.zone_id).map(|z| z.json());
        let pool = self.pool(m.pool_id).map(|p| p.json());
        let vm_host = m.vm_host_id.and_then(|id| self.vm_host(id));
        let pod = vm_host.map(
            |h| json!({"id": h.id, "name": h.name, "resource_uri": format!("{API}pods/{}/", h.id)}),
        );
        let parent = vm_host.and_then(|h| h.host_system_id.as_ref()).map(|sid| {
            json!({
                "system_id": sid,
                "resource_uri": format!("{API}machines/{sid}/"),
                "__incomplete__": true,
            })
        });
        let disks: Vec<Value> = m.disks.iter().map(|d| Self::disk_json(m, d)).collect();
        let nics: Vec<Value> = m.nics.iter().map(|n| self.nic_json(m, n)).collect();
        let commissioned = m.status.commissioned();
        let (test_status, test_status_name) = script_status(commissioned);
        let deployed_ip = matches!(m.status, MachineStatus::Deploying | MachineStatus::Deployed);
        let ip_addresses: Vec<&String> = m.ip.iter().filter(|_| deployed_ip).collect();
        let result_id = |offset: u64| commissioned.then_some(m.id * 3 + offset);
        // A list of pairs rather than one json! literal, which would exceed the macro
        // recursion limit with this many fields.
        let fields: Vec<(&str, Value)> = vec![
            ("system_id", json!(m.system_id)),
            ("hostname", json!(m.hostname)),
            ("description", json!(m.description)),
            (
                "hardware_uuid",
                json!(crate::state::names::uuid_from(&m.system_id)),
            ),
            ("domain", json!(self.domain_json())),
            ("fqdn", json!(format!("{}.{}", m.hostname, self.domain))),
            ("owner", json!(m.owner)),
            ("owner_data", json!(m.owner_data)),
            ("locked", json!(m.locked)),
            ("cache_sets", json!([])),
            ("bcaches", json!([])),
            (
                "bios_boot_method",
                json!(if m.vm_host_id.is_some() {
                    "uefi"
                } else {
                    "pxe"
                }),
            ),
            ("boot_interface", json!(nics.first())),
            ("architecture", json!(m.architecture)),
            ("min_hwe_kernel", json!("")),
            ("hwe_kernel", json!(m.hwe_kernel)),
            ("cpu_count", json!(m.cpu_count)),
            ("cpu_speed", json!(m.cpu_speed)),
            ("memory", json!(m.memory)),
            ("swap_size", json!(null)),
            // MAAS reports storage in MB (10^6 bytes) as a float.
            ("storage", json!(m.storage_bytes() as f64 / 1_000_000.0)),
            ("status", json!(m.status.code())),
            ("osystem", json!(m.osystem)),
            ("distro_series", json!(m.distro_series)),
            ("ephemeral_deploy", json!(false)),
            ("error_description", json!("")),
            (
                "netboot",
                json!(!matches!(m.status, MachineStatus::Deployed)),
            ),
            ("power_type", json!(m.power_type)),
            ("power_state", json!(if m.power_on { "on" } else { "off" })),
            ("tag_names", json!(m.tags)),
            ("address_ttl", json!(null)),
            ("ip_addresses", json!(ip_addresses)),
            ("interface_set", json!(nics)),
            ("zone", json!(zone)),
            ("pool", json!(pool)),
            ("disable_ipv4", json!(false)),
            ("boot_disk", json!(disks.first())),
            ("blockdevice_set", json!(disks)),
            ("physicalblockdevice_set", json!(disks)),
            ("virtualblockdevice_set", json!([])),
            ("volume_groups", json!([])),
            ("raids", json!([])),
            ("status_action", json!("")),
            ("status_message", json!(m.status_message)),
            ("status_name", json!(m.status.name())),
            ("node_type", json!(0)),
            ("node_type_name", json!("Machine")),
            ("special_filesystems", json!([])),
            ("parent", json!(parent)),
            ("pod", json!(pod)),
            (
                "default_gateways",
                json!({
                    "ipv4": {"gateway_ip": GATEWAY, "link_id": null},
                    "ipv6": {"gateway_ip": null, "link_id": null},
                }),
            ),
            ("current_commissioning_result_id", json!(result_id(0))),
            ("current_testing_result_id", json!(result_id(1))),
            ("current_installation_result_id", json!(null)),
            ("commissioning_status", json!(test_status)),
            ("commissioning_status_name", json!(test_status_name)),
            ("testing_status", json!(test_status)),
            ("testing_status_name", json!(test_status_name)),
            ("cpu_test_status", json!(test_status)),
            ("cpu_test_status_name", json!(test_status_name)),
            ("memory_test_status", json!(test_status)),
            ("memory_test_status_name", json!(test_status_name)),
            ("network_test_status", json!(-1)),
            ("network_test_status_name", json!("Unknown")),
            ("storage_test_status", json!(test_status)),
            ("storage_test_status_name", json!(test_status_name)),
            ("other_test_status", json!(-1)),
            ("other_test_status_name", json!("Unknown")),
            (
                "hardware_info",
                json!({
                    "system_vendor": m.hardware.vendor,
                    "system_product": m.hardware.product,
                    "system_family": "Unknown",
                    "system_version": "Unknown",
                    "system_sku": "Unknown",
                    "system_serial": "Unknown",
                    "cpu_model": m.hardware.cpu_model,
                    "mainboard_vendor": "Unknown",
                    "mainboard_product": "Unknown",
                    "mainboard_serial": "Unknown",
                    "mainboard_version": "Unknown",
                    "mainboard_firmware_vendor": "Unknown",
                    "mainboard_firmware_date": "Unknown",
                    "mainboard_firmware_version": "Unknown",
                    "chassis_vendor": "Unknown",
                    "chassis_type": "Unknown",
                    "chassis_serial": "Unknown",
                    "chassis_version": "Unknown",
                }),
            ),
            ("interface_test_status", json!(-1)),
            ("interface_test_status_name", json!("Unknown")),
            (
                "numanode_set",
                json!([{
                    "index": 0,
                    "memory": m.memory,
                    "cores": (0..m.cpu_count).collect::<Vec<_>>(),
                    "hugepages_set": [],
                }]),
            ),
            ("virtualmachine_id", json!(m.virtualmachine_id)),
            ("workload_annotations", json!({})),
            ("last_sync", json!(null)),
            ("sync_interval", json!(null)),
            ("next_sync", json!(null)),
            ("enable_hw_sync", json!(false)),
            ("enable_kernel_crash_dump", json!(false)),
            ("is_dpu", json!(false)),
            (
                "resource_uri",
                json!(format!("{API}machines/{}/", m.system_id)),
            ),
        ];
        Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    /// Complete every transition due at `now`. Called at the start of each request, so
    /// simulated time advances without background tasks.
    pub fn advance(&mut self, now: Instant) {
        let mut decomposed = Vec::new();
        for m in &mut self.machines {
            let Some(pending) = m.pending else { continue };
            if pending.at > now {
                continue;
            }
            match pending.to {
                MachineStatus::Deployed => {
                    m.set_status(MachineStatus::Deployed, "Deployed");
                    m.power_on = true;
                }
                MachineStatus::Ready if m.status == MachineStatus::Releasing => {
                    if m.dynamic {
                        // MAAS decomposes machines it composed for `allocate` on release.
                        decomposed.push(m.system_id.clone());
                    } else {
                        m.reset_to_ready("Released");
                    }
                }
                other => m.set_status(other, other.name()),
            }
        }
        self.machines.retain(|m| !decomposed.contains(&m.system_id));
    }
}
