//! LXD object names, checked before anything is sent so that a typo is reported with its flag
//! rather than as LXD's error halfway through the steps.

use crate::LxdError;

/// Network names become host interface names, which the kernel caps at 15 bytes.
pub const NETWORK_NAME_MAX: usize = 15;
/// Storage pools and profiles.
pub const NAME_MAX: usize = 63;

/// A name LXD accepts for a storage pool, network or profile: ASCII letters, digits, `-`, `_`
/// and `.`, starting with a letter, at most `max` characters.
pub fn check(field: &str, name: &str, max: usize) -> Result<(), LxdError> {
    let invalid = |reason: String| {
        Err(LxdError::Invalid {
            field: field.into(),
            reason,
        })
    };
    if name.is_empty() {
        return invalid("is empty".into());
    }
    if name.len() > max {
        return invalid(format!("{name:?} is longer than {max} characters"));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return invalid(format!("{name:?} must start with a letter"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c)))
    {
        return invalid(format!(
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
            check("--x", ok, NAME_MAX).unwrap();
        }
        for bad in ["", "0pool", "-x", "a/b", "a b", "a:b"] {
            assert!(check("--x", bad, NAME_MAX).is_err(), "{bad:?}");
        }
        assert!(check("--network", "a-very-long-bridge", NETWORK_NAME_MAX).is_err());
    }
}
