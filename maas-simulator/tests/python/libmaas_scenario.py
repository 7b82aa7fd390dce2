"""Drive the MAAS simulator with python-libmaas 0.6.8 and check every answer.

Usage: libmaas_scenario.py URL API_KEY [USERNAME PASSWORD]

URL is the MAAS URL (http://127.0.0.1:PORT/MAAS/) and API_KEY the admin key. With a username
and password the scenario also logs in with them. Prints one line per step; exits 1 on the
first failure. Expects the simulator's default inventory.
"""

import sys
import traceback

from maas.client import connect, login
from maas.client.bones import CallError
from maas.client.enum import NodeStatus
from maas.client.viscera.machines import MachineNotFound

WAIT = 0.2  # seconds between polls while waiting for deploy/release


class StepFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise StepFailed(message)


def run(steps):
    for name, step in steps:
        try:
            detail = step()
        except Exception as error:  # report any failure, then stop
            print(f"FAIL {name}: {error!r}")
            traceback.print_exc()
            sys.exit(1)
        print(f"ok   {name}: {detail}")


def main():
    if len(sys.argv) not in (3, 5):
        print(__doc__)
        sys.exit(2)
    url, apikey = sys.argv[1], sys.argv[2]
    credentials = sys.argv[3:5]
    state = {}

    def do_connect():
        state["client"] = connect(url, apikey=apikey)
        return "built the client from describe/"

    def do_login():
        if not credentials:
            return "skipped (no username/password given)"
        client = login(url, username=credentials[0], password=credentials[1])
        me = client.users.whoami()
        check(me.username == credentials[0], f"logged in as {me.username}")
        return f"logged in as {me.username} with a password"

    def do_version():
        version = state["client"].version.get()
        check(version.version == "3.7.3", f"version {version.version}")
        check(tuple(version.version_info) == (3, 7, 3), f"version_info {version.version_info}")
        check("authenticate-api" in version.capabilities, "capabilities")
        return f"{version.version}, {len(version.capabilities)} capabilities"

    def do_whoami():
        me = state["client"].users.whoami()
        check(me.username == "admin" and me.is_admin, f"whoami {me.username} {me.is_admin}")
        return f"{me.username} (admin={me.is_admin})"

    def do_zones():
        client = state["client"]
        names = sorted(zone.name for zone in client.zones.list())
        check(names == ["az-1", "az-2", "default"], f"zones {names}")
        zone = client.zones.get("az-1")
        check(zone.description == "Rack A (row 1)", f"az-1 description {zone.description!r}")
        state["default_zone"] = client.zones.get("default")
        return ", ".join(names)

    def do_pools():
        client = state["client"]
        pools = {pool.id: pool.name for pool in client.resource_pools.list()}
        check(pools.get(0) == "default" and "k8s" in pools.values(), f"pools {pools}")
        check(client.resource_pools.get(0).name == "default", "pool 0")
        return f"{pools}"

    def do_machines():
        client = state["client"]
        machines = client.machines.list()
        check(len(machines) >= 8, f"{len(machines)} machines")
        statuses = {m.hostname: m.status for m in machines}
        check(statuses["node-01"] == NodeStatus.READY, "node-01 is Ready")
        check(statuses["kvm-01"] == NodeStatus.DEPLOYED, "kvm-01 is Deployed")
        picked = client.machines.list(hostnames=["node-01", "node-02"])
        check(sorted(m.hostname for m in picked) == ["node-01", "node-02"], "hostname filter")
        node = client.machines.get(picked[0].system_id)
        check(node.zone.name == "az-1" and node.cpus >= 1, "machine read")
        return f"{len(machines)} machines, hostname filter and get work"

    def do_allocate():
        machine = state["client"].machines.allocate(
            cpus=8, memory=16384, tags=["control-plane"], zone="az-1", comment="libmaas scenario"
        )
        check(machine.status == NodeStatus.ALLOCATED, f"status {machine.status_name}")
        check(machine.owner.username == "admin", f"owner {machine.owner}")
        check(machine.cpus >= 8 and machine.memory >= 16384, "constraints honoured")
        check("control-plane" in [tag.name for tag in machine.tags], "tag constraint")
        state["machine"] = machine
        return f"{machine.hostname} ({machine.system_id}) Allocated"

    def do_allocate_nothing():
        try:
            state["client"].machines.allocate(cpus=512)
        except MachineNotFound:
            return "cpus=512 -> MachineNotFound (HTTP 409)"
        raise StepFailed("allocate(cpus=512) succeeded")

    def do_deploy():
        machine = state["machine"]
        machine.deploy(
            user_data=b"#cloud-config\npackages: [jq]\n",
            distro_series="jammy",
            wait=True,
            wait_interval=WAIT,
        )
        check(machine.status == NodeStatus.DEPLOYED, f"status {machine.status_name}")
        check(machine.osystem == "ubuntu" and machine.distro_series == "jammy", "series")
        check(len(machine.ip_addresses) == 1, f"ip_addresses {machine.ip_addresses}")
        return f"{machine.hostname} Deployed ubuntu/{machine.distro_series} at {machine.ip_addresses[0]}"

    def do_release():
        machine = state["machine"]
        machine.release(comment="libmaas scenario done", wait=True, wait_interval=WAIT)
        check(machine.status == NodeStatus.READY, f"status {machine.status_name}")
        check(machine.owner is None, f"owner {machine.owner}")
        return f"{machine.hostname} Ready again"

    def do_pods():
        client = state["client"]
        pods = client.pods.list()
        check(sorted(p.name for p in pods) == ["lxd-01", "lxd-02"], "pod names")
        pod = client.pods.get(next(p.id for p in pods if p.name == "lxd-01"))
        check(pod.type == "lxd", f"type {pod.type}")
        check(pod.total["cores"] == 32 and pod.cpu_over_commit_ratio == 4.0, "totals")
        check(pod.used["cores"] == 4, f"used {pod.used}")
        check("composable" in pod.capabilities, "capabilities")
        check(pod.zone.name == "az-1", "zone")
        state["pod"] = pod
        return f"{len(pods)} pods; lxd-01 used {pod.used['cores']}/{pod.total['cores']} cores"

    def do_parameters():
        parameters = state["pod"].parameters()
        check(parameters["power_address"] == "10.10.1.2:8443", f"{parameters}")
        check(parameters["project"] == "maas", f"{parameters}")
        return f"power_address {parameters['power_address']}, project {parameters['project']}"

    def do_compose():
        client, pod = state["client"], state["pod"]
        composed = pod.compose(
            cores=2,
            memory=4096,
            storage="root:20(default)",
            hostname="scenario-vm",
            zone=state["default_zone"],
        )
        check(set(composed) == {"system_id", "resource_uri"}, f"{composed}")
        machine = client.machines.get(composed["system_id"])
        check(machine.hostname == "scenario-vm", "hostname")
        check(machine.status == NodeStatus.READY, f"status {machine.status_name}")
        check(machine.cpus == 2 and machine.memory == 4096, "size")
        pod = client.pods.get(pod.id)
        check(pod.used["cores"] == 6 and pod.used["memory"] == 8192 + 4096, f"used {pod.used}")
        state["composed"] = machine
        return f"{machine.hostname} ({machine.system_id}) Ready; pod used {pod.used['cores']} cores"

    def do_compose_too_big():
        pod = state["pod"]
        try:
            pod.compose(cores=64, memory=2048)
        except CallError as error:
            check(error.status == 400, f"status {error.status}")
            check(b"less than or equal to 32" in error.content, f"{error.content!r}")
            after = state["client"].pods.get(pod.id)
            check(after.used["cores"] == 6, "nothing leaked")
            return f"cores=64 -> HTTP 400 {error.content.decode()}"
        raise StepFailed("compose(cores=64) succeeded")

    def do_delete_machine():
        client, pod = state["client"], state["pod"]
        state["composed"].delete()
        pod = client.pods.get(pod.id)
        check(pod.used["cores"] == 4 and pod.used["memory"] == 8192, f"used {pod.used}")
        names = [m.hostname for m in client.machines.list()]
        check("scenario-vm" not in names, "machine gone")
        return f"scenario-vm decomposed; pod used back to {pod.used['cores']} cores"

    def do_pod_create_delete():
        client = state["client"]
        pod = client.pods.create(
            type="virsh",
            power_address="qemu+ssh://ubuntu@10.10.1.9/system",
            power_pass="libvirt",
            name="scenario-virsh",
            zone="az-2",
        )
        check(pod.type == "virsh" and pod.zone.name == "az-2", f"{pod.type} {pod.zone}")
        pod.delete()
        names = [p.name for p in client.pods.list()]
        check("scenario-virsh" not in names, f"pods {names}")
        return f"created and deleted pod {pod.id}"

    run(
        [
            ("connect", do_connect),
            ("login", do_login),
            ("version", do_version),
            ("users.whoami", do_whoami),
            ("zones", do_zones),
            ("resource_pools", do_pools),
            ("machines.list/get", do_machines),
            ("machines.allocate", do_allocate),
            ("machines.allocate (no match)", do_allocate_nothing),
            ("machine.deploy (wait)", do_deploy),
            ("machine.release (wait)", do_release),
            ("pods.list/get", do_pods),
            ("pod.parameters", do_parameters),
            ("pod.compose", do_compose),
            ("pod.compose (too big)", do_compose_too_big),
            ("machine.delete (composed)", do_delete_machine),
            ("pods.create/delete", do_pod_create_delete),
        ]
    )
    print("libmaas scenario passed")


if __name__ == "__main__":
    main()
