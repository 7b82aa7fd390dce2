//! Where a new VM host goes in MAAS: the flags `maas vm-hosts register` and `lxd register` share,
//! with one check of the tags.

use clap::Args;
use platform_api::platform::{FieldError, FieldErrors};

#[derive(Args, Debug, Clone, Default)]
pub struct VmHostArgs {
    /// Name of the VM host in MAAS (MAAS picks one otherwise).
    #[arg(long)]
    pub name: Option<String>,
    /// LXD project MAAS manages (created if missing; `default` otherwise).
    #[arg(long)]
    pub project: Option<String>,
    /// Zone of the VM host.
    #[arg(long)]
    pub zone: Option<String>,
    /// Resource pool of the VM host; composed VMs land in it by default.
    #[arg(long)]
    pub pool: Option<String>,
    /// Tags of the VM host (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
}

impl VmHostArgs {
    /// The tags, trimmed and without empty ones; a tag MAAS would misread is recorded in `errors`.
    pub fn tags(&self, errors: &mut FieldErrors) -> Vec<String> {
        let tags: Vec<String> = self
            .tags
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        for t in &tags {
            if t.chars().any(|c| ",:()=".contains(c) || c.is_whitespace()) {
                errors.push(FieldError::new(
                    "--tags",
                    format!("tag {t:?} has a character MAAS would misread"),
                    "use letters, digits, '-' and '_'",
                ));
            }
        }
        tags
    }
}
