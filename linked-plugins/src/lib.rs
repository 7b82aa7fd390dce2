//! The one list of in-tree plugins. Every binary and test that needs them names this crate
//! (`use linked_plugins as _;`) and nothing else: a crate that no code names is dropped by the
//! linker, and its `inventory` registrations with it.
//!
//! Adding an in-tree platform or control-plane backend: its crate (which registers itself),
//! one line in the matching list below, and the dependency (for a platform, plus its `cli`
//! feature) in this crate's Cargo.toml. Nothing else names it; `tests/architecture.rs` checks
//! that.

/// Names each crate (so it is linked) and collects the `PLATFORM_TYPE` it registers.
macro_rules! platforms {
    ($($krate:ident),* $(,)?) => {
        $(use $krate as _;)*
        /// The platform types this crate links; binaries check they are registered.
        pub const PLATFORMS: &[&str] = &[$($krate::PLATFORM_TYPE),*];
    };
}

/// Names each crate (so it is linked) and collects the `CONTROL_PLANE` name it registers. The
/// first one listed is the default backend.
macro_rules! control_planes {
    ($default:ident $(, $krate:ident)* $(,)?) => {
        use $default as _;
        $(use $krate as _;)*
        /// The control-plane backends this crate links; binaries check they are registered.
        pub const CONTROL_PLANES: &[&str] = &[$default::CONTROL_PLANE, $($krate::CONTROL_PLANE),*];
        /// The backend of a HostedCluster without the control-plane annotation (unless the
        /// operator's `--default-control-plane` says otherwise), declared to the registry.
        pub const DEFAULT_CONTROL_PLANE: &str = $default::CONTROL_PLANE;
        platform_api::register_default_control_plane!($default::CONTROL_PLANE);
    };
}

platforms! {
    platform_maas,
    platform_none,
}

control_planes! {
    control_plane_hypershift,
    control_plane_kamaji,
}

/// Fails when a platform of [`PLATFORMS`] or a backend of [`CONTROL_PLANES`] did not make it
/// into its registry (or, with the `cli` feature, a platform has no command-line part).
pub fn check_registered() -> Result<(), String> {
    let registry = platform_api::registry().map_err(|e| e.to_string())?;
    let names = registry.names();
    let missing: Vec<_> = PLATFORMS.iter().filter(|p| !names.contains(p)).collect();
    if !missing.is_empty() {
        return Err(format!(
            "platforms not linked: {missing:?}; registered: {names:?}"
        ));
    }
    let backends = platform_api::control_plane::control_plane_registry()
        .map_err(|e| e.to_string())?
        .names();
    let missing: Vec<_> = CONTROL_PLANES
        .iter()
        .filter(|b| !backends.contains(b))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "control-plane backends not linked: {missing:?}; registered: {backends:?}"
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
