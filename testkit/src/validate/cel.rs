//! `x-kubernetes-validations`: the CEL rules of a CRD schema, compiled once and evaluated the way
//! the kube-apiserver does for a custom resource.
//!
//! What is kept from the apiserver:
//! - a rule runs at the schema node that carries it, with `self` bound to the value there; a node
//!   whose value is absent is not visited;
//! - a transition rule (one that mentions `oldSelf`) runs only on an update, where the old value at
//!   the same place can be found (object properties, map entries, `x-kubernetes-list-type: map`
//!   items by their keys); on a create it is skipped;
//! - validation ratcheting (on by default since v1.30): on an update, a node whose value did not
//!   change is not checked again;
//! - the error: `<path>[+fieldPath]: Invalid value: "<schema type>": <message>` (or `Forbidden:`,
//!   `Required value:` with `reason`), where the message is `messageExpression`'s value, else
//!   `message`, else `failed rule: <rule>`.
//!
//! What is not: the CEL type checker and cost limits, `optionalOldSelf` (such rules are skipped),
//! the optional syntax (`self.?field.orValue(..)`, which the parser refuses), and the extension
//! functions outside [`SUPPORTED_FUNCTIONS`] (`quantity`, `format`, `duration`, `isSorted`...):
//! a rule that calls one, or does not parse, is not evaluated but kept in
//! [`CelSchema::skipped`] so that a test can assert how many there are.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use cel_interpreter::extractors::This;
use cel_interpreter::objects::Key;
use cel_interpreter::{Context, ExecutionError, Program, Value as Cel};
use serde_json::Value;

const VALIDATIONS: &str = "x-kubernetes-validations";

/// The functions and macros a rule may call here: CEL's standard ones that `cel-interpreter`
/// provides, and the cheap Kubernetes string and list extensions added below.
pub const SUPPORTED_FUNCTIONS: &[&str] = &[
    // macros
    "has",
    "all",
    "exists",
    "exists_one",
    "map",
    "filter",
    // standard functions (cel-interpreter)
    "contains",
    "size",
    "startsWith",
    "endsWith",
    "matches",
    "string",
    "int",
    "uint",
    "double",
    "bytes",
    // Kubernetes extensions (added in `context`)
    "lowerAscii",
    "upperAscii",
    "trim",
    "split",
    "join",
    "indexOf",
    "lastIndexOf",
    "replace",
    "substring",
    "find",
    // Kubernetes IP, CIDR and URL libraries (values kept as their text; see `net_functions`)
    "isIP",
    "ip",
    "family",
    "isCIDR",
    "cidr",
    "prefixLength",
    "isURL",
    "url",
    "getScheme",
    "getQuery",
];

/// One compiled rule.
#[derive(Debug)]
struct Rule {
    text: String,
    program: Arc<Program>,
    message: Option<String>,
    message_expression: Option<Arc<Program>>,
    field_path: Option<String>,
    reason: Option<String>,
    transition: bool,
}

/// The part of a schema that leads to rules: nodes without a rule below them are left out.
#[derive(Debug, Default)]
struct Node {
    ty: String,
    rules: Vec<Rule>,
    properties: BTreeMap<String, Node>,
    additional: Option<Box<Node>>,
    items: Option<Box<Node>>,
    /// `x-kubernetes-list-map-keys` of a `x-kubernetes-list-type: map` list.
    map_keys: Option<Vec<String>>,
}

impl Node {
    fn is_empty(&self) -> bool {
        self.rules.is_empty()
            && self.properties.is_empty()
            && self.additional.is_none()
            && self.items.is_none()
    }
}

/// A rule that is not evaluated, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRule {
    /// The schema node: `spec.platform`, `spec.list[]`, `spec.labels{}`; empty at the root.
    pub path: String,
    /// The rule's text.
    pub rule: String,
    /// Why it is skipped (a parse error, an unsupported function, `optionalOldSelf`).
    pub why: String,
}

/// One refused rule: where, the schema type there, and the message the apiserver would give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CelViolation {
    /// The field path (`spec.autoScaling`, `spec.items[0].name`); empty at the root.
    pub path: String,
    /// The schema `type` at the rule's node (`object`, `string`...).
    pub type_name: String,
    /// The rule's message.
    pub message: String,
    /// The rule's `reason` (`FieldValueInvalid` when unset).
    pub reason: String,
}

