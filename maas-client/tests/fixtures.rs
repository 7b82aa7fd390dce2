//! Every recorded MAAS response in shared/fixtures/maas decodes into our
//! types with the values MAAS sent. Documents that are not responses are
//! checked elsewhere (see `every_fixture_is_covered_or_explained`).

mod support;

use maas_client::types::{BootResource, ComposedMachine, Machine, VmHost, VmHostParameters};
use maas_client::{ResourcePool, Tag, User, Version, Zone};
use serde::de::DeserializeOwned;
use support::fixture;

fn decode<T: DeserializeOwned>(name: &str) -> T {
    let text = fixture(name);
    let mut de = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut de)
        .unwrap_or_else(|e| panic!("{name}: {} at {}", e.inner(), e.path()))
}

/// Response fixtures with a typed test below.
const RESPONSES: &[&str] = &[
    "version.json",
    "users_whoami.json",
    "zone.json",
    "resourcepool.json",
    "resourcepools_list.json",
    "tags_list.json",
    "boot_resource.json",
    "boot_resources_list.json",
    "boot_resources_list_synced.json",
    "machine_allocate.json",
    "machine_deploy.json",
    "machine_release.json",
    "machine_in_pod.json",
    "machines_list_by_tag.json",
    "machines_list_lxd_vm.json",
    "vmhosts_list.json",
    "vmhosts_list_lxd.json",
    "vmhost_create_lxd.json",
    "vmhost_create_virsh.json",
    "vmhost_update.json",
    "vmhost_refresh.json",
    "vmhost_gomaasclient.json",
    "vmhost_compose.json",
    "vmhost_compose_lxd.json",
    "vmhost_parameters_virsh.json",
];

/// Fixtures that are not response bodies, and where they are used.
const NOT_RESPONSES: &[(&str, &str)] = &[
    ("README.txt", "provenance notes, not data"),
    (
        "error_responses.json",
        "error table: every case is mapped in src/error/http/tests.rs",
    ),
    (
        "describe_maas_3.7.3.json",
        "API description: tests/wire.rs checks every route and parameter we send against it",
    ),
    (
        "describe_maas_3.7.3_python_libmaas_subset.json",
        "API description subset: tests/wire.rs checks every route we use is in it",
    ),
    (
        "describe_maas_2.2_captured.json",
        "MAAS 2.2 description: tests/wire.rs checks which of our routes MAAS 2.2 lacks",
    ),
    (
        "openapi.yaml",
        "OpenAPI document: tests/wire.rs checks every route we send exists in it",
    ),
    (
        "python_libmaas_0.6.8_wire_capture.jsonl",
        "request capture: tests/wire.rs compares our requests and OAuth header with it",
    ),
];

#[test]
fn every_fixture_is_covered_or_explained() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/maas");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        if RESPONSES.contains(&name.as_str()) {
            continue;
        }
        match NOT_RESPONSES.iter().find(|(n, _)| n == name) {
            Some((_, why)) => println!("{name}: not decoded here: {why}"),
            None => panic!("fixture {name} is neither decoded by a test nor explained; add it"),
        }
    }
    for listed in RESPONSES.iter().chain(NOT_RESPONSES.iter().map(|(n, _)| n)) {
        assert!(names.iter().any(|n| n == listed), "{listed} vanished");
    }
}

#[test]
fn version_json() {
    let v: Version = decode("version.json");
    assert_eq!(v.version, "2.5.0 from source");
    assert!(v.subversion.starts_with("git+"));
    assert!(v.capabilities.iter().any(|c| c == "authenticate-api"));
}

#[test]
fn users_whoami_json() {
    let u: User = decode("users_whoami.json");
    assert_eq!(u.username, "admin");
    assert!(u.is_superuser);
    assert_eq!(u.is_local, Some(true));
}

#[test]
fn zone_json() {
    let z: Zone = decode("zone.json");
    assert_eq!((z.id, z.name.as_str()), (1, "default"));
}

#[test]
fn resourcepool_json() {
    let p: ResourcePool = decode("resourcepool.json");
    assert_eq!(
        (p.id, p.name.as_str(), p.description.as_str()),
        (0, "default", "Default pool")
    );
}

#[test]
fn resourcepools_list_json() {
    let pools: Vec<ResourcePool> = decode("resourcepools_list.json");
    assert_eq!(pools.len(), 1);
    assert_eq!(pools[0].resource_uri, "/MAAS/api/2.0/resourcepool/0/");
}

#[test]
fn tags_list_json() {
    let tags: Vec<Tag> = decode("tags_list.json");
    assert_eq!(tags[0].name, "virtual");
    assert_eq!(tags[0].definition, "");
}

