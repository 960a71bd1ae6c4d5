"""process.*: args, env, cwd, user, HOME, umask, rlimits, noNewPrivileges, oomScoreAdj,
capabilities, hostname/domainname, sysctl, and which fds reach the container."""

import os

import pytest

from huskit import assert_one_error, capmask, cap_names

RLIM_INF = -1


def have_cap(name):
    for line in open("/proc/self/status"):
        if line.startswith("CapEff:"):
            return bool(int(line.split()[1], 16) & capmask([name]))
    return False


def env_of(p):
    return dict(e.split("=", 1) for e in p["env"])


# ---------------------------------------------------------------- args / env / cwd

def test_args_are_passed_verbatim(ctx):
    b = ctx.bundle().args("/bin/echo", "a  b", "$HOME", "", "'q'", "ü")
    r = ctx.run(b)
    assert r.rc == 0, r
    assert r.out == "a  b $HOME  'q' ü\n"


def test_args_program_is_looked_up_in_the_container_path(ctx):
    b = ctx.bundle().args("echo", "via-path")
    b.process["env"] = ["PATH=/bin"]
    r = ctx.run(b)
    assert (r.rc, r.out) == (0, "via-path\n"), r


def test_missing_executable_fails_at_create_and_leaves_nothing(ctx):
    b = ctx.bundle().args("/no/such/binary")
    ctx.refused(b, "/no/such/binary", cmd="create")


def test_env_is_exactly_the_configured_list_plus_home(ctx):
    b = ctx.bundle()
    b.process["env"] = ["PATH=/bin", "A=1", "SPACED=x y", "EMPTY="]
    p = ctx.probe(b)
    assert p["env"] == ["PATH=/bin", "A=1", "SPACED=x y", "EMPTY=", "HOME=/root"]


@pytest.mark.parametrize("uid,home", [(0, "/root"), (1000, "/home/app"), (4242, "/")])
def test_home_comes_from_passwd_when_not_set(ctx, uid, home):
    b = ctx.bundle()
    b.process["user"] = {"uid": uid, "gid": uid}
    assert env_of(ctx.probe(b))["HOME"] == home


def test_home_in_env_is_kept(ctx):
    b = ctx.bundle()
    b.process["user"] = {"uid": 1000, "gid": 1000}
    b.process["env"] = ["HOME=/custom"]
    assert ctx.probe(b)["env"] == ["HOME=/custom"]


def test_cwd_is_applied(ctx):
    b = ctx.bundle()
    b.process["cwd"] = "/home/app"
    assert ctx.probe(b)["cwd"] == "/home/app"


def test_missing_cwd_is_created_like_runc(ctx):
    # runc creates a missing cwd (mkdir -p inside the rootfs, before the root is made ro).
    # (Debian's runc 1.1.5 does the same; checked here on a second bundle.)
    runc = ctx.runc()
    for rt in ("runc", "husk"):
        b = ctx.bundle()
        b.process["cwd"] = "/new/work/dir"
        if rt == "husk":
            assert ctx.probe(b)["cwd"] == "/new/work/dir"
        else:
            b.save()
            assert runc("run", "-b", b.path, ctx.cid()).probe()["cwd"] == "/new/work/dir"
        assert (b.rootfs / "new/work/dir").is_dir()


def test_cwd_that_is_a_file_is_an_error(ctx):
    b = ctx.bundle()
    b.process["cwd"] = "/etc/passwd"
    ctx.refused(b, "/etc/passwd")


def test_relative_cwd_is_refused(ctx):
    b = ctx.bundle()
    b.process["cwd"] = "relative/dir"
    ctx.refused(b, "process.cwd")


# ---------------------------------------------------------------- user

def test_user_ids_groups_and_umask(ctx):
    b = ctx.bundle()
    b.process["user"] = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20, 1001],
                         "umask": 0o027}
    p = ctx.probe(b)
    assert (p["uid"], p["euid"], p["gid"], p["egid"]) == (1000, 1000, 1001, 1001)
    assert sorted(p["groups"]) == [10, 20, 1001]
    assert p["umask"] == 0o027


def test_default_user_is_root_with_umask_0022_and_no_groups(ctx):
    runc = ctx.runc()
    b = ctx.bundle()
    p = ctx.probe(b)
    assert (p["uid"], p["gid"], p["umask"], p["groups"]) == (0, 0, 0o022, [])
    b.config["linux"]["cgroupsPath"] = ctx.cgpath()
    b.save()
    r = runc("run", "-b", b.path, ctx.cid())
    assert p["groups"] == r.probe()["groups"]


