//! Server-side apply of a list of objects, all or nothing: a server-side dry run of every object
//! first, then the real apply in order. If an apply fails anyway, the objects this run created
//! are deleted again (objects that existed before are left as they are).

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
    let dry = PatchParams::apply(MANAGER).force().dry_run();
    for item in items {
        item.api(client)
            .patch(&item.name(), &dry, &Patch::Apply(&item.object))
            .await
            .map_err(|e| {
                CliError::new(format!(
                    "{} was rejected (nothing was changed): {}",
                    item.display(),
                    describe_kube_error(&e)
                ))
            })?;
    }

    let real = PatchParams::apply(MANAGER).force();
    let mut created: Vec<&Item> = Vec::new();
    for item in items {
        let api = item.api(client);
        let existed = api
            .get_opt(&item.name())
            .await
            .map_err(|e| CliError::new(describe_kube_error(&e)))?
            .is_some();
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
                let mut message = format!(
                    "applying {} failed: {}",
                    item.display(),
                    describe_kube_error(&e)
                );
                for c in created.iter().rev() {
                    match c
                        .api(client)
                        .delete(&c.name(), &DeleteParams::default())
                        .await
                    {
                        Ok(_) => {
                            message.push_str(&format!("\n  rolled back: deleted {}", c.display()))
                        }
                        Err(e) => message.push_str(&format!(
                            "\n  could not roll back {}: {}",
                            c.display(),
                            describe_kube_error(&e)
                        )),
                    }
                }
                return Err(CliError::new(message));
            }
        }
    }
    Ok(())
}
