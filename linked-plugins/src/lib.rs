//! The one list of in-tree plugins. Every binary and test that needs them names this crate
//! (`use linked_plugins as _;`) and nothing else: a crate that no code names is dropped by the
//! linker, and its `inventory` registrations with it.
//!
//! Adding an in-tree platform: its crate (which registers itself), one line in the list below,
//! and the dependency (plus its `cli` feature) in this crate's Cargo.toml. Nothing else names it;
//! `tests/architecture.rs` checks that.
//!
//! The name says "plugins", not "platforms": control-plane backends will be linked from here
//! too, so binaries keep naming one crate for every pluggable axis.

/// Names each crate (so it is linked) and collects the `PLATFORM_TYPE` it registers.
macro_rules! platforms {
    ($($krate:ident),* $(,)?) => {
        $(use $krate as _;)*
        /// The platform types this crate links; binaries check they are registered.
        pub const PLATFORMS: &[&str] = &[$($krate::PLATFORM_TYPE),*];
    };
}

platforms! {
    platform_maas,
    platform_none,
}

/// Fails when a platform of [`PLATFORMS`] did not make it into the registry (or, with the `cli`
/// feature, has no command-line part).
pub fn check_registered() -> Result<(), String> {
    let registry = platform_api::registry().map_err(|e| e.to_string())?;
    let names = registry.names();
    let missing: Vec<_> = PLATFORMS.iter().filter(|p| !names.contains(p)).collect();
    if !missing.is_empty() {
        return Err(format!(
            "platforms not linked: {missing:?}; registered: {names:?}"
        ));
    }
    #[cfg(feature = "cli")]
    {
        let clis = cli_plugin::platform_clis().map_err(|e| e.to_string())?;
        let with_cli: Vec<_> = clis.iter().map(|c| c.platform_type()).collect();
        let missing: Vec<_> = PLATFORMS.iter().filter(|p| !with_cli.contains(p)).collect();
        if !missing.is_empty() {
            return Err(format!(
                "platforms without a command-line part: {missing:?}"
            ));
        }
    }
    Ok(())
}
