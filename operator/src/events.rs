//! Kubernetes Events for state changes and errors. Publishing never fails a reconcile: an Event
//! that cannot be written is logged and dropped.

use k8s_openapi::api::core::v1::ObjectReference;
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use std::sync::{Arc, Mutex};

/// Where Events go: the API server, memory (tests), or nowhere.
#[derive(Clone)]
pub enum Events {
    Kube(Recorder),
    Memory(Arc<Mutex<Vec<Recorded>>>),
    Off,
}

/// An Event as a test sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub object: String,
    pub warning: bool,
    pub reason: String,
    pub note: String,
}

impl Events {
    pub fn kube(client: kube::Client, instance: Option<String>) -> Self {
        Events::Kube(Recorder::new(
            client,
            Reporter {
                controller: crate::names::CONTROLLER_NAME.into(),
                instance,
            },
        ))
    }

    pub fn memory() -> (Self, Arc<Mutex<Vec<Recorded>>>) {
        let store = Arc::new(Mutex::new(Vec::new()));
        (Events::Memory(store.clone()), store)
    }

    pub async fn normal(&self, obj: &ObjectReference, reason: &str, note: String) {
        self.publish(obj, EventType::Normal, reason, note).await
    }

    pub async fn warning(&self, obj: &ObjectReference, reason: &str, note: String) {
        self.publish(obj, EventType::Warning, reason, note).await
    }

    async fn publish(&self, obj: &ObjectReference, type_: EventType, reason: &str, note: String) {
        match self {
            Events::Off => {}
            Events::Memory(store) => store.lock().expect("events lock").push(Recorded {
                object: format!(
                    "{}/{}",
                    obj.namespace.as_deref().unwrap_or_default(),
                    obj.name.as_deref().unwrap_or_default()
                ),
                warning: type_ == EventType::Warning,
                reason: reason.to_string(),
                note,
            }),
            Events::Kube(recorder) => {
                // Notes are capped at 1 kB by the API.
                let mut note = note;
                if note.len() > 1000 {
                    let mut end = 1000;
                    while !note.is_char_boundary(end) {
                        end -= 1;
                    }
                    note.truncate(end);
                }
                let ev = Event {
                    type_,
                    reason: reason.to_string(),
                    note: Some(note),
                    action: "Reconcile".into(),
                    secondary: None,
                };
                if let Err(e) = recorder.publish(&ev, obj).await {
                    tracing::warn!(error = %e, reason, "could not publish Event");
                }
            }
        }
    }
}