#[test]
fn boot_resource_json() {
    let r: BootResource = decode("boot_resource.json");
    assert_eq!(r.name, "alma9");
    assert_eq!(r.base_image.as_deref(), Some("rhel/9"));
    assert!(!r.is_synced());
    let set = &r.sets["20240828"];
    assert!(set.complete);
    assert_eq!(set.size, 935_047_294);
    assert_eq!(set.files["root.tgz"].filetype, "root-tgz");
}

#[test]
fn boot_resources_list_json() {
    let list: Vec<BootResource> = decode("boot_resources_list.json");
    assert_eq!(list.len(), 2);
    assert_eq!(
        BootResource::synced_image_names(&list),
        vec!["ubuntu/bionic"]
    );
}

#[test]
fn boot_resources_list_synced_json() {
    let list: Vec<BootResource> = decode("boot_resources_list_synced.json");
    assert_eq!(list.len(), 6);
    assert_eq!(list.iter().filter(|r| r.is_bootloader()).count(), 4);
    // Two architectures of one series give one name; boot loaders none.
    assert_eq!(
        BootResource::synced_image_names(&list),
        vec!["ubuntu/bionic"]
    );
}

#[test]
fn machine_allocate_json() {
    let m: Machine = decode("machine_allocate.json");
    assert_eq!(m.system_id, "thr3am");
    assert_eq!((m.status, m.status_name.as_str()), (Some(10), "Allocated"));
    assert_eq!((m.cpu_count, m.memory), (3, 8192));
    assert_eq!(m.zone_name(), Some("zone-north"));
    assert_eq!(m.pool_name(), Some("default"));
    assert_eq!(m.vm_host_id(), Some(5));
    assert_eq!(m.owner.as_deref(), Some("admin"));
    assert!(m.constraints_by_type.is_some());
    assert_eq!(m.hwe_kernel, None);
    assert!(m.boot_interface.is_some());
}

#[test]
fn machine_deploy_json() {
    let m: Machine = decode("machine_deploy.json");
    assert_eq!(m.system_id, "d8n3re");
    assert_eq!(m.hostname, "newname");
    assert_eq!(m.pod, None);
    assert_eq!(m.vm_host_id(), None);
}

#[test]
fn machine_release_json() {
    let m: Machine = decode("machine_release.json");
    assert_eq!(m.status_name, "Ready");
    assert_eq!(m.owner, None);
    assert_eq!(m.pod.as_ref().unwrap().name, "lucky-mantis");
}

#[test]
fn machine_in_pod_json() {
    let m: Machine = decode("machine_in_pod.json");
    assert_eq!(m.system_id, "g8xyqs");
    assert_eq!(m.vm_host_id(), Some(5));
    assert_eq!(m.power_state, "error");
    assert_eq!(m.status_name, "Failed to exit rescue mode");
}

#[test]
fn machines_list_by_tag_json() {
    let list: Vec<Machine> = decode("machines_list_by_tag.json");
    assert_eq!(list.len(), 1);
    assert!(list[0].has_tag("virtual"));
    assert_eq!(list[0].ip_addresses.len(), 4);
}

#[test]
fn machines_list_lxd_vm_json() {
    let list: Vec<Machine> = decode("machines_list_lxd_vm.json");
    let vm = &list[0];
    assert_eq!(vm.system_id, "sbfrtx");
    assert_eq!(vm.vm_host_id(), Some(8));
    assert_eq!(vm.virtualmachine_id, Some(4));
    assert_eq!(vm.ip_addresses, vec!["192.168.2.208"]);
    let eth0 = &vm.interface_set[0];
    assert_eq!(eth0.name, "eth0");
    assert_eq!(eth0.mac_address.as_deref(), Some("00:16:3e:f9:ba:58"));
    let link = &eth0.links[0];
    assert_eq!(link.mode, "auto");
    assert_eq!(link.subnet.as_ref().unwrap().cidr, "10.16.0.0/24");
}

#[test]
fn vmhosts_list_json() {
    let hosts: Vec<VmHost> = decode("vmhosts_list.json");
    let h = &hosts[0];
    assert_eq!(
        (h.id, h.type_.as_str(), h.name.as_str()),
        (3, "virsh", "proud-cat")
    );
    assert_eq!(h.storage_pools.len(), 3);
    assert_eq!(h.default_storage_pool().unwrap().name, "name-Xa03eb");
    assert_eq!(h.host.as_ref().unwrap().system_id, None);
    let r = h.resources();
    // With ratio 1 our numbers equal MAAS's own `available` block.
    assert_eq!(r.cores.available as i64, h.available.cores);
    assert_eq!(r.memory.available as i64, h.available.memory);
    assert_eq!(r.local_storage.available as i64, h.available.local_storage);
    for (ours, theirs) in r.storage_pools.iter().zip(&h.storage_pools) {
        assert_eq!(ours.available as i64, theirs.available, "{}", theirs.name);
    }
}

