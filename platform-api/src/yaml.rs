//! YAML in and out, shared by render, crdgen and the tests. kube 5 already links serde-saphyr,
//! so we use it rather than adding a second YAML library.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// One document, without the leading `---`.
pub fn to_yaml(value: &Value) -> String {
    serde_saphyr::to_string(value).expect("JSON values serialise to YAML")
}

/// Several documents separated by `---`.
pub fn to_yaml_stream<'a>(values: impl IntoIterator<Item = &'a Value>) -> String {
    let mut out = String::new();
    for v in values {
        out.push_str("---\n");
        out.push_str(&to_yaml(v));
    }
    out
}

/// Input that is not YAML, or not the expected objects; the message says where.
#[derive(Debug, thiserror::Error)]
#[error("YAML: {0}")]
pub struct YamlError(String);

/// Every non-empty document of a YAML stream.
pub fn from_yaml_stream<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, YamlError> {
    let docs: Vec<Value> =
        serde_saphyr::from_multiple(text).map_err(|e| YamlError(e.to_string()))?;
    docs.into_iter()
        .filter(|d| !d.is_null())
        .map(|d| serde_json::from_value(d).map_err(|e| YamlError(e.to_string())))
        .collect()
}
