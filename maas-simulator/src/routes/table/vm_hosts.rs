//! Routes of the VM hosts, served both as `vm-hosts/` and as the legacy `pods/`: one action
//! list for each form of the path.

use crate::handlers::vm_hosts;
use crate::routes::Access::{Admin, User};
use crate::routes::Verb::{Delete, Get, Post, Put};
use crate::routes::{Action, Resource, op, rest};

const VM_HOSTS_ACTIONS: &[Action] = &[
    rest(
        "read",
        Get,
        User,
        "List VM hosts, ordered by id.",
        vm_hosts::list,
    ),
    rest(
        "create",
        Post,
        Admin,
        "Register a VM host.\n\n:param type: lxd or virsh.\n:param power_address: Address of the host.\n:param name: Optional name.\n:param project: LXD project (lxd only).\n:param password: LXD trust password, or certificate and key.\n:param zone: Zone name.\n:param pool: Default resource pool name for composed machines.\n:param tags: Comma-separated tags.",
        vm_hosts::create,
    ),
];

const VM_HOST_ACTIONS: &[Action] = &[
    rest("read", Get, User, "Read one VM host.", vm_hosts::read),
    rest(
        "update",
        Put,
        Admin,
        "Update a VM host: name, zone, pool, tags, cpu_over_commit_ratio, memory_over_commit_ratio, default_storage_pool, default_macvlan_mode, power_address, power_pass.",
        vm_hosts::update,
    ),
    rest(
        "delete",
        Delete,
        Admin,
        "Delete a VM host.\n\n:param decompose: Also delete the machines composed on it.",
        vm_hosts::delete,
    ),
    op(
        "compose",
        Post,
        Admin,
        "Compose a VM on this host; it becomes a machine.\n\n:param cores: vCPUs (default 1).\n:param memory: MiB (default 2048, at least 1024).\n:param storage: label:sizeGB(tags),... (default root:8(local)); a tag naming a storage pool picks that pool.\n:param architecture: One of the host's architectures.\n:param hostname: Hostname of the new machine.\n:param zone: Zone id.\n:param pool: Resource pool id.\n:param interfaces: label:key=value,...;label2:...",
        vm_hosts::compose,
    ),
    op(
        "parameters",
        Get,
        Admin,
        "The VM host's power parameters, secrets included.",
        vm_hosts::parameters,
    ),
    op(
        "refresh",
        Post,
        Admin,
        "Rediscover the VM host's resources.",
        vm_hosts::refresh,
    ),
    op(
        "add_tag",
        Post,
        Admin,
        "Add a tag.\n\n:param tag: The tag.",
        vm_hosts::add_tag,
    ),
    op(
        "remove_tag",
        Post,
        Admin,
        "Remove a tag.\n\n:param tag: The tag.",
        vm_hosts::remove_tag,
    ),
];

pub(super) const POD_HANDLER: Resource = Resource {
    name: "PodHandler",
    doc: "One VM host, at its older `pods/` path.",
    path: "pods/{id}/",
    vm_host_api: true,
    actions: VM_HOST_ACTIONS,
};

pub(super) const PODS_HANDLER: Resource = Resource {
    name: "PodsHandler",
    doc: "The VM hosts, at their older `pods/` path.",
    path: "pods/",
    vm_host_api: true,
    actions: VM_HOSTS_ACTIONS,
};

pub(super) const VM_HOST_HANDLER: Resource = Resource {
    name: "VmHostHandler",
    doc: "One VM host, identified by id.",
    path: "vm-hosts/{id}/",
    vm_host_api: true,
    actions: VM_HOST_ACTIONS,
};

pub(super) const VM_HOSTS_HANDLER: Resource = Resource {
    name: "VmHostsHandler",
    doc: "The VM hosts (LXD or virsh) machines can be composed on.",
    path: "vm-hosts/",
    vm_host_api: true,
    actions: VM_HOSTS_ACTIONS,
};
