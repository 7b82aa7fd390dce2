//! OAuth failures, each with MAAS's status, headers and text.

mod common;

use common::{Api, Body, oauth_header_with, unix_now};
use maas_simulator::SimOptions;
use reqwest::Method;

async fn whoami_with(api: &Api, authorization: Option<String>) -> common::Resp {
    let mut request = api.http.get(api.url("users/?op=whoami"));
    if let Some(header) = authorization {
        request = request.header("Authorization", header);
    }
    let response = request.send().await.unwrap();
    common::Resp {
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

#[tokio::test]
async fn each_oauth_failure_has_maas_text() {
    let api = Api::start(SimOptions::instant()).await;
    let now = unix_now().to_string();
    let key = api.admin.clone();
    let (consumer, rest) = key.split_once(':').unwrap();
    let (token, _secret) = rest.split_once(':').unwrap();

    let missing = whoami_with(&api, None).await;
    assert_eq!((missing.status, missing.body.as_str()), (401, "Forbidden"));
    assert_eq!(missing.content_type, "text/plain");

    let unknown_consumer =
        whoami_with(&api, Some(oauth_header_with("nope:tok:sec", "n1", &now))).await;
    assert_eq!(unknown_consumer.status, 401);
    assert_eq!(
        unknown_consumer.body,
        "Authorization Error: Invalid API key."
    );
    assert_eq!(
        unknown_consumer.header("www-authenticate"),
        Some("OAuth realm=\"OAuth\"")
    );
    assert_eq!(unknown_consumer.content_type, "text/html; charset=utf-8");

    let unknown_token = whoami_with(
        &api,
        Some(oauth_header_with(
            &format!("{consumer}:badtoken:x"),
            "n2",
            &now,
        )),
    )
    .await;
    assert_eq!(
        (unknown_token.status, unknown_token.body.as_str()),
        (401, "Authorization Error: 'Invalid access token: badtoken'")
    );

    let bad_signature = whoami_with(
        &api,
        Some(oauth_header_with(
            &format!("{consumer}:{token}:wrong"),
            "n3",
            &now,
        )),
    )
    .await;
    assert_eq!(bad_signature.status, 401);
    assert!(
        bad_signature.body.starts_with(
            "Authorization Error: 'Invalid signature. Expected signature base string: &"
        ),
        "{}",
        bad_signature.body
    );

    let fine = whoami_with(&api, Some(oauth_header_with(&key, "n4", &now))).await;
    assert_eq!(fine.status, 200, "{}", fine.body);
    let replayed = whoami_with(&api, Some(oauth_header_with(&key, "n4", &now))).await;
    assert_eq!(
        (replayed.status, replayed.body.as_str()),
        (401, "Authorization Error: 'Nonce already used: n4'")
    );

    let old = (unix_now() - 3600).to_string();
    let expired = whoami_with(&api, Some(oauth_header_with(&key, "n5", &old))).await;
    assert_eq!(expired.status, 401);
    assert!(
        expired.body.starts_with(&format!(
            "Authorization Error: 'Expired timestamp: given {old} and now "
        )) && expired
            .body
            .ends_with("has a greater difference than threshold 300'"),
        "{}",
        expired.body
    );

    let garbled = whoami_with(&api, Some(oauth_header_with(&key, "n6", "soon"))).await;
    assert_eq!(garbled.status, 400);
    assert_eq!(
        garbled.body,
        "'Bad Request: the following problems were found among the auth params: oauth_timestamp has an unexpected type'"
    );
}

#[tokio::test]
async fn anonymous_access_is_limited_to_version_and_describe() {
    let api = Api::start(SimOptions::instant()).await;
    for path in ["version/", "describe/"] {
        assert_eq!(
            api.send(Method::GET, path, None, Body::None).await.status,
            200,
            "{path}"
        );
    }
    for path in [
        "machines/",
        "vm-hosts/",
        "zones/",
        "machines/?op=frobnicate",
    ] {
        let resp = api.send(Method::GET, path, None, Body::None).await;
        assert_eq!(
            (resp.status, resp.body.as_str()),
            (401, "Forbidden"),
            "{path}"
        );
    }
    // Bad credentials fail even where anonymous access would be allowed.
    let resp = whoami_with(&api, None).await;
    assert_eq!(resp.status, 401);
    let version = api
        .http
        .get(api.url("version/"))
        .header(
            "Authorization",
            oauth_header_with("x:y:z", "n", &unix_now().to_string()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(version.status().as_u16(), 401);
}

#[tokio::test]
async fn password_login_issues_a_working_key() {
    let api = Api::start(SimOptions::instant()).await;
    let issued: serde_json::Value = api
        .http
        .post(api.url("/MAAS/accounts/authenticate/"))
        .form(&[
            ("username", "alice"),
            ("password", "alice"),
            ("consumer", "test"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = format!(
        "{}:{}:{}",
        issued["consumer_key"].as_str().unwrap(),
        issued["token_key"].as_str().unwrap(),
        issued["token_secret"].as_str().unwrap()
    );
    let me = api
        .send(Method::GET, "users/?op=whoami", Some(&key), Body::None)
        .await
        .ok();
    assert_eq!(me["username"], "alice");
    let refused = api
        .http
        .post(api.url("/MAAS/accounts/authenticate/"))
        .form(&[("username", "alice"), ("password", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 403);
}
