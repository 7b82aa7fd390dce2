//! `create cluster maas` with hostile flags. Each case runs twice: rendered into a file (the
//! file must not appear, nothing on stdout) and applied against kube-fake (no write request
//! may reach the API server). Both must exit non-zero naming the flag.

use super::files::resolve;
use kube_fake::FakeApiServer;
use suite::{Run, acceptance_create_args, pull_secret_file, repo_root};

/// (id, extra flags, flags removed from the acceptance command line, what the error must name)
type Case = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

const N47: &str = "abcdefghijabcdefghijabcdefghijabcdefghijabcdefg";
const N57: &str = "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefg";
const N64: &str = "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd";

pub const CASES: &[Case] = &[
    // --- files: the pull secret
    (
        "ps missing file",
        &["--pull-secret", "/nonexistent/ps.json"],
        &[],
        &["--pull-secret"],
    ),
    (
        "ps directory",
        &["--pull-secret", "@@dir"],
        &[],
        &["--pull-secret", "directory"],
    ),
    (
        "ps /dev/zero",
        &["--pull-secret", "/dev/zero"],
        &[],
        &["--pull-secret", "/dev/zero"],
    ),
    (
        "ps /dev/null",
        &["--pull-secret", "/dev/null"],
        &[],
        &["--pull-secret"],
    ),
    (
        "ps /dev/urandom",
        &["--pull-secret", "/dev/urandom"],
        &[],
        &["--pull-secret"],
    ),
    (
        "ps fifo",
        &["--pull-secret", "@fifo"],
        &[],
        &["--pull-secret", "FIFO"],
    ),
    (
        "ps empty",
        &["--pull-secret", "@ps-empty"],
        &[],
        &["--pull-secret"],
    ),
    (
        "ps not json",
        &["--pull-secret", "@ps-not-json"],
        &[],
        &["--pull-secret", "JSON"],
    ),
    (
        "ps array",
        &["--pull-secret", "@ps-array"],
        &[],
        &["--pull-secret", "auths"],
    ),
    (
        "ps no auths",
        &["--pull-secret", "@ps-no-auths"],
        &[],
        &["--pull-secret", "auths"],
    ),
    (
        "ps auths empty",
        &["--pull-secret", "@ps-auths-empty"],
        &[],
        &["--pull-secret", "auths"],
    ),
    (
        "ps auths string",
        &["--pull-secret", "@ps-auths-string"],
        &[],
        &["--pull-secret", "auths"],
    ),
    (
        "ps auths null",
        &["--pull-secret", "@ps-auths-null"],
        &[],
        &["--pull-secret", "auths"],
    ),
    (
        "ps binary",
        &["--pull-secret", "@ps-binary"],
        &[],
        &["--pull-secret"],
    ),
    (
        "ps over 1 MiB",
        &["--pull-secret", "@ps-huge"],
        &[],
        &["--pull-secret", "1 MiB"],
    ),
    (
        "ps truncated",
        &["--pull-secret", "@ps-truncated"],
        &[],
        &["--pull-secret", "JSON"],
    ),
    (
        "ps empty path",
        &["--pull-secret", ""],
        &[],
        &["--pull-secret"],
    ),
    (
        "ps missing flag",
        &[],
        &["--pull-secret"],
        &["--pull-secret"],
    ),
    // --- files: the SSH key
    (
        "ssh missing file",
        &["--ssh-key", "/nonexistent/id.pub"],
        &[],
        &["--ssh-key"],
    ),
    (
        "ssh directory",
        &["--ssh-key", "@@dir"],
        &[],
        &["--ssh-key", "directory"],
    ),
    (
        "ssh /dev/zero",
        &["--ssh-key", "/dev/zero"],
        &[],
        &["--ssh-key", "/dev/zero"],
    ),
    (
        "ssh /dev/null",
        &["--ssh-key", "/dev/null"],
        &[],
        &["--ssh-key"],
    ),
    (
        "ssh fifo",
        &["--ssh-key", "@fifo"],
        &[],
        &["--ssh-key", "FIFO"],
    ),
    (
        "ssh openssh private key",
        &["--ssh-key", "@ssh-private"],
        &[],
        &["--ssh-key", "private key", "not read into anything"],
    ),
    (
        "ssh rsa private key",
        &["--ssh-key", "@ssh-rsa-private"],
        &[],
        &["--ssh-key", "private key", "not read into anything"],
    ),
    (
        "ssh pkcs8 private key",
        &["--ssh-key", "@ssh-pkcs8-private"],
        &[],
        &["--ssh-key", "private key"],
    ),
    (
        "ssh public then private",
        &["--ssh-key", "@ssh-ok-then-private"],
        &[],
        &["--ssh-key", "private key"],
    ),
    (
        "ssh pem public key",
        &["--ssh-key", "@ssh-pem-public"],
        &[],
        &["--ssh-key", "authorized_keys"],
    ),
    (
        "ssh empty",
        &["--ssh-key", "@ssh-empty"],
        &[],
        &["--ssh-key"],
    ),
    (
        "ssh comments only",
        &["--ssh-key", "@ssh-comments-only"],
        &[],
        &["--ssh-key"],
    ),
    (
        "ssh garbage",
        &["--ssh-key", "@ssh-garbage"],
        &[],
        &["--ssh-key", "line 1"],
    ),
    (
        "ssh bad base64",
        &["--ssh-key", "@ssh-bad-base64"],
        &[],
        &["--ssh-key", "line 1"],
    ),
    (
        "ssh type only",
        &["--ssh-key", "@ssh-type-only"],
        &[],
        &["--ssh-key", "line 1"],
    ),
    (
        "ssh binary",
        &["--ssh-key", "@ssh-binary"],
        &[],
        &["--ssh-key"],
    ),
    (
        "ssh over 1 MiB",
        &["--ssh-key", "@ssh-huge"],
        &[],
        &["--ssh-key", "1 MiB"],
    ),
    (
        "ssh pull secret given",
        &["--ssh-key", "@ps-ok"],
        &[],
        &["--ssh-key"],
    ),
    // --- names
    ("name uppercase", &["--name", "Demo"], &[], &["--name"]),
    (
        "name underscore",
        &["--name", "my_cluster"],
        &[],
        &["--name"],
    ),
    ("name empty", &["--name", ""], &[], &["--name"]),
    ("name leading dash", &["--name=-demo"], &[], &["--name"]),
    ("name trailing dash", &["--name", "demo-"], &[], &["--name"]),
    ("name with dot", &["--name", "demo.one"], &[], &["--name"]),
    ("name with space", &["--name", "demo one"], &[], &["--name"]),
    ("name unicode", &["--name", "d\u{e9}mo"], &[], &["--name"]),
    ("name newline", &["--name", "demo\n"], &[], &["--name"]),
    (
        "name 47 chars",
        &["--name", N47],
        &[],
        &["--name", "at most"],
    ),
    (
        "name 57 chars",
        &["--name", N57],
        &[],
        &["--name", "at most"],
    ),
    ("name 64 chars", &["--name", N64], &[], &["--name"]),
    ("name missing", &[], &["--name"], &["--name"]),
    (
        "namespace space",
        &["--namespace", "Bad NS"],
        &[],
        &["--namespace"],
    ),
    (
        "namespace empty",
        &["--namespace", ""],
        &[],
        &["--namespace"],
    ),
    (
        "namespace underscore",
        &["--namespace", "kube_system"],
        &[],
        &["--namespace"],
    ),
    (
        "namespace 64 chars",
        &["--namespace", N64],
        &[],
        &["--namespace"],
    ),
    (
        "namespace too long with name",
        &["--namespace", N47, "--name", "demo-cluster-xyz"],
        &[],
        &["--name"],
    ),
    (
        "credentials name invalid",
        &["--credentials-name", "Bad_Name"],
        &[],
        &["--credentials-name"],
    ),
    (
        "credentials name empty",
        &["--credentials-name", ""],
        &[],
        &["--credentials-name"],
    ),
    (
        "credentials name 254",
        &[
            "--credentials-name",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ],
        &[],
        &["--credentials-name"],
    ),
    (
        "infra id uppercase",
        &["--infra-id", "Demo-x"],
        &[],
        &["--infra-id"],
    ),
    (
        "infra id dot",
        &["--infra-id", "demo.x"],
        &[],
        &["--infra-id"],
    ),
    (
        "infra id space",
        &["--infra-id", "demo x"],
        &[],
        &["--infra-id"],
    ),
    ("infra id 64", &["--infra-id", N64], &[], &["--infra-id"]),
    ("infra id empty", &["--infra-id", ""], &[], &["--infra-id"]),
    // --- numbers
    (
        "replicas negative",
        &["--node-pool-replicas", "-1"],
        &[],
        &["--node-pool-replicas"],
    ),
    (
        "replicas very negative",
        &["--node-pool-replicas", "-100"],
        &[],
        &["--node-pool-replicas"],
    ),
    (
        "replicas above bound",
        &["--node-pool-replicas", "1001"],
        &[],
        &["--node-pool-replicas", "1000"],
    ),
    (
        "replicas huge",
        &["--node-pool-replicas", "999999999"],
        &[],
        &["--node-pool-replicas"],
    ),
    (
        "replicas overflow",
        &["--node-pool-replicas", "99999999999"],
        &[],
        &["--node-pool-replicas"],
    ),
    (
        "replicas word",
        &["--node-pool-replicas", "two"],
        &[],
        &["--node-pool-replicas"],
    ),
    (
        "replicas empty",
        &["--node-pool-replicas", ""],
        &[],
        &["--node-pool-replicas"],
    ),
    (
        "replicas fraction",
        &["--node-pool-replicas", "1.5"],
        &[],
        &["--node-pool-replicas"],
    ),
    (
        "replicas hex",
        &["--node-pool-replicas", "0x10"],
        &[],
        &["--node-pool-replicas"],
    ),
    (
        "min cpu negative",
        &["--min-cpu", "-4"],
        &[],
        &["--min-cpu"],
    ),
    ("min cpu zero", &["--min-cpu", "0"], &[], &["--min-cpu"]),
    ("min cpu word", &["--min-cpu", "four"], &[], &["--min-cpu"]),
    (
        "min cpu overflow",
        &["--min-cpu", "99999999999"],
        &[],
        &["--min-cpu"],
    ),
    ("min cpu empty", &["--min-cpu", ""], &[], &["--min-cpu"]),
    (
        "min memory negative",
        &["--min-memory", "-1"],
        &[],
        &["--min-memory"],
    ),
    (
        "min memory zero",
        &["--min-memory", "0"],
        &[],
        &["--min-memory"],
    ),
    (
        "min memory small",
        &["--min-memory", "512"],
        &[],
        &["--min-memory"],
    ),
    (
        "min memory with unit",
        &["--min-memory", "8G"],
        &[],
        &["--min-memory"],
    ),
    (
        "lxd disk negative",
        &["--lxd", "--lxd-disk-size", "-1"],
        &[],
        &["--lxd-disk-size"],
    ),
    (
        "lxd disk zero",
        &["--lxd", "--lxd-disk-size", "0"],
        &[],
        &["--lxd-disk-size"],
    ),
    (
        "lxd disk without lxd",
        &["--lxd-disk-size", "60"],
        &[],
        &["--lxd-disk-size", "--lxd"],
    ),
    (
        "lxd pool without lxd",
        &["--lxd-storage-pool", "default"],
        &[],
        &["--lxd-storage-pool", "--lxd"],
    ),
    (
        "lxd network without lxd",
        &["--lxd-network", "br0"],
        &[],
        &["--lxd-network", "--lxd"],
    ),
    (
        "lxd pool invalid",
        &["--lxd", "--lxd-storage-pool", "bad pool!"],
        &[],
        &["--lxd-storage-pool"],
    ),
    (
        "lxd network invalid",
        &["--lxd", "--lxd-network", "bad net!"],
        &[],
        &["--lxd-network"],
    ),
    // --- endpoints
    (
        "endpoint no host",
        &["--maas-endpoint", "http:///MAAS"],
        &[],
        &["--maas-endpoint", "no host"],
    ),
    (
        "endpoint no scheme",
        &["--maas-endpoint", "10.0.0.2:5240/MAAS"],
        &[],
        &["--maas-endpoint", "scheme"],
    ),
    (
        "endpoint ftp",
        &["--maas-endpoint", "ftp://10.0.0.2/MAAS"],
        &[],
        &["--maas-endpoint", "ftp"],
    ),
    (
        "endpoint scheme only",
        &["--maas-endpoint", "http://"],
        &[],
        &["--maas-endpoint", "no host"],
    ),
    (
        "endpoint empty",
        &["--maas-endpoint", ""],
        &[],
        &["--maas-endpoint", "empty"],
    ),
    (
        "endpoint blank",
        &["--maas-endpoint", "   "],
        &[],
        &["--maas-endpoint", "empty"],
    ),
    (
        "endpoint userinfo",
        &["--maas-endpoint", "http://admin:hunter2@10.0.0.2/MAAS"],
        &[],
        &["--maas-endpoint", "password"],
    ),
    (
        "endpoint query",
        &["--maas-endpoint", "http://10.0.0.2/MAAS?op=x"],
        &[],
        &["--maas-endpoint", "query"],
    ),
    (
        "endpoint fragment",
        &["--maas-endpoint", "http://10.0.0.2/MAAS#x"],
        &[],
        &["--maas-endpoint", "fragment"],
    ),
    (
        "endpoint bad port",
        &["--maas-endpoint", "http://10.0.0.2:99999/MAAS"],
        &[],
        &["--maas-endpoint", "port"],
    ),
    (
        "endpoint word port",
        &["--maas-endpoint", "http://10.0.0.2:abc/MAAS"],
        &[],
        &["--maas-endpoint", "port"],
    ),
    (
        "endpoint no path",
        &["--maas-endpoint", "http://10.0.0.2:5240"],
        &[],
        &["--maas-endpoint", "/MAAS/"],
    ),
    (
        "endpoint api 1.0",
        &["--maas-endpoint", "http://10.0.0.2/MAAS/api/1.0/"],
        &[],
        &["--maas-endpoint", "2.0"],
    ),
    (
        "endpoint is a key",
        &["--maas-endpoint", "ck:tk:ts"],
        &[],
        &["--maas-endpoint", "API key"],
    ),
    (
        "endpoint bad ipv6",
        &["--maas-endpoint", "http://[::1/MAAS"],
        &[],
        &["--maas-endpoint"],
    ),
    (
        "endpoint bad ipv4",
        &["--maas-endpoint", "http://10.0.0.999/MAAS"],
        &[],
        &["--maas-endpoint"],
    ),
    (
        "endpoint missing",
        &[],
        &["--maas-endpoint"],
        &["--maas-endpoint", "required"],
    ),
    // --- API keys
    (
        "key one part",
        &["--maas-api-key", "not-a-key"],
        &[],
        &["--maas-api-key"],
    ),
    (
        "key empty part",
        &["--maas-api-key", "ck::ts"],
        &[],
        &["--maas-api-key", "empty"],
    ),
    (
        "key two parts",
        &["--maas-api-key", "ck:tk"],
        &[],
        &["--maas-api-key", "three parts"],
    ),
    (
        "key four parts",
        &["--maas-api-key", "ck:tk:ts:x"],
        &[],
        &["--maas-api-key", "three parts"],
    ),
    (
        "key dash",
        &["--maas-api-key", "ck:tk:t-s"],
        &[],
        &["--maas-api-key", "letters and digits"],
    ),
    (
        "key quoted",
        &["--maas-api-key", "'ck:tk:ts'"],
        &[],
        &["--maas-api-key", "letters and digits"],
    ),
    (
        "key unicode",
        &["--maas-api-key", "ck:tk:t\u{e9}"],
        &[],
        &["--maas-api-key", "letters and digits"],
    ),
    (
        "key space inside",
        &["--maas-api-key", "ck:t k:ts"],
        &[],
        &["--maas-api-key", "whitespace"],
    ),
    (
        "key empty",
        &["--maas-api-key", ""],
        &[],
        &["--maas-api-key"],
    ),
    (
        "key url",
        &["--maas-api-key", "http://10.0.0.2:5240/MAAS"],
        &[],
        &["--maas-api-key"],
    ),
    (
        "key dollar",
        &["--maas-api-key", "$MAAS_KEY:a:b"],
        &[],
        &["--maas-api-key", "letters and digits"],
    ),
    (
        "key missing",
        &[],
        &["--maas-api-key"],
        &["--maas-api-key", "required"],
    ),
    // --- contradictory flags
    (
        "create and no-create secret",
        &["--create-secret", "--no-create-secret"],
        &[],
        &["--create-secret", "--no-create-secret"],
    ),
    (
        "no-create and create secret",
        &["--no-create-secret", "--create-secret"],
        &[],
        &["--create-secret", "--no-create-secret"],
    ),
    (
        "no-create secret with key",
        &["--no-create-secret"],
        &[],
        &["--no-create-secret", "--maas-api-key"],
    ),
    (
        "wait with render",
        &["--wait", "--render"],
        &[],
        &["--wait", "--render"],
    ),
    (
        "timeout without wait",
        &["--timeout", "5m"],
        &[],
        &["--timeout", "--wait"],
    ),
    // --- tags
    ("tags empty", &["--tags", ""], &[], &["--tags", "empty"]),
    (
        "tags only comma",
        &["--tags", ","],
        &[],
        &["--tags", "empty"],
    ),
    (
        "tags empty middle",
        &["--tags", "a,,b"],
        &[],
        &["--tags", "empty"],
    ),
    ("tags blank", &["--tags", " "], &[], &["--tags", "empty"]),
    (
        "tags duplicate",
        &["--tags", "gpu,gpu"],
        &[],
        &["--tags", "gpu", "twice"],
    ),
    (
        "tags duplicate across flags",
        &["--tags", "gpu", "--tags", "gpu"],
        &[],
        &["--tags", "twice"],
    ),
    ("tags space", &["--tags", "bad tag"], &[], &["--tags"]),
    (
        "tags eleven",
        &["--tags", "a,b,c,d,e,f,g,h,i,j,k"],
        &[],
        &["--tags"],
    ),
    ("tags slash", &["--tags", "a/b"], &[], &["--tags"]),
    // --- annotations
    (
        "annotation no equals",
        &["--annotations", "noequals"],
        &[],
        &["--annotations", "KEY=VALUE"],
    ),
    (
        "annotation empty key",
        &["--annotations", "=v"],
        &[],
        &["--annotations"],
    ),
    (
        "annotation bad key chars",
        &["--annotations", "bad key!=v"],
        &[],
        &["--annotations", "bad key!"],
    ),
    (
        "annotation duplicate",
        &["--annotations", "a=1", "--annotations", "a=2"],
        &[],
        &["--annotations", "twice"],
    ),
    (
        "annotation leading dash",
        &["--annotations=-a=v"],
        &[],
        &["--annotations"],
    ),
    (
        "annotation empty name after prefix",
        &["--annotations", "example.com/=v"],
        &[],
        &["--annotations"],
    ),
    (
        "annotation uppercase prefix",
        &["--annotations", "Example.COM/x=v"],
        &[],
        &["--annotations"],
    ),
    (
        "annotation two slashes",
        &["--annotations", "a/b/c=v"],
        &[],
        &["--annotations"],
    ),
    (
        "annotation name 64",
        &[
            "--annotations",
            "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd=v",
        ],
        &[],
        &["--annotations"],
    ),
    (
        "annotation control-plane bogus",
        &["--annotations", "hosted-cluster.io/control-plane=bogus"],
        &[],
        &["hosted-cluster.io/control-plane"],
    ),
    (
        "annotation provider image bad",
        &[
            "--annotations",
            "hypershift.openshift.io/capi-provider-maas-image=not an image",
        ],
        &[],
        &["--annotations", "capi-provider-maas-image"],
    ),
    (
        "annotation kubernetes version bad",
        &[
            "--annotations",
            "hosted-cluster.io/kubernetes-version=latest",
        ],
        &[],
        &["kubernetes-version"],
    ),
    // --- images and addresses
    (
        "release image empty",
        &["--release-image", ""],
        &[],
        &["--release-image"],
    ),
    (
        "release image blank",
        &["--release-image", "  "],
        &[],
        &["--release-image"],
    ),
    (
        "release image space",
        &["--release-image", "quay.io/x y:1"],
        &[],
        &["--release-image"],
    ),
    (
        "release image url",
        &["--release-image", "https://quay.io/openshift/ocp:4.19"],
        &[],
        &["--release-image", "https://"],
    ),
    (
        "release image empty tag",
        &["--release-image", "quay.io/ocp:"],
        &[],
        &["--release-image", "tag"],
    ),
    (
        "release image empty digest",
        &["--release-image", "quay.io/ocp@"],
        &[],
        &["--release-image", "digest"],
    ),
    (
        "release image bad digest",
        &["--release-image", "quay.io/ocp@sha256:zz"],
        &[],
        &["--release-image", "digest"],
    ),
    (
        "release image uppercase repo",
        &["--release-image", "quay.io/OpenShift/ocp:4.19"],
        &[],
        &["--release-image", "lowercase"],
    ),
    (
        "release image tag too long",
        &[
            "--release-image",
            "quay.io/ocp:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ],
        &[],
        &["--release-image", "tag"],
    ),
    (
        "release image missing",
        &[],
        &["--release-image"],
        &["--release-image"],
    ),
    (
        "api address url",
        &["--api-server-address", "https://10.0.0.5"],
        &[],
        &["--api-server-address"],
    ),
    (
        "api address with port",
        &["--api-server-address", "10.0.0.5:6443"],
        &[],
        &["--api-server-address"],
    ),
    (
        "api address space",
        &["--api-server-address", "bad address"],
        &[],
        &["--api-server-address"],
    ),
    (
        "api address empty",
        &["--api-server-address", ""],
        &[],
        &["--api-server-address"],
    ),
    (
        "api address underscore",
        &["--api-server-address", "api_host"],
        &[],
        &["--api-server-address"],
    ),
    (
        "kubernetes version word",
        &["--kubernetes-version", "latest"],
        &[],
        &["--kubernetes-version"],
    ),
    (
        "kubernetes version short",
        &["--kubernetes-version", "1.33"],
        &[],
        &["--kubernetes-version"],
    ),
    (
        "kubernetes version four parts",
        &["--kubernetes-version", "v1.33.0.1"],
        &[],
        &["--kubernetes-version"],
    ),
    (
        "control plane unknown",
        &["--control-plane", "bogus"],
        &[],
        &["--control-plane"],
    ),
    // --- MAAS fields
    (
        "maas image missing",
        &[],
        &["--maas-image"],
        &["--maas-image"],
    ),
    (
        "maas image empty",
        &["--maas-image", ""],
        &[],
        &["--maas-image"],
    ),
    (
        "maas image space",
        &["--maas-image", "ubuntu jammy"],
        &[],
        &["--maas-image"],
    ),
    (
        "zone space",
        &["--maas-zone", "zone 1"],
        &[],
        &["--maas-zone"],
    ),
    ("zone empty", &["--maas-zone", ""], &[], &["--maas-zone"]),
    (
        "dns domain bang",
        &["--maas-dns-domain", "bad_domain!"],
        &[],
        &["--maas-dns-domain"],
    ),
    (
        "dns domain empty",
        &["--maas-dns-domain", ""],
        &[],
        &["--maas-dns-domain"],
    ),
    (
        "dns domain leading dash",
        &["--maas-dns-domain=-a.com"],
        &[],
        &["--maas-dns-domain"],
    ),
    (
        "dns domain double dot",
        &["--maas-dns-domain", "a..b"],
        &[],
        &["--maas-dns-domain"],
    ),
    (
        "base domain space",
        &["--base-domain", "bad domain"],
        &[],
        &["--base-domain"],
    ),
    (
        "base domain double dot",
        &["--base-domain", "a..b"],
        &[],
        &["--base-domain"],
    ),
    (
        "resource pool space",
        &["--resource-pool", "pool 1"],
        &[],
        &["--resource-pool"],
    ),
    (
        "resource pool empty",
        &["--resource-pool", ""],
        &[],
        &["--resource-pool"],
    ),
    (
        "failure domain space",
        &["--failure-domain", "fd 1"],
        &[],
        &["--failure-domain"],
    ),
    (
        "failure domain empty",
        &["--failure-domain", ""],
        &[],
        &["--failure-domain"],
    ),
    (
        "wait timeout negative",
        &["--wait", "--timeout", "-5m"],
        &[],
        &["--timeout"],
    ),
    (
        "wait timeout word",
        &["--wait", "--timeout", "soon"],
        &[],
        &["--timeout"],
    ),
    // --- output
    ("output xml", &["-o", "xml"], &[], &["--output"]),
    (
        "render into missing dir",
        &["--render-into", "/nonexistent/dir/out.yaml"],
        &[],
        &["--render-into"],
    ),
    (
        "render into a directory",
        &["--render-into", "@@dir"],
        &[],
        &["--render-into"],
    ),
    (
        "unknown flag",
        &["--maas-apikey", "x"],
        &[],
        &["--maas-apikey"],
    ),
];

fn args_for(case: &Case) -> Vec<String> {
    let (_, extra, drop, _) = case;
    let mut args: Vec<String> = acceptance_create_args(&pull_secret_file())
        .into_iter()
        .filter(|a| a != "--render")
        .collect();
    // A flag the case gives replaces the acceptance line's (each takes a value there).
    let given = extra
        .iter()
        .filter(|a| a.starts_with("--"))
        .map(|a| a.split_once('=').map_or(*a, |(f, _)| f));
    for flag in drop.iter().copied().chain(given) {
        if let Some(i) = args.iter().position(|a| a == flag) {
            args.drain(i..i + 2);
        }
    }
    args.extend(extra.iter().map(|a| resolve(a)));
    args
}

fn check_run(id: &str, mode: &str, run: &Run, names: &[&str]) -> Result<(), String> {
    let mut problems = Vec::new();
    if run.code == 0 {
        problems.push("exit status 0".to_string());
    }
    if !run.stdout.is_empty() {
        problems.push(format!("printed to stdout:\n{}", run.stdout));
    }
    for n in names {
        if !run.stderr.contains(n) {
            problems.push(format!("message does not name {n:?}"));
        }
    }
    if run.stderr.contains("ck:tk:ts") && !id.starts_with("endpoint is a key") {
        problems.push("message leaked the API key".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "[cli/{mode}] {id}: {}\nstderr: {}",
            problems.join("; "),
            run.stderr
        ))
    }
}

