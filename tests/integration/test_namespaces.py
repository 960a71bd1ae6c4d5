"""Namespaces: new ones, joined ones (by path), time offsets, user namespace mappings, errors."""

import os
import subprocess

import pytest

from huskit import ns_inode, wait_for

ALL = {"pid": "pid", "network": "net", "ipc": "ipc", "uts": "uts", "mount": "mnt",
       "cgroup": "cgroup"}


def readlinks_script(names):
    return "; ".join(f"echo {n}=$(readlink /proc/self/ns/{n})" for n in names)


def parse_kv(out):
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def test_each_requested_namespace_is_new(ctx):
    b = ctx.bundle()
    for t in ALL:
        b.add_ns(t)
    b.sh(readlinks_script(ALL.values()) + "; echo pid1=$$; echo IFACES; cat /proc/net/dev")
    r = ctx.run(b)
    assert r.rc == 0, r
    got = parse_kv(r.out)
    for t, n in ALL.items():
        assert got[n] != ns_inode("self", n), f"{t} namespace is the host's"
        assert got[n].startswith(f"{n}:["), got[n]
    assert got["pid1"] == "1"
    # A new network namespace has only lo.
    netdev = r.out.split("IFACES\n", 1)[1].splitlines()[2:]  # two header lines
    assert [line.split(":")[0].strip() for line in netdev] == ["lo"], r.out


def test_namespaces_not_requested_are_shared_with_the_host(ctx):
    b = ctx.bundle()
    b.linux["namespaces"] = [{"type": "mount"}]
    b.config.pop("hostname", None)
    b.sh(readlinks_script(["pid", "net", "ipc", "uts", "cgroup", "mnt"]))
    r = ctx.run(b)
    assert r.rc == 0, r
    got = parse_kv(r.out)
    for n in ("pid", "net", "ipc", "uts", "cgroup"):
        assert got[n] == ns_inode("self", n), n
    assert got["mnt"] != ns_inode("self", "mnt")


def test_pid_namespace_makes_the_process_pid_1_and_uts_sets_hostname(ctx):
    b = ctx.bundle()
    b.config["hostname"] = "box-h"
    b.config["domainname"] = "dom-d"
    host_name = os.uname().nodename
    p = ctx.probe(b)
    assert p["pid"] == 1 and p["ppid"] == 0
    assert p["hostname"] == "box-h"
    assert p["domainname"] == "dom-d"
    assert os.uname().nodename == host_name


def test_cgroup_namespace_shows_root_cgroup_paths(ctx):
    b = ctx.bundle().add_ns("cgroup")
    p = ctx.probe(b)
    lines = p["cgroup"].splitlines()
    assert lines, p
    for line in lines:
        assert line.split(":", 2)[2] == "/", line
    b2 = ctx.bundle()
    p2 = ctx.probe(b2)
    assert any(line.endswith(":" + b2.cgpath) for line in p2["cgroup"].splitlines()), p2["cgroup"]


def test_time_namespace_applies_boottime_and_monotonic_offsets(ctx):
    if not os.path.exists("/proc/self/ns/time"):
        pytest.skip("kernel has no time namespaces")
    b = ctx.bundle().add_ns("time")
    boot, mono = 864000, 432000
    b.linux["timeOffsets"] = {"boottime": {"secs": boot, "nanosecs": 0},
                              "monotonic": {"secs": mono, "nanosecs": 0}}
    b.sh("cat /proc/uptime; readlink /proc/self/ns/time")
    before = float(open("/proc/uptime").read().split()[0])
    r = ctx.run(b)
    after = float(open("/proc/uptime").read().split()[0])
    assert r.rc == 0, r
    lines = r.out.split("\n")
    inside = float(lines[0].split()[0])
    assert before + boot - 1 <= inside <= after + boot + 1, (before, inside, after)
    assert lines[1] != ns_inode("self", "time")


def test_time_offsets_without_time_namespace_are_refused(ctx):
    b = ctx.bundle()
    b.linux["timeOffsets"] = {"boottime": {"secs": 10, "nanosecs": 0}}
    ctx.refused(b, "timeOffsets")


# ---------------------------------------------------------------- user namespace

