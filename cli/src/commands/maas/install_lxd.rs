//! `hosted-cluster install lxd-initializer --render`: the DaemonSet that runs `lxd daemon` on
//! each node (privileged, host network, LXD's socket mounted, MAAS credentials from a Secret),
//! its ServiceAccount (no Role: the daemon never calls the Kubernetes API) and its Namespace.

use crate::error::{CliError, Result};
use crate::output::{self, Format};
use clap::Args;
use lxd_initializer::manifests::{self, InstallOptions};
use std::io::Write;

#[derive(Args, Debug, Clone)]
pub struct LxdInitializerArgs {
    /// Print the manifests (pipe them to `kubectl apply --server-side -f -`).
    #[arg(long)]
    pub render: bool,
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Yaml)]
    pub output: Format,
    /// Namespace of the DaemonSet (labelled for privileged pods).
    #[arg(long, default_value = manifests::DEFAULT_NAMESPACE)]
    pub namespace: String,
    /// Image with the hosted-cluster command.
    #[arg(long, default_value = manifests::DEFAULT_IMAGE)]
    pub image: String,
    /// Secret with MAAS_ENDPOINT and MAAS_API_KEY, in --namespace.
    #[arg(long, default_value = manifests::DEFAULT_SECRET)]
    pub credentials_secret: String,
    /// LXD's socket on the nodes.
    #[arg(long, default_value = lxd_initializer::DEFAULT_SOCKET)]
    pub socket: String,
    /// /readyz port on the host network.
    #[arg(long, default_value_t = manifests::DEFAULT_PORT)]
    pub port: u16,
    /// MAAS zone the nodes register in.
    #[arg(long)]
    pub zone: Option<String>,
    /// MAAS resource pool the nodes register in.
    #[arg(long)]
    pub pool: Option<String>,
    /// LXD project MAAS manages.
    #[arg(long)]
    pub project: Option<String>,
    /// Storage pool name / driver of `lxd init`.
    #[arg(long)]
    pub storage_pool: Option<String>,
    #[arg(long)]
    pub storage_backend: Option<String>,
    /// Host bridge VMs attach to (or --macvlan).
    #[arg(long, conflicts_with = "macvlan")]
    pub network_bridge: Option<String>,
    /// macvlan on each node's default-route interface.
    #[arg(long)]
    pub macvlan: bool,
}

pub fn run(args: &LxdInitializerArgs, out: &mut dyn Write) -> Result<()> {
    if !args.render {
        return Err(CliError {
            message: "install lxd-initializer without --render is not supported yet; run `hosted-cluster install lxd-initializer --render | kubectl apply --server-side -f -`".into(),
            code: 2,
        });
    }
    let mut daemon_args = Vec::new();
    for (flag, value) in [
        ("zone", &args.zone),
        ("pool", &args.pool),
        ("project", &args.project),
        ("storage-pool", &args.storage_pool),
        ("storage-backend", &args.storage_backend),
        ("network-bridge", &args.network_bridge),
    ] {
        if let Some(v) = value {
            daemon_args.push(format!("--{flag}={v}"));
        }
    }
    if args.macvlan {
        daemon_args.push("--macvlan".into());
    }
    let opts = InstallOptions {
        namespace: args.namespace.clone(),
        image: args.image.clone(),
        credentials_secret: args.credentials_secret.clone(),
        socket: args.socket.clone(),
        port: args.port,
        daemon_args,
    };
    out.write_all(output::render(&manifests::objects(&opts), args.output).as_bytes())?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::Value;

    pub(crate) async fn run(args: &[&str]) -> (i32, String, String) {
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
}
