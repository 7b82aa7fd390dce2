//! The names LXD accepts for storage pools, networks and profiles. One rule for NodePool
//! validation (which runs in the operator, without an HTTP stack) and the LXD initializer
//! (which talks to LXD), so a name one accepts the other never rejects.
#![warn(missing_docs)]

/// Network names become host interface names, which the kernel caps at 15 bytes.
pub const NETWORK_NAME_MAX: usize = 15;
/// Storage pools and profiles.
pub const NAME_MAX: usize = 63;

/// Checks a name LXD accepts for a storage pool, network or profile: ASCII letters, digits,
/// `-`, `_` and `.`, starting with a letter, at most `max` characters. The error says why.
pub fn check_name(name: &str, max: usize) -> Result<(), String> {
    if name.is_empty() {
        return Err("is empty".into());
    }
    if name.len() > max {
        return Err(format!("{name:?} is longer than {max} characters"));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(format!("{name:?} must start with a letter"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c)))
    {
        return Err(format!(
            "{name:?} contains {c:?}; use letters, digits, '-', '_' and '.'"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_lxd_names_and_rejects_the_rest() {
        for ok in ["default", "lxdbr0", "maas-vms", "pool_1.a"] {
            check_name(ok, NAME_MAX).unwrap();
        }
        for bad in ["", "0pool", "-x", "a/b", "a b", "a:b"] {
            assert!(check_name(bad, NAME_MAX).is_err(), "{bad:?}");
        }
        assert!(check_name("a-very-long-bridge", NETWORK_NAME_MAX).is_err());
    }
}
