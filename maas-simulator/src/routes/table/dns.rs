//! Routes of the DNS records and domains.

use crate::handlers::dns;
use crate::routes::Access::{Admin, User};
use crate::routes::Verb::{Delete, Get, Post, Put};
use crate::routes::{Resource, rest};

pub(super) const DNS_RESOURCE_HANDLER: Resource = Resource {
    name: "DNSResourceHandler",
    doc: "Manage dnsresource.",
    path: "dnsresources/{id}/",
    vm_host_api: false,
    actions: &[
        rest(
            "delete",
            Delete,
            User,
            "Delete a DNS resource (admin). Its user-reserved addresses go with it.",
            dns::delete,
        ),
        rest("read", Get, User, "Read a DNS resource by id.", dns::read),
        rest(
            "update",
            Put,
            User,
            "Update a DNS resource (admin).\n\n:param fqdn: Hostname with domain; ignored if name or domain is given.\n:param name: Hostname without domain.\n:param domain: Domain name or id.\n:param address_ttl: TTL of the address records.\n:param ip_addresses: Space-separated addresses or ids.",
            dns::update,
        ),
    ],
};

pub(super) const DNS_RESOURCES_HANDLER: Resource = Resource {
    name: "DNSResourcesHandler",
    doc: "Manage dnsresources.",
    path: "dnsresources/",
    vm_host_api: false,
    actions: &[
        rest(
            "create",
            Post,
            Admin,
            "Create a DNS resource.\n\n:param fqdn: Hostname with domain; ignored if name or domain is given.\n:param name: Hostname without domain.\n:param domain: Domain name or id.\n:param address_ttl: TTL of the address records.\n:param ip_addresses: Space-separated addresses or ids; each makes an A or AAAA record.",
            dns::create,
        ),
        rest(
            "read",
            Get,
            User,
            "List DNS resources.\n\n:param fqdn: Restrict to this fqdn.\n:param domain: Restrict to this domain.\n:param name: Restrict to this name.\n:param rrtype: Restrict to records of this type.\n:param all: Include the implicit records of machines.",
            dns::list,
        ),
    ],
};

pub(super) const DOMAIN_HANDLER: Resource = Resource {
    name: "DomainHandler",
    doc: "Manage domain.",
    path: "domains/{id}/",
    vm_host_api: false,
    actions: &[rest("read", Get, User, "Read a domain.", dns::domain_read)],
};

pub(super) const DOMAINS_HANDLER: Resource = Resource {
    name: "DomainsHandler",
    doc: "Manage domains.",
    path: "domains/",
    vm_host_api: false,
    actions: &[rest(
        "read",
        Get,
        User,
        "List all domains.",
        dns::domains_list,
    )],
};
