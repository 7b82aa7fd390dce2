//! The route table: every MAAS handler the simulator serves, its path and its actions. It is
//! the single source of truth for dispatch and for the generated `describe/` document.

use crate::handlers::Call;
use crate::http::{ApiError, Reply};

pub(crate) type Run = fn(&mut Call<'_>) -> Result<Reply, ApiError>;

/// Who may call an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Served without credentials (MAAS's anonymous handler).
    Anonymous,
    /// Any authenticated user; per-object permissions are checked by the action.
    User,
    /// MAAS `@admin_method`: 403 for other users.
    Admin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verb {
    Get,
    Post,
    Put,
    Delete,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
            Verb::Delete => "DELETE",
        }
    }

    pub fn parse(method: &str) -> Option<Self> {
        match method {
            "GET" => Some(Verb::Get),
            "POST" => Some(Verb::Post),
            "PUT" => Some(Verb::Put),
            "DELETE" => Some(Verb::Delete),
            _ => None,
        }
    }
}

pub(crate) struct Action {
    pub name: &'static str,
    pub verb: Verb,
    /// `None` for the RESTful actions (read/create/update/delete).
    pub op: Option<&'static str>,
    pub access: Access,
    pub doc: &'static str,
    pub run: Run,
}

/// One MAAS handler at one path.
pub(crate) struct Resource {
    /// Handler name as `describe/` shows it, e.g. `MachinesHandler`.
    pub name: &'static str,
    pub doc: &'static str,
    /// Path below `/MAAS/api/2.0/`, with `{param}` placeholders, ending in `/`.
    pub path: &'static str,
    /// A `vm-hosts/` or `pods/` endpoint: gone when VM host support is removed.
    pub vm_host_api: bool,
    pub actions: &'static [Action],
}

impl Resource {
    /// Placeholder names in path order.
    pub fn params(&self) -> Vec<&'static str> {
        self.path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .collect()
    }

    /// First path segment (`machines`, `vm-hosts`, `pods`, ...).
    pub fn base(&self) -> &'static str {
        self.path.split('/').next().unwrap_or_default()
    }

    pub fn has_anonymous(&self) -> bool {
        self.actions.iter().any(|a| a.access == Access::Anonymous)
    }

    pub fn has_authenticated(&self) -> bool {
        self.actions.iter().any(|a| a.access != Access::Anonymous)
    }

    /// The action for `verb` and `op` that a caller with or without credentials gets.
    /// Resources with only an anonymous handler serve it to everyone, as MAAS does.
    pub fn find(&self, verb: Verb, op: Option<&str>, authenticated: bool) -> Option<&Action> {
        let anonymous_only = !self.has_authenticated();
        self.actions.iter().find(|a| {
            a.verb == verb
                && a.op == op
                && (authenticated != (a.access == Access::Anonymous) || anonymous_only)
        })
    }
}

const fn rest(
    name: &'static str,
    verb: Verb,
    access: Access,
    doc: &'static str,
    run: Run,
) -> Action {
    Action {
        name,
        verb,
        op: None,
        access,
        doc,
        run,
    }
}

const fn op(name: &'static str, verb: Verb, access: Access, doc: &'static str, run: Run) -> Action {
    Action {
        name,
        verb,
        op: Some(name),
        access,
        doc,
        run,
    }
}

mod matching;
mod table;

pub(crate) use matching::{match_path, split_op_suffix};
pub(crate) use table::RESOURCES;
