//! A complete platform crate in one file: HyperShift's `None` platform, where nothing manages
//! the workers' infrastructure (machines are added by hand). Copy it to start a new platform.
//!
//! To use a platform, a binary depends on its crate and names it, so the linker keeps the
//! registration below:
//!
//! ```
//! use platform_none as _;
//! assert!(platform_api::registry().unwrap().names().contains(&"None"));
//! ```

use k8s_openapi::api::apps::v1::DeploymentSpec;
use k8s_openapi::api::core::v1::Secret;
use kube::api::DynamicObject;
use platform_api::api::{HostedCluster, NodePool, PlatformSpecType};
use platform_api::crd::section_schema;
use platform_api::platform::{
    ClusterContext, FieldErrors, NodePoolContext, Platform, PlatformError,
};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

/// `spec.platform.type` served by this crate.
pub const PLATFORM_TYPE: &str = "None";

/// The platform's section (`spec.platform.none`). `None` has nothing to configure; a real
/// platform puts its fields here and reads them with `spec.platform.get::<NoneSpec>()`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct NoneSpec {}

impl PlatformSpecType for NoneSpec {
    const PLATFORM_TYPE: &'static str = PLATFORM_TYPE;
}

#[derive(Clone, Debug, Default)]
pub struct NonePlatform;

#[async_trait::async_trait]
impl Platform for NonePlatform {
    fn platform_type(&self) -> &'static str {
        PLATFORM_TYPE
    }
    fn hosted_cluster_schema(&self, generator: &mut SchemaGenerator) -> Schema {
        section_schema::<NoneSpec>(generator)
    }
    fn node_pool_schema(&self, generator: &mut SchemaGenerator) -> Schema {
        section_schema::<NoneSpec>(generator)
    }
    fn validate_hosted_cluster(&self, _: &HostedCluster) -> Result<(), FieldErrors> {
        Ok(())
    }
    fn validate_node_pool(&self, _: &HostedCluster, _: &NodePool) -> Result<(), FieldErrors> {
        Ok(())
    }
    fn credentials_secret_name(&self, _: &HostedCluster) -> Option<String> {
        None
    }
    fn credentials(&self, _: &ClusterContext<'_>) -> Result<Vec<Secret>, PlatformError> {
        Ok(Vec::new())
    }
    fn infra_cr(&self, _: &ClusterContext<'_>) -> Result<Option<DynamicObject>, PlatformError> {
        Ok(None)
    }
    fn capi_provider_deployment_spec(
        &self,
        _: &ClusterContext<'_>,
    ) -> Result<Option<DeploymentSpec>, PlatformError> {
        Ok(None)
    }
    fn machine_template(
        &self,
        _: &NodePoolContext<'_>,
    ) -> Result<Option<DynamicObject>, PlatformError> {
        Ok(None)
    }
}

platform_api::register_platform!(PLATFORM_TYPE, || Box::new(NonePlatform));

/// The platform's part of the command line (`hosted-cluster create cluster none`), behind the
/// `cli` feature so that binaries without a command line (the operator) do not build clap in.
/// `None` adds no flags; a real platform adds its own in `create_args` (clap's builder API)
/// and reads them back in `create_parts`.
#[cfg(feature = "cli")]
pub mod cli {
    use super::{NoneSpec, PLATFORM_TYPE};
    use cli_plugin::{PlatformCli, PlatformParts, clap};
    use platform_api::api::PlatformSpec;
    use platform_api::manifests::ClusterTemplate;
    use platform_api::platform::FieldErrors;

    pub struct NoneCli;

    impl PlatformCli for NoneCli {
        fn name(&self) -> &'static str {
            "none"
        }
        fn platform_type(&self) -> &'static str {
            PLATFORM_TYPE
        }
        fn about(&self) -> &'static str {
            "A hosted cluster whose workers nothing manages (you add the machines yourself)"
        }
        fn create_args(&self, command: clap::Command) -> clap::Command {
            command
        }
        fn create_parts(
            &self,
            _: &clap::ArgMatches,
            _: &ClusterTemplate,
        ) -> Result<PlatformParts, FieldErrors> {
            Ok(PlatformParts {
                hosted_cluster: PlatformSpec::typed(&NoneSpec {}),
                node_pool: PlatformSpec::typed(&NoneSpec {}),
                secrets: Vec::new(),
                field_flags: &[],
            })
        }
    }

    cli_plugin::register_platform_cli!(NoneCli);
}
