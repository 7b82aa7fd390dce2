//! The link-time registry of control-plane backends, built like the platform registry
//! ([`crate::registry`]): each backend crate submits a [`ControlPlaneRegistration`]; the
//! registry is built once, sorted by name, and refuses duplicates.

use super::ControlPlane;
use crate::api::HostedCluster;
use crate::desired::labels::CONTROL_PLANE_ANNOTATION;
use crate::platform::{FieldError, FieldErrors};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// What a backend crate submits.
pub struct ControlPlaneRegistration {
    /// The backend's name, the value of the HostedCluster annotation that picks it.
    pub name: &'static str,
    /// Makes the backend; called once, when the registry is first built.
    pub constructor: fn() -> Box<dyn ControlPlane>,
}

inventory::collect!(ControlPlaneRegistration);

/// Names the backend of HostedClusters without the control-plane annotation. The crate that
/// lists the linked backends submits exactly one, with
/// [`register_default_control_plane!`](crate::register_default_control_plane), so binaries
/// that never name a backend still have a default.
pub struct DefaultControlPlane {
    /// A registered backend's name.
    pub name: &'static str,
}

inventory::collect!(DefaultControlPlane);

/// Declares the default control-plane backend: `register_default_control_plane!("name");`.
#[macro_export]
macro_rules! register_default_control_plane {
    ($name:expr) => {
        $crate::inventory::submit! {
            $crate::control_plane::DefaultControlPlane { name: $name }
        }
    };
}

/// Registers a control-plane backend with the link-time registry:
/// `register_control_plane!("hypershift", || Box::new(HyperShift));`
///
/// The name must equal the backend's [`ControlPlane::name`]; the registry refuses a mismatch
/// and duplicates when it is first used.
#[macro_export]
macro_rules! register_control_plane {
    ($name:expr, $constructor:expr) => {
        $crate::inventory::submit! {
            $crate::control_plane::ControlPlaneRegistration { name: $name, constructor: $constructor }
        }
    };
}

/// Why the backend registry cannot be built, or cannot serve a name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlPlaneRegistryError {
    /// Two linked crates register the same name: a build mistake, not a user error.
    #[error("control-plane backend {name:?} is registered more than once")]
    Duplicate {
        /// The name registered twice.
        name: &'static str,
    },
    /// A registration's name differs from what its backend reports: a bug in that crate.
    #[error(
        "control-plane backend registered as {registered:?} reports name {reported:?}; the registration name must equal ControlPlane::name()"
    )]
    NameMismatch {
        /// The name given to [`register_control_plane!`](crate::register_control_plane).
        registered: &'static str,
        /// What [`ControlPlane::name`] returns.
        reported: &'static str,
    },
    /// No default, or more than one, was declared: a build mistake.
    #[error(
        "{count} default control-plane backends are declared; the list of linked backends must declare exactly one"
    )]
    Default {
        /// How many were declared.
        count: usize,
    },
    /// A name no linked crate serves; the message lists the known ones.
    #[error("unknown control-plane backend {requested:?}; known backends: {}", known_list(.known))]
    Unknown {
        /// The name asked for.
        requested: String,
        /// The linked names, sorted.
        known: Vec<&'static str>,
    },
}

