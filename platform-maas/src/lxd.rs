//! The LXD rules of NodePool validation: LXD names (from lxd-names, shared with the LXD
//! initializer) and which MAAS tags no composed VM can carry.

pub use lxd_names::{NAME_MAX, NETWORK_NAME_MAX, check_name};

/// Tags that name physical hardware (how MAAS powers or classifies a physical machine). An LXD
/// VM pool selects VM hosts and composes VMs, so a pool that also demands one of these can never
/// be satisfied by what it composes.
pub const BARE_METAL_ONLY_TAGS: &[&str] = &[
    "bare-metal",
    "baremetal",
    "metal",
    "physical",
    "ipmi",
    "redfish",
];

/// Whether `tag` can only match bare metal (case-insensitive).
pub fn is_bare_metal_only(tag: &str) -> bool {
    BARE_METAL_ONLY_TAGS
        .iter()
        .any(|t| t.eq_ignore_ascii_case(tag))
}

#[cfg(test)]
mod tests {
    #[test]
    fn hardware_tags_are_bare_metal_only() {
        assert!(super::is_bare_metal_only("IPMI"));
        assert!(!super::is_bare_metal_only("gpu"));
    }
}
