//! Decoding MAAS's JSON with errors that name the place, not the content.

use serde::de::DeserializeOwned;

use super::MaasError;
use crate::operation::Operation;

/// Decodes `body`; on failure the error names the JSON path and what was
/// expected, but never quotes the body (VM host parameters hold passwords).
pub(crate) fn decode_json<T: DeserializeOwned>(
    operation: &Operation,
    body: &[u8],
    content_type: Option<&str>,
) -> Result<T, MaasError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let (path, err) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => match de.end() {
            Ok(()) => return Ok(value),
            Err(trailing) => (String::new(), trailing),
        },
        Err(err) => (err.path().to_string(), err.into_inner()),
    };
    let place = if path.is_empty() || path == "." {
        String::new()
    } else {
        format!(" at `{path}`")
    };
    let kind = match content_type {
        Some(ct) if !ct.contains("json") => format!(" (content type {ct})"),
        _ => String::new(),
    };
    Err(MaasError::Decode {
        operation: operation.clone(),
        detail: format!(
            "{}{place} (line {}, column {}){kind}",
            scrub(&err),
            err.line(),
            err.column()
        ),
    })
}

/// serde_json's message without the offending value: "invalid type:
/// string \"hunter2\", expected u64" becomes "invalid type: got string,
/// expected u64".
fn scrub(err: &serde_json::Error) -> String {
    let full = err.to_string();
    // Drop serde_json's own " at line X column Y"; we add it ourselves.
    let msg = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(head, _)| head);
    for prefix in ["invalid type: ", "invalid value: ", "invalid length "] {
        if let Some(rest) = msg.strip_prefix(prefix) {
            let got = rest.split_whitespace().next().unwrap_or("value");
            let got = got.trim_end_matches(',');
            let expected = rest
                .rsplit_once(", expected ")
                .map(|(_, e)| format!(", expected {e}"))
                .unwrap_or_default();
            return format!(
                "{}: got {got}{expected}",
                prefix.trim_end_matches([':', ' '])
            );
        }
    }
    if err.is_syntax() || err.is_eof() {
        return "the answer is not valid JSON".to_string();
    }
    msg.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::ObjectKind;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Pool {
        total: u64,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Host {
        storage_pools: Vec<Pool>,
    }

    fn op() -> Operation {
        Operation::on("get", ObjectKind::VmHost, 1)
    }

    #[test]
    fn names_the_path_but_not_the_value() {
        let body = br#"{"storage_pools": [{"total": "hunter2-secret"}]}"#;
        let err = decode_json::<Host>(&op(), body, Some("application/json")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("get vm-host 1: cannot decode MAAS's answer"),
            "{text}"
        );
        assert!(text.contains("storage_pools[0].total"), "{text}");
        assert!(text.contains("got string, expected u64"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn html_instead_of_json_says_so() {
        let err = decode_json::<Host>(&op(), b"<html>login</html>", Some("text/html")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("not valid JSON") && text.contains("text/html"),
            "{text}"
        );
        assert!(!text.contains("login"), "{text}");
    }

    #[test]
    fn missing_fields_are_named() {
        let err = decode_json::<Host>(&op(), b"{}", None).unwrap_err();
        assert!(
            err.to_string().contains("missing field `storage_pools`"),
            "{err}"
        );
    }
}
