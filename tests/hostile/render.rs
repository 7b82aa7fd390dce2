//! `render -f` with hostile input. Each case must exit non-zero, print nothing on stdout (no
//! object rendered from bad input), and name the source, object and field at fault.

use serde_json::{Value, json};
use std::path::PathBuf;
use suite::examples_dir;

/// The input of a case.
enum Input {
    /// The examples (0 HostedCluster, 1 NodePool, 2 credentials Secret), changed.
    Mutate(fn(&mut Vec<Value>)),
    /// A file with exactly this text.
    Raw(&'static str),
    /// A path as given (`@name` for a hostile file).
    Path(&'static str),
}
use Input::*;

const HC: &str = "HostedCluster clusters/my-maas-cluster";
const NP: &str = "NodePool clusters/my-maas-nodepool";
const SECRET: &str = "Secret clusters/maas-credentials";

fn big() -> String {
    "x".repeat(300 * 1024)
}

/// (id, input, extra flags, what the error must name)
type Case = (
    &'static str,
    Input,
    &'static [&'static str],
    &'static [&'static str],
);

fn cases() -> Vec<Case> {
    vec![
        // --- NodePool fields
        (
            "np replicas word",
            Mutate(|d| d[1]["spec"]["replicas"] = json!("two")),
            &[],
            &[NP, "spec.replicas"],
        ),
        (
            "np replicas negative",
            Mutate(|d| d[1]["spec"]["replicas"] = json!(-1)),
            &[],
            &[NP, "spec.replicas"],
        ),
        (
            "np replicas fraction",
            Mutate(|d| d[1]["spec"]["replicas"] = json!(1.5)),
            &[],
            &[NP, "spec.replicas"],
        ),
        (
            "np replicas overflow",
            Mutate(|d| d[1]["spec"]["replicas"] = json!(99999999999i64)),
            &[],
            &[NP, "spec.replicas"],
        ),
        (
            "np upgrade type",
            Mutate(|d| d[1]["spec"]["management"]["upgradeType"] = json!("Sometimes")),
            &[],
            &[NP, "spec.management.upgradeType"],
        ),
        (
            "np cluster name number",
            Mutate(|d| d[1]["spec"]["clusterName"] = json!(5)),
            &[],
            &[NP, "spec.clusterName"],
        ),
        (
            "np release string",
            Mutate(|d| d[1]["spec"]["release"] = json!("4.19")),
            &[],
            &[NP, "spec.release"],
        ),
        (
            "np drain timeout",
            Mutate(|d| d[1]["spec"]["nodeDrainTimeout"] = json!("soon")),
            &[],
            &[NP, "spec.nodeDrainTimeout"],
        ),
        (
            "np unknown field",
            Mutate(|d| d[1]["spec"]["replica"] = json!(3)),
            &[],
            &[NP, "spec.replica"],
        ),
        (
            "np unknown nested field",
            Mutate(|d| d[1]["spec"]["management"]["upgradeTyp"] = json!("Replace")),
            &[],
            &[NP, "spec.management.upgradeTyp"],
        ),
        (
            "np label number",
            Mutate(|d| d[1]["metadata"]["labels"] = json!({"a": 1})),
            &[],
            &[NP, "metadata.labels"],
        ),
        (
            "np api version",
            Mutate(|d| d[1]["apiVersion"] = json!("hypershift.openshift.io/v1alpha1")),
            &[],
            &[NP, "apiVersion", "v1alpha1"],
        ),
        (
            "np api version missing",
            Mutate(|d| {
                d[1].as_object_mut().unwrap().remove("apiVersion");
            }),
            &[],
            &[NP, "apiVersion"],
        ),
        (
            "np without its cluster",
            Mutate(|d| d[1]["spec"]["clusterName"] = json!("other")),
            &[],
            &[
                "NodePool clusters/my-maas-nodepool",
                "spec.clusterName",
                "not in the input",
            ],
        ),
        (
            "np in another namespace",
            Mutate(|d| d[1]["metadata"]["namespace"] = json!("elsewhere")),
            &[],
            &["NodePool elsewhere/my-maas-nodepool", "not in the input"],
        ),
        (
            "np twice",
            Mutate(|d| {
                let np = d[1].clone();
                d.push(np);
            }),
            &[],
            &[NP, "twice"],
        ),
        (
            "np paused until word",
            Mutate(|d| d[1]["spec"]["pausedUntil"] = json!("tomorrow")),
            &[],
            &[NP, "spec.pausedUntil"],
        ),
        (
            "np paused until bad date",
            Mutate(|d| d[1]["spec"]["pausedUntil"] = json!("2026-13-40T00:00:00Z")),
            &[],
            &[NP, "spec.pausedUntil"],
        ),
        (
            "np name invalid",
            Mutate(|d| d[1]["metadata"]["name"] = json!("Bad_Name")),
            &[],
            &["Bad_Name", "metadata.name"],
        ),
        (
            "np name missing",
            Mutate(|d| {
                d[1]["metadata"].as_object_mut().unwrap().remove("name");
            }),
            &[],
            &["NodePool", "metadata.name"],
        ),
        (
            "np platform type differs",
            Mutate(|d| d[1]["spec"]["platform"]["type"] = json!("None")),
            &[],
            &[NP, "spec.platform.type"],
        ),
        (
            "np zone and failure domain differ",
            Mutate(|d| d[1]["spec"]["platform"]["maas"]["failureDomain"] = json!("rack1")),
            &[],
            &[NP, "failureDomain"],
        ),
        (
            "np autoscaling min zero",
            Mutate(|d| {
                d[1]["spec"].as_object_mut().unwrap().remove("replicas");
                d[1]["spec"]["autoScaling"] = json!({"min": 0, "max": 3});
            }),
            &[],
            &[NP, "spec.autoScaling"],
        ),
        (
            "np autoscaling and replicas",
            Mutate(|d| d[1]["spec"]["autoScaling"] = json!({"min": 1, "max": 3})),
            &[],
            &[NP, "spec.autoScaling"],
        ),
        (
            "np autoscaling max above min",
            Mutate(|d| {
                d[1]["spec"].as_object_mut().unwrap().remove("replicas");
                d[1]["spec"]["autoScaling"] = json!({"min": 1, "max": 3});
            }),
            &[],
            &[NP, "spec.autoScaling", "not supported yet"],
        ),
        (
            "np tuning config",
            Mutate(|d| d[1]["spec"]["tuningConfig"] = json!([{"name": "tuned"}])),
            &[],
            &[NP, "spec.tuningConfig", "not supported yet"],
        ),
        (
            "np arch arm64",
            Mutate(|d| d[1]["spec"]["arch"] = json!("arm64")),
            &[],
            &[NP, "spec.arch", "not supported yet"],
        ),
        (
            "np arch unknown",
            Mutate(|d| d[1]["spec"]["arch"] = json!("riscv")),
            &[],
            &[NP, "spec.arch"],
        ),
        (
            "np auto repair",
            Mutate(|d| d[1]["spec"]["management"]["autoRepair"] = json!(true)),
            &[],
            &[NP, "spec.management.autoRepair", "not supported yet"],
        ),
        (
            "hc additional trust bundle",
            Mutate(|d| d[0]["spec"]["additionalTrustBundle"] = json!({"name": "ca"})),
            &[],
            &[HC, "spec.additionalTrustBundle", "not supported yet"],
        ),
        (
            "np node labels with hypershift",
            Mutate(|d| d[1]["spec"]["nodeLabels"] = json!({"role": "x"})),
            &[],
            &[NP, "spec.nodeLabels", "not supported yet"],
        ),
        (
            "np taints with hypershift",
            Mutate(|d| d[1]["spec"]["taints"] = json!([{"key": "k", "effect": "NoSchedule"}])),
            &[],
            &[NP, "spec.taints", "not supported yet"],
        ),
        (
            "hc node selector with hypershift",
            Mutate(|d| d[0]["spec"]["nodeSelector"] = json!({"zone": "a"})),
            &[],
            &[HC, "spec.nodeSelector", "not supported yet"],
        ),
        (
            "hc tolerations with hypershift",
            Mutate(|d| d[0]["spec"]["tolerations"] = json!([{"key": "k", "operator": "Exists"}])),
            &[],
            &[HC, "spec.tolerations", "not supported yet"],
        ),
        (
            "hc provider image annotation",
            Mutate(|d| {
                d[0]["metadata"]["annotations"] =
                    json!({"hypershift.openshift.io/capi-provider-maas-image": "not an image"})
            }),
            &[],
            &[HC, "capi-provider-maas-image", "whitespace"],
        ),
        (
            "hc provider image annotation url",
            Mutate(|d| {
                d[0]["metadata"]["annotations"] = json!({"hypershift.openshift.io/capi-provider-maas-image": "https://ghcr.io/x:1"})
            }),
            &[],
            &[HC, "capi-provider-maas-image", "https://"],
        ),
        (
            "np min cpu word",
            Mutate(|d| d[1]["spec"]["platform"]["maas"]["minCpu"] = json!("four")),
            &[],
            &[NP, "minCpu"],
        ),
        (
            "np min memory small",
            Mutate(|d| d[1]["spec"]["platform"]["maas"]["minMemory"] = json!(10)),
            &[],
            &[NP, "minMemory"],
        ),
        (
            "np tags string",
            Mutate(|d| d[1]["spec"]["platform"]["maas"]["tags"] = json!("a,b")),
            &[],
            &[NP, "tags"],
        ),
        (
            "np tag invalid",
            Mutate(|d| d[1]["spec"]["platform"]["maas"]["tags"] = json!(["bad tag"])),
            &[],
            &[NP, "tags[0]"],
        ),
        (
            "np image missing",
            Mutate(|d| {
                d[1]["spec"]["platform"]["maas"]
                    .as_object_mut()
                    .unwrap()
                    .remove("image");
            }),
            &[],
            &[NP, "image"],
        ),
        (
            "np maas unknown field",
            Mutate(|d| d[1]["spec"]["platform"]["maas"]["minCPU"] = json!(4)),
            &[],
            &[NP, "minCPU"],
        ),
        (
            "np annotations over 256 KiB",
            Mutate(|d| d[1]["metadata"]["annotations"] = json!({"example.com/big": big()})),
            &[],
            &[NP, "metadata.annotations", "256 KiB"],
        ),
        (
            "np spec a list",
            Mutate(|d| d[1]["spec"] = json!([1])),
            &[],
            &[NP, "spec"],
        ),
        // --- HostedCluster fields
        (
            "hc release string",
            Mutate(|d| d[0]["spec"]["release"] = json!("4.19")),
            &[],
            &[HC, "spec.release"],
        ),
        (
            "hc services string",
            Mutate(|d| d[0]["spec"]["services"] = json!("LoadBalancer")),
            &[],
            &[HC, "spec.services"],
        ),
        (
            "hc service type",
            Mutate(|d| {
                d[0]["spec"]["services"][0]["servicePublishingStrategy"]["type"] = json!("Magic")
            }),
            &[],
            &[HC, "spec.services[0].servicePublishingStrategy.type"],
        ),
        (
            "hc services missing",
            Mutate(|d| d[0]["spec"]["services"] = json!([])),
            &[],
            &[HC, "spec.services"],
        ),
        (
            "hc cluster cidr no prefix",
            Mutate(|d| {
                d[0]["spec"]["networking"]["clusterNetwork"][0]["cidr"] = json!("10.132.0.0")
            }),
            &[],
            &[HC, "spec.networking.clusterNetwork[0].cidr"],
        ),
        (
            "hc cluster cidr prefix 33",
            Mutate(|d| {
                d[0]["spec"]["networking"]["clusterNetwork"][0]["cidr"] = json!("10.0.0.0/33")
            }),
            &[],
            &[HC, "clusterNetwork[0].cidr"],
        ),
        (
            "hc service cidr word",
            Mutate(|d| d[0]["spec"]["networking"]["serviceNetwork"][0]["cidr"] = json!("abc")),
            &[],
            &[HC, "serviceNetwork[0].cidr"],
        ),
        (
            "hc machine cidr bad ip",
            Mutate(|d| {
                d[0]["spec"]["networking"]["machineNetwork"] = json!([{"cidr": "300.0.0.0/8"}])
            }),
            &[],
            &[HC, "machineNetwork[0].cidr"],
        ),
        (
            "hc network type",
            Mutate(|d| d[0]["spec"]["networking"]["networkType"] = json!("Weave")),
            &[],
            &[HC, "spec.networking.networkType"],
        ),
        (
            "hc paused until word",
            Mutate(|d| d[0]["spec"]["pausedUntil"] = json!("soon")),
            &[],
            &[HC, "spec.pausedUntil"],
        ),
        (
            "hc paused until bad month",
            Mutate(|d| d[0]["spec"]["pausedUntil"] = json!("2026-13-01T00:00:00Z")),
            &[],
            &[HC, "spec.pausedUntil"],
        ),
        (
            "hc unknown field",
            Mutate(|d| d[0]["spec"]["platfrom"] = json!({})),
            &[],
            &[HC, "spec.platfrom"],
        ),
        (
            "hc unknown field with value",
            Mutate(|d| d[0]["spec"]["replicas"] = json!(3)),
            &[],
            &[HC, "spec.replicas"],
        ),
        (
            "hc unknown nested field",
            Mutate(|d| d[0]["spec"]["dns"]["baseDomian"] = json!("x.com")),
            &[],
            &[HC, "spec.dns.baseDomian"],
        ),
        (
            "hc unknown top-level field",
            Mutate(|d| d[0]["sepc"] = json!({})),
            &[],
            &[HC, "sepc"],
        ),
        (
            "hc unknown field in a list",
            Mutate(|d| d[0]["spec"]["services"][0]["servise"] = json!("x")),
            &[],
            &[HC, "spec.services[0].servise"],
        ),
        (
            "np unknown lxd field",
            Mutate(|d| {
                d[1]["spec"]["platform"]["maas"]["lxd"] =
                    json!({"enabled": true, "diskSize": 60, "disksize": 60})
            }),
            &[],
            &[NP, "spec.platform.maas.lxd.disksize"],
        ),
        (
            "hc api version",
            Mutate(|d| d[0]["apiVersion"] = json!("hypershift.openshift.io/v1alpha1")),
            &[],
            &[HC, "apiVersion"],
        ),
        (
            "hc api version wrong group",
            Mutate(|d| d[0]["apiVersion"] = json!("example.com/v1beta1")),
            &[],
            &[HC, "apiVersion"],
        ),
        (
            "hc twice",
            Mutate(|d| {
                let hc = d[0].clone();
                d.push(hc);
            }),
            &[],
            &[HC, "twice"],
        ),
        (
            "hc name invalid",
            Mutate(|d| {
                d[0]["metadata"]["name"] = json!("Bad_Name");
                d[1]["spec"]["clusterName"] = json!("Bad_Name");
            }),
            &[],
            &["Bad_Name", "metadata.name"],
        ),
        (
            "hc name missing",
            Mutate(|d| {
                d[0]["metadata"].as_object_mut().unwrap().remove("name");
            }),
            &[],
            &["HostedCluster", "metadata.name"],
        ),
        (
            "hc name too long for namespace",
            Mutate(|d| {
                let n = "a".repeat(60);
                d[0]["metadata"]["name"] = json!(n);
                d[1]["spec"]["clusterName"] = json!(n);
            }),
            &[],
            &["metadata.name", "63"],
        ),
        (
            "hc platform type unknown",
            Mutate(|d| d[0]["spec"]["platform"]["type"] = json!("Bogus")),
            &[],
            &[HC, "spec.platform.type"],
        ),
        (
            "hc base domain",
            Mutate(|d| d[0]["spec"]["dns"]["baseDomain"] = json!("bad domain")),
            &[],
            &[HC, "spec.dns.baseDomain"],
        ),
        (
            "hc infra id",
            Mutate(|d| d[0]["spec"]["infraID"] = json!("Bad.ID")),
            &[],
            &[HC, "spec.infraID"],
        ),
        (
            "hc annotations over 256 KiB",
            Mutate(|d| d[0]["metadata"]["annotations"] = json!({"example.com/big": big()})),
            &[],
            &[HC, "metadata.annotations", "256 KiB"],
        ),
        (
            "hc etcd type",
            Mutate(|d| d[0]["spec"]["etcd"]["managementType"] = json!("Magic")),
            &[],
            &[HC, "spec.etcd.managementType"],
        ),
        (
            "hc maas zone",
            Mutate(|d| d[0]["spec"]["platform"]["maas"]["zone"] = json!("zone 1")),
            &[],
            &[HC, "zone"],
        ),
        (
            "hc maas identity missing",
            Mutate(|d| {
                d[0]["spec"]["platform"]["maas"]
                    .as_object_mut()
                    .unwrap()
                    .remove("identityRef");
            }),
            &[],
            &[HC, "identityRef"],
        ),
        (
            "hc control plane annotation",
            Mutate(|d| {
                d[0]["metadata"]["annotations"] =
                    json!({"hosted-cluster.io/control-plane": "bogus"})
            }),
            &[],
            &[HC, "bogus"],
        ),
        (
            "hc metadata list",
            Mutate(|d| d[0]["metadata"] = json!([1])),
            &[],
            &["HostedCluster", "metadata"],
        ),
        (
            "hc fips word",
            Mutate(|d| d[0]["spec"]["fips"] = json!("yes")),
            &[],
            &[HC, "spec.fips"],
        ),
        (
            "hc pull secret missing",
            Mutate(|d| d[0]["spec"]["pullSecret"]["name"] = json!("")),
            &[],
            &[HC, "spec.pullSecret.name"],
        ),
        (
            "hc release empty",
            Mutate(|d| d[0]["spec"]["release"]["image"] = json!("")),
            &[],
            &[HC, "spec.release.image"],
        ),
        (
            "only a nodepool",
            Mutate(|d| {
                d.remove(0);
            }),
            &[],
            &["NodePool clusters/my-maas-nodepool", "not in the input"],
        ),
        (
            "no objects",
            Mutate(|d| d.clear()),
            &[],
            &["no HostedCluster"],
        ),
        // --- Secrets
        (
            "secret bad base64",
            Mutate(|d| {
                d[2].as_object_mut().unwrap().remove("stringData");
                d[2]["data"] = json!({"MAAS_API_KEY": "!!!not base64"});
            }),
            &[],
            &[SECRET, "data.MAAS_API_KEY"],
        ),
        (
            "secret map under stringData",
            Mutate(|d| d[2]["stringData"]["MAAS_API_KEY"] = json!({"a": "b"})),
            &[],
            &[SECRET, "stringData.MAAS_API_KEY"],
        ),
        (
            "secret list under data",
            Mutate(|d| d[2]["data"] = json!(["a"])),
            &[],
            &[SECRET, "data"],
        ),
        (
            "secret api version",
            Mutate(|d| d[2]["apiVersion"] = json!("v2")),
            &[],
            &[SECRET, "apiVersion"],
        ),
        (
            "secret unknown field",
            Mutate(|d| d[2]["strinData"] = json!({"a": "b"})),
            &[],
            &[SECRET, "strinData"],
        ),
        (
            "secret twice",
            Mutate(|d| {
                let s = d[2].clone();
                d.push(s);
            }),
            &[],
            &[SECRET, "twice"],
        ),
        (
            "secret bad api key",
            Mutate(|d| d[2]["stringData"]["MAAS_API_KEY"] = json!("a-b:c:d")),
            &[],
            &["maas-credentials", "MAAS_API_KEY"],
        ),
        (
            "secret bad endpoint",
            Mutate(|d| d[2]["stringData"]["MAAS_ENDPOINT"] = json!("http:///MAAS")),
            &[],
            &["maas-credentials", "MAAS_ENDPOINT"],
        ),
        (
            "secret missing keys",
            Mutate(|d| d[2]["stringData"] = json!({"other": "x"})),
            &[],
            &["maas-credentials", "MAAS_API_KEY"],
        ),
        (
            "secret type number",
            Mutate(|d| d[2]["type"] = json!(5)),
            &[],
            &[SECRET, "type"],
        ),
        // --- documents
        (
            "yaml unclosed",
            Raw("kind: HostedCluster\nspec: [\n"),
            &[],
            &["-f", "YAML"],
        ),
        (
            "yaml tab indent",
            Raw("kind: HostedCluster\nspec:\n\treplicas: 1\n"),
            &[],
            &["-f", "YAML"],
        ),
        (
            "yaml bomb",
            Raw(
                "a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n",
            ),
            &[],
            &["-f"],
        ),
        (
            "scalar document",
            Raw("hello\n"),
            &[],
            &["-f", "document 1", "kind"],
        ),
        (
            "list document",
            Raw("- 1\n- 2\n"),
            &[],
            &["-f", "document 1", "kind"],
        ),
        ("json garbage", Raw("{\"kind\": \n"), &[], &["-f", "YAML"]),
        ("empty file", Raw(""), &[], &["no HostedCluster"]),
        (
            "only comments",
            Raw("# nothing\n---\n# still nothing\n"),
            &[],
            &["no HostedCluster"],
        ),
        (
            "kind not a string",
            Raw("kind: 5\napiVersion: v1\n"),
            &[],
            &["-f", "document 1", "kind"],
        ),
        (
            "list with a bad item",
            Raw(
                "apiVersion: v1\nkind: List\nitems:\n- apiVersion: hypershift.openshift.io/v1beta1\n  kind: NodePool\n  metadata: {name: np, namespace: clusters}\n  spec: {clusterName: c, replicas: two}\n",
            ),
            &[],
            &["NodePool clusters/np", "spec.replicas"],
        ),
        (
            "duplicate key",
            Raw("apiVersion: v1\nkind: Secret\nkind: Secret\nmetadata: {name: s}\n"),
            &[],
            &["-f"],
        ),
        (
            "hc without apiVersion raw",
            Raw("kind: HostedCluster\nmetadata: {name: x, namespace: clusters}\n"),
            &[],
            &["HostedCluster clusters/x", "apiVersion"],
        ),
        ("binary", Path("@ssh-binary"), &[], &["-f", "UTF-8"]),
        (
            "deeply nested list",
            Path("@render-deep-list"),
            &[],
            &["-f"],
        ),
        ("deeply nested map", Path("@render-deep-map"), &[], &["-f"]),
        (
            "deeply nested json",
            Path("@render-deep-json"),
            &[],
            &["-f"],
        ),
        // --- files
        (
            "file /dev/zero",
            Path("/dev/zero"),
            &[],
            &["-f", "/dev/zero", "device"],
        ),
        (
            "file /dev/urandom",
            Path("/dev/urandom"),
            &[],
            &["-f", "/dev/urandom", "device"],
        ),
        ("file directory", Path("@@dir"), &[], &["-f", "directory"]),
        ("file fifo", Path("@fifo"), &[], &["-f", "FIFO"]),
        (
            "file missing",
            Path("/nonexistent/input.yaml"),
            &[],
            &["-f", "/nonexistent/input.yaml"],
        ),
        (
            "file /dev/null",
            Path("/dev/null"),
            &[],
            &["-f", "/dev/null"],
        ),
        (
            "file over 8 MiB",
            Path("@render-huge"),
            &[],
            &["-f", "8 MiB"],
        ),
        // --- flags
        (
            "endpoint no port",
            Mutate(|_| {}),
            &["--api-endpoint", "api.example.com"],
            &["--api-endpoint"],
        ),
        (
            "endpoint port zero",
            Mutate(|_| {}),
            &["--api-endpoint", "api.example.com:0"],
            &["--api-endpoint"],
        ),
        (
            "endpoint port too big",
            Mutate(|_| {}),
            &["--api-endpoint", "api.example.com:99999"],
            &["--api-endpoint"],
        ),
        (
            "endpoint no host",
            Mutate(|_| {}),
            &["--api-endpoint", ":6443"],
            &["--api-endpoint"],
        ),
        (
            "endpoint word port",
            Mutate(|_| {}),
            &["--api-endpoint", "api.example.com:https"],
            &["--api-endpoint"],
        ),
        (
            "endpoint url",
            Mutate(|_| {}),
            &["--api-endpoint", "https://api.example.com:6443"],
            &["--api-endpoint"],
        ),
        (
            "endpoint space",
            Mutate(|_| {}),
            &["--api-endpoint", "bad host:6443"],
            &["--api-endpoint"],
        ),
        (
            "provider image syntax",
            Mutate(|_| {}),
            &["--provider-image", "MAAS=not an image"],
            &["--provider-image", "MAAS"],
        ),
        (
            "provider image url",
            Mutate(|_| {}),
            &["--provider-image", "MAAS=https://ghcr.io/x:1"],
            &["--provider-image", "https://"],
        ),
        (
            "provider image empty",
            Mutate(|_| {}),
            &["--provider-image", "MAAS="],
            &["--provider-image", "TYPE=IMAGE"],
        ),
        (
            "provider image no type",
            Mutate(|_| {}),
            &["--provider-image", "=ghcr.io/x:1"],
            &["--provider-image", "TYPE=IMAGE"],
        ),
        (
            "provider image no equals",
            Mutate(|_| {}),
            &["--provider-image", "ghcr.io/x:1"],
            &["--provider-image", "TYPE=IMAGE"],
        ),
        (
            "capi unknown",
            Mutate(|_| {}),
            &["--capi", "v1alpha4"],
            &["--capi"],
        ),
        ("output xml", Mutate(|_| {}), &["-o", "xml"], &["--output"]),
    ]
}

