//! What a request was trying to do, so errors can say "compose on vm-host 3"
//! instead of "HTTP 400".

use std::fmt;

/// The kind of MAAS object a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObjectKind {
    Version,
    User,
    Zone,
    ResourcePool,
    Tag,
    BootResource,
    Machine,
    VmHost,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Version => "version",
            Self::User => "user",
            Self::Zone => "zone",
            Self::ResourcePool => "resource pool",
            Self::Tag => "tag",
            Self::BootResource => "boot resource",
            Self::Machine => "machine",
            Self::VmHost => "vm-host",
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One client call: a verb phrase, the kind of object and, for calls on a
/// single object, its id. Displays as e.g. `compose on vm-host 3` or
/// `list machines`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    action: &'static str,
    object: ObjectKind,
    id: Option<String>,
}

impl Operation {
    /// A call on a whole collection; `action` is the full phrase
    /// (e.g. "list machines", "allocate a machine").
    pub fn collection(action: &'static str, object: ObjectKind) -> Self {
        Self {
            action,
            object,
            id: None,
        }
    }

    /// A call on one object; displays as `{action} {object} {id}`, so
    /// `action` carries any preposition ("compose on", "get").
    pub fn on(action: &'static str, object: ObjectKind, id: impl fmt::Display) -> Self {
        Self {
            action,
            object,
            id: Some(id.to_string()),
        }
    }

    pub fn object(&self) -> ObjectKind {
        self.object
    }

    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    pub fn action(&self) -> &'static str {
        self.action
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "{} {} {}", self.action, self.object, id),
            None => f.write_str(self.action),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_as_a_phrase() {
        assert_eq!(
            Operation::on("compose on", ObjectKind::VmHost, 3).to_string(),
            "compose on vm-host 3"
        );
        assert_eq!(
            Operation::collection("list machines", ObjectKind::Machine).to_string(),
            "list machines"
        );
    }
}
