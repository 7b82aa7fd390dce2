//! The one error of the LXD initializer. Each variant's name is its reason (metrics, Events,
//! JSON reports); messages never carry secrets (trust passwords, tokens, private keys).

use strum::IntoStaticStr;

/// What went wrong while setting up or registering the local LXD.
#[derive(Debug, thiserror::Error, IntoStaticStr)]
pub enum LxdError {
    /// Nothing answers on the unix socket (LXD not installed, not started, or no permission).
    #[error(
        "LXD at {socket} is unreachable: {reason}; start it (e.g. `lxd --group root &` then `lxd waitready`)"
    )]
    Unreachable {
        /// The socket path.
        socket: String,
        /// Why the connection failed.
        reason: String,
    },
    /// LXD answered a request with an error.
    #[error("LXD refused to {operation}: {message} (HTTP {status})")]
    Api {
        /// What was asked, e.g. `create storage pool "default"`.
        operation: String,
        /// LXD's error code.
        status: u16,
        /// LXD's error text.
        message: String,
    },
    /// LXD's answer was not the JSON we expect.
    #[error("LXD's answer to {operation} is unreadable: {reason}")]
    Decode {
        /// What was asked.
        operation: String,
        /// The decoding failure.
        reason: String,
    },
    /// The daemon already holds an object that differs in a way that cannot be changed in place
    /// (e.g. a storage pool with another driver); we never delete a user's object.
    #[error("{what} exists with {found}, but {wanted} was asked for; {fix}")]
    Conflict {
        /// The object, e.g. `storage pool "default"`.
        what: String,
        /// What the daemon holds.
        found: String,
        /// What the request asks for.
        wanted: String,
        /// How to resolve it.
        fix: String,
    },
    /// This LXD lacks a feature the request needs (e.g. trust passwords on LXD 5.21 and newer).
    #[error("this LXD ({version}) does not support {feature}; {fix}")]
    Unsupported {
        /// The server version.
        version: String,
        /// The missing feature.
        feature: String,
        /// What to use instead.
        fix: String,
    },
    /// The host's default route or interfaces could not be read.
    #[error("cannot detect the host network: {reason}")]
    HostNetwork {
        /// What failed.
        reason: String,
    },
    /// A certificate file is not a PEM certificate.
    #[error("{path} is not a PEM certificate: {reason}")]
    Certificate {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The request itself is invalid (names, sizes); nothing was sent.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field or flag.
        field: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// MAAS refused or failed (its own message, already free of secrets).
    #[error(transparent)]
    Maas(#[from] maas_client::MaasError),
}

impl LxdError {
    /// The variant name, e.g. `Unreachable`.
    pub fn reason(&self) -> &'static str {
        self.into()
    }
}
