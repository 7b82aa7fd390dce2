//! Request parameters: query strings, `application/x-www-form-urlencoded` bodies and
//! `multipart/form-data` bodies.
//!
//! The multipart parser is our own because python-libmaas sends parts that generic parsers
//! trip over: a quoted boundary, every part `Content-Transfer-Encoding: base64`, and a
//! header-less empty part for requests without parameters (see the wire capture).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Ordered name/value pairs; a name may repeat (`tags=a&tags=b`).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    pub fn from_query(query: &str) -> Self {
        Self {
            pairs: url::form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        }
    }

    /// Parse a request body according to its `Content-Type`. Bodies of other types (or
    /// none) give an empty form, as Django leaves `request.POST` empty for them.
    pub fn from_body(content_type: Option<&str>, body: &[u8]) -> Result<Self, String> {
        let Some(content_type) = content_type else {
            return Ok(Self::default());
        };
        let (mime, params) = split_content_type(content_type);
        match mime.as_str() {
            "application/x-www-form-urlencoded" => Ok(Self::from_query(
                std::str::from_utf8(body).map_err(|_| "form body is not UTF-8".to_string())?,
            )),
            "multipart/form-data" => {
                let boundary = params
                    .iter()
                    .find(|(k, _)| k == "boundary")
                    .map(|(_, v)| v.as_str())
                    .filter(|b| !b.is_empty())
                    .ok_or("multipart body without a boundary")?;
                parse_multipart(boundary, body)
            }
            _ => Ok(Self::default()),
        }
    }

    /// The last value for `name`, as Django's `QueryDict.get` returns.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn get_all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    /// Values grouped by name in order of first appearance, like `QueryDict.lists()`.
    pub fn lists(&self) -> Vec<(&str, Vec<&str>)> {
        let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
        for (k, v) in &self.pairs {
            match out.iter_mut().find(|(name, _)| name == k) {
                Some((_, values)) => values.push(v),
                None => out.push((k, vec![v])),
            }
        }
        out
    }

    /// The same pairs without `name` (used to drop `op` from handler parameters).
    pub fn without(&self, name: &str) -> Self {
        Self {
            pairs: self
                .pairs
                .iter()
                .filter(|(k, _)| k != name)
                .cloned()
                .collect(),
        }
    }

    pub fn push(&mut self, name: &str, value: &str) {
        self.pairs.push((name.to_string(), value.to_string()));
    }
}

/// `multipart/form-data; boundary="x"` → (`multipart/form-data`, [(`boundary`, `x`)]).
fn split_content_type(value: &str) -> (String, Vec<(String, String)>) {
    let mut parts = value.split(';');
    let mime = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let params = parts
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((k.trim().to_ascii_lowercase(), unquote(v.trim()).to_string()))
        })
        .collect();
    (mime, params)
}

fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

fn parse_multipart(boundary: &str, body: &[u8]) -> Result<Form, String> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut form = Form::default();
    let mut pos = find(body, delimiter, 0).ok_or("multipart body has no boundary line")?;
    loop {
        pos += delimiter.len();
        if body[pos..].starts_with(b"--") {
            return Ok(form);
        }
        // Skip the rest of the boundary line.
        let line_end = find(body, b"\r\n", pos).ok_or("multipart boundary line not terminated")?;
        let part_start = line_end + 2;
        let mut closing = Vec::with_capacity(delimiter.len() + 2);
        closing.extend_from_slice(b"\r\n");
        closing.extend_from_slice(delimiter);
        let next = find(body, &closing, part_start)
            .or_else(|| {
                // A header-less empty part: the delimiter follows the blank line directly.
                body[part_start..]
                    .starts_with(delimiter)
                    .then_some(part_start.saturating_sub(2))
            })
            .ok_or("multipart body is not closed")?;
        parse_part(&body[part_start..next.max(part_start)], &mut form)?;
        pos = next + 2;
    }
}