#[test]
fn hostile_create_flags_rendered() {
    let out_dir = std::env::temp_dir().join(format!("hostile-render-into-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).unwrap();
    let cases: Vec<(usize, &Case)> = CASES
        .iter()
        .enumerate()
        .filter(|(_, c)| super::selected(c.0))
        .collect();
    super::run_table("cli (rendered)", &cases, |(i, case)| {
        let target = out_dir.join(format!("out-{i}.yaml"));
        let mut args = args_for(case);
        // A case that names its own --render-into keeps it; the others render into `target`.
        let own_target = args.iter().any(|a| a == "--render-into");
        if !own_target {
            args.extend(["--render-into".to_string(), target.display().to_string()]);
        }
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = suite::cli(&argv);
        check_run(case.0, "rendered", &run, case.3)?;
        if target.exists() {
            return Err(format!(
                "[cli/rendered] {}: wrote {}",
                case.0,
                target.display()
            ));
        }
        Ok(())
    });
}

fn server() -> FakeApiServer {
    let api = FakeApiServer::new();
    for file in [
        "hypershift.openshift.io_hostedclusters.yaml",
        "hypershift.openshift.io_nodepools.yaml",
    ] {
        let text = std::fs::read_to_string(repo_root().join("crds").join(file)).unwrap();
        api.register_crd_from_yaml(&text).unwrap();
    }
    api
}

#[tokio::test]
async fn hostile_create_flags_applied() {
    hosted_cluster_cli::install_crypto_provider();
    let cases: Vec<&Case> = CASES
        .iter()
        .filter(|c| super::selected(c.0))
        // Rendering cases are about output files; they never reach a cluster.
        .filter(|c| {
            !c.1.iter()
                .any(|a| a.starts_with("--render") || *a == "-o" || *a == "--wait")
        })
        .collect();
    let mut failures = Vec::new();
    for case in &cases {
        let api = server();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let argv = std::iter::once("hosted-cluster".to_string()).chain(args_for(case));
        let code =
            hosted_cluster_cli::run_with_client(argv, api.client(), &mut out, &mut err).await;
        let run = Run {
            code,
            stdout: String::from_utf8_lossy(&out).into_owned(),
            stderr: String::from_utf8_lossy(&err).into_owned(),
        };
        let mut r = check_run(case.0, "applied", &run, case.3);
        if r.is_ok() && api.write_count() > 0 {
            r = Err(format!(
                "[cli/applied] {}: {} write request(s) reached the API server",
                case.0,
                api.write_count()
            ));
        }
        if let Err(e) = r {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cli (applied) cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_table_is_large_enough() {
    assert!(CASES.len() >= 150, "{}", CASES.len());
}

/// Commands other than `create cluster`: (id, arguments, what the error must name). Each must
/// exit non-zero, print nothing on stdout, and never reach a cluster or a MAAS (none is there).
const OTHER: &[(&str, &[&str], &[&str])] = &[
    (
        "destroy kubeconfig /dev/zero",
        &[
            "destroy",
            "cluster",
            "--name",
            "demo",
            "--kubeconfig",
            "/dev/zero",
        ],
        &["--kubeconfig", "device"],
    ),
    (
        "destroy kubeconfig directory",
        &[
            "destroy",
            "cluster",
            "--name",
            "demo",
            "--kubeconfig",
            "@@dir",
        ],
        &["--kubeconfig", "directory"],
    ),
    (
        "destroy kubeconfig fifo",
        &[
            "destroy",
            "cluster",
            "--name",
            "demo",
            "--kubeconfig",
            "@fifo",
        ],
        &["--kubeconfig", "FIFO"],
    ),
    (
        "destroy name empty",
        &["destroy", "cluster", "--name", ""],
        &["--name"],
    ),
    (
        "destroy namespace invalid",
        &[
            "destroy",
            "cluster",
            "--name",
            "demo",
            "--namespace",
            "Bad NS",
        ],
        &["--namespace"],
    ),
    (
        "destroy timeout negative",
        &[
            "destroy",
            "cluster",
            "--name",
            "demo",
            "--wait",
            "--timeout",
            "-5m",
        ],
        &["--timeout"],
    ),
    (
        "destroy timeout word",
        &[
            "destroy",
            "cluster",
            "--name",
            "demo",
            "--wait",
            "--timeout",
            "soon",
        ],
        &["--timeout"],
    ),
    (
        "kubeconfig name invalid",
        &["create", "kubeconfig", "--name", "Bad_Name"],
        &["--name"],
    ),
    (
        "kubeconfig kubeconfig /dev/zero",
        &[
            "create",
            "kubeconfig",
            "--name",
            "demo",
            "--kubeconfig",
            "/dev/zero",
        ],
        &["--kubeconfig", "device"],
    ),
    (
        "migrate name invalid",
        &["migrate", "credentials", "--name", "Bad_Name"],
        &["--name"],
    ),
    (
        "migrate namespace invalid",
        &[
            "migrate",
            "credentials",
            "--name",
            "demo",
            "--namespace",
            "Bad NS",
        ],
        &["--namespace"],
    ),
    (
        "migrate name missing",
        &["migrate", "credentials"],
        &["--name"],
    ),
    (
        "migrate kubeconfig /dev/zero",
        &[
            "migrate",
            "credentials",
            "--name",
            "demo",
            "--kubeconfig",
            "/dev/zero",
        ],
        &["--kubeconfig", "device"],
    ),
    (
        "migrate unknown what",
        &["migrate", "secrets", "--name", "demo"],
        &["secrets"],
    ),
    (
        "maas check endpoint no host",
        &[
            "maas",
            "check",
            "--maas-endpoint",
            "http:///MAAS",
            "--maas-api-key",
            "ck:tk:ts",
        ],
        &["--maas-endpoint", "no host"],
    ),
    (
        "maas check key dash",
        &[
            "maas",
            "check",
            "--maas-endpoint",
            "http://127.0.0.1:1/MAAS",
            "--maas-api-key",
            "ck:tk:t-s",
        ],
        &["--maas-api-key", "letters and digits"],
    ),
    (
        "maas placement file /dev/zero",
        &[
            "maas",
            "placement",
            "-f",
            "/dev/zero",
            "--maas-endpoint",
            "http://127.0.0.1:1/MAAS",
            "--maas-api-key",
            "ck:tk:ts",
        ],
        &["-f", "device"],
    ),
    (
        "maas placement file directory",
        &[
            "maas",
            "placement",
            "-f",
            "@@dir",
            "--maas-endpoint",
            "http://127.0.0.1:1/MAAS",
            "--maas-api-key",
            "ck:tk:ts",
        ],
        &["-f", "directory"],
    ),
    (
        "maas register password /dev/zero",
        &[
            "maas",
            "vm-hosts",
            "register",
            "--address",
            "10.0.0.9",
            "--trust-password-file",
            "/dev/zero",
            "--maas-endpoint",
            "http://127.0.0.1:1/MAAS",
            "--maas-api-key",
            "ck:tk:ts",
        ],
        &["--trust-password-file", "device"],
    ),
    (
        "maas register certificate fifo",
        &[
            "maas",
            "vm-hosts",
            "register",
            "--address",
            "10.0.0.9",
            "--certificate",
            "@fifo",
            "--key",
            "@ssh-ok",
            "--maas-endpoint",
            "http://127.0.0.1:1/MAAS",
            "--maas-api-key",
            "ck:tk:ts",
        ],
        &["--certificate", "FIFO"],
    ),
    (
        "render api endpoint missing file",
        &["render", "-f", "/nonexistent/x.yaml"],
        &["-f", "/nonexistent/x.yaml"],
    ),
];

#[test]
fn hostile_other_commands() {
    let cases: Vec<_> = OTHER.iter().filter(|c| super::selected(c.0)).collect();
    super::run_table("cli (other commands)", &cases, |(id, args, names)| {
        let args: Vec<String> = args.iter().map(|a| resolve(a)).collect();
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = suite::cli(&argv);
        check_run(id, "other", &run, names)
    });
}

/// The `--name` maximum is computed from every derived name and stated in `--help` (issue 11):
/// 46 for MAAS in the default namespace (63 minus `-maas-credentials`), and a name one longer
/// is refused on `--name` itself.
#[test]
fn the_name_maximum_is_in_the_help_and_enforced() {
    let run = suite::cli(&["create", "cluster", "maas", "--help"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let help = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("at most 46 characters"), "{help}");
    let ok = "a".repeat(46);
    let too_long = "a".repeat(47);
    let base: Vec<String> = acceptance_create_args(&pull_secret_file());
    let with_name = |n: &str| {
        let mut args = base.clone();
        let i = args.iter().position(|a| a == "--name").unwrap();
        args[i + 1] = n.to_string();
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        suite::cli(&argv)
    };
    assert_eq!(with_name(&ok).code, 0);
    let run = with_name(&too_long);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("--name") && run.stderr.contains("at most 46"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("--credentials-name") && !run.stderr.contains("--infra-id"),
        "{}",
        run.stderr
    );
}