impl CelViolation {
    /// The cause without its path: `Invalid value: "object": <message>`, `Forbidden: <message>`.
    pub fn body(&self) -> String {
        match self.reason.as_str() {
            "FieldValueForbidden" => format!("Forbidden: {}", self.message),
            "FieldValueRequired" => format!("Required value: {}", self.message),
            "FieldValueDuplicate" => format!("Duplicate value: {}", self.message),
            _ => format!("Invalid value: \"{}\": {}", self.type_name, self.message),
        }
    }
}

impl std::fmt::Display for CelViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.path.is_empty() {
            "<nil>"
        } else {
            &self.path
        };
        write!(f, "{path}: {}", self.body())
    }
}

/// The CEL rules of one `openAPIV3Schema`, compiled.
#[derive(Debug, Default)]
pub struct CelSchema {
    root: Node,
    count: usize,
    skipped: Vec<SkippedRule>,
}

impl PartialEq for CelSchema {
    /// Two compiled schemas are equal when they hold the same rules at the same places.
    fn eq(&self, other: &Self) -> bool {
        self.count == other.count && self.skipped == other.skipped && {
            let mut a = vec![];
            let mut b = vec![];
            texts(&self.root, &mut a);
            texts(&other.root, &mut b);
            a == b
        }
    }
}

fn texts<'a>(n: &'a Node, out: &mut Vec<&'a str>) {
    out.extend(n.rules.iter().map(|r| r.text.as_str()));
    for c in n.properties.values() {
        texts(c, out);
    }
    for c in n.additional.iter().chain(n.items.iter()) {
        texts(c, out);
    }
}

impl CelSchema {
    /// Compiles every rule of `schema` (an `openAPIV3Schema`).
    pub fn compile(schema: &Value) -> Self {
        let mut out = CelSchema::default();
        out.root = out.node(schema, "");
        out
    }

    /// How many rules the schema carries (evaluated or skipped).
    pub fn rule_count(&self) -> usize {
        self.count
    }

    /// The rules that are not evaluated.
    pub fn skipped(&self) -> &[SkippedRule] {
        &self.skipped
    }

