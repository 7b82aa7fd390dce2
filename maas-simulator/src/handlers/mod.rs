//! Handlers for the actions in the route table. Each runs synchronously under the state lock.

pub(crate) mod allocate;
pub(crate) mod catalog;
pub(crate) mod compose;
pub(crate) mod dns;
pub(crate) mod machines;
pub(crate) mod users;
pub(crate) mod vm_hosts;

use std::time::Instant;

use crate::body::Form;
use crate::http::ApiError;
use crate::oauth::Caller;
use crate::options::SimOptions;
use crate::routes::Resource;
use crate::state::SimState;

/// Everything an action needs to know about its request.
pub(crate) struct Call<'a> {
    pub st: &'a mut SimState,
    pub opts: &'a SimOptions,
    pub caller: Option<Caller>,
    pub resource: &'static Resource,
    pub path_params: Vec<(&'static str, String)>,
    /// The parameters MAAS reads for this method: the query string for GET and DELETE, the
    /// body for POST and PUT (`op` excluded either way).
    pub data: Form,
    pub now: Instant,
}

impl Call<'_> {
    /// A path placeholder's value. The route table guarantees it exists.
    pub fn path_param(&self, name: &str) -> &str {
        self.path_params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// A parameter, `None` when absent or blank.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.data.get(name).filter(|v| !v.trim().is_empty())
    }

    /// The authenticated user; anonymous actions never call this.
    pub fn caller(&self) -> Result<&Caller, ApiError> {
        self.caller.as_ref().ok_or_else(ApiError::no_credentials)
    }

    pub fn username(&self) -> &str {
        self.caller.as_ref().map_or("", |c| c.username.as_str())
    }
}

/// A list parameter: repeated values, each possibly comma- or space-separated (`tags=a,b`).
pub(crate) fn split_list(values: Vec<&str>) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(|c: char| c == ',' || c.is_whitespace()))
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}
