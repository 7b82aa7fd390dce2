//! `spec.pausedUntil`, as in HyperShift: `"true"` pauses until the field changes, an RFC 3339
//! time pauses until then, anything else (`"false"`, a past time) does not pause. Deletion is
//! not paused: a paused cluster that is deleted is still torn down.

use k8s_openapi::jiff::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pause {
    Active,
    Indefinitely,
    Until(Timestamp),
    /// Not a boolean or an RFC 3339 time: reported, not paused.
    Invalid(String),
}

pub fn pause(paused_until: Option<&str>, now: Timestamp) -> Pause {
    let Some(v) = paused_until.map(str::trim).filter(|v| !v.is_empty()) else {
        return Pause::Active;
    };
    if v.eq_ignore_ascii_case("true") {
        return Pause::Indefinitely;
    }
    if v.eq_ignore_ascii_case("false") {
        return Pause::Active;
    }
    match v.parse::<Timestamp>() {
        Ok(t) if t > now => Pause::Until(t),
        Ok(_) => Pause::Active,
        Err(_) => Pause::Invalid(v.to_string()),
    }
}
