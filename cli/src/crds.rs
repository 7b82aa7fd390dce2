//! The CRD files in `crds/`, generated from the Rust types and every linked platform.

use std::path::{Path, PathBuf};

/// `(file name, YAML)` for each CRD, in install order.
pub fn generate() -> Result<Vec<(String, String)>, platform_api::RegistryError> {
    let registry = platform_api::registry()?;
    Ok(platform_api::crd::all(registry)
        .iter()
        .map(|crd| {
            let file = format!("{}_{}.yaml", crd.spec.group, crd.spec.names.plural);
            (file, platform_api::crd::to_yaml(crd))
        })
        .collect())
}

pub fn write_all(dir: &Path) -> Result<Vec<PathBuf>, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (file, yaml) in generate()? {
        let path = dir.join(file);
        std::fs::write(&path, yaml)?;
        written.push(path);
    }
    Ok(written)
}
