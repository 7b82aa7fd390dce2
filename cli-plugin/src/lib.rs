//! The command-line side of a platform: what `hosted-cluster create cluster <platform>` asks
//! for, and how those flags become the platform's parts of the cluster.
//!
//! A platform crate implements [`PlatformCli`] (with clap's builder API: it receives the
//! subcommand and adds its arguments) and registers it with [`register_platform_cli!`]. The CLI
//! builds one `create cluster <name>` subcommand per registration, so the CLI names no platform.
//! Like `platform_api::registry`, registrations are collected at link time with `inventory`, kept
//! sorted by name, and a name registered twice is an error.

use k8s_openapi::api::core::v1::Secret;
use platform_api::api::PlatformSpec;
use platform_api::manifests::ClusterTemplate;
use platform_api::platform::FieldErrors;
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub use clap;

/// What a platform adds to the generic cluster template of `create cluster`.
pub struct PlatformParts {
    /// `spec.platform` of the HostedCluster.
    pub hosted_cluster: PlatformSpec,
    /// `spec.platform` of the first NodePool.
    pub node_pool: PlatformSpec,
    /// Secrets the platform needs created with the cluster (e.g. credentials).
    pub secrets: Vec<Secret>,
    /// Maps field paths of the built objects to the flags that set them, so validation errors
    /// name the flag.
    pub field_flags: &'static [(&'static str, &'static str)],
}

/// A platform's part of the command line.
pub trait PlatformCli: Send + Sync + 'static {
    /// The subcommand of `create cluster`: the platform type in lower case, by convention.
    fn name(&self) -> &'static str;
    /// The `spec.platform.type` the built objects carry (a type in `platform_api::registry`).
    fn platform_type(&self) -> &'static str;
    /// One line for `create cluster --help`.
    fn about(&self) -> &'static str;
    /// Adds the platform's own arguments to `create cluster <name>`, which already holds the
    /// arguments every platform shares.
    fn create_args(&self, command: clap::Command) -> clap::Command;
    /// Turns the parsed flags into the platform's parts. Every problem is returned at once, each
    /// naming its flag.
    fn create_parts(
        &self,
        matches: &clap::ArgMatches,
        template: &ClusterTemplate,
    ) -> Result<PlatformParts, FieldErrors>;
    /// The longest suffix the platform appends to the cluster name for names it derives (e.g.
    /// a credentials Secret's), so `--name`'s maximum length covers them.
    fn longest_name_suffix(&self) -> usize {
        0
    }
}

/// What a platform crate submits, through [`register_platform_cli!`].
pub struct PlatformCliRegistration(pub &'static dyn PlatformCli);

inventory::collect!(PlatformCliRegistration);

/// Registers a [`PlatformCli`] value (a constant expression, e.g. a unit struct).
#[macro_export]
macro_rules! register_platform_cli {
    ($cli:expr) => {
        $crate::inventory::submit! { $crate::PlatformCliRegistration(&$cli) }
    };
}

// Re-exported for `register_platform_cli!`.
#[doc(hidden)]
pub use inventory;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CliRegistryError {
    #[error("the command-line part {name:?} is registered more than once")]
    Duplicate { name: &'static str },
    #[error("unknown platform {requested:?}; known: {}", .known.join(", "))]
    Unknown {
        requested: String,
        known: Vec<&'static str>,
    },
}

/// Every linked platform's command-line part, by name.
pub struct PlatformClis {
    by_name: BTreeMap<&'static str, &'static dyn PlatformCli>,
}

impl PlatformClis {
    /// Builds the set from explicit registrations (tests use this for the duplicate check).
    pub fn from_registrations<'a>(
        regs: impl IntoIterator<Item = &'a PlatformCliRegistration>,
    ) -> Result<Self, CliRegistryError> {
        let mut by_name = BTreeMap::new();
        for PlatformCliRegistration(cli) in regs {
            if by_name.insert(cli.name(), *cli).is_some() {
                return Err(CliRegistryError::Duplicate { name: cli.name() });
            }
        }
        Ok(Self { by_name })
    }

    /// The part registered as `name`.
    pub fn get(&self, name: &str) -> Result<&'static dyn PlatformCli, CliRegistryError> {
        self.by_name
            .get(name)
            .copied()
            .ok_or_else(|| CliRegistryError::Unknown {
                requested: name.to_string(),
                known: self.names(),
            })
    }

    /// Registered names, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        self.by_name.keys().copied().collect()
    }

    /// The parts, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &'static dyn PlatformCli> + '_ {
        self.by_name.values().copied()
    }
}

/// The process-wide set of every platform CLI part linked into this binary, built on first use.
pub fn platform_clis() -> Result<&'static PlatformClis, CliRegistryError> {
    static CLIS: OnceLock<Result<PlatformClis, CliRegistryError>> = OnceLock::new();
    CLIS.get_or_init(|| {
        PlatformClis::from_registrations(inventory::iter::<PlatformCliRegistration>)
    })
    .as_ref()
    .map_err(Clone::clone)
}
