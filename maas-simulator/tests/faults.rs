//! Each fault kind, and that a faulted request changes nothing.

mod common;

use std::time::{Duration, Instant};

use common::{Api, client, oauth_header};
use maas_simulator::{Fault, SimOptions};

#[tokio::test]
async fn unavailable_for_n_requests_then_normal() {
    let api = Api::start(SimOptions::instant()).await;
    let faults = api.sim.faults();
    faults
        .fail_next("POST machines/?op=allocate", 2, 7)
        .unwrap();
    for _ in 0..2 {
        let resp = api
            .post("machines/op-allocate", &[("name", "node-01")])
            .await;
        assert_eq!(resp.status, 503);
        assert_eq!(resp.header("retry-after"), Some("7"));
        assert_eq!(resp.content_type, "text/plain; charset=utf-8");
    }
    assert_eq!(
        api.sim.machine_by_hostname("node-01").unwrap().owner,
        None,
        "nothing allocated"
    );
    // Other routes were never affected, and the third allocate goes through.
    assert_eq!(api.get("machines/").await.status, 200);
    let ok = api
        .post("machines/?op=allocate", &[("name", "node-01")])
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(faults.injected(), 2);
    let statuses: Vec<Option<u16>> = api.sim.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(503), Some(503), Some(200), Some(200)]);
}

#[tokio::test]
async fn conflicts_with_and_without_retry_after() {
    let api = Api::start(SimOptions::instant()).await;
    let faults = api.sim.faults();
    faults
        .conflict_next("POST vm-hosts/*/?op=compose", 1, Some(5))
        .unwrap();
    faults.conflict_next("GET zones/**", 1, None).unwrap();
    let with = api.post("vm-hosts/1/?op=compose", &[]).await;
    assert_eq!((with.status, with.header("retry-after")), (409, Some("5")));
    let without = api.get("zones/default/").await;
    assert_eq!((without.status, without.header("retry-after")), (409, None));
    assert_eq!(api.post("vm-hosts/1/?op=compose", &[]).await.status, 200);
}

#[tokio::test]
async fn latency_delays_matching_requests_until_cleared() {
    let api = Api::start(SimOptions::instant()).await;
    let faults = api.sim.faults();
    faults
        .add_latency("GET version/", Duration::from_millis(300))
        .unwrap();
    let started = Instant::now();
    assert_eq!(api.get("version/").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    faults.clear();
    assert_eq!(api.get("version/").await.status, 200);
    assert_eq!(faults.injected(), 1);
}

#[tokio::test]
async fn dropped_connections_get_no_response() {
    let api = Api::start(SimOptions::instant()).await;
    api.sim
        .faults()
        .inject("* machines/*/", Fault::DropConnection, Some(1))
        .unwrap();
    let id = api.system_id("node-01");
    // A fresh client, so the dropped connection is not one the others reuse.
    let error = client()
        .get(api.url(&format!("machines/{id}/")))
        .header("Authorization", oauth_header(&api.admin))
        .send()
        .await
        .expect_err("the connection is closed without a response");
    assert!(!error.is_status(), "{error}");
    assert_eq!(api.sim.requests().last().unwrap().status, None);
    assert_eq!(api.get(&format!("machines/{id}/")).await.status, 200);
}

#[test]
fn bad_routes_are_rejected() {
    let faults = maas_simulator::FaultInjector::default();
    let err = faults.fail_next("FETCH machines/", 1, 1).unwrap_err();
    assert!(err.to_string().contains("unknown HTTP method"), "{err}");
    assert!(faults.drop_next("GET machines/?foo=bar", 1).is_err());
}
