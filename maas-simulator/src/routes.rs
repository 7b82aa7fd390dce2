//! The route table: every MAAS handler the simulator serves, its path and its actions. It is
//! the single source of truth for dispatch and for the generated `describe/` document.

use crate::handlers::{Call, catalog, dns, machines, users, vm_hosts};
use crate::http::{ApiError, Reply};

pub(crate) type Run = fn(&mut Call<'_>) -> Result<Reply, ApiError>;

/// Who may call an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Served without credentials (MAAS's anonymous handler).
    Anonymous,
    /// Any authenticated user; per-object permissions are checked by the action.
    User,
    /// MAAS `@admin_method`: 403 for other users.
    Admin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verb {
    Get,
    Post,
    Put,
    Delete,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
            Verb::Delete => "DELETE",
        }
    }

    pub fn parse(method: &str) -> Option<Self> {
        match method {
            "GET" => Some(Verb::Get),
            "POST" => Some(Verb::Post),
            "PUT" => Some(Verb::Put),
            "DELETE" => Some(Verb::Delete),
            _ => None,
        }
    }
}

pub(crate) struct Action {
    pub name: &'static str,
    pub verb: Verb,
    /// `None` for the RESTful actions (read/create/update/delete).
    pub op: Option<&'static str>,
    pub access: Access,
    pub doc: &'static str,
    pub run: Run,
}

/// One MAAS handler at one path.
pub(crate) struct Resource {
    /// Handler name as `describe/` shows it, e.g. `MachinesHandler`.
    pub name: &'static str,
    pub doc: &'static str,
    /// Path below `/MAAS/api/2.0/`, with `{param}` placeholders, ending in `/`.
    pub path: &'static str,
    /// A `vm-hosts/` or `pods/` endpoint: gone when VM host support is removed.
    pub vm_host_api: bool,
    pub actions: &'static [Action],
}

impl Resource {
    /// Placeholder names in path order.
    pub fn params(&self) -> Vec<&'static str> {
        self.path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .collect()
    }

    /// First path segment (`machines`, `vm-hosts`, `pods`, ...).
    pub fn base(&self) -> &'static str {
        self.path.split('/').next().unwrap_or_default()
    }

    pub fn has_anonymous(&self) -> bool {
        self.actions.iter().any(|a| a.access == Access::Anonymous)
    }

    pub fn has_authenticated(&self) -> bool {
        self.actions.iter().any(|a| a.access != Access::Anonymous)
    }

    /// The action for `verb` and `op` that a caller with or without credentials gets.
    /// Resources with only an anonymous handler serve it to everyone, as MAAS does.
    pub fn find(&self, verb: Verb, op: Option<&str>, authenticated: bool) -> Option<&Action> {
        let anonymous_only = !self.has_authenticated();
        self.actions.iter().find(|a| {
            a.verb == verb
                && a.op == op
                && (authenticated != (a.access == Access::Anonymous) || anonymous_only)
        })
    }
}

const fn rest(
    name: &'static str,
    verb: Verb,
    access: Access,
    doc: &'static str,
    run: Run,
) -> Action {
    Action {
        name,
        verb,
        op: None,
        access,
        doc,
        run,
    }
}

const fn op(name: &'static str, verb: Verb, access: Access, doc: &'static str, run: Run) -> Action {
    Action {
        name,
        verb,
        op: Some(name),
        access,
        doc,
        run,
    }
}

use Access::{Admin, Anonymous, User};
use Verb::{Delete, Get, Post, Put};

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

