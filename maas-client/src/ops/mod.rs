//! The typed calls, one file per area of the API. Each builds a
//! [`Call`](crate::transport::Call) naming the operation for error messages;
//! sending, retrying and error mapping live in the transport.

mod inventory;
mod machines;
mod vm_hosts;

use url::Url;

use crate::{MaasClient, MaasError, Operation};

impl MaasClient {
    fn url(&self, segments: &[&str]) -> Url {
        self.inner.endpoint.url_for(segments)
    }
}

/// An id that goes into the URL path. An empty one would silently address
/// the collection instead (`machines//` → `machines/`), so refuse it.
fn path_id<'a>(operation: &Operation, what: &str, id: &'a str) -> Result<&'a str, MaasError> {
    let id = id.trim();
    if id.is_empty() {
        return Err(MaasError::invalid_request(
            operation.clone(),
            format!("the {what} is empty"),
        ));
    }
    Ok(id)
}

/// Maps a parameter check's message to the error for this operation.
fn checked<T>(operation: &Operation, result: Result<T, String>) -> Result<T, MaasError> {
    result.map_err(|reason| MaasError::invalid_request(operation.clone(), reason))
}
