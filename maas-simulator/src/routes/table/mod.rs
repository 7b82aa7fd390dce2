//! The table itself, one file per area. Each handler is a named constant in its area's file;
//! [`RESOURCES`] lists them in `describe/` order (sorted by handler name).

mod catalog;
mod dns;
mod machines;
mod vm_hosts;

use super::Resource;

/// Every handler served. Kept in `describe/` order: sorted by handler name.
pub(crate) static RESOURCES: &[Resource] = &[
    catalog::BOOT_RESOURCE_HANDLER,
    catalog::BOOT_RESOURCES_HANDLER,
    dns::DNS_RESOURCE_HANDLER,
    dns::DNS_RESOURCES_HANDLER,
    dns::DOMAIN_HANDLER,
    dns::DOMAINS_HANDLER,
    machines::MACHINE_HANDLER,
    machines::MACHINES_HANDLER,
    vm_hosts::POD_HANDLER,
    vm_hosts::PODS_HANDLER,
    catalog::RESOURCE_POOL_HANDLER,
    catalog::RESOURCE_POOLS_HANDLER,
    catalog::TAG_HANDLER,
    catalog::TAGS_HANDLER,
    catalog::USER_HANDLER,
    catalog::USERS_HANDLER,
    catalog::VERSION_HANDLER,
    vm_hosts::VM_HOST_HANDLER,
    vm_hosts::VM_HOSTS_HANDLER,
    catalog::ZONE_HANDLER,
    catalog::ZONES_HANDLER,
];

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
}
