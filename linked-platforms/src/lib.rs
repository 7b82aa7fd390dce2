//! Links every in-tree platform crate, so their `register_platform!` entries survive linking.
//!
//! The operator must never name a platform (tests/architecture.rs scans `operator/` for it), yet
//! a platform crate that no code names is dropped by the linker along with its registration.
//! This crate is the one place that names them; the operator binary names this crate instead.
//! Adding an in-tree platform means one `use` line here and one entry in [`IN_TREE`].

use platform_maas as _;

/// The platform types this crate links; binaries assert they are registered at start-up.
pub const IN_TREE: &[&str] = &["MAAS"];

/// Fails when a platform listed in [`IN_TREE`] did not make it into the registry.
pub fn check_registered() -> Result<(), String> {
    let registry = platform_api::registry().map_err(|e| e.to_string())?;
    let names = registry.names();
    let missing: Vec<_> = IN_TREE.iter().filter(|p| !names.contains(p)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "platforms not linked: {missing:?}; registered: {names:?}"
        ))
    }
}