/// Every handler served. Kept in `describe/` order: sorted by handler name.
pub(crate) static RESOURCES: &[Resource] = &[
    Resource {
        name: "BootResourceHandler",
        doc: "A boot resource (image).",
        path: "boot-resources/{id}/",
        vm_host_api: false,
        actions: &[rest(
            "read",
            Get,
            User,
            "Read a boot resource and its sets.",
            catalog::boot_resource_read,
        )],
    },
    Resource {
        name: "BootResourcesHandler",
        doc: "The boot resources (images) MAAS can deploy.",
        path: "boot-resources/",
        vm_host_api: false,
        actions: &[
            rest(
                "read",
                Get,
                User,
                "List boot resources.\n\n:param type: Optional: synced, uploaded or generated.",
                catalog::boot_resources_list,
            ),
            op(
                "is_importing",
                Get,
                User,
                "Whether images are being imported (never, here).",
                catalog::boot_resources_is_importing,
            ),
        ],
    },
    Resource {
        name: "DNSResourceHandler",
        doc: "Manage dnsresource.",
        path: "dnsresources/{id}/",
        vm_host_api: false,
        actions: &[
            rest(
                "delete",
                Delete,
                User,
                "Delete a DNS resource (admin). Its user-reserved addresses go with it.",
                dns::delete,
            ),
            rest("read", Get, User, "Read a DNS resource by id.", dns::read),
            rest(
                "update",
                Put,
                User,
                "Update a DNS resource (admin).\n\n:param fqdn: Hostname with domain; ignored if name or domain is given.\n:param name: Hostname without domain.\n:param domain: Domain name or id.\n:param address_ttl: TTL of the address records.\n:param ip_addresses: Space-separated addresses or ids.",
                dns::update,
            ),
        ],
    },
    Resource {
        name: "DNSResourcesHandler",
        doc: "Manage dnsresources.",
        path: "dnsresources/",
        vm_host_api: false,
        actions: &[
            rest(
                "create",
                Post,
                Admin,
                "Create a DNS resource.\n\n:param fqdn: Hostname with domain; ignored if name or domain is given.\n:param name: Hostname without domain.\n:param domain: Domain name or id.\n:param address_ttl: TTL of the address records.\n:param ip_addresses: Space-separated addresses or ids; each makes an A or AAAA record.",
                dns::create,
            ),
            rest(
                "read",
                Get,
                User,
                "List DNS resources.\n\n:param fqdn: Restrict to this fqdn.\n:param domain: Restrict to this domain.\n:param name: Restrict to this name.\n:param rrtype: Restrict to records of this type.\n:param all: Include the implicit records of machines.",
                dns::list,
            ),
        ],
    },
    Resource {
        name: "DomainHandler",
        doc: "Manage domain.",
        path: "domains/{id}/",
        vm_host_api: false,
        actions: &[rest("read", Get, User, "Read a domain.", dns::domain_read)],
    },
    Resource {
        name: "DomainsHandler",
        doc: "Manage domains.",
        path: "domains/",
        vm_host_api: false,
        actions: &[rest(
            "read",
            Get,
            User,
            "List all domains.",
            dns::domains_list,
        )],
    },
    Resource {
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
    },
    Resource {
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
    },
    Resource {
        name: "PodHandler",
        doc: "One VM host, at its older `pods/` path.",
        path: "pods/{id}/",
        vm_host_api: true,
        actions: VM_HOST_ACTIONS,
    },
    Resource {
        name: "PodsHandler",
        doc: "The VM hosts, at their older `pods/` path.",
        path: "pods/",
        vm_host_api: true,
        actions: VM_HOSTS_ACTIONS,
    },
    Resource {
        name: "ResourcePoolHandler",
        doc: "One resource pool, identified by id.",
        path: "resourcepool/{id}/",
        vm_host_api: false,
        actions: &[
            rest(
                "delete",
                Delete,
                Admin,
                "Delete the pool (not the default one).",
                catalog::pool_delete,
            ),
            rest("read", Get, User, "Read the pool.", catalog::pool_read),
            rest(
                "update",
                Put,
                Admin,
                "Update the pool: name, description.",
                catalog::pool_update,
            ),
        ],
    },
    Resource {
        name: "ResourcePoolsHandler",
        doc: "The resource pools.",
        path: "resourcepools/",
        vm_host_api: false,
        actions: &[
            rest(
                "create",
                Post,
                Admin,
                "Create a pool.\n\n:param name: Name.\n:param description: Description.",
                catalog::pool_create,
            ),
            rest("read", Get, User, "List pools.", catalog::pools_list),
        ],
    },
    Resource {
        name: "TagHandler",
        doc: "One tag, identified by name.",
        path: "tags/{name}/",
        vm_host_api: false,
        actions: &[
            rest(
                "delete",
                Delete,
                Admin,
                "Delete the tag.",
                catalog::tag_delete,
            ),
            op(
                "machines",
                Get,
                User,
                "Machines carrying the tag.",
                catalog::tag_machines,
            ),
            rest("read", Get, User, "Read the tag.", catalog::tag_read),
            rest(
                "update",
                Put,
                Admin,
                "Update the tag: name, comment, kernel_opts.",
                catalog::tag_update,
            ),
            op(
                "update_nodes",
                Post,
                Admin,
                "Add or remove the tag on machines.\n\n:param add: System ids.\n:param remove: System ids.",
                catalog::tag_update_nodes,
            ),
        ],
    },
    Resource {
        name: "TagsHandler",
        doc: "The tags.",
        path: "tags/",
        vm_host_api: false,
        actions: &[
            rest(
                "create",
                Post,
                Admin,
                "Create a tag.\n\n:param name: Name.\n:param comment: Comment.\n:param definition: XPath (stored only).\n:param kernel_opts: Kernel options.",
                catalog::tag_create,
            ),
            rest("read", Get, User, "List tags.", catalog::tags_list),
        ],
    },
    Resource {
        name: "UserHandler",
        doc: "One user, identified by username.",
        path: "users/{username}/",
        vm_host_api: false,
        actions: &[rest("read", Get, User, "Read a user.", users::user_read)],
    },
    Resource {
        name: "UsersHandler",
        doc: "The users.",
        path: "users/",
        vm_host_api: false,
        actions: &[
            rest("read", Get, User, "List users.", users::users_list),
            op(
                "whoami",
                Get,
                User,
                "The user making the request.",
                users::whoami,
            ),
        ],
    },
    Resource {
        name: "VersionHandler",
        doc: "Version and capabilities of this MAAS.",
        path: "version/",
        vm_host_api: false,
        actions: &[rest(
            "read",
            Get,
            Anonymous,
            "Read the version and capabilities.",
            users::version,
        )],
    },
    Resource {
        name: "VmHostHandler",
        doc: "One VM host, identified by id.",
        path: "vm-hosts/{id}/",
        vm_host_api: true,
        actions: VM_HOST_ACTIONS,
    },
    Resource {
        name: "VmHostsHandler",
        doc: "The VM hosts (LXD or virsh) machines can be composed on.",
        path: "vm-hosts/",
        vm_host_api: true,
        actions: VM_HOSTS_ACTIONS,
    },
    Resource {
        name: "ZoneHandler",
        doc: "One availability zone, identified by name.",
        path: "zones/{name}/",
        vm_host_api: false,
        actions: &[
            rest(
                "delete",
                Delete,
                Admin,
                "Delete the zone (not the default one).",
                catalog::zone_delete,
            ),
            rest("read", Get, User, "Read the zone.", catalog::zone_read),
            rest(
                "update",
                Put,
                Admin,
                "Update the zone: name, description.",
                catalog::zone_update,
            ),
        ],
    },
    Resource {
        name: "ZonesHandler",
        doc: "The availability zones.",
        path: "zones/",
        vm_host_api: false,
        actions: &[
            rest(
                "create",
                Post,
                Admin,
                "Create a zone.\n\n:param name: Name.\n:param description: Description.",
                catalog::zone_create,
            ),
            rest("read", Get, User, "List zones.", catalog::zones_list),
        ],
    },
];

