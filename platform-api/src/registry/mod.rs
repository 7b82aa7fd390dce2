//! The link-time platform registry.
//!
//! Each platform crate submits a [`PlatformRegistration`] with `inventory`. The registry is built
//! once, sorted by name, and refuses duplicates. Look-up is by `spec.platform.type`.
//!
//! A platform crate that a binary never names is not linked, and its registration silently
//! vanishes. Every binary and test that needs a platform must name the crate
//! (`use platform_maas as _;`) and should assert that it is registered.

use crate::platform::Platform;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// What a platform crate submits.
pub struct PlatformRegistration {
    /// The `spec.platform.type` value served, e.g. `MAAS`.
    pub name: &'static str,
    /// Makes the platform; called once, when the registry is first built.
    pub constructor: fn() -> Box<dyn Platform>,
}

inventory::collect!(PlatformRegistration);

/// Registers a platform with the link-time registry: `register_platform!("MAAS", || Box::new(Maas));`
///
/// The name must equal the platform's [`Platform::platform_type`]; the registry refuses a
/// mismatch and duplicates when it is first used.
#[macro_export]
macro_rules! register_platform {
    ($name:expr, $constructor:expr) => {
        $crate::inventory::submit! {
            $crate::registry::PlatformRegistration { name: $name, constructor: $constructor }
        }
    };
}

/// Why the registry cannot be built, or cannot serve a type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// Two linked crates register the same type: a build mistake, not a user error.
    #[error(
        "platform {name:?} is registered more than once; each platform crate must register a unique type"
    )]
    Duplicate {
        /// The type registered twice.
        name: &'static str,
    },
    /// A registration's name differs from what its platform reports: a bug in that crate.
    #[error(
        "platform registered as {registered:?} reports type {reported:?}; the registration name must equal Platform::platform_type()"
    )]
    NameMismatch {
        /// The name given to [`register_platform!`](crate::register_platform).
        registered: &'static str,
        /// What [`Platform::platform_type`] returns.
        reported: &'static str,
    },
    /// A HostedCluster asks for a type no linked crate serves: the message lists the known
    /// ones, since a typo and a missing crate look the same.
    #[error("unknown platform type {requested:?}; known platform types: {}", known_list(.known))]
    Unknown {
        /// The `spec.platform.type` asked for.
        requested: String,
        /// The linked types, sorted.
        known: Vec<&'static str>,
    },
}

fn known_list(known: &[&'static str]) -> String {
    if known.is_empty() {
        "none (no platform crate is linked into this binary)".into()
    } else {
        known.join(", ")
    }
}

/// All linked platforms, by type.
pub struct Registry {
    platforms: BTreeMap<&'static str, Box<dyn Platform>>,
}

impl Registry {
    /// Builds a registry from explicit registrations instead of the linked ones. [`registry`]
    /// uses it for the linked registrations; tests use it to provoke the errors.
    ///
    /// # Errors
    /// [`RegistryError::NameMismatch`] when a registration's name is not what its platform
    /// reports as [`Platform::platform_type`], [`RegistryError::Duplicate`] when two
    /// registrations share a name.
    pub fn from_registrations<'a>(
        regs: impl IntoIterator<Item = &'a PlatformRegistration>,
    ) -> Result<Self, RegistryError> {
        let mut platforms: BTreeMap<&'static str, Box<dyn Platform>> = BTreeMap::new();
        for reg in regs {
            let platform = (reg.constructor)();
            if platform.platform_type() != reg.name {
                return Err(RegistryError::NameMismatch {
                    registered: reg.name,
                    reported: platform.platform_type(),
                });
            }
            if platforms.insert(reg.name, platform).is_some() {
                return Err(RegistryError::Duplicate { name: reg.name });
            }
        }
        Ok(Self { platforms })
    }

    /// A registry of exactly these platforms, each under its own type (the conformance suite
    /// assembles CRDs for one platform with it).
    #[cfg(feature = "testing")]
    pub(crate) fn from_platforms(
        platforms: impl IntoIterator<Item = Box<dyn Platform>>,
    ) -> Result<Self, RegistryError> {
        let mut map: BTreeMap<&'static str, Box<dyn Platform>> = BTreeMap::new();
        for platform in platforms {
            let name = platform.platform_type();
            if map.insert(name, platform).is_some() {
                return Err(RegistryError::Duplicate { name });
            }
        }
        Ok(Self { platforms: map })
    }

    /// The platform serving `platform_type`, or an error listing the known types. The box is
    /// a clone, so the caller may keep it across `await`s.
    pub fn get(&self, platform_type: &str) -> Result<Box<dyn Platform>, RegistryError> {
        self.platforms
            .get(platform_type)
            .map(|p| dyn_clone::clone_box(&**p))
            .ok_or_else(|| RegistryError::Unknown {
                requested: platform_type.to_string(),
                known: self.names(),
            })
    }

    /// Registered types, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        self.platforms.keys().copied().collect()
    }

    /// Every platform, sorted by type (CRD assembly adds each one's section).
    pub fn iter(&self) -> impl Iterator<Item = &dyn Platform> {
        self.platforms.values().map(|p| &**p)
    }
}

/// The process-wide registry of every platform linked into this binary, built on first use.
pub fn registry() -> Result<&'static Registry, RegistryError> {
    static REGISTRY: OnceLock<Result<Registry, RegistryError>> = OnceLock::new();
    REGISTRY
        .get_or_init(|| Registry::from_registrations(inventory::iter::<PlatformRegistration>))
        .as_ref()
        .map_err(Clone::clone)
}

/// Shorthand for `registry()?.get(platform_type)`.
pub fn platform_for(platform_type: &str) -> Result<Box<dyn Platform>, RegistryError> {
    registry()?.get(platform_type)
}
