//! LXD object names, checked before anything is sent so that a typo is reported with its flag
//! rather than as LXD's error halfway through the steps.

use crate::LxdError;

pub use lxd_names::{NAME_MAX, NETWORK_NAME_MAX};

/// A name LXD accepts for a storage pool, network or profile (the rule NodePool validation
/// uses too), reported against `field`.
pub fn check(field: &str, name: &str, max: usize) -> Result<(), LxdError> {
    lxd_names::check_name(name, max).map_err(|reason| LxdError::Invalid {
        field: field.into(),
        reason,
    })
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
