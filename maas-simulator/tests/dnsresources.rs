//! `dnsresources/` over HTTP: the calls CAPMAAS makes through maas-client-go (signed with
//! HMAC-SHA1 the way that client signs), and MAAS's answers to bad ones.

mod common;

use common::{Api, Body, Resp, fresh_nonce, hmac_header, unix_now};
use maas_simulator::{Inventory, SimOptions};
use reqwest::Method;
use serde_json::Value;

/// A request as maas-client-go sends it: GET parameters in the query and signed; POST
/// parameters in an urlencoded body and signed; PUT parameters in an urlencoded body and not
/// signed; DELETE without parameters.
async fn go_client(api: &Api, method: Method, path: &str, params: &[(&str, &str)]) -> Resp {
    let url = api.url(path);
    let mut url = reqwest::Url::parse(&url).unwrap();
    let signed: &[(&str, &str)] = match method {
        Method::GET | Method::POST => params,
        _ => &[],
    };
    let header = hmac_header(
        &api.admin,
        method.as_str(),
        url.as_str(),
        signed,
        &fresh_nonce(),
        &unix_now().to_string(),
    );
    if method == Method::GET && !params.is_empty() {
        url.query_pairs_mut().extend_pairs(params);
    }
    let mut request = api
        .http
        .request(method.clone(), url)
        .header("Authorization", header)
        .header("Accept", "application/json; charset=utf-8");
    if method == Method::POST || method == Method::PUT {
        request = request.form(params);
    }
    let response = request.send().await.unwrap();
    Resp {
        status: response.status().as_u16(),
        content_type: response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

fn ips(resource: &Value) -> Vec<String> {
    resource["ip_addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ip| ip["ip"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn capmaas_dns_lifecycle() {
    let api = Api::start_with(Inventory::demo_inventory(), SimOptions::instant()).await;
    let fqdn = "my-maas-cluster.custom.maas.local";

    // GetDNSResource: nothing yet.
    let listed = go_client(&api, Method::GET, "dnsresources/", &[("fqdn", fqdn)]).await;
    assert_eq!(listed.ok(), serde_json::json!([]));

    // ReconcileDNS: create with the fqdn, TTL 10 and no addresses yet.
    let created = go_client(
        &api,
        Method::POST,
        "dnsresources/",
        &[("fqdn", fqdn), ("address_ttl", "10"), ("ip_addresses", "")],
    )
    .await
    .ok();
    let id = created["id"].as_u64().unwrap();
    assert_eq!(created["fqdn"], fqdn);
    assert_eq!(created["address_ttl"], 10);
    assert_eq!(created["ip_addresses"], serde_json::json!([]));
    assert_eq!(created["resource_records"], serde_json::json!([]));
    assert_eq!(
        created["resource_uri"],
        format!("/MAAS/api/2.0/dnsresources/{id}/")
    );
    assert_eq!(
        common::keys(&created),
        [
            "address_ttl",
            "fqdn",
            "id",
            "ip_addresses",
            "resource_records",
            "resource_uri"
        ]
    );

    let listed = go_client(&api, Method::GET, "dnsresources/", &[("fqdn", fqdn)])
        .await
        .ok();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], id);

    // UpdateDNSAttachments: PUT with `id` and the space-separated addresses.
    let path = format!("dnsresources/{id}/");
    let id_text = id.to_string();
    let updated = go_client(
        &api,
        Method::PUT,
        &path,
        &[("ip_addresses", "10.20.0.11 10.20.0.12"), ("id", &id_text)],
    )
    .await
    .ok();
    assert_eq!(ips(&updated), ["10.20.0.11", "10.20.0.12"]);
    assert_eq!(updated["address_ttl"], 10, "a PUT keeps what it leaves out");
    assert_eq!(updated["fqdn"], fqdn);
    let address = &updated["ip_addresses"][0];
    assert_eq!(address["alloc_type"], 4);
    assert_eq!(address["alloc_type_name"], "User reserved");
    assert_eq!(address["owner"]["username"], "admin");
    assert!(address["created"].as_str().unwrap().contains('T'));

    let read = go_client(&api, Method::GET, &path, &[]).await.ok();
    assert_eq!(read, updated);

    // One control plane machine gone: its address goes from the record.
    let updated = go_client(
        &api,
        Method::PUT,
        &path,
        &[("ip_addresses", "10.20.0.12"), ("id", &id_text)],
    )
    .await
    .ok();
    assert_eq!(ips(&updated), ["10.20.0.12"]);

    let deleted = go_client(&api, Method::DELETE, &path, &[]).await;
    assert_eq!((deleted.status, deleted.body.as_str()), (204, ""));
    let gone = go_client(&api, Method::GET, &path, &[]).await;
    assert_eq!(
        (gone.status, gone.body.as_str()),
        (404, "No DNSResource matches the given query.")
    );
    let listed = go_client(&api, Method::GET, "dnsresources/", &[("fqdn", fqdn)]).await;
    assert_eq!(listed.ok(), serde_json::json!([]));
}

#[tokio::test]
async fn dns_errors_have_maas_codes_and_texts() {
    let api = Api::start_with(Inventory::demo_inventory(), SimOptions::instant()).await;

    // A domain MAAS does not have: 404 on create and on an fqdn listing.
    let missing = api
        .post(
            "dnsresources/",
            &[
                ("fqdn", "api.nowhere.example"),
                ("ip_addresses", "10.0.0.1"),
            ],
        )
        .await;
    assert_eq!(
        (
            missing.status,
            missing.body.as_str(),
            missing.content_type.as_str()
        ),
        (404, "No Domain matches the given query.", "text/plain")
    );
    let missing = api.get("dnsresources/?fqdn=api.nowhere.example").await;
    assert_eq!(
        (missing.status, missing.body.as_str()),
        (404, "No Domain matches the given query.")
    );
    let missing = api.get("dnsresources/?domain=nowhere.example").await;
    assert_eq!(missing.status, 404);

    // name + domain works as well as fqdn; a second label of that name is refused.
    let first = api
        .post(
            "dnsresources/",
            &[
                ("name", "api"),
                ("domain", "custom.maas.local"),
                ("ip_addresses", "10.0.0.1"),
            ],
        )
        .await
        .ok();
    assert_eq!(first["fqdn"], "api.custom.maas.local");
    assert_eq!(first["address_ttl"], Value::Null);
    let duplicate = api
        .post("dnsresources/", &[("fqdn", "api.custom.maas.local")])
        .await;
    assert_eq!(duplicate.status, 400);
    assert_eq!(duplicate.content_type, "application/json; charset=utf-8");
    assert_eq!(
        duplicate.json(),
        serde_json::json!({"__all__": ["Labels must be unique within their zone."]})
    );
    // The same label in another domain is fine.
    let other = api
        .post(
            "dnsresources/",
            &[("fqdn", "api.maas.local"), ("ip_addresses", "10.0.0.1")],
        )
        .await
        .ok();
    assert_eq!(other["fqdn"], "api.maas.local");
    // Both point at the one reserved address.
    assert_eq!(other["ip_addresses"], first["ip_addresses"]);

    // Field errors, as Django form errors.
    let bad = api
        .post(
            "dnsresources/",
            &[
                ("fqdn", "bad.custom.maas.local"),
                ("address_ttl", "-1"),
                ("ip_addresses", "10.0.0.300"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.json(),
        serde_json::json!({
            "address_ttl": ["Ensure this value is greater than or equal to 0."],
            "ip_addresses": ["\u{201c}10.0.0.300\u{201d} is not a valid value."],
        })
    );
    let no_domain = api.post("dnsresources/", &[("fqdn", "lonely")]).await;
    assert_eq!(
        (no_domain.status, no_domain.json()),
        (
            400,
            serde_json::json!({"domain": ["This field is required."]})
        )
    );
    let bad_name = api
        .post(
            "dnsresources/",
            &[
                ("name", "bad_name"),
                ("domain", "maas"),
                ("ip_addresses", ""),
            ],
        )
        .await;
    assert_eq!(
        (bad_name.status, bad_name.json()),
        (
            400,
            serde_json::json!({"__all__": ["Invalid dnsresource name: bad_name."]})
        )
    );

    // Unknown ids.
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        let resp = api
            .send(
                method.clone(),
                "dnsresources/999/",
                Some(&api.admin.clone()),
                Body::None,
            )
            .await;
        assert_eq!(
            (resp.status, resp.body.as_str()),
            (404, "No DNSResource matches the given query."),
            "{method}"
        );
    }

    // Creating is for admins; so are updating and deleting.
    let user = api
        .post_as_user("dnsresources/", &[("fqdn", "mine.custom.maas.local")])
        .await;
    assert_eq!(
        (user.status, user.body.as_str()),
        (403, "This method is reserved for admin users.")
    );
    let path = format!("dnsresources/{}/", first["id"]);
    let user_key = api.user.clone();
    let read = api
        .send(Method::GET, &path, Some(&user_key), Body::None)
        .await;
    assert_eq!(read.status, 200);
    let update = api
        .send(
            Method::PUT,
            &path,
            Some(&user_key),
            Body::Form(&[("address_ttl", "5")]),
        )
        .await;
    assert_eq!(update.status, 403);
    let delete = api
        .send(Method::DELETE, &path, Some(&user_key), Body::None)
        .await;
    assert_eq!(delete.status, 403);
}

#[tokio::test]
async fn dns_listing_filters() {
    let api = Api::start(SimOptions::instant()).await;
    for (name, domain) in [("b", "maas"), ("a", "maas")] {
        api.post(
            "dnsresources/",
            &[
                ("name", name),
                ("domain", domain),
                ("ip_addresses", "192.0.2.1"),
            ],
        )
        .await
        .ok();
    }
    let all = api.get("dnsresources/").await.ok();
    let fqdns: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fqdn"].as_str().unwrap())
        .collect();
    assert_eq!(fqdns, ["a.maas", "b.maas"], "ordered by domain, then name");
    let named = api.get("dnsresources/?name=b").await.ok();
    assert_eq!(named.as_array().unwrap().len(), 1);
    let by_domain_id = api.get("dnsresources/?domain=0").await.ok();
    assert_eq!(by_domain_id.as_array().unwrap().len(), 2);
    // Address records are not DNSData, so an rrtype filter leaves them out.
    let typed = api.get("dnsresources/?rrtype=a").await.ok();
    assert_eq!(typed, serde_json::json!([]));

    // all=true adds the implicit records of deployed machines, id -1.
    let with_nodes = api.get("dnsresources/?all=true").await.ok();
    let implicit: Vec<&Value> = with_nodes
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == -1)
        .collect();
    assert!(!implicit.is_empty());
    let kvm = implicit
        .iter()
        .find(|r| r["fqdn"] == "kvm-01.maas")
        .expect("the deployed kvm-01 has an implicit record");
    assert_eq!(kvm["ip_addresses"], Value::Null);
    assert_eq!(kvm["resource_records"][0]["rrtype"], "A");
    assert_eq!(kvm["resource_records"][0]["system_id"], "kvm7a1");

    // An fqdn naming a domain is that domain's own name (`@`).
    let apex = api
        .post(
            "dnsresources/",
            &[("fqdn", "maas"), ("ip_addresses", "192.0.2.9")],
        )
        .await
        .ok();
    assert_eq!(apex["fqdn"], "maas");
    let apex_by_name = api.get("dnsresources/?name=@").await.ok();
    assert_eq!(apex_by_name[0]["id"], apex["id"]);

    let domains = api.get("domains/").await.ok();
    assert_eq!(domains[0]["name"], "maas");
    assert_eq!(domains[0]["is_default"], true);
    assert_eq!(domains[0]["resource_record_count"], 3);
}