#[test]
fn vmhosts_list_lxd_json() {
    let hosts: Vec<VmHost> = decode("vmhosts_list_lxd.json");
    let mut h = hosts[0].clone();
    assert_eq!((h.id, h.type_.as_str()), (8, "lxd"));
    assert_eq!(h.version.as_deref(), Some("5.5"));
    assert_eq!(
        h.host.as_ref().unwrap().system_id.as_deref(),
        Some("etn3be")
    );
    assert!(h.has_capability("over_commit"));
    let r = h.resources();
    assert_eq!(
        (r.cores.total, r.cores.used, r.cores.available),
        (40, 36, 4)
    );
    assert_eq!(r.memory.available, 8172);
    // The same host at 4× CPU and 1.5× memory over-commit.
    h.cpu_over_commit_ratio = 4.0;
    h.memory_over_commit_ratio = 1.5;
    let r = h.resources();
    assert_eq!((r.cores.overcommitted_total, r.cores.available), (160, 124));
    assert_eq!(
        (r.memory.overcommitted_total, r.memory.available),
        (98304, 40940)
    );
    assert_eq!(r.storage_pools[0].available, 567_845_019_648);
}

#[test]
fn vmhost_create_lxd_json() {
    let h: VmHost = decode("vmhost_create_lxd.json");
    assert_eq!((h.id, h.name.as_str()), (26, "foo"));
    assert_eq!(h.version.as_deref(), Some("4.13"));
    assert_eq!(h.storage_pools.len(), 2);
    // Freshly created, MAAS reports no cores or memory yet.
    assert_eq!(h.resources().cores.available, 0);
}

#[test]
fn vmhost_create_virsh_json() {
    let h: VmHost = decode("vmhost_create_virsh.json");
    assert_eq!((h.id, h.type_.as_str()), (1, "virsh"));
    assert_eq!(h.resources().memory.available, 15916);
}

#[test]
fn vmhost_update_json() {
    let h: VmHost = decode("vmhost_update.json");
    assert_eq!(h.name, "newpodname");
    assert_eq!(h.default_macvlan_mode.as_deref(), Some(""));
}

#[test]
fn vmhost_refresh_json() {
    let h: VmHost = decode("vmhost_refresh.json");
    assert_eq!(h.used.cores, 1);
    assert_eq!(h.tags, vec!["virtual"]);
}

#[test]
fn vmhost_gomaasclient_json() {
    let h: VmHost = decode("vmhost_gomaasclient.json");
    assert_eq!(h.resource_uri, "/MAAS/api/2.0/pods/1/");
    assert_eq!(h.resources().cores.available, 7);
}

#[test]
fn vmhost_compose_json() {
    let c: ComposedMachine = decode("vmhost_compose.json");
    assert_eq!(c.system_id, "wdpx3n");
}

#[test]
fn vmhost_compose_lxd_json() {
    let c: ComposedMachine = decode("vmhost_compose_lxd.json");
    assert_eq!(c.system_id, "ag3h8y");
    assert_eq!(c.resource_uri, "/MAAS/api/2.0/machines/ag3h8y/");
}

#[test]
fn vmhost_parameters_virsh_json() {
    let p: VmHostParameters = decode("vmhost_parameters_virsh.json");
    assert_eq!(
        p.power_address(),
        Some("qemu+ssh://ubuntu@172.16.2.42/system")
    );
    // The same answer from an LXD host with a password and key must not
    // show them in Debug output.
    let lxd: VmHostParameters = serde_json::from_str(
        r#"{"power_address": "10.0.0.5:8443", "power_pass": "hunter2",
            "password": "hunter3", "key": "-----BEGIN PRIVATE KEY-----abc",
            "certificate": "-----BEGIN CERTIFICATE-----", "project": "maas"}"#,
    )
    .unwrap();
    let shown = format!("{lxd:?}");
    for secret in ["hunter2", "hunter3", "PRIVATE KEY"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(
        shown.contains("10.0.0.5:8443") && shown.contains("\"power_pass\": <redacted>"),
        "{shown}"
    );
    assert_eq!(lxd.get_str("power_pass"), Some("hunter2"));
}
