//! Watch streams: newline-delimited JSON `WatchEvent`s.
//!
//! A watch from resourceVersion X replays the retained changes after X, then streams live changes
//! until `timeoutSeconds`, the client going away, or [`crate::FakeApiServer::close_watches`].
//! Selector transitions are reported as a real apiserver does: an object that starts matching is
//! ADDED, one that stops matching is DELETED.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt, stream};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::resources::ResourceInfo;
use crate::schema::CrdSchemas;
use crate::selector::Filter;
use crate::store::{Change, ChangeKind, State};

/// What one watch request asked for.
pub(crate) struct WatchSpec {
    pub info: ResourceInfo,
    pub version: String,
    pub filter: Filter,
    pub bookmarks: bool,
    pub timeout: Duration,
    /// `Accept: ...;as=PartialObjectMetadata`: objects are sent as `PartialObjectMetadata`.
    pub metadata_only: bool,
    /// The CRD's schemas (`None` for built-ins): objects are shown pruned and defaulted with the
    /// watched version's schema.
    pub schemas: Option<Arc<CrdSchemas>>,
}

impl WatchSpec {
    fn present(&self, obj: &Value) -> Value {
        let api_version = self.info.api_version(&self.version);
        let obj = match &self.schemas {
            Some(s) => s.view(obj, api_version, &self.version),
            None => {
                let mut obj = obj.clone();
                obj["apiVersion"] = json!(api_version);
                obj
            }
        };
        if self.metadata_only {
            crate::router::partial(obj)
        } else {
            obj
        }
    }

    pub fn line(&self, kind: &str, obj: &Value) -> Bytes {
        let obj = if kind == "BOOKMARK" {
            let mut b = obj.clone();
            b["apiVersion"] = json!(self.info.api_version(&self.version));
            b
        } else {
            self.present(obj)
        };
        let mut s =
            serde_json::to_string(&json!({ "type": kind, "object": obj })).unwrap_or_default();
        s.push('\n');
        Bytes::from(s)
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Bytes {
        let mut meta = json!({ "resourceVersion": rv.to_string() });
        if initial_end {
            meta["annotations"] = json!({ "k8s.io/initial-events-end": "true" });
        }
        let obj = json!({ "kind": self.info.kind, "metadata": meta });
        self.line("BOOKMARK", &obj)
    }

    /// The event line a change produces for this watcher, if any.
    pub fn render(&self, ch: &Change) -> Option<Bytes> {
        let now = self.filter.matches(&ch.obj);
        let before = ch.old.as_ref().is_some_and(|o| self.filter.matches(o));
        let kind = match ch.kind {
            ChangeKind::Added => now.then_some("ADDED")?,
            ChangeKind::Modified => match (before, now) {
                (true, true) => "MODIFIED",
                (false, true) => "ADDED",
                (true, false) => "DELETED",
                (false, false) => return None,
            },
            ChangeKind::Deleted => (before || now).then_some("DELETED")?,
        };
        Some(self.line(kind, &ch.obj))
    }

    /// The ERROR event for a resourceVersion older than the retained history.
    pub fn expired(&self, asked: &str, oldest: u64) -> Bytes {
        let status = json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": format!("too old resource version: {asked} ({oldest})"),
            "reason": "Expired", "code": 410,
        });
        let mut s = serde_json::to_string(&json!({ "type": "ERROR", "object": status }))
            .unwrap_or_default();
        s.push('\n');
        Bytes::from(s)
    }

    /// The BOOKMARK that ends the initial events of a `sendInitialEvents=true` watch.
    pub fn initial_end(&self, rv: u64) -> Bytes {
        self.bookmark(rv, true)
    }
}

struct Live {
    spec: WatchSpec,
    rx: mpsc::UnboundedReceiver<Arc<Change>>,
    state: Arc<Mutex<State>>,
    deadline: tokio::time::Instant,
    interval: Duration,
}

async fn next_line(mut live: Live) -> Option<(Bytes, Live)> {
    let mut tick =
        tokio::time::interval_at(tokio::time::Instant::now() + live.interval, live.interval);
    loop {
        tokio::select! {
            ch = live.rx.recv() => {
                let ch = ch?;
                if let Some(line) = live.spec.render(&ch) {
                    return Some((line, live));
                }
            }
            _ = tokio::time::sleep_until(live.deadline) => return None,
            _ = tick.tick(), if live.spec.bookmarks => {
                // Only when every change up to the current resourceVersion has been delivered
                // (changes are sent under the state lock, so the check is exact).
                let rv = {
                    let st = live.state.lock().unwrap_or_else(|e| e.into_inner());
                    live.rx.is_empty().then_some(st.rv)
                };
                if let Some(rv) = rv {
                    return Some((live.spec.bookmark(rv, false), live));
                }
            }
        }
    }
}

/// The body stream of a watch: `initial` lines, then live changes from `rx`.
pub(crate) fn stream(
    spec: WatchSpec,
    initial: Vec<Bytes>,
    rx: Option<mpsc::UnboundedReceiver<Arc<Change>>>,
    state: Arc<Mutex<State>>,
    interval: Duration,
) -> impl Stream<Item = Bytes> + Send + 'static {
    let deadline = tokio::time::Instant::now() + spec.timeout;
    let live = rx.map(|rx| Live {
        spec,
        rx,
        state,
        deadline,
        interval,
    });
    stream::iter(initial).chain(stream::unfold(live, |live| async move {
        let (line, live) = next_line(live?).await?;
        Some((line, Some(live)))
    }))
}
