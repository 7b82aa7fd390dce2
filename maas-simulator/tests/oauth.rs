//! OAuth failures, each with MAAS's status, headers and text.

mod common;

use common::{Api, Body, fresh_nonce, hmac_header, oauth_header_with, unix_now};
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

/// Send `method url` with a hand-made `Authorization` header and an optional urlencoded body.
async fn send_signed(
    api: &Api,
    method: Method,
    url: &str,
    authorization: &str,
    form: Option<&[(&str, &str)]>,
) -> common::Resp {
    let mut request = api
        .http
        .request(method, url)
        .header("Authorization", authorization);
    if let Some(form) = form {
        request = request.form(form);
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
async fn hmac_sha1_signed_as_maas_client_go_does() {
    let api = Api::start(SimOptions::instant()).await;
    let key = api.admin.clone();
    let now = unix_now().to_string();

    // GET with the op in the query: the query parameters are signed.
    let url = api.url("users/?op=whoami");
    let header = hmac_header(&key, "GET", &url, &[("op", "whoami")], &fresh_nonce(), &now);
    let me = send_signed(&api, Method::GET, &url, &header, None).await;
    assert_eq!(me.ok()["username"], "admin");

    // POST with an urlencoded body: the body parameters are signed.
    let url = api.url("zones/");
    let form = [
        ("name", "signed-zone"),
        ("description", "made with HMAC-SHA1"),
    ];
    let header = hmac_header(&key, "POST", &url, &form, &fresh_nonce(), &now);
    let zone = send_signed(&api, Method::POST, &url, &header, Some(&form)).await;
    assert_eq!(zone.ok()["name"], "signed-zone");

    // PUT: MAAS does not sign the body of a PUT, and maas-client-go leaves it out.
    let url = api.url("zones/signed-zone/");
    let header = hmac_header(&key, "PUT", &url, &[], &fresh_nonce(), &now);
    let form = [("description", "changed")];
    let updated = send_signed(&api, Method::PUT, &url, &header, Some(&form)).await;
    assert_eq!(updated.ok()["description"], "changed");

    // The `/op-<name>` path form: the path, not a parameter, carries the op.
    let url = api.url("users/op-whoami");
    let header = hmac_header(&key, "GET", &url, &[], &fresh_nonce(), &now);
    let me = send_signed(&api, Method::GET, &url, &header, None).await;
    assert_eq!(me.ok()["username"], "admin");

    // Multipart form fields are signed too: piston signs Django's request.POST, which holds
    // them (RFC 5849 would leave them out).
    let url = api.url("zones/");
    let fields = [("name", "multipart-zone")];
    let header = hmac_header(&key, "POST", &url, &fields, &fresh_nonce(), &now);
    let response = api
        .http
        .post(&url)
        .header("Authorization", header)
        .multipart(reqwest::multipart::Form::new().text("name", "multipart-zone"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);

    // A POST whose body was not signed does not check out.
    let url = api.url("zones/");
    let header = hmac_header(&key, "POST", &url, &[], &fresh_nonce(), &now);
    let form = [("name", "unsigned-zone")];
    let refused = send_signed(&api, Method::POST, &url, &header, Some(&form)).await;
    assert_eq!(refused.status, 401, "{}", refused.body);
}

#[tokio::test]
async fn hmac_sha1_failures_have_maas_text() {
    let api = Api::start(SimOptions::instant()).await;
    let key = api.admin.clone();
    let now = unix_now().to_string();
    let url = api.url("users/?op=whoami");
    let params = [("op", "whoami")];

    // Signed with the wrong token secret.
    let (consumer, rest) = key.split_once(':').unwrap();
    let (token, _) = rest.split_once(':').unwrap();
    let wrong = format!("{consumer}:{token}:not-the-secret");
    let header = hmac_header(&wrong, "GET", &url, &params, "hm1", &now);
    let bad = send_signed(&api, Method::GET, &url, &header, None).await;
    assert_eq!(bad.status, 401);
    assert_eq!(bad.content_type, "text/html; charset=utf-8");
    assert_eq!(
        bad.header("www-authenticate"),
        Some("OAuth realm=\"OAuth\"")
    );
    let host = api.sim.addr().to_string().replace(':', "%3A");
    let expected = format!(
        "Authorization Error: 'Invalid signature. Expected signature base string: \
         GET&http%3A%2F%2F{host}%2FMAAS%2Fapi%2F2.0%2Fusers%2F&oauth_consumer_key%3D{consumer}%26oauth_nonce%3Dhm1%26\
         oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D{now}%26oauth_token%3D{token}%26\
         oauth_version%3D1.0%26op%3Dwhoami'"
    );
    assert_eq!(bad.body, expected);

    // Signed for another URL (the op left out of the signature).
    let header = hmac_header(&key, "GET", &url, &[], "hm2", &now);
    let unsigned_op = send_signed(&api, Method::GET, &url, &header, None).await;
    assert_eq!(unsigned_op.status, 401, "{}", unsigned_op.body);

    // Correct, then replayed.
    let header = hmac_header(&key, "GET", &url, &params, "hm3", &now);
    assert_eq!(
        send_signed(&api, Method::GET, &url, &header, None)
            .await
            .status,
        200
    );
    let replayed = send_signed(&api, Method::GET, &url, &header, None).await;
    assert_eq!(
        (replayed.status, replayed.body.as_str()),
        (401, "Authorization Error: 'Nonce already used: hm3'")
    );

    // Correctly signed but stale.
    let old = (unix_now() - 301 - 5).to_string();
    let header = hmac_header(&key, "GET", &url, &params, "hm4", &old);
    let stale = send_signed(&api, Method::GET, &url, &header, None).await;
    assert_eq!(stale.status, 401);
    assert!(
        stale.body.starts_with(&format!(
            "Authorization Error: 'Expired timestamp: given {old} and now "
        )) && stale
            .body
            .ends_with("has a greater difference than threshold 300'"),
        "{}",
        stale.body
    );

    // A method MAAS does not offer.
    let header =
        hmac_header(&key, "GET", &url, &params, "hm5", &now).replace("HMAC-SHA1", "RSA-SHA1");
    let rsa = send_signed(&api, Method::GET, &url, &header, None).await;
    assert_eq!(
        (rsa.status, rsa.body.as_str()),
        (
            401,
            "Authorization Error: 'Signature method RSA-SHA1 not supported try one of the following: PLAINTEXT, HMAC-SHA1'"
        )
    );
}

/// An independent reference: Python's oauthlib signs the requests (needs `LIBMAAS_PYTHON`,
/// whose venv has oauthlib through python-libmaas; skipped without it).
#[tokio::test]
async fn hmac_sha1_signed_by_oauthlib() {
    let Some(python) = std::env::var_os("LIBMAAS_PYTHON") else {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED hmac_sha1_signed_by_oauthlib: set LIBMAAS_PYTHON (see README.md) ***\n"
        );
        return;
    };
    let api = Api::start(SimOptions::instant()).await;
    let key = api.admin.clone();
    let sign = |method: &str, url: &str, body: &str| {
        let script = "import sys\n\
from oauthlib.oauth1 import Client, SIGNATURE_HMAC\n\
consumer, token, secret = sys.argv[1].split(':')\n\
client = Client(consumer, client_secret='', resource_owner_key=token,\n\
                resource_owner_secret=secret, signature_method=SIGNATURE_HMAC)\n\
body = sys.argv[4] or None\n\
headers = {'Content-Type': 'application/x-www-form-urlencoded'} if body else {}\n\
_, signed, _ = client.sign(sys.argv[3], http_method=sys.argv[2], body=body, headers=headers)\n\
print(signed['Authorization'])\n";
        let output = std::process::Command::new(&python)
            .args(["-c", script, &key, method, url, body])
            .output()
            .expect("LIBMAAS_PYTHON runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    };
    let url = api.url("users/?op=whoami");
    let header = sign("GET", &url, "");
    let me = send_signed(&api, Method::GET, &url, &header, None).await;
    assert_eq!(me.ok()["username"], "admin", "{header}");

    let url = api.url("zones/");
    let header = sign("POST", &url, "name=oauthlib-zone&description=a+b%2Fc");
    let zone = api
        .http
        .post(&url)
        .header("Authorization", header)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("name=oauthlib-zone&description=a+b%2Fc")
        .send()
        .await
        .unwrap();
    assert_eq!(zone.status().as_u16(), 200);
    let zone: serde_json::Value = zone.json().await.unwrap();
    assert_eq!(zone["description"], "a b/c");
}
