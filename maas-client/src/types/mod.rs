//! MAAS response shapes.
//!
//! Shapes follow what MAAS 2.x–3.7 actually send (see the recorded
//! responses in shared/fixtures/maas). Fields differ between versions and
//! are often `null`, so almost everything has a default and `null` reads as
//! the default; unknown fields are ignored. Only identity fields (ids,
//! system ids) are required, so a wrong endpoint fails loudly instead of
//! yielding empty objects.

mod boot_resource;
mod machine;
mod misc;
mod vm_host;

pub use boot_resource::{BootResource, BootResourceFile, BootResourceSet};
pub use machine::{Interface, InterfaceLink, Machine, PodRef, Subnet};
pub use misc::{ResourcePool, Tag, User, Version, Zone};
pub use vm_host::{
    ComposedMachine, HostRef, VmHost, VmHostCapacity, VmHostParameters, VmHostStoragePool,
};

use serde::{Deserialize, Deserializer};

/// Reads `null` as the type's default, for fields MAAS sometimes nulls.
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
