//! `hosted-cluster maas ...` end to end (in-process) against an in-process MAAS simulator with
//! its default inventory: check, vm-hosts list/compose/decompose/delete/register, the error
//! lines for an unreachable MAAS, a bad key, a non-admin key and a MAAS without VM hosts, and
//! bad input rejected with exit 2 before any request. No output may ever contain the API key.
//!
//! One table, [`cases`]: each row is a command line, its exit code and fragments its stdout and
//! stderr must contain (or neither may contain). Rows of one group share a fresh simulator and
//! run in order, so a group can compose and then look at the capacity it used; a row's `then`
//! checks what fragments cannot (JSON fields, the simulator's state).

use maas_simulator::{SimHandle, SimOptions, testing};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
// Naming the suite lib links the platforms it names, as every root test binary does.
use suite::Run;

/// Which MAAS the rows of a group talk to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Maas {
    /// The simulator's default inventory.
    Default,
    /// The default inventory on a MAAS without VM host support (HTTP 410).
    NoVmHosts,
    /// No simulator: the row's arguments say everything.
    Absent,
}

/// The credentials a row adds (a flag the row passes itself is not added again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    /// The simulator's endpoint and its admin's key.
    Admin,
    /// The simulator's endpoint and the key of alice, who is not an administrator.
    Alice,
    /// The admin's consumer and token key with a wrong secret.
    WrongSecret,
    /// Nothing added.
    Own,
    /// Nothing added, and the row is skipped when the environment sets MAAS_ENDPOINT or
    /// MAAS_API_KEY (it checks what happens without them).
    Unset,
}

/// Further checks of a row's run, with the group's simulator and remembered values.
type Then = fn(&mut Ctx, &Run);

/// One command line and what it must produce. `{name}` in arguments and fragments stands for
/// a value of [`Ctx::vars`] (temporary files, ports, ids remembered by an earlier row, a space).
struct Case {
    group: &'static str,
    maas: Maas,
    key: Key,
    args: &'static str,
    code: i32,
    stdout: &'static [&'static str],
    stderr: &'static [&'static str],
    /// In neither stream.
    absent: &'static [&'static str],
    then: &'static [Then],
}

fn case(group: &'static str, args: &'static str, code: i32) -> Case {
    Case {
        group,
        maas: Maas::Default,
        key: Key::Admin,
        args,
        code,
        stdout: &[],
        stderr: &[],
        absent: &[],
        then: &[],
    }
}

impl Case {
    fn maas(self, maas: Maas) -> Self {
        Self { maas, ..self }
    }
    fn key(self, key: Key) -> Self {
        Self { key, ..self }
    }
    fn out(self, stdout: &'static [&'static str]) -> Self {
        Self { stdout, ..self }
    }
    fn err(self, stderr: &'static [&'static str]) -> Self {
        Self { stderr, ..self }
    }
    fn absent(self, absent: &'static [&'static str]) -> Self {
        Self { absent, ..self }
    }
    fn then(self, then: &'static [Then]) -> Self {
        Self { then, ..self }
    }
}

const COMPOSE_1: &str = "vm-hosts compose --host 1 --cores 1 --memory 2048";
/// lxd-02: 16 cores × 2 over-commit, so two 16-core VMs fill it and MAAS refuses a third.
const COMPOSE_BIG: &str = "vm-hosts compose --host 2 --cores 16 --memory 2048";
const LIST_JSON: &str = "vm-hosts list -o json";
const HTTP_410: &[&str] = &["VM hosts unsupported by this MAAS (HTTP 410)"];