    fn node(&mut self, s: &Value, path: &str) -> Node {
        let mut node = Node {
            ty: s
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            ..Node::default()
        };
        for r in s
            .get(VALIDATIONS)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.count += 1;
            let text = r.get("rule").and_then(Value::as_str).unwrap_or_default();
            match compile_rule(r, text) {
                Ok(rule) => node.rules.push(rule),
                Err(why) => self.skipped.push(SkippedRule {
                    path: path.to_string(),
                    rule: text.to_string(),
                    why,
                }),
            }
        }
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            for (k, ps) in props {
                let child = self.node(ps, &join(path, k));
                if !child.is_empty() {
                    node.properties.insert(k.clone(), child);
                }
            }
        }
        if let Some(a @ Value::Object(_)) = s.get("additionalProperties") {
            let child = self.node(a, &format!("{path}{{}}"));
            if !child.is_empty() {
                node.additional = Some(Box::new(child));
            }
        }
        if let Some(i) = s.get("items") {
            let child = self.node(i, &format!("{path}[]"));
            if !child.is_empty() {
                node.items = Some(Box::new(child));
            }
            if s.get("x-kubernetes-list-type").and_then(Value::as_str) == Some("map") {
                node.map_keys = s
                    .get("x-kubernetes-list-map-keys")
                    .and_then(Value::as_array)
                    .map(|k| {
                        k.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    });
            }
        }
        node
    }

    /// Checks `new` (an object or a fragment, defaulted) against the rules; `old` is the stored
    /// value on an update (`None` on a create). The violations come in schema order.
    pub fn validate(&self, new: &Value, old: Option<&Value>) -> Vec<CelViolation> {
        let mut out = vec![];
        if self.root.is_empty() {
            return out;
        }
        let ctx = context();
        walk(&self.root, new, old, "", &ctx, &mut out);
        out
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn compile_rule(r: &Value, text: &str) -> Result<Rule, String> {
    let get = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
    if r.get("optionalOldSelf").and_then(Value::as_bool) == Some(true) {
        return Err("optionalOldSelf is not supported".into());
    }
    let program = compile_program(text)?;
    let transition = program.references().has_variable("oldSelf");
    let message_expression = match get("messageExpression") {
        Some(e) => Some(compile_program(&e).map_err(|w| format!("messageExpression: {w}"))?),
        None => None,
    };
    Ok(Rule {
        text: text.to_string(),
        program,
        message: get("message"),
        message_expression,
        field_path: get("fieldPath"),
        reason: get("reason"),
        transition,
    })
}

thread_local! {
    /// Compiled programs by source text: the strict validator compiles a schema on every call, and
    /// the same rules come back again and again.
    static COMPILED: std::cell::RefCell<HashMap<String, Result<Arc<Program>, String>>> =
        Default::default();
}

fn compile_program(text: &str) -> Result<Arc<Program>, String> {
    if let Some(hit) = COMPILED.with(|c| c.borrow().get(text).cloned()) {
        return hit;
    }
    let compiled = compile_uncached(text).map(Arc::new);
    COMPILED.with(|c| c.borrow_mut().insert(text.to_string(), compiled.clone()));
    compiled
}

fn compile_uncached(text: &str) -> Result<Program, String> {
    // The ANTLR-generated parser panics on some malformed input instead of returning an error.
    let parsed = std::panic::catch_unwind(|| Program::compile(text))
        .map_err(|_| "does not parse (the parser panicked)".to_string())?;
    let program = parsed.map_err(|e| format!("does not parse: {e}"))?;
    let refs = program.references();
    let mut unsupported: Vec<&str> = refs
        .functions()
        .into_iter()
        .filter(|f| !SUPPORTED_FUNCTIONS.contains(f) && !is_operator(f))
        .collect();
    unsupported.sort();
    unsupported.dedup();
    if !unsupported.is_empty() {
        return Err(format!(
            "unsupported function(s): {}",
            unsupported.join(", ")
        ));
    }
    Ok(program)
}

/// Operators show up as functions in the parser's references (`_==_`, `!_`, `@in`...).
fn is_operator(f: &str) -> bool {
    !f.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}

fn walk(
    node: &Node,
    new: &Value,
    old: Option<&Value>,
    path: &str,
    ctx: &Context,
    out: &mut Vec<CelViolation>,
) {
    // Ratcheting: an unchanged value is not validated again.
    if old == Some(new) {
        return;
    }
    if !node.rules.is_empty() {
        let this = to_cel(new);
        let old_cel = old.map(to_cel);
        let mut scope = ctx.new_inner_scope();
        scope.add_variable_from_value("self", this);
        if let Some(o) = old_cel {
            scope.add_variable_from_value("oldSelf", o);
        }
        for rule in &node.rules {
            if rule.transition && old.is_none() {
                continue;
            }
            if let Some(message) = evaluate(rule, &scope) {
                let path = match rule.field_path.as_deref() {
                    Some(fp) if fp.starts_with('[') => format!("{path}{fp}"),
                    Some(fp) => join(path, fp.trim_start_matches('.')),
                    None => path.to_string(),
                };
                out.push(CelViolation {
                    path,
                    type_name: node.ty.clone(),
                    message,
                    reason: rule
                        .reason
                        .clone()
                        .unwrap_or_else(|| "FieldValueInvalid".into()),
                });
            }
        }
    }
    match new {
        Value::Object(map) => {
            for (k, child) in &node.properties {
                if let Some(v) = map.get(k) {
                    let o = old.and_then(|o| o.get(k));
                    walk(child, v, o, &join(path, k), ctx, out);
                }
            }
            if let Some(child) = &node.additional {
                for (k, v) in map {
                    if node.properties.contains_key(k) {
                        continue;
                    }
                    let o = old.and_then(|o| o.get(k));
                    walk(child, v, o, &format!("{path}[{k}]"), ctx, out);
                }
            }
        }
        Value::Array(items) => {
            if let Some(child) = &node.items {
                for (i, v) in items.iter().enumerate() {
                    let o = match (&node.map_keys, old.and_then(Value::as_array)) {
                        (Some(keys), Some(olds)) => olds
                            .iter()
                            .find(|o| keys.iter().all(|k| o.get(k) == v.get(k))),
                        _ => None,
                    };
                    walk(child, v, o, &format!("{path}[{i}]"), ctx, out);
                }
            }
        }
        _ => {}
    }
}

/// `None` when the rule holds; else the message to report.
fn evaluate(rule: &Rule, scope: &Context) -> Option<String> {
    let failed = match rule.program.execute(scope) {
        Ok(Cel::Bool(true)) => return None,
        Ok(Cel::Bool(false)) => None,
        Ok(other) => Some(format!(
            "rule did not evaluate to a bool (got {:?}) evaluating rule: {}",
            other.type_of(),
            rule.text
        )),
        Err(e) => Some(format!("{} evaluating rule: {}", error_text(&e), rule.text)),
    };
    if let Some(runtime) = failed {
        return Some(runtime);
    }
    if let Some(me) = &rule.message_expression
        && let Ok(Cel::String(s)) = me.execute(scope)
        && !s.trim().is_empty()
    {
        return Some(s.to_string());
    }
    Some(
        rule.message
            .clone()
            .unwrap_or_else(|| format!("failed rule: {}", rule.text)),
    )
}

fn error_text(e: &ExecutionError) -> String {
    match e {
        ExecutionError::NoSuchKey(k) => format!("no such key: {k}"),
        other => other.to_string(),
    }
}

/// JSON to CEL: integers are `int`, other numbers `double`, objects maps with string keys.
fn to_cel(v: &Value) -> Cel {
    match v {
        Value::Null => Cel::Null,
        Value::Bool(b) => Cel::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Cel::Int(i),
            None => Cel::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Cel::String(Arc::new(s.clone())),
        Value::Array(a) => Cel::List(Arc::new(a.iter().map(to_cel).collect())),
        Value::Object(m) => {
            let map: HashMap<Key, Cel> = m
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), to_cel(v)))
                .collect();
            Cel::Map(map.into())
        }
    }
}

