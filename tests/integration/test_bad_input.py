"""Bad input: each case must give one clear error line that names the field or path, exit
nonzero, and leave nothing behind (no state dir, no cgroup, no mount, no process)."""

import json
import os
import time

import pytest

from huskit import assert_one_error, cgroup_dirs, mounts_under, parse_mountinfo


def refused(ctx, b, *needles, cmd="run", cid=None):
    """ctx.refused, and the state root holds nothing at all afterwards."""
    msg = ctx.refused(b, *needles, cmd=cmd, cid=cid)
    assert not ctx.root.exists() or list(ctx.root.iterdir()) == [], list(ctx.root.iterdir())
    return msg


# ---------------------------------------------------------------- broken JSON

@pytest.mark.parametrize("cmd", ["run", "create"])
def test_malformed_json(ctx, cmd):
    b = ctx.bundle()
    b.raw = '{"ociVersion": "1.0.2",, "process": {}}'
    msg = refused(ctx, b, "config.json", "line 1", cmd=cmd)
    assert "column" in msg


def test_truncated_json(ctx):
    b = ctx.bundle()
    full = json.dumps(b.config, indent=2)
    b.raw = full[: len(full) // 2]
    refused(ctx, b, "config.json")


def test_empty_config_file(ctx):
    b = ctx.bundle()
    b.raw = b""
    refused(ctx, b, "config.json")


def test_missing_config_file(ctx):
    b = ctx.bundle()
    cid = ctx.cid()
    r = ctx.husk("run", "-b", b.path, cid)  # never saved
    assert_one_error(r, "config.json")
    ctx.assert_nothing_left(b, cid)


def test_config_that_is_not_an_object(ctx):
    b = ctx.bundle()
    b.raw = "[1, 2, 3]"
    msg = refused(ctx, b)
    assert "config.json" in msg or "top level" in msg, msg


def test_five_mib_config_is_refused(ctx):
    b = ctx.bundle()
    b.config["annotations"] = {"big": "x" * (5 << 20)}
    refused(ctx, b, "config.json")


def test_deeply_nested_config_is_refused(ctx):
    b = ctx.bundle()
    body = json.dumps(b.config)
    b.raw = body[:-1] + ', "x-deep": ' + "[" * 100 + "]" * 100 + "}"
    refused(ctx, b, "config.json")


def test_duplicate_keys_are_refused(ctx):
    b = ctx.bundle()
    body = json.dumps(b.config)
    b.raw = body[:-1] + ', "hostname": "again"}'
    refused(ctx, b, "hostname")


# ---------------------------------------------------------------- wrong or missing fields

def _set(cfg, path, value):
    keys = path.split(".")
    for k in keys[:-1]:
        cfg = cfg[k]
    if value is DELETE:
        del cfg[keys[-1]]
    else:
        cfg[keys[-1]] = value


DELETE = object()

FIELD_CASES = [
    ("process.args", "sh", "process.args"),
    ("process.args", [], "process.args"),
    ("process.args", [1, 2], "process.args"),
    ("process.env", "A=1", "process.env"),
    ("process.cwd", 5, "process.cwd"),
    ("process.user.uid", "0", "process.user.uid"),
    ("process.user.uid", 4294967296, "process.user.uid: 4294967296 out of range"),
    ("process.user.uid", -1, "process.user.uid"),
    ("process.user.gid", 1.5, "process.user.gid"),
    ("process.user.additionalGids", [4294967296], "process.user.additionalGids"),
    ("process.noNewPrivileges", "yes", "process.noNewPrivileges"),
    ("process.oomScoreAdj", 1001, "process.oomScoreAdj"),
    ("process.oomScoreAdj", -1001, "process.oomScoreAdj"),
    ("process.rlimits", {"type": "RLIMIT_NOFILE"}, "process.rlimits"),
    ("process.capabilities.bounding", "CAP_KILL", "process.capabilities.bounding"),
    ("root.readonly", "true", "root.readonly"),
    ("root.path", "", "root.path"),
    ("root", DELETE, "root"),
    ("process", DELETE, "process"),
    ("process.args", DELETE, "process.args"),
    ("process.cwd", DELETE, "process.cwd"),
    ("mounts", {"destination": "/x"}, "mounts"),
    ("linux.namespaces", {"type": "pid"}, "linux.namespaces"),
    ("linux.resources.memory", {"limit": "lots"}, "linux.resources.memory.limit"),
    ("linux.resources.pids", {"limit": "many"}, "linux.resources.pids.limit"),
    ("linux.cgroupsPath", 7, "linux.cgroupsPath"),
    ("hostname", ["a"], "hostname"),
    ("ociVersion", 1, "ociVersion"),
    ("ociVersion", DELETE, "ociVersion"),
]


@pytest.mark.parametrize("path,value,needle", FIELD_CASES,
                         ids=[f"{p}={'<del>' if v is DELETE else json.dumps(v)}"[:60]
                              for p, v, _ in FIELD_CASES])
def test_wrong_or_missing_field_is_named(ctx, path, value, needle):
    b = ctx.bundle()
    _set(b.config, path, value)
    refused(ctx, b, needle)


def test_mount_without_destination(ctx):
    b = ctx.bundle()
    b.config["mounts"].append({"type": "tmpfs", "source": "tmpfs"})
    refused(ctx, b, "mounts[7]")


def test_relative_mount_destination_that_escapes(ctx):
    b = ctx.bundle()
    b.add_mount("../../escape", "tmpfs", "tmpfs")
    b.sh("true")
    # Either refused, or resolved inside the rootfs; never a host mount.
    r = ctx.run(b)
    assert mounts_under(ctx.dir) == []
    assert not (b.path / "escape").exists() and not (ctx.dir / "escape").exists()
    if r.rc != 0:
        assert_one_error(r, "mounts[7]")


# ---------------------------------------------------------------- ids

@pytest.mark.parametrize("bad", ["../x", "a/b", "", "x" * 1025, "-leading", ".hidden", "a b",
                                 "a\nb", "..", "."],
                         ids=["dotdot-slash", "slash", "empty", "1025", "leading-dash",
                              "leading-dot", "space", "newline", "dotdot", "dot"])
def test_bad_container_id_is_refused_before_anything_is_touched(ctx, bad):
    b = ctx.bundle()
    b.save()
    argv = ["run", "-b", b.path] + (["--", bad] if bad.startswith("-") else [bad])
    r = ctx.husk(*argv)
    msg = assert_one_error(r)
    assert "id" in msg.lower() or "flag" in msg.lower(), msg
    assert not ctx.root.exists() or list(ctx.root.iterdir()) == []
    assert not (ctx.dir / "x").exists()
    assert cgroup_dirs(b.cgpath) == []
    ctx.assert_nothing_left(b, "placeholder")


def test_id_of_255_chars_works(ctx):
    b = ctx.bundle().args("/probe", "exit", "0")
    cid = "A" + "b_.+-" * 50 + "xyzw"
    assert len(cid) == 255
    r = ctx.run(b, cid=cid)
    assert r.rc == 0, r


@pytest.mark.parametrize("length", [256, 1024])
def test_id_longer_than_a_file_name_is_refused_before_anything(ctx, length):
    # An id is a state directory name, so at most 255 characters (NAME_MAX); a longer one
    # is refused by the id check, before any file is touched.
    b = ctx.bundle().args("/probe", "exit", "0")
    cid = ("A" + "b_.+-" * 205)[:length]
    assert len(cid) == length
    r = ctx.run(b, cid=cid)
    assert r.rc != 0
    assert_one_error(r, "id")
    ctx.assert_nothing_left(b, cid)
    assert not ctx.root.exists() or list(ctx.root.iterdir()) == []


# ---------------------------------------------------------------- rootfs

def test_nonexistent_rootfs(ctx):
    b = ctx.bundle(rootfs=False)
    refused(ctx, b, "root.path", str(b.path / "rootfs"))


def test_rootfs_that_is_a_file(ctx):
    b = ctx.bundle(rootfs=False)
    (b.path / "rootfs").write_text("not a dir")
    refused(ctx, b, "root.path")


def test_rootfs_that_is_a_dangling_symlink(ctx):
    b = ctx.bundle(rootfs=False)
    os.symlink("/nonexistent/rootfs", b.path / "rootfs")
    refused(ctx, b, "root.path")


# ---------------------------------------------------------------- symlinks out of the rootfs

def snapshot(d):
    out = {}
    for root, dirs, files in os.walk(d):
        for n in dirs + files:
            p = os.path.join(root, n)
            st = os.lstat(p)
            out[p] = (st.st_mode, st.st_size, st.st_mtime_ns, st.st_uid)
    st = os.stat(d)
    out[d] = (st.st_mode, st.st_mtime_ns)
    return out


@pytest.mark.parametrize("kind", ["absolute", "relative"])
@pytest.mark.parametrize("mtype", ["tmpfs", "bind"])
def test_mount_destination_symlink_cannot_escape_the_rootfs(ctx, kind, mtype):
    sentinel = ctx.dir / "host-sentinel"
    sentinel.mkdir()
    (sentinel / "keep").write_text("untouched")
    old = time.time() - 3600
    os.utime(sentinel / "keep", (old, old))
    os.utime(sentinel, (old, old))
    before = snapshot(sentinel)
    b = ctx.bundle()
    b.config["root"]["readonly"] = False
    target = str(sentinel) if kind == "absolute" else "../" * 12 + str(sentinel).lstrip("/")
    os.symlink(target, b.rootfs / "evil")
    src = ctx.dir / "bind-src"
    src.mkdir()
    (src / "from-bind").write_text("b")
    if mtype == "tmpfs":
        b.add_mount("/evil", "tmpfs", "tmpfs", ["size=1m"])
    else:
        b.add_mount("/evil", "bind", src, ["rbind"])
    b.sh("echo pwned > /evil/pwned; ls /evil; cat /proc/self/mountinfo")
    r = ctx.run(b)
    assert snapshot(sentinel) == before, "the host directory behind the symlink changed"
    assert mounts_under(sentinel) == []
    assert not (sentinel / "pwned").exists()
    # Like runc (securejoin), the symlink is resolved inside the rootfs and the mount lands
    # there: at <rootfs>/<sentinel path>.
    assert r.rc == 0, r
    inside = parse_mountinfo(r.out)
    assert any(m["mountpoint"] == str(sentinel) for m in inside), r.out
    assert (b.rootfs / str(sentinel).lstrip("/")).is_dir()
    if mtype == "bind":
        assert sorted(os.listdir(src)) in (["from-bind", "pwned"], ["from-bind"])


def test_bind_mount_source_that_does_not_exist(ctx):
    b = ctx.bundle()
    missing = ctx.dir / "no-such-source"
    b.add_mount("/mnt/x", "bind", missing, ["bind"])
    refused(ctx, b, str(missing))


def test_mount_of_unknown_filesystem_type(ctx):
    b = ctx.bundle()
    b.add_mount("/mnt/x", "nosuchfs", "none")
    refused(ctx, b, "/mnt/x")


# ---------------------------------------------------------------- namespace / id mapping mistakes

def test_unknown_namespace(ctx):
    b = ctx.bundle()
    b.linux["namespaces"].append({"type": "nope"})
    refused(ctx, b, "linux.namespaces[", "nope")


def test_hostname_without_uts_namespace(ctx):
    b = ctx.bundle().drop_ns("uts")
    b.config["hostname"] = "nope"
    refused(ctx, b, "hostname")


def test_domainname_without_uts_namespace(ctx):
    b = ctx.bundle().drop_ns("uts")
    b.config.pop("hostname", None)
    b.config["domainname"] = "nope"
    refused(ctx, b, "domainname")


def test_mappings_without_user_namespace(ctx):
    b = ctx.bundle()
    b.linux["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    b.linux["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    refused(ctx, b, "Mappings")


def test_existing_id_is_refused_and_the_first_container_is_untouched(ctx):
    b1 = ctx.bundle().args("/probe", "sleep", "60")
    cid = ctx.cid()
    assert ctx.create(b1, cid).rc == 0
    before = ctx.state(cid)
    for cmd in ("create", "run"):
        b2 = ctx.bundle()
        b2.save()
        r = ctx.husk(cmd, "-b", b2.path, cid)
        assert_one_error(r, f"container with id exists: {cid}")
        assert cgroup_dirs(b2.cgpath) == []
        assert mounts_under(b2.path) == []
    assert ctx.state(cid) == before
    assert sorted(os.listdir(ctx.root / cid)) == ["exec.fifo", "state.json"]


# ---------------------------------------------------------------- not supported yet

UNSUPPORTED = [
    ("process.terminal", lambda b: b.process.__setitem__("terminal", True)),
    ("hooks", lambda b: b.config.__setitem__("hooks", {"createRuntime": [{"path": "/bin/true"}]})),
    ("linux.seccomp", lambda b: b.linux.__setitem__(
        "seccomp", {"defaultAction": "SCMP_ACT_ALLOW"})),
    ("process.apparmorProfile", lambda b: b.process.__setitem__("apparmorProfile", "unconfined")),
    ("process.selinuxLabel", lambda b: b.process.__setitem__(
        "selinuxLabel", "system_u:system_r:container_t:s0")),
    ("process.scheduler", lambda b: b.process.__setitem__("scheduler", {"policy": "SCHED_OTHER"})),
    ("process.ioPriority", lambda b: b.process.__setitem__(
        "ioPriority", {"class": "IOPRIO_CLASS_BE", "priority": 4})),
    ("process.execCPUAffinity", lambda b: b.process.__setitem__(
        "execCPUAffinity", {"initial": "0"})),
    ("linux.intelRdt", lambda b: b.linux.__setitem__("intelRdt", {"closID": "x"})),
    ("linux.personality", lambda b: b.linux.__setitem__("personality", {"domain": "LINUX"})),
    ("linux.memoryPolicy", lambda b: b.linux.__setitem__("memoryPolicy", {"mode": "MPOL_DEFAULT"})),
    ("linux.netDevices", lambda b: b.linux.__setitem__("netDevices", {"dummy0": {}})),
    ("tmpcopyup", lambda b: b.add_mount("/mnt/t", "tmpfs", "tmpfs", ["tmpcopyup"])),
    ("id-mapped", lambda b: b.add_mount(
        "/mnt/i", "bind", "/tmp", ["rbind", "idmap"],
        uidMappings=[{"containerID": 0, "hostID": 100000, "size": 65536}],
        gidMappings=[{"containerID": 0, "hostID": 100000, "size": 65536}])),
    ("linux.resources.blockIO", lambda b: b.linux["resources"].__setitem__(
        "blockIO", {"weight": 100})),
    ("linux.resources.hugepageLimits", lambda b: b.linux["resources"].__setitem__(
        "hugepageLimits", [{"pageSize": "2MB", "limit": 0}])),
    ("linux.resources.network", lambda b: b.linux["resources"].__setitem__(
        "network", {"classID": 1})),
    ("linux.resources.rdma", lambda b: b.linux["resources"].__setitem__(
        "rdma", {"mlx5_1": {"hcaHandles": 3}})),
    ("linux.resources.unified", lambda b: b.linux["resources"].__setitem__(
        "unified", {"pids.max": "10"})),
]


@pytest.mark.parametrize("field,apply", UNSUPPORTED, ids=[u[0] for u in UNSUPPORTED])
@pytest.mark.parametrize("cmd", ["create", "run"])
def test_unsupported_feature_is_refused_and_leaves_nothing(ctx, field, apply, cmd):
    b = ctx.bundle()
    apply(b)
    refused(ctx, b, field, "not supported by husk yet", cmd=cmd)
