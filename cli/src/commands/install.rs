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
    /// The LXD initializer DaemonSet: prepares each node's LXD and registers it with MAAS.
    LxdInitializer(super::install_lxd::LxdInitializerArgs),
}

pub fn run(args: &InstallArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(InstallTarget::LxdInitializer(lxd)) = &args.target {
        return super::install_lxd::run(lxd, out);
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
    async fn lxd_initializer_daemon_set_is_privileged_with_no_rbac() {
        let (code, out, err) = run(&[
            "install",
            "lxd-initializer",
            "--render",
            "-o",
            "json",
            "--zone",
            "az-1",
            "--credentials-secret",
            "maas-creds",
        ])
        .await;
        assert_eq!(code, 0, "{err}");
        let list: Value = serde_json::from_str(&out).unwrap();
        let items = list["items"].as_array().unwrap();
        let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
        // Least privilege: the daemon never calls the API, so no Role and no token.
        assert_eq!(kinds, ["Namespace", "ServiceAccount", "DaemonSet"]);
        assert_eq!(
            items[0]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"],
            "privileged"
        );
        assert_eq!(items[1]["automountServiceAccountToken"], false);
        let pod = &items[2]["spec"]["template"]["spec"];
        assert_eq!(pod["hostNetwork"], true);
        assert_eq!(pod["automountServiceAccountToken"], false);
        let c = &pod["containers"][0];
        assert_eq!(c["securityContext"]["privileged"], true);
        assert_eq!(c["volumeMounts"][0]["mountPath"], "/var/lib/lxd");
        assert_eq!(pod["volumes"][0]["hostPath"]["path"], "/var/lib/lxd");
        assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/readyz");
        let env = c["env"].as_array().unwrap();
        for key in ["MAAS_ENDPOINT", "MAAS_API_KEY"] {
            let e = env.iter().find(|e| e["name"] == key).unwrap();
            assert_eq!(e["valueFrom"]["secretKeyRef"]["name"], "maas-creds");
            assert_eq!(e["valueFrom"]["secretKeyRef"]["key"], key);
        }
        let args: Vec<&str> = c["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(&args[..2], ["lxd", "daemon"]);
        assert!(args.contains(&"--zone=az-1"), "{args:?}");
        assert!(args.contains(&"--name=$(NODE_NAME)"), "{args:?}");
        let (code, _, err) = run(&["install", "lxd-initializer"]).await;
        assert_eq!(code, 2);
        assert!(err.contains("--render"), "{err}");
    }

    #[tokio::test]
    async fn lxd_init_rejects_bad_names_before_any_request() {
        let (code, _, err) = run(&[
            "lxd",
            "init",
            "--socket",
            "/nonexistent/unix.socket",
            "--storage-pool",
            "0bad",
        ])
        .await;
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("--storage-pool"), "{err}");
        let (code, _, err) = run(&[
            "lxd",
            "init",
            "--socket",
            "/nonexistent/unix.socket",
            "--storage-size",
            "10",
        ])
        .await;
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("dir pool"), "{err}");
        let (code, _, err) = run(&["lxd", "init", "--socket", "/nonexistent/unix.socket"]).await;
        assert_eq!(code, 1);
        assert!(err.contains("unreachable"), "{err}");
    }

    #[tokio::test]
    async fn install_without_render_says_how() {
        let (code, _, err) = run(&["install"]).await;
        assert_eq!(code, 2);
        assert!(err.contains("--render"), "{err}");
    }
}
