//! Machine calls: list, get, allocate, deploy, release, delete.

use reqwest::Method;

use super::{checked, path_id};
use crate::params::{AllocateConstraints, DeployOptions, MachineFilter, ReleaseOptions};
use crate::transport::Call;
use crate::types::Machine;
use crate::{MaasClient, MaasError, ObjectKind, Operation};

impl MaasClient {
    /// Machines matching `filter` (all visible machines for the default).
    pub async fn machines(&self, filter: &MachineFilter) -> Result<Vec<Machine>, MaasError> {
        let op = Operation::collection("list machines", ObjectKind::Machine);
        let call = Call::new(op, Method::GET, self.url(&["machines"])).query(filter.to_query());
        let machines: Vec<Machine> = self.json(call).await?;
        // The tag filter is not part of MAAS's documented `read` parameters;
        // enforce it here so an ignoring MAAS cannot widen the result.
        Ok(machines
            .into_iter()
            .filter(|m| filter.tags.iter().all(|t| m.has_tag(t)))
            .collect())
    }

    pub async fn machine(&self, system_id: &str) -> Result<Machine, MaasError> {
        let op = Operation::on("get", ObjectKind::Machine, system_id);
        let id = path_id(&op, "system_id", system_id)?;
        let url = self.url(&["machines", id]);
        self.json(Call::new(op, Method::GET, url)).await
    }

    /// Allocates a free machine. When none fits, MAAS answers 409 and this
    /// returns [`MaasError::NoMachineMatches`].
    pub async fn allocate(&self, constraints: &AllocateConstraints) -> Result<Machine, MaasError> {
        let op = Operation::collection("allocate a machine", ObjectKind::Machine);
        let form = checked(&op, constraints.to_form())?;
        let url = self.url(&["machines"]);
        self.json(Call::new(op, Method::POST, url).op("allocate").form(form))
            .await
    }

    /// Starts deploying an allocated machine; returns at once with the
    /// machine in `Deploying`.
    pub async fn deploy(
        &self,
        system_id: &str,
        options: &DeployOptions,
    ) -> Result<Machine, MaasError> {
        let op = Operation::on("deploy", ObjectKind::Machine, system_id);
        let id = path_id(&op, "system_id", system_id)?;
        let form = checked(&op, options.to_form())?;
        let url = self.url(&["machines", id]);
        self.json(Call::new(op, Method::POST, url).op("deploy").form(form))
            .await
    }

    /// Releases a machine back to the pool (or, for a composed VM, lets
    /// MAAS decide per its settings).
    pub async fn release(
        &self,
        system_id: &str,
        options: &ReleaseOptions,
    ) -> Result<Machine, MaasError> {
        let op = Operation::on("release", ObjectKind::Machine, system_id);
        let id = path_id(&op, "system_id", system_id)?;
        let url = self.url(&["machines", id]);
        let call = Call::new(op, Method::POST, url)
            .op("release")
            .form(options.to_form());
        self.json(call).await
    }

    /// Deletes a machine; for a composed VM this also decomposes it.
    pub async fn delete_machine(&self, system_id: &str) -> Result<(), MaasError> {
        let op = Operation::on("delete", ObjectKind::Machine, system_id);
        let id = path_id(&op, "system_id", system_id)?;
        let url = self.url(&["machines", id]);
        self.empty(Call::new(op, Method::DELETE, url)).await
    }
}