def userns_bundle(ctx):
    b = ctx.bundle(userns_owner=(100000, 100000))
    b.add_ns("user")
    b.linux["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    b.linux["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    b.config["root"]["readonly"] = False
    return b


def test_user_namespace_maps_ids_and_files_are_owned_by_the_host_id(ctx):
    b = userns_bundle(ctx)
    b.sh("cat /proc/self/uid_map /proc/self/gid_map; readlink /proc/self/ns/user; "
         "touch /tmp/by-root; /probe")
    r = ctx.run(b)
    assert r.rc == 0, r
    lines = r.out.splitlines()
    assert lines[0].split() == ["0", "100000", "65536"]
    assert lines[1].split() == ["0", "100000", "65536"]
    assert lines[2] != ns_inode("self", "user")
    p = r.probe()
    assert (p["uid"], p["gid"]) == (0, 0)
    st = os.stat(b.rootfs / "tmp/by-root")
    assert (st.st_uid, st.st_gid) == (100000, 100000)


def test_user_namespace_with_non_root_process_user(ctx):
    b = userns_bundle(ctx)
    b.process["user"] = {"uid": 1000, "gid": 1000}
    b.sh("touch /tmp/by-app; /probe")
    r = ctx.run(b)
    assert r.rc == 0, r
    p = r.probe()
    assert (p["uid"], p["gid"]) == (1000, 1000)
    st = os.stat(b.rootfs / "tmp/by-app")
    assert (st.st_uid, st.st_gid) == (101000, 101000)


def test_user_namespace_without_mappings_is_refused(ctx):
    b = ctx.bundle().add_ns("user")
    ctx.refused(b, "Mappings")


# ---------------------------------------------------------------- joining by path

@pytest.fixture
def holder(ctx):
    """A process we own that sits in fresh net, uts and ipc namespaces."""
    p = ctx.spawn(["unshare", "--net", "--uts", "--ipc", "sleep", "120"])
    wait_for(lambda: ns_inode(p.pid, "net") != ns_inode("self", "net")
             and open(f"/proc/{p.pid}/comm").read().strip() == "sleep", what="unshare helper")
    return p.pid


def test_join_namespaces_by_path(ctx, holder):
    b = ctx.bundle()
    b.config.pop("hostname", None)
    for t in ("network", "uts", "ipc"):
        b.add_ns(t, f"/proc/{holder}/ns/{ALL[t]}")
    b.sh(readlinks_script(["net", "uts", "ipc", "pid"]))
    r = ctx.run(b)
    assert r.rc == 0, r
    got = parse_kv(r.out)
    for n in ("net", "uts", "ipc"):
        assert got[n] == ns_inode(holder, n), n
    assert got["pid"] != ns_inode("self", "pid")


def test_hostname_is_set_in_a_joined_uts_namespace(ctx, holder):
    b = ctx.bundle().add_ns("uts", f"/proc/{holder}/ns/uts")
    b.config["hostname"] = "joined-h"
    r = ctx.run(b)
    assert r.rc == 0, r
    out = subprocess.run(["nsenter", "-t", str(holder), "-u", "hostname"], capture_output=True,
                         text=True, timeout=10)
    assert out.stdout.strip() == "joined-h"


# ---------------------------------------------------------------- errors

def test_duplicate_namespace_type_is_refused(ctx):
    b = ctx.bundle()
    b.linux["namespaces"].append({"type": "network"})
    msg = ctx.refused(b, "linux.namespaces[")
    assert "network" in msg


def test_unknown_namespace_type_is_refused(ctx):
    b = ctx.bundle()
    b.linux["namespaces"].append({"type": "bogus"})
    ctx.refused(b, "linux.namespaces[", "bogus")


def test_namespace_path_of_the_wrong_type_is_refused(ctx, holder):
    b = ctx.bundle().add_ns("uts", f"/proc/{holder}/ns/net")
    msg = ctx.refused(b, "linux.namespaces[", f"/proc/{holder}/ns/net")
    assert "uts" in msg, msg
    assert ns_inode(holder, "net") != ns_inode("self", "net")


def test_namespace_path_that_does_not_exist_is_refused(ctx):
    b = ctx.bundle().add_ns("network", str(ctx.dir / "no-such-ns"))
    ctx.refused(b, "linux.namespaces[", "no-such-ns")


def test_namespace_path_that_is_not_a_namespace_is_refused(ctx):
    f = ctx.dir / "plain-file"
    f.write_text("x")
    b = ctx.bundle().add_ns("ipc", str(f))
    ctx.refused(b, "linux.namespaces[", "plain-file")
