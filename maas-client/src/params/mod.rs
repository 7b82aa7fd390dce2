//! What callers pass in: filters, constraints and options for each call,
//! and how each becomes MAAS's query or form fields.

mod machines;
mod vm_hosts;

pub use machines::{AllocateConstraints, DeployOptions, MachineFilter, ReleaseOptions};
pub use vm_hosts::{
    ComposeRequest, LxdAuth, RegisterLxdHost, StorageSpec, UpdateVmHost, VmHostQuery,
};

/// Characters that would break MAAS's comma/colon/paren mini-languages or
/// a comma-joined list if they appeared inside one value.
pub(crate) fn check_plain(what: &str, value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err(format!("{what} is empty"));
    }
    if let Some(c) = value
        .chars()
        .find(|c| matches!(c, ',' | ':' | '(' | ')' | '=') || c.is_whitespace() || c.is_control())
    {
        return Err(format!(
            "{what} {value:?} contains {c:?}, which MAAS would misread"
        ));
    }
    Ok(())
}
