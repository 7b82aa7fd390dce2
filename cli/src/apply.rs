//! Server-side apply of a list of objects, all or nothing: a server-side dry run of every object
//! first, then the real apply in order. If an apply fails anyway, the objects this run created
//! are deleted again (objects that existed before are left as they are).
//!
//! A dry run of an object in a namespace that does not exist yet fails on a real apiserver, even
//! when the same batch creates that namespace (kubernetes#83562). So the batch's Namespaces that
//! are missing are created for real first; if a dry run then fails, they are deleted again, so a
//! rejected batch leaves nothing behind.

use crate::error::{CliError, Result};
use crate::kube_args::describe_kube_error;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use kube::discovery::ApiResource;
use platform_api::desired::labels::MANAGER;
use serde_json::Value;

/// One object to apply and the resource it lives under.
pub struct Item {
    pub resource: ApiResource,
    pub namespaced: bool,
    pub object: Value,
}

impl Item {
    fn name(&self) -> String {
        self.object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
    fn display(&self) -> String {
        match self.object["metadata"]["namespace"].as_str() {
            Some(ns) if self.namespaced => format!("{} {ns}/{}", self.resource.kind, self.name()),
            _ => format!("{} {}", self.resource.kind, self.name()),
        }
    }
    fn is_namespace(&self) -> bool {
        self.resource.group.is_empty() && self.resource.kind == "Namespace"
    }
    fn api(&self, client: &kube::Client) -> Api<DynamicObject> {
        match self.object["metadata"]["namespace"].as_str() {
            Some(ns) if self.namespaced => Api::namespaced_with(client.clone(), ns, &self.resource),
            _ => Api::all_with(client.clone(), &self.resource),
        }
    }
}

/// Applies every item or none. Returns what was created, for the report.
pub async fn apply_all(
    client: &kube::Client,
    items: &[Item],
    report: &mut dyn FnMut(String),
) -> Result<()> {
    let kerr = |e: kube::Error| CliError::new(describe_kube_error(&e));
    let real = PatchParams::apply(MANAGER).force();

    // Namespaces of the batch that do not exist yet: created for real, before any dry run.
    let mut created: Vec<&Item> = Vec::new();
    for item in items.iter().filter(|i| i.is_namespace()) {
        let api = item.api(client);
        let rejected = |e: kube::Error| {
            format!(
                "{} was rejected (nothing was changed): {}",
                item.display(),
                describe_kube_error(&e)
            )
        };
        let missing = match api.get_opt(&item.name()).await {
            Ok(found) => found.is_none(),
            Err(e) => {
                let message = rejected(e);
                return Err(CliError::new(
                    roll_back_quietly(client, &created, message).await,
                ));
            }
        };
        if !missing {
            continue;
        }
        if let Err(e) = api
            .patch(&item.name(), &real, &Patch::Apply(&item.object))
            .await
        {
            let message = rejected(e);
            return Err(CliError::new(
                roll_back_quietly(client, &created, message).await,
            ));
        }
        created.push(item);
    }
    let rest: Vec<&Item> = items
        .iter()
        .filter(|i| !created.iter().any(|c| std::ptr::eq(*c, *i)))
        .collect();

    let dry = PatchParams::apply(MANAGER).force().dry_run();
    for item in &rest {
        if let Err(e) = item
            .api(client)
            .patch(&item.name(), &dry, &Patch::Apply(&item.object))
            .await
        {
            let message = format!(
                "{} was rejected (nothing was changed): {}",
                item.display(),
                describe_kube_error(&e)
            );
            return Err(CliError::new(
                roll_back_quietly(client, &created, message).await,
            ));
        }
    }
    for c in &created {
        report(format!("{} created", c.display()));
    }

    for item in rest {
        let api = item.api(client);
        let existed = api.get_opt(&item.name()).await.map_err(kerr)?.is_some();
        match api
            .patch(&item.name(), &real, &Patch::Apply(&item.object))
            .await
        {
            Ok(_) => {
                report(format!(
                    "{} {}",
                    item.display(),
                    if existed { "configured" } else { "created" }
                ));
                if !existed {
                    created.push(item);
                }
            }
            Err(e) => {
                let message = format!(
                    "applying {} failed: {}",
                    item.display(),
                    describe_kube_error(&e)
                );
                return Err(CliError::new(roll_back(client, &created, message).await));
            }
        }
    }
    Ok(())
}

/// Deletes what this run created, newest first (so Namespaces go last), and says so in `message`.
async fn roll_back(client: &kube::Client, created: &[&Item], mut message: String) -> String {
    for c in created.iter().rev() {
        match c
            .api(client)
            .delete(&c.name(), &DeleteParams::default())
            .await
        {
            Ok(_) => message.push_str(&format!("\n  rolled back: deleted {}", c.display())),
            Err(e) => message.push_str(&format!(
                "\n  could not roll back {}: {}",
                c.display(),
                describe_kube_error(&e)
            )),
        }
    }
    message
}

/// As [`roll_back`], for a batch rejected by its dry run: the Namespaces created for the dry run
/// are deleted again, and only a failure to do so is worth a line.
async fn roll_back_quietly(
    client: &kube::Client,
    created: &[&Item],
    mut message: String,
) -> String {
    for c in created.iter().rev() {
        if let Err(e) = c
            .api(client)
            .delete(&c.name(), &DeleteParams::default())
            .await
        {
            message.push_str(&format!(
                "\n  {} was created for the dry run and could not be deleted again: {}",
                c.display(),
                describe_kube_error(&e)
            ));
        }
    }
    message
}
