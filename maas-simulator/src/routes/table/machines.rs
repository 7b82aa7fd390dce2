//! Routes of the machines: one machine by system_id, and the collection (allocate, list).

use crate::handlers::machines;
use crate::routes::Access::User;
use crate::routes::Verb::{Delete, Get, Post, Put};
use crate::routes::{Resource, op, rest};

pub(super) const MACHINE_HANDLER: Resource = Resource {
    name: "MachineHandler",
    doc: "One machine, identified by its system_id.",
    path: "machines/{system_id}/",
    vm_host_api: false,
    actions: &[
        op(
            "abort",
            Post,
            User,
            "Abort a deployment or commissioning in progress.",
            machines::abort,
        ),
        op(
            "commission",
            Post,
            User,
            "Commission the machine (admin).",
            machines::commission,
        ),
        rest(
            "delete",
            Delete,
            User,
            "Delete the machine (admin). A VM is decomposed.\n\n:param force: Also delete a VM host the machine runs.",
            machines::delete,
        ),
        op(
            "deploy",
            Post,
            User,
            "Deploy an OS. A Ready machine is allocated first.\n\n:param user_data: Base64 user data.\n:param distro_series: e.g. noble, ubuntu/noble, custom/rhcos-4.19.\n:param osystem: Optional OS when distro_series has none.\n:param hwe_kernel: Kernel to use.\n:param agent_name: Optional agent name.\n:param comment: Optional comment.",
            machines::deploy,
        ),
        op(
            "mark_broken",
            Post,
            User,
            "Mark the machine broken.",
            machines::mark_broken,
        ),
        op(
            "mark_fixed",
            Post,
            User,
            "Mark a broken machine fixed (admin).",
            machines::mark_fixed,
        ),
        op(
            "power_off",
            Post,
            User,
            "Power the machine off.",
            machines::power_off,
        ),
        op(
            "power_on",
            Post,
            User,
            "Power the machine on.",
            machines::power_on,
        ),
        op(
            "query_power_state",
            Get,
            User,
            "Query the power state.",
            machines::query_power_state,
        ),
        rest("read", Get, User, "Read the machine.", machines::read),
        op(
            "release",
            Post,
            User,
            "Release the machine back to the Ready pool.\n\n:param comment: Optional comment.\n:param erase: Ignored.",
            machines::release,
        ),
        op(
            "set_owner_data",
            Post,
            User,
            "Set owner data: each parameter is a key; an empty value deletes it.",
            machines::set_owner_data,
        ),
        rest(
            "update",
            Put,
            User,
            "Update the machine (admin): hostname, description, zone, pool, cpu_count, memory, architecture.",
            machines::update,
        ),
    ],
};

pub(super) const MACHINES_HANDLER: Resource = Resource {
    name: "MachinesHandler",
    doc: "The machines known to MAAS.",
    path: "machines/",
    vm_host_api: false,
    actions: &[
        op(
            "allocate",
            Post,
            User,
            "Allocate a Ready machine matching all constraints (or compose one on a VM host).\n\n:param name: Hostname or FQDN.\n:param system_id: System id.\n:param arch: Architecture(s).\n:param cpu_count: Minimum CPUs.\n:param mem: Minimum memory in MiB.\n:param tags: Required tags.\n:param not_tags: Excluded tags.\n:param zone: Zone name.\n:param not_in_zone: Excluded zones.\n:param pool: Pool name.\n:param not_in_pool: Excluded pools.\n:param pod: VM host name.\n:param not_pod: Excluded VM host name.\n:param pod_type: VM host type.\n:param not_pod_type: Excluded VM host type.\n:param storage: label:sizeGB(tags),...\n:param agent_name: Agent name to record.\n:param comment: Comment.\n:param dry_run: Do not allocate.",
            machines::allocate,
        ),
        rest(
            "read",
            Get,
            User,
            "List machines visible to the caller, ordered by id.\n\n:param hostname: Hostnames.\n:param id: System ids.\n:param zone: Zone name.\n:param pool: Pool name.\n:param tags: Tags (all required).\n:param status: Status keys, e.g. ready, deployed.\n:param agent_name: Agent name.\n:param owner: Owner username.\n:param pod: VM host name.\n:param arch: Architecture.\n:param domain: Domain.\n:param mac_address: MAC address.",
            machines::list,
        ),
    ],
};
