//! VM host calls. Always the `vm-hosts/` endpoints: `pods/` is the
//! deprecated alias of the same handlers.

use reqwest::Method;

use super::checked;
use crate::params::{ComposeRequest, RegisterLxdHost, UpdateVmHost, VmHostQuery};
use crate::resources::VmHostResources;
use crate::transport::Call;
use crate::types::{ComposedMachine, VmHost, VmHostParameters};
use crate::{MaasClient, MaasError, ObjectKind, Operation};

impl MaasClient {
    pub async fn vm_hosts(&self) -> Result<Vec<VmHost>, MaasError> {
        let op = Operation::collection("list vm-hosts", ObjectKind::VmHost);
        self.json(Call::new(op, Method::GET, self.url(&["vm-hosts"])))
            .await
    }

    pub async fn vm_host(&self, id: u64) -> Result<VmHost, MaasError> {
        let op = Operation::on("get", ObjectKind::VmHost, id);
        let url = self.url(&["vm-hosts", &id.to_string()]);
        self.json(Call::new(op, Method::GET, url)).await
    }

    /// VM hosts matching `query`. MAAS's `vm-hosts/` takes no filters, so
    /// this lists all and filters here.
    pub async fn query_vm_hosts(&self, query: &VmHostQuery) -> Result<Vec<VmHost>, MaasError> {
        Ok(self
            .vm_hosts()
            .await?
            .into_iter()
            .filter(|h| query.matches(h))
            .collect())
    }

    /// Current capacity of one host under its over-commit ratios.
    pub async fn vm_host_resources(&self, id: u64) -> Result<VmHostResources, MaasError> {
        Ok(self.vm_host(id).await?.resources())
    }

    /// Registers an LXD server as a VM host (admin only). MAAS contacts the
    /// host during the call; unreachable hosts come back as HTTP 503.
    pub async fn register_lxd_vm_host(
        &self,
        request: &RegisterLxdHost,
    ) -> Result<VmHost, MaasError> {
        let op = Operation::collection("register an LXD vm-host", ObjectKind::VmHost);
        let form = checked(&op, request.to_form())?;
        let url = self.url(&["vm-hosts"]);
        self.json(Call::new(op, Method::POST, url).form(form)).await
    }

    /// Changes host `id`'s zone, pool or tags (admin only).
    pub async fn update_vm_host(
        &self,
        id: u64,
        request: &UpdateVmHost,
    ) -> Result<VmHost, MaasError> {
        let op = Operation::on("update", ObjectKind::VmHost, id);
        let form = checked(&op, request.to_form())?;
        let url = self.url(&["vm-hosts", &id.to_string()]);
        self.json(Call::new(op, Method::PUT, url).form(form)).await
    }

    /// Composes a VM on host `id` (admin only). The new machine starts in
    /// `Commissioning`; poll [`MaasClient::machine`] for `Ready`.
    pub async fn compose(
        &self,
        id: u64,
        request: &ComposeRequest,
    ) -> Result<ComposedMachine, MaasError> {
        let op = Operation::on("compose on", ObjectKind::VmHost, id);
        let form = checked(&op, request.to_form())?;
        let url = self.url(&["vm-hosts", &id.to_string()]);
        self.json(Call::new(op, Method::POST, url).op("compose").form(form))
            .await
    }

    /// Removes host `id` from MAAS (admin only); with `decompose` MAAS also
    /// deletes the VMs it composed there.
    pub async fn delete_vm_host(&self, id: u64, decompose: bool) -> Result<(), MaasError> {
        let op = Operation::on("delete", ObjectKind::VmHost, id);
        let url = self.url(&["vm-hosts", &id.to_string()]);
        let mut call = Call::new(op, Method::DELETE, url);
        if decompose {
            call = call.query(vec![("decompose", "true".to_string())]);
        }
        self.empty(call).await
    }

    /// The power parameters of host `id` (admin only). They contain
    /// credentials; [`VmHostParameters`]' `Debug` hides them.
    pub async fn vm_host_parameters(&self, id: u64) -> Result<VmHostParameters, MaasError> {
        let op = Operation::on("read parameters of", ObjectKind::VmHost, id);
        let url = self.url(&["vm-hosts", &id.to_string()]);
        self.json(Call::new(op, Method::GET, url).op("parameters"))
            .await
    }

    /// Asks MAAS to re-read the host's resources and VMs now.
    pub async fn refresh_vm_host(&self, id: u64) -> Result<VmHost, MaasError> {
        let op = Operation::on("refresh", ObjectKind::VmHost, id);
        let url = self.url(&["vm-hosts", &id.to_string()]);
        self.json(
            Call::new(op, Method::POST, url)
                .op("refresh")
                .form(Vec::new()),
        )
        .await
    }
}
