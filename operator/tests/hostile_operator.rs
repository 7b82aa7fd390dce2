//! The operator process the hostile way (issue 11): nonsense flags are rejected at start-up
//! naming the flag, and an API server that refuses, hangs, 500s or 401s is reported by server
//! and class, logged once, shown by `/readyz`, and does not stop SIGTERM from ending the process
//! within `--shutdown-timeout` with status 0, with and without `--leader-elect`. Every case also
//! checks that nothing was written: the fake API server saw no write request.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the fake API server answers.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Behaviour {
    /// Nothing listens on the port.
    Refuse,
    /// Accepts and reads, never answers.
    Hang,
    /// Every request gets this status (a Kubernetes Status body).
    Status(u16),
    /// `/version` answers; everything else hangs (an outage after start-up).
    VersionThenHang,
    /// `/version` answers; everything else gets a 500.
    VersionThen500,
}

/// Requests the fake API server saw, as "METHOD PATH".
type Seen = Arc<Mutex<Vec<String>>>;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn read_head(s: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut byte).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&byte[..n]);
    }
    let text = String::from_utf8_lossy(&buf).to_string();
    Some(text.lines().next()?.rsplit_once(' ')?.0.to_string())
}

fn status_body(code: u16) -> String {
    let reason = match code {
        401 => "Unauthorized",
        403 => "Forbidden",
        _ => "InternalError",
    };
    format!(
        r#"{{"kind":"Status","apiVersion":"v1","metadata":{{}},"status":"Failure","message":"fake says {code}","reason":"{reason}","code":{code}}}"#
    )
}

async fn answer(s: &mut TcpStream, code: u16, body: &str) {
    let _ = s
        .write_all(
            format!(
                "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        )
        .await;
}

/// Starts the fake API server; returns its port.
async fn fake_api(behaviour: Behaviour, seen: Seen) -> u16 {
    if behaviour == Behaviour::Refuse {
        return free_port();
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            tokio::spawn(async move {
                while let Some(request) = read_head(&mut s).await {
                    seen.lock().unwrap().push(request.clone());
                    let version = request.starts_with("GET /version");
                    match behaviour {
                        Behaviour::Status(code) => answer(&mut s, code, &status_body(code)).await,
                        Behaviour::VersionThenHang | Behaviour::VersionThen500 if version => {
                            answer(
                                &mut s,
                                200,
                                r#"{"major":"1","minor":"33","gitVersion":"v1.33.0"}"#,
                            )
                            .await
                        }
                        Behaviour::VersionThen500 => answer(&mut s, 500, &status_body(500)).await,
                        _ => {
                            // Hold the connection open and say nothing.
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                        }
                    }
                }
            });
        }
    });
    port
}

fn kubeconfig(dir: &std::path::Path, port: u16) -> std::path::PathBuf {
    let path = dir.join("kubeconfig");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: http://127.0.0.1:{port}\nusers:\n- name: u\n  user: {{}}\ncontexts:\n- name: c\n  context:\n    cluster: fake\n    user: u\ncurrent-context: c\n"
        ),
    )
    .unwrap();
    path
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("hc-hostile-operator-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Kills the child if the test fails, so no process outlives it.
struct Guard(std::process::Child);
impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(dir: &std::path::Path, api_port: u16, args: &[&str], env: &[(&str, &str)]) -> Guard {
    let log = std::fs::File::create(dir.join("operator.log")).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hosted-cluster-operator"));
    cmd.args(args)
        .env("KUBECONFIG", kubeconfig(dir, api_port))
        .env_remove("RUST_LOG")
        .env_remove("WATCH_NAMESPACE")
        .env_remove("POD_NAMESPACE")
        .env_remove("CONCURRENCY")
        .env_remove("METRICS_ADDR")
        .env_remove("DEFAULT_PROVIDER_IMAGE")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    for (k, v) in env {
        cmd.env(k, v);
    }
    Guard(cmd.spawn().unwrap())
}

async fn wait_exit(child: &mut Guard, within: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Some(status) = child.0.try_wait().unwrap() {
            return Some(status);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

async fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).await.ok()?;
    let code = out.get(9..12)?.parse().ok()?;
    Some((code, out.split("\r\n\r\n").nth(1)?.to_string()))
}

fn writes(seen: &Seen) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .filter(|r| !r.starts_with("GET "))
        .cloned()
        .collect()
}

