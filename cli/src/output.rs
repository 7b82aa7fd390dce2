//! `-o yaml|json`, following kubectl: YAML documents separated by `---`, or a `v1` `List`.

use clap::ValueEnum;
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Yaml,
    Json,
}

pub fn render(objects: &[Value], format: Format) -> String {
    match format {
        Format::Yaml => platform_api::yaml::to_yaml_stream(objects),
        Format::Json => {
            let list = json!({ "apiVersion": "v1", "kind": "List", "items": objects });
            let mut s = serde_json::to_string_pretty(&list).expect("JSON values serialise");
            s.push('\n');
            s
        }
    }
}

/// Replaces Secret values with a marker, keeping the keys so the shape stays reviewable. The
/// markers go to `stringData` so the object is still a well-formed Secret.
/// `--render-sensitive` skips this.
pub fn redact_secret(mut v: Value) -> Value {
    let Some(obj) = v.as_object_mut() else {
        return v;
    };
    let mut keys: Vec<String> = Vec::new();
    for field in ["data", "stringData"] {
        if let Some(map) = obj.remove(field).as_ref().and_then(Value::as_object) {
            keys.extend(map.keys().cloned());
        }
    }
    keys.sort();
    keys.dedup();
    let marked: serde_json::Map<String, Value> = keys
        .into_iter()
        .map(|k| {
            (
                k,
                Value::String("REDACTED (pass --render-sensitive to include)".into()),
            )
        })
        .collect();
    obj.insert("stringData".into(), Value::Object(marked));
    v
}
