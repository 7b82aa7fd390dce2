//! `core.https_address`: where MAAS reaches LXD's HTTPS API.

use reqwest::Method;
use serde_json::json;

use crate::{Change, LxdClient, LxdError, Server, Step};

/// LXD's usual listen address (all addresses, port 8443).
pub const DEFAULT_HTTPS_ADDRESS: &str = "[::]:8443";

/// Sets `core.https_address` to `address` unless it already is.
pub async fn ensure(client: &LxdClient, server: &Server, address: &str) -> Result<Step, LxdError> {
    let current = server.config_str("core.https_address");
    if current == address {
        return Ok(Step::new(
            "https-address",
            address,
            Change::Unchanged,
            "already listening",
        ));
    }
    client
        .send(
            "set core.https_address",
            Method::PATCH,
            "/1.0",
            &json!({"config": {"core.https_address": address}}),
        )
        .await?;
    let (change, detail) = if current.is_empty() {
        (Change::Created, "now listening".to_string())
    } else {
        (Change::Updated, format!("was {current}"))
    };
    Ok(Step::new("https-address", address, change, detail))
}