struct FlagCase {
    name: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    /// Every one of these is in the error.
    names: &'static [&'static str],
}

const FLAG_CASES: &[FlagCase] = &[
    FlagCase {
        name: "concurrency zero",
        args: &["--concurrency", "0"],
        env: &[],
        names: &["--concurrency"],
    },
    FlagCase {
        name: "concurrency negative",
        args: &["--concurrency=-1"],
        env: &[],
        names: &["--concurrency"],
    },
    FlagCase {
        name: "concurrency huge",
        args: &["--concurrency", "70000"],
        env: &[],
        names: &["--concurrency"],
    },
    FlagCase {
        name: "concurrency from env",
        args: &[],
        env: &[("CONCURRENCY", "0")],
        names: &["--concurrency"],
    },
    FlagCase {
        name: "unknown provider type",
        args: &["--default-provider-image", "MASS=x"],
        env: &[],
        names: &["--default-provider-image", "MASS", "known", "MAAS"],
    },
    FlagCase {
        name: "provider image without type",
        args: &["--default-provider-image", "=x"],
        env: &[],
        names: &["--default-provider-image", "TYPE=IMAGE"],
    },
    FlagCase {
        name: "provider image without image",
        args: &["--default-provider-image", "MAAS="],
        env: &[],
        names: &["--default-provider-image", "TYPE=IMAGE"],
    },
    FlagCase {
        name: "provider image without equals",
        args: &["--default-provider-image", "MAAS"],
        env: &[],
        names: &["--default-provider-image", "TYPE=IMAGE"],
    },
    FlagCase {
        name: "capi manager image empty",
        args: &["--capi-manager-image", " "],
        env: &[],
        names: &["--capi-manager-image"],
    },
    FlagCase {
        name: "watch namespace invalid",
        args: &["--watch-namespace", "Bad_NS!"],
        env: &[],
        names: &["--watch-namespace", "Bad_NS!"],
    },
    FlagCase {
        name: "watch namespace empty",
        args: &["--watch-namespace", ""],
        env: &[],
        names: &["--watch-namespace"],
    },
    FlagCase {
        name: "watch namespace too long",
        args: &[
            "--watch-namespace",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ],
        env: &[],
        names: &["--watch-namespace"],
    },
    FlagCase {
        name: "watch namespace from env",
        args: &[],
        env: &[("WATCH_NAMESPACE", "UPPER")],
        names: &["--watch-namespace"],
    },
    FlagCase {
        name: "lease namespace with space",
        args: &["--lease-namespace", "Bad NS"],
        env: &[],
        names: &["--lease-namespace", "Bad NS"],
    },
    FlagCase {
        name: "lease namespace leading dash",
        args: &["--lease-namespace=-ns"],
        env: &[],
        names: &["--lease-namespace"],
    },
    FlagCase {
        name: "lease namespace from env",
        args: &[],
        env: &[("POD_NAMESPACE", "a_b")],
        names: &["--lease-namespace"],
    },
    FlagCase {
        name: "RUST_LOG bare word",
        args: &[],
        env: &[("RUST_LOG", "verbose")],
        names: &["RUST_LOG", "verbose"],
    },
    FlagCase {
        name: "RUST_LOG bad level",
        args: &[],
        env: &[("RUST_LOG", "info,kube=loud")],
        names: &["RUST_LOG"],
    },
    FlagCase {
        name: "RUST_LOG garbage",
        args: &[],
        env: &[("RUST_LOG", "[[[")],
        names: &["RUST_LOG"],
    },
    FlagCase {
        name: "metrics addr not an address",
        args: &["--metrics-addr", "localhost"],
        env: &[],
        names: &["--metrics-addr"],
    },
    FlagCase {
        name: "metrics addr bad port",
        args: &["--metrics-addr", "127.0.0.1:99999"],
        env: &[],
        names: &["--metrics-addr"],
    },
    FlagCase {
        name: "shutdown timeout without unit",
        args: &["--shutdown-timeout", "5"],
        env: &[],
        names: &["--shutdown-timeout"],
    },
    FlagCase {
        name: "shutdown timeout negative",
        args: &["--shutdown-timeout=-5s"],
        env: &[],
        names: &["--shutdown-timeout"],
    },
    FlagCase {
        name: "capi version unknown",
        args: &["--capi-version", "v9"],
        env: &[],
        names: &["--capi-version"],
    },
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nonsense_flags_are_rejected_at_start_up_naming_the_flag() {
    let seen = Seen::default();
    let api_port = fake_api(Behaviour::Status(200), seen.clone()).await;
    for case in FLAG_CASES {
        let dir = scratch(&case.name.replace(' ', "-"));
        let mut child = spawn(&dir, api_port, case.args, case.env);
        let status = wait_exit(&mut child, Duration::from_secs(20))
            .await
            .unwrap_or_else(|| panic!("{}: still running", case.name));
        let log = std::fs::read_to_string(dir.join("operator.log")).unwrap();
        assert!(!status.success(), "{}: exit {status}\n{log}", case.name);
        for name in case.names {
            assert!(log.contains(name), "{}: {name:?} not in\n{log}", case.name);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "a rejected flag must stop the process before it talks to the API server: {:?}",
        seen.lock().unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_addr_in_use_fails_at_start_up_naming_the_address() {
    let seen = Seen::default();
    let api_port = fake_api(Behaviour::Status(200), seen.clone()).await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = scratch("metrics-in-use");
    let mut child = spawn(&dir, api_port, &["--metrics-addr", &addr], &[]);
    let status = wait_exit(&mut child, Duration::from_secs(20))
        .await
        .unwrap();
    let log = std::fs::read_to_string(dir.join("operator.log")).unwrap();
    assert_eq!(status.code(), Some(1), "{log}");
    assert!(
        log.contains("--metrics-addr") && log.contains(&addr),
        "{log}"
    );
    assert!(seen.lock().unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

struct OutageCase {
    name: &'static str,
    behaviour: Behaviour,
    leader_elect: bool,
    /// The class the log and `/readyz` name; `None` when the process is past start-up and
    /// stuck in a request (no failure to report before the time-out of kube itself).
    class: Option<&'static str>,
}

const OUTAGES: &[OutageCase] = &[
    OutageCase {
        name: "refused",
        behaviour: Behaviour::Refuse,
        leader_elect: false,
        class: Some("refused"),
    },
    OutageCase {
        name: "refused-leader",
        behaviour: Behaviour::Refuse,
        leader_elect: true,
        class: Some("refused"),
    },
    OutageCase {
        name: "hang",
        behaviour: Behaviour::Hang,
        leader_elect: false,
        class: Some("timeout"),
    },
    OutageCase {
        name: "hang-leader",
        behaviour: Behaviour::Hang,
        leader_elect: true,
        class: Some("timeout"),
    },
    OutageCase {
        name: "500",
        behaviour: Behaviour::Status(500),
        leader_elect: false,
        class: Some("http-status (HTTP 500)"),
    },
    OutageCase {
        name: "500-leader",
        behaviour: Behaviour::Status(500),
        leader_elect: true,
        class: Some("http-status (HTTP 500)"),
    },
    OutageCase {
        name: "503",
        behaviour: Behaviour::Status(503),
        leader_elect: false,
        class: Some("http-status (HTTP 503)"),
    },
    OutageCase {
        name: "version-then-hang",
        behaviour: Behaviour::VersionThenHang,
        leader_elect: false,
        class: None,
    },
    OutageCase {
        name: "version-then-hang-leader",
        behaviour: Behaviour::VersionThenHang,
        leader_elect: true,
        class: None,
    },
    OutageCase {
        name: "version-then-500",
        behaviour: Behaviour::VersionThen500,
        leader_elect: false,
        class: None,
    },
    OutageCase {
        name: "version-then-500-leader",
        behaviour: Behaviour::VersionThen500,
        leader_elect: true,
        class: None,
    },
];

/// The shutdown bound the outage cases run with, and the slack allowed on top for process
/// start and exit on a loaded machine.
const BOUND: Duration = Duration::from_secs(3);
const SLACK: Duration = Duration::from_secs(3);

async fn outage(case: &OutageCase) {
    let seen = Seen::default();
    let api_port = fake_api(case.behaviour, seen.clone()).await;
    let server = format!("http://127.0.0.1:{api_port}");
    let metrics_port = free_port();
    let dir = scratch(case.name);
    let metrics = format!("127.0.0.1:{metrics_port}");
    let mut args = vec![
        "--metrics-addr",
        metrics.as_str(),
        "--shutdown-timeout",
        "3s",
        "--pod-name",
        "operator-0",
    ];
    if case.leader_elect {
        args.push("--leader-elect");
    }
    let mut child = spawn(&dir, api_port, &args, &[]);
    let log = || std::fs::read_to_string(dir.join("operator.log")).unwrap_or_default();

    // Not ready, and when the probe failed, the reason names the server and the class.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let answer = http_get(metrics_port, "/readyz").await;
        if let Some((code, body)) = &answer {
            assert_eq!(*code, 503, "{}: {body}", case.name);
            match case.class {
                Some(class) if body.contains(&server) && body.contains(class) => break,
                None if seen.lock().unwrap().len() > 1 => break,
                _ => {}
            }
        }
        assert!(
            Instant::now() < deadline,
            "{}: /readyz {answer:?}\n{}",
            case.name,
            log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let a few more failures happen: they are not logged again within the interval.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let signalled = Instant::now();
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.0.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let status = wait_exit(&mut child, BOUND + SLACK)
        .await
        .unwrap_or_else(|| panic!("{}: still running after SIGTERM\n{}", case.name, log()));
    let took = signalled.elapsed();
    let log = log();
    assert!(status.success(), "{}: exit {status}\n{log}", case.name);
    assert!(took <= BOUND + SLACK, "{}: took {took:?}", case.name);
    if let Some(class) = case.class {
        let lines: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("start-up: waiting for the API server"))
            .collect();
        assert_eq!(
            lines.len(),
            1,
            "{}: logged once, then rate-limited\n{log}",
            case.name
        );
        assert!(
            lines[0].contains(&server) && lines[0].contains(class),
            "{}: {}",
            case.name,
            lines[0]
        );
    }
    assert!(
        writes(&seen).is_empty() || case.leader_elect,
        "{}: {:?}",
        case.name,
        writes(&seen)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_server_outage_is_reported_and_sigterm_exits_within_the_bound() {
    // Concurrently: each case mostly waits.
    futures::future::join_all(OUTAGES.iter().map(outage)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_credentials_at_start_up_are_fatal() {
    for (code, leader_elect) in [(401, false), (401, true), (403, false), (403, true)] {
        let seen = Seen::default();
        let api_port = fake_api(Behaviour::Status(code), seen.clone()).await;
        let dir = scratch(&format!("credentials-{code}-{leader_elect}"));
        let metrics = format!("127.0.0.1:{}", free_port());
        let mut args = vec!["--metrics-addr", metrics.as_str()];
        if leader_elect {
            args.push("--leader-elect");
        }
        let mut child = spawn(&dir, api_port, &args, &[]);
        let status = wait_exit(&mut child, Duration::from_secs(20))
            .await
            .expect("a 401/403 at start-up ends the process");
        let log = std::fs::read_to_string(dir.join("operator.log")).unwrap();
        assert_eq!(status.code(), Some(1), "{log}");
        for needle in [
            format!("http://127.0.0.1:{api_port}"),
            format!("HTTP {code}"),
            "bad-credentials".to_string(),
            "credentials".to_string(),
        ] {
            assert!(log.contains(&needle), "{code}: {needle:?} not in\n{log}");
        }
        assert!(writes(&seen).is_empty(), "{:?}", writes(&seen));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