fn parse_part(part: &[u8], form: &mut Form) -> Result<(), String> {
    let (head, content) = match find(part, b"\r\n\r\n", 0) {
        Some(split) => (&part[..split], &part[split + 4..]),
        // python-libmaas sends a header-less, empty part when there are no parameters.
        None if part.iter().all(|b| b.is_ascii_whitespace()) => return Ok(()),
        None => (part, &[][..]),
    };
    let head = std::str::from_utf8(head).map_err(|_| "multipart part headers are not UTF-8")?;
    let mut name = None;
    let mut base64_encoded = false;
    for line in head.split("\r\n") {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "content-disposition" => {
                let (_, params) = split_content_type(value);
                name = params
                    .into_iter()
                    .find(|(k, _)| k == "name")
                    .map(|(_, v)| v);
            }
            "content-transfer-encoding" => {
                base64_encoded = value.trim().eq_ignore_ascii_case("base64");
            }
            _ => {}
        }
    }
    let Some(name) = name else {
        return Err("multipart part without a name".into());
    };
    let bytes = if base64_encoded {
        let compact: Vec<u8> = content
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        STANDARD
            .decode(compact)
            .map_err(|_| format!("multipart part {name:?} is not valid base64"))?
    } else {
        content.to_vec()
    };
    form.push(&name, &String::from_utf8_lossy(&bytes));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIBMAAS_BOUNDARY: &str = "===============5836935807110808419==";

    #[test]
    fn libmaas_base64_parts() {
        // Verbatim from the python-libmaas 0.6.8 wire capture (machine.deploy).
        let body = "--===============5836935807110808419==\r\nContent-Type: application/octet-stream\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: form-data; name=\"user_data\"\r\n\r\nSTJOc2IzVmtMV052Ym1acFp3bz0K\r\n\r\n--===============5836935807110808419==\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: form-data; name=\"distro_series\"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=\"utf-8\"\r\n\r\namFtbXk=\r\n\r\n--===============5836935807110808419==--";
        let content_type = format!("multipart/form-data; boundary=\"{LIBMAAS_BOUNDARY}\"");
        let form = Form::from_body(Some(&content_type), body.as_bytes()).unwrap();
        assert_eq!(form.get("user_data"), Some("I2Nsb3VkLWNvbmZpZwo=\n"));
        assert_eq!(form.get("distro_series"), Some("jammy"));
    }

    #[test]
    fn libmaas_empty_multipart() {
        let body = "--===============5049677607508363015==\r\n\r\n--===============5049677607508363015==--";
        let form = Form::from_body(
            Some("multipart/form-data; boundary=\"===============5049677607508363015==\""),
            body.as_bytes(),
        )
        .unwrap();
        assert_eq!(form, Form::default());
    }

    #[test]
    fn plain_multipart_and_repeated_names() {
        let body = "--xyz\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\na\r\n--xyz\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\nb\r\nc\r\n--xyz--\r\n";
        let form =
            Form::from_body(Some("multipart/form-data; boundary=xyz"), body.as_bytes()).unwrap();
        assert_eq!(form.get_all("tags"), vec!["a", "b\r\nc"]);
        assert_eq!(form.lists(), vec![("tags", vec!["a", "b\r\nc"])]);
    }

    #[test]
    fn urlencoded_and_errors() {
        let form = Form::from_body(
            Some("application/x-www-form-urlencoded"),
            b"cpu_count=2&tags=a&tags=b+c&name=%2Fx",
        )
        .unwrap();
        assert_eq!(form.get("cpu_count"), Some("2"));
        assert_eq!(form.get_all("tags"), vec!["a", "b c"]);
        assert_eq!(form.get("name"), Some("/x"));
        assert!(Form::from_body(Some("multipart/form-data"), b"").is_err());
        assert!(Form::from_body(Some("multipart/form-data; boundary=q"), b"--q\r\nx").is_err());
    }
}