fn examples() -> Vec<Value> {
    let ex = examples_dir();
    [
        "hostedcluster.yaml",
        "nodepool.yaml",
        "credentials-secret.yaml",
    ]
    .iter()
    .map(|f| {
        let text = std::fs::read_to_string(ex.join(f)).unwrap();
        suite::docs(&text).remove(0)
    })
    .collect()
}

fn input_path(i: usize, input: &Input, dir: &std::path::Path) -> PathBuf {
    match input {
        Mutate(change) => {
            let mut docs = examples();
            change(&mut docs);
            let text: String = docs
                .iter()
                .map(|d| format!("---\n{}\n", serde_json::to_string_pretty(d).unwrap()))
                .collect();
            let p = dir.join(format!("case-{i}.yaml"));
            std::fs::write(&p, text).unwrap();
            p
        }
        Raw(text) => {
            let p = dir.join(format!("case-{i}.yaml"));
            std::fs::write(&p, text).unwrap();
            p
        }
        Path(p) => PathBuf::from(super::files::resolve(p)),
    }
}

#[test]
fn hostile_render_input() {
    let dir = super::files::ensure().join("render");
    std::fs::create_dir_all(&dir).unwrap();
    let huge = super::files::ensure().join("render-huge");
    if !huge.exists() {
        std::fs::write(&huge, "# padding\n".repeat(900 * 1024)).unwrap();
    }
    let cases: Vec<(usize, Case)> = cases()
        .into_iter()
        .enumerate()
        .filter(|(_, c)| super::selected(c.0))
        .collect();
    super::run_table("render", &cases, |(i, (id, input, extra, names))| {
        let path = input_path(*i, input, &dir);
        let path = path.display().to_string();
        let mut args = vec!["render", "-f", &path];
        args.extend(extra.iter());
        let run = suite::cli(&args);
        let mut problems = Vec::new();
        if run.code == 0 {
            problems.push("exit status 0".to_string());
        }
        if !run.stdout.is_empty() {
            problems.push("rendered objects from bad input".to_string());
        }
        for n in *names {
            if !run.stderr.contains(n) {
                problems.push(format!("message does not name {n:?}"));
            }
        }
        if run.stderr.contains("exampleSecret") {
            problems.push("message leaked the API key".into());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "[render] {id}: {}\nstderr: {}",
                problems.join("; "),
                run.stderr
            ))
        }
    });
}

#[test]
fn the_examples_render() {
    let dir = super::files::ensure().join("render-ok");
    std::fs::create_dir_all(&dir).unwrap();
    let path = input_path(0, &Mutate(|_| {}), &dir).display().to_string();
    let run = suite::cli(&["render", "-f", &path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}