# ---------------------------------------------------------------- rlimits, nnp, oom

def test_rlimits_are_applied(ctx):
    b = ctx.bundle()
    b.process["rlimits"] = [
        {"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200},
        {"type": "RLIMIT_CORE", "soft": 0, "hard": 4096},
        {"type": "RLIMIT_NPROC", "soft": 500, "hard": 600},
        {"type": "RLIMIT_MSGQUEUE", "soft": 8192, "hard": 8192},
    ]
    p = ctx.probe(b)
    rl = p["rlimits"]
    assert rl["RLIMIT_NOFILE"] == [100, 200]
    assert rl["RLIMIT_CORE"] == [0, 4096]
    assert rl["RLIMIT_NPROC"] == [500, 600]
    assert rl["RLIMIT_MSGQUEUE"] == [8192, 8192]


def test_rlimit_soft_above_hard_is_refused(ctx):
    b = ctx.bundle()
    b.process["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 300, "hard": 200}]
    ctx.refused(b, "process.rlimits[0]")


def test_unknown_rlimit_is_refused(ctx):
    b = ctx.bundle()
    b.process["rlimits"] = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]
    ctx.refused(b, "RLIMIT_BOGUS")


@pytest.mark.parametrize("nnp,want", [(True, "1"), (False, "0")])
def test_no_new_privileges(ctx, nnp, want):
    b = ctx.bundle()
    b.process["noNewPrivileges"] = nnp
    assert ctx.probe(b)["no_new_privs"] == want


@pytest.mark.parametrize("adj", [500, -300, 1000, -1000])
def test_oom_score_adj(ctx, adj):
    if adj < 0 and not have_cap("CAP_SYS_RESOURCE"):
        pytest.skip("lowering oom_score_adj needs CAP_SYS_RESOURCE, which this host's root lacks")
    b = ctx.bundle()
    b.process["oomScoreAdj"] = adj
    mine = open("/proc/self/oom_score_adj").read()
    assert ctx.probe(b)["oom_score_adj"] == str(adj)
    assert open("/proc/self/oom_score_adj").read() == mine, "the caller's score changed"


# ---------------------------------------------------------------- capabilities

CAPCFG = {
    "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETUID",
                 "CAP_SETGID", "CAP_AUDIT_WRITE"],
    "effective": ["CAP_KILL", "CAP_NET_RAW", "CAP_NET_BIND_SERVICE"],
    "permitted": ["CAP_KILL", "CAP_NET_RAW", "CAP_NET_BIND_SERVICE", "CAP_CHOWN"],
    "inheritable": ["CAP_NET_BIND_SERVICE", "CAP_SETGID"],
    "ambient": ["CAP_NET_BIND_SERVICE", "CAP_CHOWN", "CAP_SETGID"],
}


def caps_of(p):
    return {k: int(p["cap_" + k], 16) for k in ("inh", "prm", "eff", "bnd", "amb")}


def describe(c):
    return {k: cap_names(v) for k, v in c.items()}


@pytest.mark.parametrize("uid", [0, 1000])
def test_capability_sets_match_runc(ctx, uid):
    runc = ctx.runc()
    b = ctx.bundle()
    b.process["capabilities"] = CAPCFG
    b.process["user"] = {"uid": uid, "gid": uid}
    hc = caps_of(ctx.probe(b))
    b.config["linux"]["cgroupsPath"] = ctx.cgpath()
    b.save()
    r = runc("run", "-b", b.path, ctx.cid())
    rc_ = caps_of(r.probe())
    assert hc == rc_, (describe(hc), describe(rc_))
    assert hc["bnd"] == capmask(CAPCFG["bounding"])
    assert hc["inh"] == capmask(CAPCFG["inheritable"])
    # ambient is raised only for caps that are also inheritable and permitted
    assert hc["amb"] == capmask(["CAP_NET_BIND_SERVICE"]), describe(hc)
    if uid == 1000:
        # a non-root exec keeps only the ambient set
        assert hc["prm"] == hc["eff"] == capmask(["CAP_NET_BIND_SERVICE"]), describe(hc)


