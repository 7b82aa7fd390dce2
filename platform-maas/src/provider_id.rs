//! CAPMAAS's provider ID, `maas:///<zone>/<system-id>`, parsed in this one place (the Node's
//! `spec.providerID` and the MaasMachine's `spec.providerID` carry it).

use std::fmt;

/// A parsed MAAS provider ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderId {
    /// The machine's zone (availability zone, CAPI failure domain); CAPMAAS may leave it empty.
    pub zone: Option<String>,
    /// The MAAS system ID.
    pub system_id: String,
}

const SCHEME: &str = "maas://";

impl ProviderId {
    /// Parses `maas:///<zone>/<system-id>` (CAPMAAS's form) and `maas:///<system-id>`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let rest = text
            .strip_prefix(SCHEME)
            .ok_or_else(|| format!("{text:?} does not start with {SCHEME}"))?;
        // The URL's host part is empty: CAPMAAS writes three slashes.
        let path = rest.strip_prefix('/').ok_or_else(|| {
            format!("{text:?} has a host part; expected maas:///<zone>/<system-id>")
        })?;
        let parts: Vec<&str> = path.split('/').collect();
        let (zone, system_id) = match parts.as_slice() {
            [id] => (None, *id),
            [zone, id] => ((!zone.is_empty()).then(|| zone.to_string()), *id),
            _ => return Err(format!("{text:?} is not maas:///<zone>/<system-id>")),
        };
        let valid_id =
            !system_id.is_empty() && system_id.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid_id {
            return Err(format!("{text:?} has no valid system ID"));
        }
        Ok(Self {
            zone,
            system_id: system_id.to_string(),
        })
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{SCHEME}/{}/{}",
            self.zone.as_deref().unwrap_or(""),
            self.system_id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_capmaas_provider_ids() {
        let id = ProviderId::parse("maas:///az-1/x7fkq3").unwrap();
        assert_eq!(id.zone.as_deref(), Some("az-1"));
        assert_eq!(id.system_id, "x7fkq3");
        assert_eq!(id.to_string(), "maas:///az-1/x7fkq3");
        let bare = ProviderId::parse("maas:///x7fkq3").unwrap();
        assert_eq!(bare.zone, None);
        assert_eq!(ProviderId::parse("maas:////x7fkq3").unwrap().zone, None);
        for bad in [
            "aws:///az/x",
            "maas://az-1/x7fkq3",
            "maas:///az/x/y",
            "maas:///az/",
            "maas:///az/x-1",
        ] {
            assert!(ProviderId::parse(bad).is_err(), "{bad}");
        }
    }
}
