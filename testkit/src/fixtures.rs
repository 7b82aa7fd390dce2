//! Locating and loading data fixtures.
//!
//! The shared fixture tree lives *next to* the workspace (`<workspace>/../shared`), not in
//! it, so that CI clones and developer checkouts find it the same way. Loaders panic with a
//! message naming the file: they are meant for tests, where a missing fixture is a failure.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::crd::{Crd, CrdError};

/// Environment variable that overrides where the shared fixture tree is.
pub const SHARED_ENV: &str = "HOSTED_CLUSTER_SHARED";

/// Errors from the non-panicking loaders.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error("cannot read {path}: {source} (shared fixtures are looked up in {shared}; set {SHARED_ENV} to override)", shared = shared_dir().display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot parse YAML from {origin}: {message}")]
    Yaml { origin: String, message: String },
    #[error("{origin}: {source}")]
    Crd { origin: String, source: CrdError },
}

/// The workspace root: the nearest ancestor of this crate whose `Cargo.toml` declares
/// `[workspace]`. Falls back to the parent of this crate's directory.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in manifest_dir.ancestors() {
        let is_workspace = std::fs::read_to_string(dir.join("Cargo.toml"))
            .map(|text| text.lines().any(|l| l.trim() == "[workspace]"))
            .unwrap_or(false);
        if is_workspace {
            return dir.to_path_buf();
        }
    }
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// `<workspace root>/../shared`, or `$HOSTED_CLUSTER_SHARED` when that is set and non-empty.
pub fn shared_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(SHARED_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    let root = workspace_root();
    // `parent()` rather than `join("..")` keeps the path free of `..` in messages.
    match root.parent() {
        Some(parent) => parent.join("shared"),
        None => root.join("..").join("shared"),
    }
}

/// A file under `shared/fixtures/upstream` (e.g. `capi/cluster.x-k8s.io_clusters.yaml`).
pub fn upstream(rel: impl AsRef<Path>) -> PathBuf {
    shared_dir().join("fixtures").join("upstream").join(rel)
}

/// Parses a multi-document YAML string into JSON values; empty (and `null`) documents are
/// skipped, so a trailing `---` does not produce an entry.
pub fn parse_yaml_docs(text: &str) -> Result<Vec<Value>, FixtureError> {
    parse_docs(text, "<string>")
}

fn parse_docs(text: &str, origin: &str) -> Result<Vec<Value>, FixtureError> {
    let docs: Vec<Value> = serde_saphyr::from_multiple(text).map_err(|e| FixtureError::Yaml {
        origin: origin.to_string(),
        message: e.to_string(),
    })?;
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}

/// Reads and parses a multi-document YAML file.
pub fn try_load_yaml_docs(path: impl AsRef<Path>) -> Result<Vec<Value>, FixtureError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| FixtureError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_docs(&text, &path.display().to_string())
}

/// Like [`try_load_yaml_docs`], but panics with the error (for tests).
pub fn load_yaml_docs(path: impl AsRef<Path>) -> Vec<Value> {
    try_load_yaml_docs(path).unwrap_or_else(|e| panic!("{e}"))
}

/// Loads the single `CustomResourceDefinition` document of a file.
pub fn try_load_crd(path: impl AsRef<Path>) -> Result<Crd, FixtureError> {
    let path = path.as_ref();
    let origin = path.display().to_string();
    let mut docs = try_load_yaml_docs(path)?
        .into_iter()
        .filter(|d| d.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition"));
    let (Some(doc), None) = (docs.next(), docs.next()) else {
        return Err(FixtureError::Crd {
            origin,
            source: CrdError::new("expected exactly one CustomResourceDefinition document"),
        });
    };
    Crd::from_value(&doc).map_err(|source| FixtureError::Crd { origin, source })
}

/// Like [`try_load_crd`], but panics with the error (for tests). See also
/// [`Crd::load_cached`], which shares one parse between tests.
pub fn load_crd(path: impl AsRef<Path>) -> Crd {
    try_load_crd(path).unwrap_or_else(|e| panic!("{e}"))
}

/// Documents of a multi-document YAML list whose `kind` is `kind`.
pub fn docs_of_kind<'a>(docs: &'a [Value], kind: &'a str) -> impl Iterator<Item = &'a Value> {
    docs.iter()
        .filter(move |d| d.get("kind").and_then(Value::as_str) == Some(kind))
}
