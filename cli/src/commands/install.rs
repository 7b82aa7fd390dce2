//! `hosted-cluster install --render`: print everything needed to install the operator (our
//! CRDs, Namespace, ServiceAccount, least-privilege RBAC, Deployment). The objects come from
//! the operator's own builders, so the CLI and the operator agree on what the operator needs.

use crate::error::{CliError, Result};
use crate::output::{self, Format};
use clap::{Args, Subcommand};
use hosted_cluster_operator::install::{self, InstallOptions};
use std::io::Write;

#[derive(Args, Debug, Clone)]
#[command(args_conflicts_with_subcommands = true)]
pub struct InstallArgs {
    #[command(subcommand)]
    pub target: Option<InstallTarget>,
    /// Print the manifests instead of applying them (applying is not implemented yet; pipe the
    /// output to `kubectl apply --server-side -f -`).
    #[arg(long)]
    pub render: bool,
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Yaml)]
    pub output: Format,
    /// Namespace the operator runs in.
    #[arg(long, default_value = install::DEFAULT_NAMESPACE)]
    pub namespace: String,
    /// The operator's container image.
    #[arg(long, default_value = install::DEFAULT_IMAGE)]
    pub image: String,
}

/// What else can be installed besides the operator.
#[derive(Subcommand, Debug, Clone)]
pub enum InstallTarget {
    /// The LXD initializer DaemonSet: prepares each node's LXD and registers it as a VM host.
    LxdInitializer(super::maas::install_lxd::LxdInitializerArgs),
}

pub fn run(args: &InstallArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(InstallTarget::LxdInitializer(lxd)) = &args.target {
        return super::maas::install_lxd::run(lxd, out);
    }
    if !args.render {
        return Err(CliError {
            message: "install without --render is not supported yet; run `hosted-cluster install --render | kubectl apply --server-side -f -`".into(),
            code: 2,
        });
    }
    let registry =
        platform_api::registry().map_err(|e| CliError::new(format!("platform registry: {e}")))?;
    let opts = InstallOptions {
        namespace: args.namespace.clone(),
        image: args.image.clone(),
        ..Default::default()
    };
    let objects = install::objects(&opts, registry);
    out.write_all(output::render(&objects, args.output).as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    async fn run(args: &[&str]) -> (i32, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = crate::run(
            std::iter::once("hosted-cluster").chain(args.iter().copied()),
            &mut out,
            &mut err,
        )
        .await;
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[tokio::test]
    async fn render_prints_crds_rbac_and_deployment() {
        let (code, out, err) = run(&[
            "install",
            "--render",
            "-o",
            "json",
            "--namespace",
            "ops",
            "--image",
            "example.com/op:v2",
        ])
        .await;
        assert_eq!(code, 0, "{err}");
        let list: Value = serde_json::from_str(&out).unwrap();
        let items = list["items"].as_array().unwrap();
        let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds
                .iter()
                .filter(|k| **k == "CustomResourceDefinition")
                .count(),
            3
        );
        for k in [
            "Namespace",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Deployment",
        ] {
            assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
        }
        let d = items.iter().find(|i| i["kind"] == "Deployment").unwrap();
        assert_eq!(d["metadata"]["namespace"], "ops");
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][0]["image"],
            "example.com/op:v2"
        );
        let (code, out, _) = run(&["install", "--render"]).await;
        assert_eq!(code, 0);
        assert!(out.starts_with("---\n"), "YAML documents by default");
    }

    #[tokio::test]
    async fn install_without_render_says_how() {
        let (code, _, err) = run(&["install"]).await;
        assert_eq!(code, 2);
        assert!(err.contains("--render"), "{err}");
    }
}