fn known_list(known: &[&'static str]) -> String {
    if known.is_empty() {
        "none (no control-plane backend crate is linked into this binary)".into()
    } else {
        known.join(", ")
    }
}

/// All linked control-plane backends, by name.
pub struct ControlPlaneRegistry {
    backends: BTreeMap<&'static str, Box<dyn ControlPlane>>,
    default: Option<&'static str>,
}

impl ControlPlaneRegistry {
    /// Builds a registry from explicit registrations instead of the linked ones (tests use it
    /// to provoke the errors).
    ///
    /// # Errors
    /// [`ControlPlaneRegistryError::NameMismatch`] or [`ControlPlaneRegistryError::Duplicate`].
    pub fn from_registrations<'a>(
        regs: impl IntoIterator<Item = &'a ControlPlaneRegistration>,
    ) -> Result<Self, ControlPlaneRegistryError> {
        let mut backends: BTreeMap<&'static str, Box<dyn ControlPlane>> = BTreeMap::new();
        for reg in regs {
            let backend = (reg.constructor)();
            if backend.name() != reg.name {
                return Err(ControlPlaneRegistryError::NameMismatch {
                    registered: reg.name,
                    reported: backend.name(),
                });
            }
            if backends.insert(reg.name, backend).is_some() {
                return Err(ControlPlaneRegistryError::Duplicate { name: reg.name });
            }
        }
        Ok(Self {
            backends,
            default: None,
        })
    }

    /// The registry with `default` as the backend of clusters without the annotation.
    ///
    /// # Errors
    /// [`ControlPlaneRegistryError::Unknown`] when no registered backend has that name.
    pub fn with_default(
        mut self,
        default: &'static str,
    ) -> Result<Self, ControlPlaneRegistryError> {
        self.get(default)?;
        self.default = Some(default);
        Ok(self)
    }

    /// The declared default backend's name.
    ///
    /// # Errors
    /// [`ControlPlaneRegistryError::Default`] when none was declared.
    pub fn default_name(&self) -> Result<&'static str, ControlPlaneRegistryError> {
        self.default
            .ok_or(ControlPlaneRegistryError::Default { count: 0 })
    }

    /// The backend named `name` (a clone, so the caller may keep it across `await`s), or an
    /// error listing the known names.
    pub fn get(&self, name: &str) -> Result<Box<dyn ControlPlane>, ControlPlaneRegistryError> {
        self.backends
            .get(name)
            .map(|b| dyn_clone::clone_box(&**b))
            .ok_or_else(|| ControlPlaneRegistryError::Unknown {
                requested: name.to_string(),
                known: self.names(),
            })
    }

    /// Registered names, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        self.backends.keys().copied().collect()
    }

    /// Every backend, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &dyn ControlPlane> {
        self.backends.values().map(|b| &**b)
    }

    /// The backend a HostedCluster asks for with [`CONTROL_PLANE_ANNOTATION`]; without the
    /// annotation `default` (the operator's `--default-control-plane`) or else the declared
    /// default.
    ///
    /// # Errors
    /// An unknown name is the user's mistake: a field error at the annotation that lists the
    /// registered backends. A missing default is reported the same way.
    pub fn for_cluster(
        &self,
        hc: &HostedCluster,
        default: Option<&str>,
    ) -> Result<Box<dyn ControlPlane>, FieldErrors> {
        let name = selected_name(hc)
            .or(default)
            .or(self.default)
            .unwrap_or_default();
        self.get(name).map_err(|e| {
            FieldErrors(vec![FieldError::new(
                format!("metadata.annotations[{CONTROL_PLANE_ANNOTATION}]"),
                e.to_string(),
                format!(
                    "set the annotation to one of: {}",
                    known_list(&self.names())
                ),
            )])
        })
    }
}

/// The backend name a HostedCluster's annotation asks for, if any.
pub fn selected_name(hc: &HostedCluster) -> Option<&str> {
    hc.metadata
        .annotations
        .as_ref()?
        .get(CONTROL_PLANE_ANNOTATION)
        .map(String::as_str)
}

/// The process-wide registry of every backend linked into this binary, built on first use.
pub fn control_plane_registry() -> Result<&'static ControlPlaneRegistry, ControlPlaneRegistryError>
{
    static REGISTRY: OnceLock<Result<ControlPlaneRegistry, ControlPlaneRegistryError>> =
        OnceLock::new();
    REGISTRY
        .get_or_init(|| {
            let registry = ControlPlaneRegistry::from_registrations(
                inventory::iter::<ControlPlaneRegistration>,
            )?;
            let defaults: Vec<_> = inventory::iter::<DefaultControlPlane>.into_iter().collect();
            match defaults.as_slice() {
                [] if registry.backends.is_empty() => Ok(registry),
                [one] => registry.with_default(one.name),
                more => Err(ControlPlaneRegistryError::Default { count: more.len() }),
            }
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Shorthand for `control_plane_registry()?.get(name)`.
pub fn control_plane_for(name: &str) -> Result<Box<dyn ControlPlane>, ControlPlaneRegistryError> {
    control_plane_registry()?.get(name)
}
