//! Helpers shared by the HTTP tests: a started simulator, a reqwest client and OAuth
//! PLAINTEXT signing as MAAS clients do it.

#![allow(dead_code)] // each test binary uses a different subset

use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use maas_simulator::{Inventory, SimHandle, SimOptions};
use reqwest::Method;
use serde_json::Value;

/// Paths in tests are relative to the API root unless they start with `/`.
pub const API: &str = "/MAAS/api/2.0/";

pub struct Api {
    pub sim: SimHandle,
    pub http: reqwest::Client,
    pub admin: String,
    pub user: String,
}

/// A finished response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {} {}", self.status, self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    #[track_caller]
    pub fn ok(&self) -> Value {
        assert_eq!(self.status, 200, "{}", self.body);
        self.json()
    }
}

/// Request bodies in the encodings MAAS clients use.
pub enum Body<'a> {
    None,
    Form(&'a [(&'a str, &'a str)]),
    Multipart(&'a [(&'a str, &'a str)]),
    /// Exactly these bytes with this content type.
    Raw(&'a str, Vec<u8>),
}

static CRYPTO: Once = Once::new();

pub fn client() -> reqwest::Client {
    // reqwest is built without a TLS provider in this workspace; give rustls one.
    CRYPTO.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder().build().expect("reqwest client")
}

static NONCE: AtomicU64 = AtomicU64::new(1);

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The `Authorization` header for `key` with explicit nonce and timestamp.
pub fn oauth_header_with(key: &str, nonce: &str, timestamp: &str) -> String {
    let mut parts = key.split(':');
    let (consumer, token, secret) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    format!(
        "OAuth realm=\"OAuth\", oauth_nonce=\"{nonce}\", oauth_timestamp=\"{timestamp}\", \
         oauth_version=\"1.0\", oauth_signature_method=\"PLAINTEXT\", \
         oauth_consumer_key=\"{consumer}\", oauth_token=\"{token}\", oauth_signature=\"%26{secret}\""
    )
}

fn oauth_escape(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// An HMAC-SHA1 `Authorization` header signed the way maas-client-go (CAPMAAS's client) signs:
/// the full request URL without its query as the base URI, the oauth parameters plus `params`
/// (first value of each name) sorted and percent-encoded, key `&<token secret>`.
pub fn hmac_header(
    key: &str,
    method: &str,
    url: &str,
    params: &[(&str, &str)],
    nonce: &str,
    timestamp: &str,
) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let mut parts = key.split(':');
    let (consumer, token, secret) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let mut signed: std::collections::BTreeMap<String, String> = [
        ("oauth_consumer_key", consumer),
        ("oauth_nonce", nonce),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", timestamp),
        ("oauth_token", token),
        ("oauth_version", "1.0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in params {
        signed.entry(k.to_string()).or_insert_with(|| v.to_string());
    }
    let param_string = signed
        .iter()
        .map(|(k, v)| format!("{}={}", oauth_escape(k), oauth_escape(v)))
        .collect::<Vec<_>>()
        .join("&");
    let base_uri = url.split('?').next().unwrap();
    let base = format!(
        "{}&{}&{}",
        method.to_uppercase(),
        oauth_escape(base_uri),
        oauth_escape(&param_string)
    );
    let mut mac =
        Hmac::<sha1::Sha1>::new_from_slice(format!("&{}", oauth_escape(secret)).as_bytes())
            .unwrap();
    mac.update(base.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    signed.insert("oauth_signature".into(), signature);
    let fields: Vec<String> = signed
        .iter()
        .filter(|(k, _)| k.starts_with("oauth_"))
        .map(|(k, v)| format!("{k}=\"{}\"", oauth_escape(v)))
        .collect();
    format!("OAuth {}", fields.join(", "))
}

/// A fresh nonce for hand-built headers.
pub fn fresh_nonce() -> String {
    format!(
        "h{}{}",
        NONCE.fetch_add(1, Ordering::Relaxed),
        std::process::id()
    )
}

/// A fresh, correctly signed header for `key`.
pub fn oauth_header(key: &str) -> String {
    let nonce = format!(
        "{}{}",
        NONCE.fetch_add(1, Ordering::Relaxed),
        std::process::id()
    );
    oauth_header_with(key, &nonce, &unix_now().to_string())
}

impl Api {
    pub async fn start(opts: SimOptions) -> Self {
        Self::start_with(Inventory::default_inventory(), opts).await
    }

    pub async fn start_with(inventory: Inventory, opts: SimOptions) -> Self {
        let sim = maas_simulator::testing::start_with(inventory, opts).await;
        let admin = sim.api_key();
        let user = sim.api_key_for("alice").unwrap_or_default();
        Self {
            sim,
            http: client(),
            admin,
            user,
        }
    }

    pub fn url(&self, path: &str) -> String {
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("{API}{path}")
        };
        format!("http://{}{path}", self.sim.addr())
    }

    /// Send a request signed with `key` (or unsigned with `None`).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Body<'_>,
    ) -> Resp {
        let mut request = self.http.request(method, self.url(path));
        if let Some(key) = key {
            request = request.header("Authorization", oauth_header(key));
        }
        request = match body {
            Body::None => request,
            Body::Form(pairs) => request.form(pairs),
            Body::Multipart(pairs) => {
                let mut form = reqwest::multipart::Form::new();
                for (k, v) in pairs {
                    form = form.text(k.to_string(), v.to_string());
                }
                request.multipart(form)
            }
            Body::Raw(content_type, bytes) => {
                request.header("Content-Type", content_type).body(bytes)
            }
        };
        let response = request.send().await.expect("request completes");
        Resp {
            status: response.status().as_u16(),
            content_type: response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap_or_default(),
        }
    }

    /// GET as admin.
    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, Some(&self.admin.clone()), Body::None)
            .await
    }

    /// POST an urlencoded form as admin.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.send(
            Method::POST,
            path,
            Some(&self.admin.clone()),
            Body::Form(form),
        )
        .await
    }

    /// POST an urlencoded form as the non-admin user.
    pub async fn post_as_user(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.send(
            Method::POST,
            path,
            Some(&self.user.clone()),
            Body::Form(form),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(Method::DELETE, path, Some(&self.admin.clone()), Body::None)
            .await
    }

    /// A machine's `status_name` via the API.
    pub async fn status_of(&self, system_id: &str) -> String {
        self.get(&format!("machines/{system_id}/")).await.ok()["status_name"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn system_id(&self, hostname: &str) -> String {
        self.sim
            .machine_by_hostname(hostname)
            .unwrap_or_else(|| panic!("no machine {hostname}"))
            .system_id
    }

    pub fn vm_host_id(&self, name: &str) -> u32 {
        self.sim
            .vm_hosts()
            .into_iter()
            .find(|h| h.name == name)
            .unwrap_or_else(|| panic!("no VM host {name}"))
            .id
    }
}

/// A MAAS fixture file from the shared fixtures.
pub fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../../shared/fixtures/maas/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    serde_json::from_str(&text).unwrap()
}

/// The keys of a JSON object, sorted.
pub fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}