/// The standard functions plus the Kubernetes string and list extensions that are cheap to have.
fn context() -> Context<'static> {
    let mut ctx = Context::default();
    ctx.add_function("lowerAscii", |This(s): This<Arc<String>>| {
        s.to_ascii_lowercase()
    });
    ctx.add_function("upperAscii", |This(s): This<Arc<String>>| {
        s.to_ascii_uppercase()
    });
    ctx.add_function("trim", |This(s): This<Arc<String>>| s.trim().to_string());
    ctx.add_function(
        "split",
        |This(s): This<Arc<String>>, sep: Arc<String>| -> Result<Cel, ExecutionError> {
            Ok(Cel::List(Arc::new(
                s.split(sep.as_str())
                    .map(|p| Cel::String(Arc::new(p.to_string())))
                    .collect(),
            )))
        },
    );
    ctx.add_function(
        "join",
        |This(l): This<Arc<Vec<Cel>>>, sep: Arc<String>| -> Result<Cel, ExecutionError> {
            let parts: Result<Vec<String>, ExecutionError> = l
                .iter()
                .map(|v| match v {
                    Cel::String(s) => Ok(s.to_string()),
                    other => Err(ExecutionError::function_error(
                        "join",
                        format!("not a string: {:?}", other.type_of()),
                    )),
                })
                .collect();
            Ok(Cel::String(Arc::new(parts?.join(sep.as_str()))))
        },
    );
    ctx.add_function(
        "indexOf",
        |This(s): This<Arc<String>>, sub: Arc<String>| -> i64 {
            s.find(sub.as_str())
                .map(|b| s[..b].chars().count() as i64)
                .unwrap_or(-1)
        },
    );
    ctx.add_function(
        "lastIndexOf",
        |This(s): This<Arc<String>>, sub: Arc<String>| -> i64 {
            s.rfind(sub.as_str())
                .map(|b| s[..b].chars().count() as i64)
                .unwrap_or(-1)
        },
    );
    ctx.add_function(
        "replace",
        |This(s): This<Arc<String>>, from: Arc<String>, to: Arc<String>| {
            s.replace(from.as_str(), to.as_str())
        },
    );
    ctx.add_function(
        "substring",
        |This(s): This<Arc<String>>, start: i64| -> Result<Cel, ExecutionError> {
            let chars: Vec<char> = s.chars().collect();
            let start = usize::try_from(start)
                .ok()
                .filter(|&i| i <= chars.len())
                .ok_or_else(|| ExecutionError::function_error("substring", "index out of range"))?;
            Ok(Cel::String(Arc::new(chars[start..].iter().collect())))
        },
    );
    ctx.add_function(
        "find",
        |This(s): This<Arc<String>>, re: Arc<String>| -> Result<Cel, ExecutionError> {
            let re = regex::Regex::new(&re)
                .map_err(|e| ExecutionError::function_error("find", e.to_string()))?;
            let found = re.find(&s).map(|m| m.as_str()).unwrap_or_default();
            Ok(Cel::String(Arc::new(found.to_string())))
        },
    );
    net_functions(&mut ctx);
    ctx
}

