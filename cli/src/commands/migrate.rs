//! `hosted-cluster migrate credentials --name N`: rewrites a HostedCluster's credentials Secret
//! from its platform's deprecated format to the current one, in place. Idempotent: a Secret
//! already current is left alone. `--dry-run` says what would change and changes nothing.
//! Values are never printed.

use crate::error::{CliError, Result};
use crate::kube_args::{KubeArgs, describe_kube_error};
use clap::{Args, Subcommand};
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::api::{Patch, PatchParams, PostParams};
use platform_api::api::HostedCluster;
use platform_api::platform::SecretData;
use std::io::Write;

/// Migrations of objects written in a deprecated format.
#[derive(Subcommand, Debug)]
pub enum MigrateCommand {
    /// Rewrite a HostedCluster's credentials Secret from the deprecated keys to the current ones.
    Credentials(MigrateCredentialsArgs),
}

#[derive(Args, Debug, Clone)]
pub struct MigrateCredentialsArgs {
    /// Name of the HostedCluster whose credentials Secret to migrate.
    #[arg(long)]
    pub name: String,
    /// Namespace of the HostedCluster (and its Secret).
    #[arg(long, default_value = "clusters")]
    pub namespace: String,
    /// Say what would change; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub kube: KubeArgs,
}

pub async fn run(cmd: &MigrateCommand, out: &mut dyn Write) -> Result<()> {
    let MigrateCommand::Credentials(args) = cmd;
    crate::cluster_ref::check(&args.name, &args.namespace)?;

    let client = args.kube.client().await?;
    let kerr = |e: kube::Error| CliError::new(describe_kube_error(&e));
    let (ns, name) = (args.namespace.as_str(), args.name.as_str());
    let clusters: Api<HostedCluster> = Api::namespaced(client.clone(), ns);
    let hc = crate::cluster_ref::existing(&clusters, name).await?;
    let platform = platform_api::platform_for(&hc.spec.platform.type_)
        .map_err(|e| CliError::new(format!("HostedCluster {ns}/{name}: {e}")))?;
    let Some(secret_name) = platform.credentials_secret_name(&hc) else {
        writeln!(
            out,
            "HostedCluster {ns}/{name} uses no credentials Secret; nothing to migrate"
        )?;
        return Ok(());
    };
    let secrets: Api<Secret> = Api::namespaced(client, ns);
    let mut secret = secrets.get_opt(&secret_name).await.map_err(kerr)?.ok_or_else(|| {
        CliError::new(format!(
            "Secret {ns}/{secret_name} (the credentials of HostedCluster {ns}/{name}) does not exist"
        ))
    })?;
    let mut data = SecretData::from_secret(&secret);
    data.namespace = ns.to_string();
    let Some(migration) = platform.credentials_migration(&hc, &data) else {
        writeln!(
            out,
            "Secret {ns}/{secret_name} is already in the current format; nothing to do"
        )?;
        return Ok(());
    };
    let verb = if args.dry_run {
        "would change"
    } else {
        "changing"
    };
    writeln!(out, "Secret {ns}/{secret_name}: {verb}:")?;
    for c in &migration.changes {
        writeln!(out, "  {c}")?;
    }
    if args.dry_run {
        writeln!(out, "dry run: nothing was changed")?;
        return Ok(());
    }

    // A replace, not an apply: the old keys belong to whoever wrote the Secret, and only a
    // replace can drop them. The resourceVersion makes a concurrent change fail, not vanish.
    let mut stored = secret.data.take().unwrap_or_default();
    for (k, v) in secret.string_data.take().unwrap_or_default() {
        stored.insert(k, ByteString(v.into_bytes()));
    }
    for k in &migration.remove {
        stored.remove(k);
    }
    for (k, v) in &migration.set {
        stored.insert(k.clone(), ByteString(v.clone()));
    }
    secret.data = Some(stored);
    secrets
        .replace(&secret_name, &PostParams::default(), &secret)
        .await
        .map_err(|e| {
            CliError::new(format!(
                "cannot rewrite Secret {ns}/{secret_name}: {}; nothing was changed",
                describe_kube_error(&e)
            ))
        })?;
    if let Some(patch) = &migration.hosted_cluster_patch {
        clusters
            .patch(name, &PatchParams::default(), &Patch::Merge(patch))
            .await
            .map_err(|e| {
                CliError::new(format!(
                    "rewrote Secret {ns}/{secret_name} but cannot update HostedCluster {ns}/{name}: {}; set what the line above says by hand",
                    describe_kube_error(&e)
                ))
            })?;
    }
    writeln!(
        out,
        "migrated; run it again to check: it will find nothing to do"
    )?;
    Ok(())
}