/// A request path resolved against the table.
pub(crate) struct Matched {
    pub resource: &'static Resource,
    pub params: Vec<(&'static str, String)>,
}

/// Split a `/op-<name>` suffix off a path below the API root: `machines/op-allocate` gives
/// (`machines/`, `allocate`). Paths without one come back unchanged.
pub(crate) fn split_op_suffix(rel: &str) -> (String, Option<String>) {
    let trimmed = rel.strip_suffix('/').unwrap_or(rel);
    match trimmed.rsplit_once('/') {
        Some((base, last)) if last.len() > 3 && last.starts_with("op-") => {
            (format!("{base}/"), Some(last[3..].to_string()))
        }
        None if trimmed.len() > 3 && trimmed.starts_with("op-") => {
            (String::new(), Some(trimmed[3..].to_string()))
        }
        _ => (rel.to_string(), None),
    }
}

/// Match a path below `/MAAS/api/2.0/`. Resource paths need their trailing slash, as in MAAS's
/// URL patterns; the `/op-<name>` form may omit it.
pub(crate) fn match_path(rel: &str) -> Option<Matched> {
    let (base, _) = split_op_suffix(rel);
    let segments: Vec<&str> = base.strip_suffix('/')?.split('/').collect();
    RESOURCES.iter().find_map(|resource| {
        let template: Vec<&str> = resource.path.trim_end_matches('/').split('/').collect();
        if template.len() != segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (want, got) in template.iter().zip(&segments) {
            match want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                Some(name) if !got.is_empty() => {
                    params.push((name, crate::oauth::percent_decode(got)));
                }
                Some(_) => return None,
                None if want == got => {}
                None => return None,
            }
        }
        Some(Matched { resource, params })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        let names: Vec<&str> = RESOURCES.iter().map(|r| r.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
        for resource in RESOURCES {
            assert!(resource.path.ends_with('/'), "{}", resource.path);
            for (i, a) in resource.actions.iter().enumerate() {
                for b in &resource.actions[i + 1..] {
                    assert!(
                        !(a.verb == b.verb && a.op == b.op && a.access == b.access),
                        "{} has two actions for {:?} {:?}",
                        resource.name,
                        a.verb,
                        a.op
                    );
                }
            }
        }
    }

    #[test]
    fn op_suffix_forms() {
        assert_eq!(
            split_op_suffix("machines/op-allocate"),
            ("machines/".to_string(), Some("allocate".to_string()))
        );
        assert_eq!(
            split_op_suffix("machines/abc/op-deploy/"),
            ("machines/abc/".to_string(), Some("deploy".to_string()))
        );
        assert_eq!(
            split_op_suffix("machines/"),
            ("machines/".to_string(), None)
        );
    }

    #[test]
    fn paths_match_with_params() {
        let m = match_path("machines/abc123/").unwrap();
        assert_eq!(m.resource.name, "MachineHandler");
        assert_eq!(m.params, vec![("system_id", "abc123".to_string())]);
        let m = match_path("pods/3/op-compose").unwrap();
        assert_eq!(m.resource.name, "PodHandler");
        assert!(
            match_path("machines").is_none(),
            "trailing slash is required"
        );
        assert!(
            match_path("resourcepools/1/").is_none(),
            "MAAS uses resourcepool/{{id}}/"
        );
        assert!(match_path("nothing/").is_none());
    }
}