/// `ip`, `cidr` and `url` values are kept as their (checked) text, which is all the accessors
/// the rules use need: `family()`, `prefixLength()`, `ip()` of a CIDR, `getScheme()`,
/// `getQuery()`.
fn net_functions(ctx: &mut Context) {
    fn err(f: &str, what: &str, s: &str) -> ExecutionError {
        ExecutionError::function_error(f, format!("{what} {s:?}"))
    }
    ctx.add_function("isIP", |This(s): This<Arc<String>>| parse_ip(&s).is_some());
    ctx.add_function("isCIDR", |This(s): This<Arc<String>>| {
        parse_cidr(&s).is_some()
    });
    ctx.add_function("isURL", |This(s): This<Arc<String>>| is_url(&s));
    // `ip(text)`, or `cidr(text).ip()`: the address.
    ctx.add_function(
        "ip",
        |This(s): This<Arc<String>>| -> Result<Cel, ExecutionError> {
            let addr = match parse_cidr(&s) {
                Some((ip, _)) => ip,
                None => parse_ip(&s).ok_or_else(|| err("ip", "not an IP address:", &s))?,
            };
            Ok(Cel::String(Arc::new(addr.to_string())))
        },
    );
    ctx.add_function(
        "cidr",
        |This(s): This<Arc<String>>| -> Result<Cel, ExecutionError> {
            parse_cidr(&s).ok_or_else(|| err("cidr", "not a CIDR:", &s))?;
            Ok(Cel::String(s))
        },
    );
    ctx.add_function(
        "url",
        |This(s): This<Arc<String>>| -> Result<Cel, ExecutionError> {
            if !is_url(&s) {
                return Err(err("url", "not a URL:", &s));
            }
            Ok(Cel::String(s))
        },
    );
    ctx.add_function(
        "family",
        |This(s): This<Arc<String>>| -> Result<i64, ExecutionError> {
            match parse_ip(&s).ok_or_else(|| err("family", "not an IP address:", &s))? {
                std::net::IpAddr::V4(_) => Ok(4),
                std::net::IpAddr::V6(_) => Ok(6),
            }
        },
    );
    ctx.add_function(
        "prefixLength",
        |This(s): This<Arc<String>>| -> Result<i64, ExecutionError> {
            let (_, len) = parse_cidr(&s).ok_or_else(|| err("prefixLength", "not a CIDR:", &s))?;
            Ok(i64::from(len))
        },
    );
    ctx.add_function("getScheme", |This(s): This<Arc<String>>| {
        match s.split_once(':') {
            Some((scheme, _)) if !s.starts_with('/') => scheme.to_ascii_lowercase(),
            _ => String::new(),
        }
    });
    ctx.add_function(
        "getQuery",
        |This(s): This<Arc<String>>| -> Result<Cel, ExecutionError> {
            let query = s
                .split('#')
                .next()
                .and_then(|u| u.split_once('?'))
                .map(|(_, q)| q)
                .unwrap_or_default();
            let mut map: HashMap<Key, Vec<Cel>> = HashMap::new();
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                map.entry(Key::String(Arc::new(k.to_string())))
                    .or_default()
                    .push(Cel::String(Arc::new(v.to_string())));
            }
            let map: HashMap<Key, Cel> = map
                .into_iter()
                .map(|(k, v)| (k, Cel::List(Arc::new(v))))
                .collect();
            Ok(Cel::Map(map.into()))
        },
    );
}

/// An IPv4 or IPv6 address without a zone (IPv4 without leading zeros), as Kubernetes' `isIP`.
fn parse_ip(s: &str) -> Option<std::net::IpAddr> {
    s.parse().ok()
}

fn parse_cidr(s: &str) -> Option<(std::net::IpAddr, u8)> {
    let (ip, len) = s.split_once('/')?;
    let ip = parse_ip(ip)?;
    let len: u8 = len.parse().ok().filter(|_| !len.starts_with('+'))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (len <= max).then_some((ip, len))
}

/// A request URI as Go's `url.ParseRequestURI` takes it: an absolute path, or `scheme:` and
/// the rest, without spaces or control characters.
fn is_url(s: &str) -> bool {
    if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    if s.starts_with('/') {
        return true;
    }
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// kube-fake keeps compiled schemas in a store shared between threads.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<CelSchema>();
};
