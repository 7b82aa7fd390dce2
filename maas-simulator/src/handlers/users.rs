//! `version/` and `users/`.

use serde_json::{Value, json};

use super::Call;
use crate::http::{ApiError, Reply};

/// The MAAS version the simulator speaks for.
pub(crate) const MAAS_VERSION: &str = "3.7.3";

/// MAAS 3.7's `API_CAPABILITIES_LIST`.
const CAPABILITIES: &[&str] = &[
    "networks-management",
    "static-ipaddresses",
    "ipv6-deployment-ubuntu",
    "devices-management",
    "storage-deployment-ubuntu",
    "network-deployment-ubuntu",
    "bridging-interface-ubuntu",
    "bridging-automatic-ubuntu",
    "authenticate-api",
];

pub(crate) fn version(_: &mut Call<'_>) -> Result<Reply, ApiError> {
    Ok(Reply::Json(json!({
        "capabilities": CAPABILITIES,
        "version": MAAS_VERSION,
        "subversion": "",
    })))
}

pub(crate) fn whoami(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let username = call.caller()?.username.clone();
    let user = call
        .st
        .user(&username)
        .ok_or_else(|| ApiError::not_found("User"))?;
    Ok(Reply::Json(user.json()))
}

pub(crate) fn users_list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let users: Vec<Value> = call.st.users.iter().map(|u| u.json()).collect();
    Ok(Reply::Json(Value::Array(users)))
}

pub(crate) fn user_read(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let user = call
        .st
        .user(call.path_param("username"))
        .ok_or_else(|| ApiError::not_found("User"))?;
    Ok(Reply::Json(user.json()))
}
