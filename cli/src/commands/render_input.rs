//! The input of `render -f`: read bounded, parsed into HostedClusters, NodePools and Secrets, and
//! checked as an API server would before anything is built. Every error names its source (the
//! file, or stdin), the object (kind namespace/name) and the field path.

use crate::error::CliError;
use crate::input::{self, Limited};
use k8s_openapi::api::core::v1::Secret;
use platform_api::api::{HostedCluster, NodePool};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The most one `-f` source may hold: a few objects of at most 1.5 MiB each (etcd's request limit).
pub const FILE_LIMIT: u64 = 8 * 1024 * 1024;

/// An object's annotations together hold at most 256 KiB (the API server's limit).
pub const ANNOTATIONS_LIMIT: usize = 256 * 1024;

const HYPERSHIFT_API: &str = "hypershift.openshift.io/v1beta1";

/// The parsed input.
#[derive(Default)]
pub struct Input {
    pub clusters: Vec<HostedCluster>,
    pub pools: Vec<NodePool>,
    pub secrets: Vec<Secret>,
    /// Objects skipped, said on stderr.
    pub warnings: Vec<String>,
}

fn fail(message: String) -> CliError {
    CliError { message, code: 2 }
}

/// Where a document came from, for messages: `stdin` or the file's path.
fn source_name(file: &PathBuf) -> String {
    if file.as_os_str() == "-" {
        "stdin".to_string()
    } else {
        file.display().to_string()
    }
}

fn read_source(file: &PathBuf) -> Result<String, CliError> {
    let src = source_name(file);
    let bytes = if file.as_os_str() == "-" {
        input::read_limited(std::io::stdin().lock(), FILE_LIMIT).map_err(|e| match e {
            Limited::TooLarge => fail(format!(
                "-f - (stdin): more than {} on stdin; render reads at most that per source",
                input::limit_text(FILE_LIMIT)
            )),
            Limited::Io(e) => fail(format!("-f - (stdin): cannot read: {e}")),
        })?
    } else {
        input::read_file(file, FILE_LIMIT).map_err(|why| fail(format!("-f {why}")))?
    };
    String::from_utf8(bytes).map_err(|_| {
        fail(format!(
            "-f {src}: is not UTF-8 text; give a YAML or JSON file"
        ))
    })
}

/// `Kind namespace/name` (or `Kind name` without a namespace).
fn object_id(kind: &str, doc: &Value) -> String {
    let name = doc["metadata"]["name"].as_str().unwrap_or("<no name>");
    match doc["metadata"]["namespace"].as_str() {
        Some(ns) => format!("{kind} {ns}/{name}"),
        None => format!("{kind} {name}"),
    }
}

/// The schema our CRD serves for `kind` (HostedCluster, NodePool), every linked platform's
/// section included: unknown fields are found as an API server prunes them.
fn crd_schema(kind: &str) -> Option<Value> {
    let registry = platform_api::registry().ok()?;
    let crd = match kind {
        "HostedCluster" => platform_api::crd::hosted_cluster(registry),
        "NodePool" => platform_api::crd::node_pool(registry),
        _ => return None,
    };
    let crd = serde_json::to_value(crd).ok()?;
    let versions = crd["spec"]["versions"].as_array()?;
    let served = versions
        .iter()
        .find(|v| HYPERSHIFT_API.ends_with(v["name"].as_str().unwrap_or("-")))?;
    Some(served["schema"]["openAPIV3Schema"].clone())
}

/// Paths of fields in `value` that `schema` (a structural CRD schema) does not declare.
fn schema_unknown_fields(value: &Value, schema: &Value, path: &str, out: &mut Vec<String>) {
    if schema["x-kubernetes-preserve-unknown-fields"] == Value::Bool(true) {
        return;
    }
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match value {
        Value::Object(map) => {
            let props = schema["properties"].as_object();
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            if props.is_none() && additional.is_none() {
                // `type: object` alone (metadata): anything goes.
                return;
            }
            for (k, v) in map {
                // The generated root schema leaves out what every object has.
                if path.is_empty() && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                match (props.and_then(|p| p.get(k)), additional) {
                    (Some(s), _) | (None, Some(s)) => schema_unknown_fields(v, s, &join(k), out),
                    (None, None) => out.push(join(k)),
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    schema_unknown_fields(v, s, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

/// Parses `doc` as `T`, naming the field that failed, then refuses fields `T` does not know.
fn typed<T: DeserializeOwned + Serialize>(
    kind: &str,
    id: &str,
    src: &str,
    doc: &Value,
) -> Result<T, CliError> {
    let value: T = serde_path_to_error::deserialize(doc).map_err(|e| {
        let path = e.path().to_string();
        fail(format!("{id} (-f {src}): {path}: {}", e.into_inner()))
    })?;
    let mut unknown = Vec::new();
    match crd_schema(kind) {
        Some(schema) => schema_unknown_fields(doc, &schema, "", &mut unknown),
        None => {
            let back = serde_json::to_value(&value).unwrap_or(Value::Null);
            unknown_fields(doc, &back, String::new(), &mut unknown);
        }
    }
    if !unknown.is_empty() {
        return Err(fail(format!(
            "{id} (-f {src}): unknown field{} {}; check the spelling against the CRD (kubectl explain)",
            if unknown.len() > 1 { "s" } else { "" },
            unknown.join(", ")
        )));
    }
    Ok(value)
}

/// Paths of keys in `given` that `kept` (the parsed object, written back) lost: for kinds
/// without a CRD of ours (Secret).
fn unknown_fields(given: &Value, kept: &Value, path: String, out: &mut Vec<String>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (given, kept) {
        (Value::Object(g), Value::Object(k)) => {
            for (key, v) in g {
                if v.is_null() {
                    continue;
                }
                match k.get(key) {
                    Some(kv) => unknown_fields(v, kv, join(key), out),
                    // An empty map or list written back as nothing is not a lost field.
                    None if v.as_object().is_some_and(|o| o.is_empty())
                        || v.as_array().is_some_and(|a| a.is_empty()) => {}
                    None => out.push(join(key)),
                }
            }
        }
        (Value::Array(g), Value::Array(k)) => {
            for (i, (gv, kv)) in g.iter().zip(k).enumerate() {
                unknown_fields(gv, kv, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Reads every `-f` source and checks the objects.
pub fn read(files: &[PathBuf]) -> Result<Input, CliError> {
    let sources = files
        .iter()
        .map(|f| Ok((source_name(f), read_source(f)?)))
        .collect::<Result<Vec<_>, CliError>>()?;
    from_texts(&sources)
}

/// As [`read`], from `(source name, text)` pairs already read (tests and fuzzing).
pub fn from_texts(sources: &[(String, String)]) -> Result<Input, CliError> {
    let mut input = Input::default();
    let mut seen: BTreeMap<(String, String, String), String> = BTreeMap::new();
    for (src, text) in sources {
        let src = src.clone();
        let docs: Vec<Value> = platform_api::yaml::from_yaml_stream(&text)
            .map_err(|e| fail(format!("-f {src}: {e}")))?;
        let docs = docs.into_iter().flat_map(|d| {
            if d["kind"] == "List" {
                d["items"].as_array().cloned().unwrap_or_default()
            } else {
                vec![d]
            }
        });
        for (i, doc) in docs.enumerate() {
            let Some(kind) = doc.get("kind").and_then(Value::as_str).map(str::to_string) else {
                return Err(fail(format!(
                    "-f {src}: document {} has no kind; render reads HostedCluster, NodePool and Secret objects",
                    i + 1
                )));
            };
            let id = object_id(&kind, &doc);
            let api_version = doc["apiVersion"].as_str().unwrap_or_default();
            let expected = match kind.as_str() {
                "HostedCluster" | "NodePool" => HYPERSHIFT_API,
                "Secret" => "v1",
                "Namespace" => continue,
                _ => {
                    input.warnings.push(format!(
                        "{id} (-f {src}) is ignored; render reads HostedCluster, NodePool and Secret objects"
                    ));
                    continue;
                }
            };
            if api_version != expected {
                return Err(fail(format!(
                    "{id} (-f {src}): apiVersion {api_version:?} is not served for {kind}; use {expected}"
                )));
            }
            if doc["metadata"]["name"].as_str().is_none_or(str::is_empty) {
                return Err(fail(format!("{id} (-f {src}): metadata.name is missing")));
            }
            let key = (
                kind.clone(),
                doc["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or("default")
                    .to_string(),
                doc["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            );
            if let Some(first) = seen.insert(key, src.clone()) {
                return Err(fail(format!(
                    "{id} (-f {src}) is in the input twice (first in {first}); give each object once"
                )));
            }
            if let Some(a) = doc["metadata"]["annotations"].as_object() {
                let size: usize = a
                    .iter()
                    .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
                    .sum();
                if size > ANNOTATIONS_LIMIT {
                    return Err(fail(format!(
                        "{id} (-f {src}): metadata.annotations: {size} bytes, over the API's 256 KiB"
                    )));
                }
            }
            match kind.as_str() {
                "HostedCluster" => {
                    let hc: HostedCluster = typed(&kind, &id, &src, &doc)?;
                    check_hosted_cluster(&id, &src, &hc)?;
                    input.clusters.push(hc);
                }
                "NodePool" => {
                    let np: NodePool = typed(&kind, &id, &src, &doc)?;
                    check_paused_until(&id, &src, np.spec.paused_until.as_deref())?;
                    input.pools.push(np);
                }
                _ => input.secrets.push(typed(&kind, &id, &src, &doc)?),
            }
        }
    }
    for np in &input.pools {
        let ns = np.metadata.namespace.as_deref().unwrap_or("default");
        let has_cluster = input.clusters.iter().any(|hc| {
            hc.metadata.name.as_deref() == Some(np.spec.cluster_name.as_str())
                && hc.metadata.namespace.as_deref().unwrap_or("default") == ns
        });
        if !has_cluster {
            return Err(fail(format!(
                "NodePool {ns}/{}: spec.clusterName: HostedCluster {ns}/{} is not in the input; add it with -f, or leave the NodePool out",
                np.metadata.name.as_deref().unwrap_or_default(),
                np.spec.cluster_name
            )));
        }
    }
    Ok(input)
}

/// What the typed parse cannot see: CIDR syntax and `pausedUntil`.
fn check_hosted_cluster(id: &str, src: &str, hc: &HostedCluster) -> Result<(), CliError> {
    let n = &hc.spec.networking;
    let cidrs = n
        .cluster_network
        .iter()
        .enumerate()
        .map(|(i, c)| (format!("spec.networking.clusterNetwork[{i}].cidr"), &c.cidr))
        .chain(
            n.service_network
                .iter()
                .enumerate()
                .map(|(i, c)| (format!("spec.networking.serviceNetwork[{i}].cidr"), &c.cidr)),
        )
        .chain(
            n.machine_network
                .iter()
                .enumerate()
                .map(|(i, c)| (format!("spec.networking.machineNetwork[{i}].cidr"), &c.cidr)),
        );
    for (path, cidr) in cidrs {
        if let Some(why) = cidr_problem(cidr) {
            return Err(fail(format!("{id} (-f {src}): {path}: {why}")));
        }
    }
    check_paused_until(id, src, hc.spec.paused_until.as_deref())
}

fn check_paused_until(id: &str, src: &str, value: Option<&str>) -> Result<(), CliError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(());
    };
    if v.eq_ignore_ascii_case("true")
        || v.eq_ignore_ascii_case("false")
        || v.parse::<k8s_openapi::jiff::Timestamp>().is_ok()
    {
        return Ok(());
    }
    Err(fail(format!(
        "{id} (-f {src}): spec.pausedUntil: {v:?} is neither \"true\" nor an RFC 3339 time; use e.g. \"true\" or \"2026-01-01T00:00:00Z\""
    )))
}

/// What is wrong with `cidr` (ADDRESS/PREFIX), if anything.
pub fn cidr_problem(cidr: &str) -> Option<String> {
    let bad = || {
        Some(format!(
            "{cidr:?} is not a CIDR (ADDRESS/PREFIX, e.g. 10.132.0.0/14)"
        ))
    };
    let Some((addr, prefix)) = cidr.split_once('/') else {
        return bad();
    };
    let Ok(ip) = addr.parse::<std::net::IpAddr>() else {
        return bad();
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    match prefix.parse::<u8>() {
        Ok(p) if p <= max && !prefix.starts_with('+') => None,
        _ => bad(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs() {
        assert_eq!(cidr_problem("10.132.0.0/14"), None);
        assert_eq!(cidr_problem("fd00::/48"), None);
        for bad in [
            "10.0.0.0",
            "10.0.0.0/33",
            "10.0.0/8",
            "x/8",
            "10.0.0.0/-1",
            "",
        ] {
            assert!(cidr_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn unknown_fields_are_found_by_path() {
        let given = serde_json::json!({"spec": {"replicas": 1, "replica": 2, "list": [{"a": 1, "b": 2}], "empty": {}}});
        let kept = serde_json::json!({"spec": {"replicas": 1, "list": [{"a": 1}]}});
        let mut out = Vec::new();
        unknown_fields(&given, &kept, String::new(), &mut out);
        assert_eq!(out, ["spec.list[0].b", "spec.replica"]);
    }

    #[test]
    fn errors_name_stdin_as_stdin() {
        let err = |text: &str| {
            from_texts(&[(source_name(&PathBuf::from("-")), text.to_string())])
                .err()
                .expect("refused")
                .message
        };
        assert!(err("kind: [").contains("-f stdin:"), "{}", err("kind: ["));
        let np = "apiVersion: hypershift.openshift.io/v1beta1\nkind: NodePool\nmetadata: {name: np, namespace: c}\nspec: {clusterName: x, replicas: two}\n";
        let e = err(np);
        assert!(e.contains("NodePool c/np (-f stdin): spec.replicas"), "{e}");
    }

    #[test]
    fn unknown_fields_against_a_schema() {
        let schema = serde_json::json!({"properties": {
            "spec": {"properties": {
                "a": {"type": "integer"},
                "m": {"additionalProperties": {"properties": {"x": {}}}},
                "free": {"x-kubernetes-preserve-unknown-fields": true},
                "items": {"items": {"properties": {"k": {}}}}
            }}
        }});
        let doc = serde_json::json!({"apiVersion": "v", "kind": "K", "metadata": {"any": 1},
            "spec": {"a": 1, "b": {}, "m": {"one": {"x": 1, "y": 2}}, "free": {"z": 1},
                     "items": [{"k": 1}, {"q": 1}]}});
        let mut out = Vec::new();
        schema_unknown_fields(&doc, &schema, "", &mut out);
        assert_eq!(out, ["spec.b", "spec.items[1].q", "spec.m.one.y"]);
    }
}