/// Bad input: exit 2 naming the flag (`err`), and nothing reaches MAAS.
fn bad(args: &'static str, flag: &'static [&'static str]) -> Case {
    case("bad input", args, 2).err(flag).then(&[sent_nothing])
}

/// Every row. Arguments are split at spaces; `{space}` stands for an argument's own space.
fn cases() -> Vec<Case> {
    use Key::*;
    use Maas::*;
    vec![
        case("check", "check", 0)
            .out(&[
                "admin (administrator)",
                "default, az-1, az-2",
                "default, k8s",
                "ubuntu/jammy, ubuntu/noble",
                "lxd-01",
                "lxd-02",
                "VM hosts  2",
            ])
            // Boot loaders are not images; an admin gets no warnings.
            .absent(&["grub"])
            .then(&[no_stderr]),
        case("check", "check -o json", 0).then(&[json_report]),
        case("check", "check -o yaml", 0).then(&[yaml_report]),
        // A non-admin key warns, or fails with --require-admin; MAAS's 403 comes with the fix.
        case("non-admin", "check", 0)
            .key(Alice)
            .out(&["alice (not an administrator)"])
            .err(&["warning: user alice is not a MAAS administrator"]),
        case("non-admin", "check --require-admin", 1)
            .key(Alice)
            .err(&["not a MAAS administrator", "--require-admin"]),
        case("non-admin", COMPOSE_1, 1)
            .key(Alice)
            .err(&["forbidden", "administrator"]),
        // A bad key is named in one line and never printed.
        case("bad key", "check", 1)
            .key(WrongSecret)
            .err(&["API key"])
            .then(&[one_line, no_stdout]),
        // A closed port is reported as unreachable well within 10 s.
        case(
            "unreachable",
            "check --maas-endpoint http://127.0.0.1:{closed}/MAAS --maas-api-key a:b:c",
            1,
        )
        .maas(Absent)
        .key(Own)
        .err(&["unreachable", "127.0.0.1:{closed}", "nothing answered"])
        .then(&[one_line, within_10s]),
        // A MAAS without VM hosts says so.
        case("no VM hosts", "check", 1)
            .maas(NoVmHosts)
            .err(HTTP_410),
        case("no VM hosts", "vm-hosts list", 1)
            .maas(NoVmHosts)
            .err(HTTP_410),
        case("no VM hosts", "vm-hosts compose --cores 1 --memory 2048", 1)
            .maas(NoVmHosts)
            .err(HTTP_410),
        case("no VM hosts", "placement --replicas 2", 1)
            .maas(NoVmHosts)
            .err(HTTP_410),
        // vm-hosts list and its filters
        case("list", "vm-hosts list", 0).then(&[list_table]),
        case("list", "vm-hosts list --zone az-2 -o json", 0)
            .out(&["\"lxd-02\""])
            .absent(&["lxd-01"]),
        case("list", "vm-hosts list --pool default -o json", 0)
            .out(&["\"lxd-01\""])
            .absent(&["lxd-02"]),
        case("list", "vm-hosts list --tags control-plane -o json", 0)
            .out(&["\"lxd-02\""])
            .absent(&["lxd-01"]),
        case("list", "vm-hosts list --type lxd -o json", 0).out(&["\"lxd-01\"", "\"lxd-02\""]),
        case("list", "vm-hosts list --type virsh -o json", 0).then(&[no_hosts]),
        // Compose uses capacity and decompose gives it back.
        case("compose", LIST_JSON, 0).then(&[remember_lxd01]),
        case(
            "compose",
            "vm-hosts compose --host 1 --cores 2 --memory 4096 --storage root:20(default) \
             --storage data:50(fast) --hostname cp-test -o json",
            0,
        )
        .then(&[composed_cp_test]),
        case("compose", LIST_JSON, 0).then(&[lxd01_holds_cp_test]),
        case("compose", "vm-hosts decompose {vm}", 0).out(&["decomposed machine {vm}"]),
        case("compose", LIST_JSON, 0).then(&[lxd01_as_before]),
        // Without --host, a host with room is chosen (--pool k8s leaves only lxd-02).
        case(
            "placement",
            "vm-hosts compose --cores 2 --memory 2048 --pool k8s",
            0,
        )
        .out(&["on vm-host 2 (lxd-02)"])
        .then(&[composed_in_k8s]),
        case("placement", "vm-hosts compose --cores 500 --memory 2048", 1)
            .err(&["no VM host fits", "needs 500 cores"]),
        // Beyond capacity MAAS refuses (first a disk larger than the 900 GB default pool), and
        // the refusal comes through in one line.
        case(
            "refusals",
            "vm-hosts compose --host 2 --cores 1 --memory 2048 --storage root:5000",
            1,
        )
        .err(&["MAAS refused", "Not enough space"]),
        case("refusals", COMPOSE_BIG, 0),
        case("refusals", COMPOSE_BIG, 0),
        case("refusals", COMPOSE_BIG, 1)
            .err(&[
                "MAAS refused: Unable to compose KVM instance in 'lxd-02'",
                "CPU overcommit ratio is 2.0",
            ])
            .then(&[one_line]),
        case("refusals", LIST_JSON, 0).then(&[lxd02_has_two_vms]),
        // decompose refuses bare metal and unknown machines
        case("decompose", "vm-hosts decompose --machine n4ep3w", 1)
            .err(&["is not a composed VM"])
            .then(&[node01_exists]),
        case("decompose", "vm-hosts decompose nosuch", 1).err(&["no such machine nosuch"]),
        // delete a host with and without --decompose
        case(
            "delete",
            "vm-hosts compose --host 2 --cores 1 --memory 2048 -o json",
            0,
        )
        .then(&[remember_vm]),
        case("delete", "vm-hosts delete 2 --decompose", 0)
            .out(&["deleted vm-host 2 (lxd-02); its VMs were decomposed"])
            .then(&[vm_gone]),
        case("delete", LIST_JSON, 0).then(&[only_lxd01]),
        case("delete", "vm-hosts delete 1 -o json", 0).then(&[deleted_without_decompose]),
        case("delete", "vm-hosts delete 7", 1).err(&["no such vm-host 7"]),
        // register with a certificate, and with a trust password that is never printed
        case(
            "register",
            "vm-hosts register --address 10.10.1.9:8443 --certificate {cert} --key {keyfile} \
             --name lxd-09 --zone az-2 --pool k8s --tags control-plane,new",
            0,
        )
        .out(&["registered vm-host 3 (lxd-09)"])
        .absent(&["SECRETKEYBYTES"]),
        case("register", LIST_JSON, 0).then(&[lxd09_as_registered]),
        case(
            "register",
            "vm-hosts register --address 10.10.1.8 --trust-password-file {trust}",
            0,
        )
        .out(&["registered vm-host"])
        .absent(&["Tru5tM3Pl3ase"])
        .then(&[posted_a_vm_host]),
        // Every bad input exits 2 naming its flag, and nothing reaches MAAS.
        bad("check --maas-api-key not-a-key", &["--maas-api-key"]),
        bad(
            "check --maas-endpoint maas.example:5240/MAAS",
            &["--maas-endpoint"],
        ),
        bad(
            "check --maas-endpoint http://maas.example:5240",
            &["--maas-endpoint"],
        ),
        bad("vm-hosts compose --cores 0 --memory 2048", &["--cores"]),
        bad("vm-hosts compose --cores -1 --memory 2048", &["--cores"]),
        bad("vm-hosts compose --cores 1 --memory 512", &["--memory"]),
        bad(
            "vm-hosts compose --cores 1 --memory 2048 --storage root20",
            &["--storage"],
        ),
        bad(
            "vm-hosts compose --cores 1 --memory 2048 --storage root:0",
            &["--storage"],
        ),
        bad(
            "vm-hosts compose --cores 1 --memory 2048 --storage root:8(pool",
            &["--storage"],
        ),
        bad(
            "vm-hosts compose --cores 1 --memory 2048 --hostname Bad{space}Host",
            &["--hostname"],
        ),
        bad("vm-hosts compose --memory 2048", &["--cores"]),
        bad("vm-hosts delete lxd-01", &["<ID>"]),
        bad(
            "vm-hosts register --address h:8443",
            &["--trust-password-file"],
        ),
        bad(
            "vm-hosts register --address h --trust-password-file /nonexistent/pw",
            &["--trust-password-file"],
        ),
        bad(
            "vm-hosts register --address h --trust-password-file {empty}",
            &["--trust-password-file"],
        ),
        bad(
            "vm-hosts register --address {space} --trust-password-file {pw}",
            &["--address"],
        ),
        bad(
            "vm-hosts register --address h --trust-password-file {pw} --key k.pem",
            &["--key"],
        ),
        bad(
            "vm-hosts register --address h --certificate c.pem",
            &["--key"],
        ),
        bad("vm-hosts list -o xml", &["--output"]),
        // Missing credentials name both the flag and the environment variable.
        case("missing credentials", "check", 2)
            .maas(Absent)
            .key(Unset)
            .err(&[
                "--maas-endpoint",
                "MAAS_ENDPOINT",
                "--maas-api-key",
                "MAAS_API_KEY",
            ]),
        // simulate reports a busy port and bad flags
        case("simulate", "simulate --port {busy}", 1)
            .maas(Absent)
            .key(Own)
            .err(&["cannot serve on 127.0.0.1:{busy}"]),
        case("simulate", "simulate --deploy-time soon", 2)
            .maas(Absent)
            .key(Own)
            .err(&["--deploy-time"]),
        case("simulate", "simulate --inventory /nonexistent.yaml", 1)
            .maas(Absent)
            .key(Own)
            .err(&["/nonexistent.yaml"]),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn maas_commands() {
    let files = Files::new();
    let closed_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut ctx: Option<Ctx> = None;
    for case in cases() {
        if ctx.as_ref().is_none_or(|c| c.group != case.group) {
            let mut fresh = Ctx::start(case.group, case.maas).await;
            fresh.vars.extend(files.vars());
            fresh.set("closed", closed_port.to_string());
            fresh.set("busy", busy.local_addr().unwrap().port().to_string());
            fresh.set("space", " ".to_string());
            ctx = Some(fresh);
        }
        ctx.as_mut().unwrap().run(&case).await;
    }
}

/// A group's simulator and what its rows remember.
struct Ctx {
    group: &'static str,
    sim: Option<SimHandle>,
    vars: BTreeMap<&'static str, String>,
    /// A `vm-hosts list -o json` entry remembered for comparison.
    before: Value,
    elapsed: Duration,
}

impl Ctx {
    async fn start(group: &'static str, maas: Maas) -> Self {
        let sim = match maas {
            Maas::Default => Some(testing::start(SimOptions::instant()).await),
            Maas::NoVmHosts => Some(
                testing::start(SimOptions {
                    vm_hosts_removed: true,
                    ..SimOptions::instant()
                })
                .await,
            ),
            Maas::Absent => None,
        };
        Self {
            group,
            sim,
            vars: BTreeMap::new(),
            before: Value::Null,
            elapsed: Duration::ZERO,
        }
    }

    fn sim(&self) -> &SimHandle {
        self.sim.as_ref().expect("the group has a simulator")
    }

    fn set(&mut self, name: &'static str, value: String) {
        self.vars.insert(name, value);
    }

    /// `text` with every `{name}` replaced by its value.
    fn expand(&self, text: &str) -> String {
        self.vars.iter().fold(text.to_string(), |t, (name, value)| {
            t.replace(&format!("{{{name}}}"), value)
        })
    }

    async fn run(&mut self, case: &Case) {
        if case.key == Key::Unset
            && (std::env::var_os("MAAS_ENDPOINT").is_some()
                || std::env::var_os("MAAS_API_KEY").is_some())
        {
            return; // The environment supplies them; nothing to check.
        }
        let args: Vec<String> = case
            .args
            .split_whitespace()
            .map(|a| self.expand(a))
            .collect();
        let key = self.sim.as_ref().map(|sim| match case.key {
            Key::Alice => sim.api_key_for("alice").unwrap(),
            Key::WrongSecret => {
                let admin = sim.api_key();
                let (prefix, _) = admin.rsplit_once(':').unwrap();
                format!("{prefix}:WrongSecretWrongSecret123")
            }
            _ => sim.api_key(),
        });
        let mut argv = vec!["maas".to_string()];
        argv.extend(args.iter().cloned());
        if matches!(case.key, Key::Admin | Key::Alice | Key::WrongSecret) {
            let sim = self.sim();
            let key = key.clone().unwrap();
            for (flag, value) in [("--maas-endpoint", sim.base_url()), ("--maas-api-key", key)] {
                if !args.iter().any(|a| a == flag) {
                    argv.extend([flag.to_string(), value]);
                }
            }
        }
        let started = Instant::now();
        let run = cli(&argv).await;
        self.elapsed = started.elapsed();

        let what = format!("[{}] maas {}", case.group, args.join(" "));
        assert_eq!(
            run.code, case.code,
            "{what}: exit code\nstdout: {}\nstderr: {}",
            run.stdout, run.stderr
        );
        for fragment in case.stdout {
            let fragment = self.expand(fragment);
            assert!(
                run.stdout.contains(&fragment),
                "{what}: stdout lacks {fragment:?}:\n{}",
                run.stdout
            );
        }
        for fragment in case.stderr {
            let fragment = self.expand(fragment);
            assert!(
                run.stderr.contains(&fragment),
                "{what}: stderr lacks {fragment:?}:\n{}",
                run.stderr
            );
        }
        for fragment in case.absent {
            assert!(
                !run.stdout.contains(fragment) && !run.stderr.contains(fragment),
                "{what}: printed {fragment:?}:\n{}\n{}",
                run.stdout,
                run.stderr
            );
        }
        // No part of a key a row passes ever appears in the output.
        if let Some(key) = key {
            for part in key.split(':') {
                assert!(
                    !run.stdout.contains(part) && !run.stderr.contains(part),
                    "{what}: API key part leaked:\n{}\n{}",
                    run.stdout,
                    run.stderr
                );
            }
        }
        for then in case.then {
            then(self, &run);
        }
    }
}

/// Runs `hosted-cluster ARGS...` in-process (on the test's runtime, where the simulator runs).
async fn cli(args: &[String]) -> Run {
    hosted_cluster_cli::install_crypto_provider();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv = std::iter::once("hosted-cluster").chain(args.iter().map(String::as_str));
    let code = hosted_cluster_cli::run(argv, &mut out, &mut err).await;
    Run {
        code,
        stdout: String::from_utf8(out).unwrap(),
        stderr: String::from_utf8(err).unwrap(),
    }
}

/// The temporary files rows name: `{cert}`, `{keyfile}`, `{trust}`, `{empty}`, `{pw}`.
struct Files(Vec<(&'static str, std::path::PathBuf)>);

impl Files {
    fn new() -> Self {
        let file = |name: &str, text: &str| {
            let path = std::env::temp_dir().join(format!("cli-maas-{}-{name}", std::process::id()));
            std::fs::write(&path, text).unwrap();
            path
        };
        Self(vec![
            (
                "cert",
                file(
                    "cert.pem",
                    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                ),
            ),
            (
                "keyfile",
                file(
                    "key.pem",
                    "-----BEGIN PRIVATE KEY-----\nSECRETKEYBYTES\n-----END PRIVATE KEY-----\n",
                ),
            ),
            ("trust", file("trust", "Tru5tM3Pl3ase\n")),
            ("empty", file("empty", "\n")),
            ("pw", file("pw", "trust-me\n")),
        ])
    }

    fn vars(&self) -> impl Iterator<Item = (&'static str, String)> + '_ {
        self.0
            .iter()
            .map(|(name, path)| (*name, path.to_str().unwrap().to_string()))
    }
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap().to_string())
        .collect()
}

/// Host `name` of a `vm-hosts list -o json` run.
fn host(run: &Run, name: &str) -> Value {
    json(run)["vmHosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no host {name}"))
}

fn used(host: &Value, resource: &str) -> u64 {
    host[resource]["used"].as_u64().unwrap()
}

// The `then` checks.

fn no_stderr(_: &mut Ctx, run: &Run) {
    assert_eq!(run.stderr, "");
}

fn no_stdout(_: &mut Ctx, run: &Run) {
    assert_eq!(run.stdout, "");
}

fn one_line(_: &mut Ctx, run: &Run) {
    assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
}

fn within_10s(ctx: &mut Ctx, _: &Run) {
    assert!(ctx.elapsed < Duration::from_secs(10), "{:?}", ctx.elapsed);
}

fn sent_nothing(ctx: &mut Ctx, _: &Run) {
    let sent = ctx.sim().requests();
    assert!(sent.is_empty(), "bad input sent {sent:?}");
}

fn json_report(_: &mut Ctx, run: &Run) {
    let report = json(run);
    assert!(
        report["version"]["version"]
            .as_str()
            .unwrap()
            .starts_with('3')
    );
    assert_eq!(report["user"]["username"], "admin");
    assert_eq!(report["user"]["admin"], true);
    assert_eq!(names(&report["zones"]), ["default", "az-1", "az-2"]);
    assert_eq!(names(&report["resourcePools"]), ["default", "k8s"]);
    assert_eq!(
        report["syncedImages"],
        serde_json::json!(["ubuntu/jammy", "ubuntu/noble"])
    );
    assert_eq!(names(&report["vmHosts"]), ["lxd-01", "lxd-02"]);
    let lxd1 = &report["vmHosts"][0];
    // 32 cores × 4 and 128 GiB × 1.5 over-commit; vm-registry uses 4 cores and 8 GiB.
    assert_eq!(lxd1["cores"]["total"], 128);
    assert_eq!(lxd1["cores"]["physical"], 32);
    assert_eq!(lxd1["cores"]["used"], 4);
    assert_eq!(lxd1["cores"]["available"], 124);
    assert_eq!(lxd1["memoryMiB"]["total"], 196608);
    assert_eq!(lxd1["memoryMiB"]["available"], 196608 - 8192);
    assert_eq!(lxd1["zone"], "az-1");
    assert_eq!(lxd1["vms"], 1);
    assert_eq!(report["warnings"], serde_json::json!([]));
}

fn yaml_report(_: &mut Ctx, run: &Run) {
    let docs = suite::docs(&run.stdout);
    assert_eq!(docs[0]["user"]["username"], "admin");
    assert_eq!(docs[0]["vmHosts"][1]["name"], "lxd-02");
}

fn list_table(_: &mut Ctx, run: &Run) {
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("VMS"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("lxd-01") && lines[1].contains("4/128 (x4)"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("lxd-02") && lines[2].contains("az-2"),
        "{}",
        lines[2]
    );
}

fn only_lxd01(_: &mut Ctx, run: &Run) {
    assert_eq!(names(&json(run)["vmHosts"]), ["lxd-01"]);
}

fn no_hosts(_: &mut Ctx, run: &Run) {
    assert_eq!(names(&json(run)["vmHosts"]), Vec::<String>::new());
}

fn remember_lxd01(ctx: &mut Ctx, run: &Run) {
    ctx.before = host(run, "lxd-01");
}

fn composed_cp_test(ctx: &mut Ctx, run: &Run) {
    let composed = json(run);
    assert_eq!(composed["vmHost"]["name"], "lxd-01");
    let system_id = composed["systemId"].as_str().unwrap().to_string();
    assert_eq!(
        ctx.sim().machine(&system_id).unwrap().hostname,
        "cp-test",
        "composed as asked"
    );
    ctx.set("vm", system_id);
}

fn lxd01_holds_cp_test(ctx: &mut Ctx, run: &Run) {
    let (before, after) = (&ctx.before, host(run, "lxd-01"));
    assert_eq!(used(&after, "cores"), used(before, "cores") + 2);
    assert_eq!(used(&after, "memoryMiB"), used(before, "memoryMiB") + 4096);
    assert_eq!(
        used(&after, "storageBytes"),
        used(before, "storageBytes") + 70_000_000_000
    );
    assert_eq!(after["vms"], before["vms"].as_u64().unwrap() + 1);
}

fn lxd01_as_before(ctx: &mut Ctx, run: &Run) {
    let back = host(run, "lxd-01");
    for r in ["cores", "memoryMiB", "storageBytes"] {
        assert_eq!(used(&back, r), used(&ctx.before, r), "{r}");
    }
    assert_eq!(back["vms"], ctx.before["vms"]);
}

fn composed_in_k8s(ctx: &mut Ctx, run: &Run) {
    let system_id = run.stdout.split_whitespace().nth(2).unwrap();
    assert_eq!(ctx.sim().machine(system_id).unwrap().pool, "k8s");
}

fn lxd02_has_two_vms(_: &mut Ctx, run: &Run) {
    assert_eq!(
        host(run, "lxd-02")["vms"],
        2,
        "the refused VMs were not composed"
    );
}

fn node01_exists(ctx: &mut Ctx, _: &Run) {
    assert!(
        ctx.sim().machine("n4ep3w").is_some(),
        "node-01 still exists"
    );
}

fn remember_vm(ctx: &mut Ctx, run: &Run) {
    let vm = json(run)["systemId"].as_str().unwrap().to_string();
    ctx.set("vm", vm);
}

fn vm_gone(ctx: &mut Ctx, _: &Run) {
    let vm = &ctx.vars["vm"];
    assert!(
        ctx.sim().machine(vm).is_none(),
        "VM decomposed with its host"
    );
}

fn deleted_without_decompose(ctx: &mut Ctx, run: &Run) {
    assert_eq!(json(run)["decomposed"], false);
    // MAAS forgets the VM's machine either way; only the LXD server keeps the VM.
    assert!(ctx.sim().machine("vmr4g9").is_none());
    assert!(
        ctx.sim().machine("kvm7a1").is_some(),
        "the host's own machine stays"
    );
}

fn lxd09_as_registered(_: &mut Ctx, run: &Run) {
    let h = host(run, "lxd-09");
    assert_eq!(
        (h["zone"].as_str(), h["pool"].as_str()),
        (Some("az-2"), Some("k8s"))
    );
    let tags: Vec<&str> = h["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        tags.contains(&"control-plane") && tags.contains(&"new"),
        "{tags:?}"
    );
}

/// MAAS takes the LXD trust password as the driver's `password` field.
fn posted_a_vm_host(ctx: &mut Ctx, _: &Run) {
    let requests = ctx.sim().requests();
    assert!(
        requests
            .iter()
            .any(|r| r.method == "POST" && r.path.ends_with("/vm-hosts/")),
        "{requests:?}"
    );
}
