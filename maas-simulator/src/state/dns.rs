//! DNS domains, DNS resources and the user-reserved IP addresses they point at, with the JSON
//! MAAS shows for each.

use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::API;

#[derive(Clone, Debug)]
pub(crate) struct Domain {
    /// The default domain has id 0, as in MAAS.
    pub id: u32,
    pub name: String,
    pub authoritative: bool,
    pub ttl: Option<u32>,
}

/// A `DNSResource`: a label in a domain with address records. MAAS's other record data
/// (`DNSData`: CNAME, TXT, ...) is not simulated, so `resource_records` is always empty.
#[derive(Clone, Debug)]
pub(crate) struct DnsResource {
    pub id: u32,
    /// One label, or `@` for the domain itself.
    pub name: String,
    pub domain_id: u32,
    pub address_ttl: Option<u32>,
    /// Ids of `StaticIp`s, in the order they were given.
    pub ip_ids: Vec<u32>,
}

/// A `StaticIPAddress` of type `USER_RESERVED`, created when a DNS resource names an address
/// MAAS does not know yet.
#[derive(Clone, Debug)]
pub(crate) struct StaticIp {
    pub id: u32,
    pub ip: IpAddr,
    pub owner: String,
    /// `created` as MAAS prints datetimes: `2026-12-01T00:00:00.000`.
    pub created: String,
}

/// `IPADDRESS_TYPE.USER_RESERVED`.
const USER_RESERVED: u32 = 4;

impl StaticIp {
    /// The address as `IPAddressesHandler` shows it; `owner` is the owner's user object.
    pub fn json(&self, owner: Option<Value>) -> Value {
        json!({
            "alloc_type": USER_RESERVED,
            "alloc_type_name": "User reserved",
            "created": self.created,
            "ip": self.ip.to_string(),
            "owner": owner,
            "interface_set": [],
            "subnet": null,
            "resource_uri": format!("{API}ipaddresses/"),
        })
    }
}

impl Domain {
    /// The domain as `DomainHandler` shows it.
    pub fn json(&self, resource_record_count: usize) -> Value {
        json!({
            "authoritative": self.authoritative,
            "ttl": self.ttl,
            "id": self.id,
            "resource_record_count": resource_record_count,
            "is_default": self.id == 0,
            "name": self.name,
            "resource_uri": format!("{API}domains/{}/", self.id),
        })
    }

    pub fn fqdn_of(&self, name: &str) -> String {
        if name == "@" {
            self.name.clone()
        } else {
            format!("{name}.{}", self.name)
        }
    }
}

/// Now as MAAS prints datetimes (UTC, milliseconds).
pub(crate) fn timestamp_now() -> String {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format_timestamp(since.as_secs() as i64, since.subsec_millis())
}

/// Unix seconds to `YYYY-MM-DDTHH:MM:SS.mmm` (proleptic Gregorian calendar).
fn format_timestamp(secs: i64, millis: u32) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(format_timestamp(0, 0), "1970-01-01T00:00:00.000");
        assert_eq!(
            format_timestamp(1_795_252_790, 5),
            "2026-11-21T09:19:50.005"
        );
        assert_eq!(format_timestamp(951_782_400, 0), "2000-02-29T00:00:00.000");
    }
}