def test_inheritable_and_ambient_stay_empty_unless_asked(ctx):
    b = ctx.bundle()
    b.process["capabilities"] = {"bounding": ["CAP_KILL", "CAP_CHOWN"],
                                 "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}
    c = caps_of(ctx.probe(b))
    assert c["inh"] == 0 and c["amb"] == 0, describe(c)
    assert c["bnd"] == capmask(["CAP_KILL", "CAP_CHOWN"])
    assert c["prm"] == c["eff"] == capmask(["CAP_KILL"]), describe(c)


def test_no_capabilities_object_means_no_capabilities_like_runc(ctx):
    runc = ctx.runc()
    b = ctx.bundle()
    del b.process["capabilities"]
    c = caps_of(ctx.probe(b))
    b.config["linux"]["cgroupsPath"] = ctx.cgpath()
    b.save()
    rcaps = caps_of(runc("run", "-b", b.path, ctx.cid()).probe())
    assert rcaps == {"inh": 0, "prm": 0, "eff": 0, "bnd": 0, "amb": 0}, describe(rcaps)
    assert c == rcaps, describe(c)


def test_unknown_capability_handling_matches_runc(ctx):
    runc = ctx.runc()
    b = ctx.bundle()
    b.process["capabilities"]["bounding"].append("CAP_BOGUS")
    cid = ctx.cid()
    h = ctx.run(b, cid=cid)
    b.config["linux"]["cgroupsPath"] = ctx.cgpath()
    b.save()
    r = runc("run", "-b", b.path, ctx.cid())
    assert (h.rc == 0) == (r.rc == 0), (h, r)
    if h.rc != 0:
        assert_one_error(h, "CAP_BOGUS")
        ctx.assert_nothing_left(b, cid)


# ---------------------------------------------------------------- sysctl

def test_namespaced_sysctls_are_applied_inside_only(ctx):
    b = ctx.bundle()
    b.linux["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789",
                         "net.ipv4.ping_group_range": "0 2147483647"}
    host_fwd = open("/proc/sys/net/ipv4/ip_forward").read()
    host_shm = open("/proc/sys/kernel/shmmax").read()
    b.sh("cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax "
         "/proc/sys/net/ipv4/ping_group_range")
    r = ctx.run(b)
    assert r.rc == 0, r
    assert r.out.split() == ["1", "123456789", "0", "2147483647"], r.out
    assert open("/proc/sys/net/ipv4/ip_forward").read() == host_fwd
    assert open("/proc/sys/kernel/shmmax").read() == host_shm


@pytest.mark.parametrize("key,value,drop", [
    ("vm.swappiness", "10", None),                 # not namespaced at all
    ("net.ipv4.ip_forward", "1", "network"),       # host network namespace
    ("kernel.shmmax", "1234", "ipc"),              # host ipc namespace
    ("kernel.hostname", "x", "uts"),               # host uts namespace (hostname dropped)
    ("../../etc/passwd", "1", None),               # not a sysctl name
])
def test_sysctl_not_allowed_is_refused(ctx, key, value, drop):
    b = ctx.bundle()
    if drop:
        b.drop_ns(drop)
    if drop == "uts":
        b.config.pop("hostname", None)
    b.linux["sysctl"] = {key: value}
    files = ("/proc/sys/vm/swappiness", "/proc/sys/net/ipv4/ip_forward",
             "/proc/sys/kernel/shmmax", "/proc/sys/kernel/hostname")
    before = {f: open(f).read() for f in files}
    ctx.refused(b, key)
    assert before == {f: open(f).read() for f in before}


# ---------------------------------------------------------------- file descriptors

def test_only_stdio_reaches_the_container(ctx):
    b = ctx.bundle()
    leak = os.open(ctx.dir / "leak.txt", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        os.set_inheritable(leak, True)
        b.save()
        r = ctx.husk("run", "-b", b.path, ctx.cid(), pass_fds=(leak,))
    finally:
        os.close(leak)
    p = r.probe()
    assert [f["fd"] for f in p["fds"]] == [0, 1, 2], p["fds"]
    assert p["fds"][0]["target"] == "/dev/null"


def test_preserve_fds_passes_fd_3(ctx):
    b = ctx.bundle()
    b.save()
    r = ctx.husk("run", "--preserve-fds", "1", "-b", b.path, ctx.cid(), fd3=ctx.dir / "kept.txt")
    p = r.probe()
    fds = {f["fd"]: f["target"] for f in p["fds"]}
    assert sorted(fds) == [0, 1, 2, 3], p["fds"]
    assert fds[3].endswith("kept.txt"), fds


def test_preserve_fds_without_those_fds_open_is_an_error(ctx):
    b = ctx.bundle()
    b.save()
    cid = ctx.cid()
    r = ctx.husk("run", "--preserve-fds", "2", "-b", b.path, cid, fd3=ctx.dir / "only3.txt")
    assert_one_error(r, "preserve")
    ctx.assert_nothing_left(b, cid)
