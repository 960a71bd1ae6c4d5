"""Root filesystem and mounts: readonly root, root.path forms, bind/tmpfs mounts and their
options, propagation, rro, --no-pivot, /dev, linux.devices, masked/readonly paths, cgroup mount."""

import contextlib
import os
import subprocess

import pytest

from huskit import find_mount, parse_mountinfo

EROFS = "Read-only file system"


@contextlib.contextmanager
def host_tmpfs(path):
    """A tmpfs mounted on the host for the duration of the block (a sub-mount to bind)."""
    os.makedirs(path, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "hk-sub", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def sh_out(ctx, b, script, rc=0):
    b.sh(script)
    r = ctx.run(b)
    if rc is not None:
        assert r.rc == rc, r
    return r.out


def container_mounts(ctx, b, script="cat /proc/self/mountinfo"):
    return parse_mountinfo(sh_out(ctx, b, script))


# ---------------------------------------------------------------- root

def test_readonly_root_refuses_writes(ctx):
    b = ctx.bundle()
    b.config["root"]["readonly"] = True
    out = sh_out(ctx, b, "touch /newfile 2>&1; echo rc=$?; touch /tmp/x 2>&1; echo rc=$?")
    assert out.count(EROFS) == 2, out
    assert "rc=0" not in out
    assert not (b.rootfs / "newfile").exists()
    m = find_mount(container_mounts(ctx, b), "/")
    assert "ro" in m["options"], m


def test_writable_root_writes_land_in_the_bundle(ctx):
    b = ctx.bundle()
    b.config["root"]["readonly"] = False
    sh_out(ctx, b, "echo hello > /newfile")
    assert (b.rootfs / "newfile").read_text() == "hello\n"


def test_relative_root_path_is_relative_to_the_bundle(ctx):
    b = ctx.bundle()
    os.rename(b.rootfs, b.path / "other-root")
    b.config["root"]["path"] = "other-root"
    cid = ctx.cid()
    b.args("/probe", "sleep", "30")
    assert ctx.create(b, cid).rc == 0
    assert ctx.state(cid)["rootfs"] == str(b.path / "other-root")
    assert ctx.husk("delete", "-f", cid).rc == 0
    assert ctx.probe(b)["cwd"] == "/"


def test_absolute_root_path_outside_the_bundle(ctx):
    b = ctx.bundle()
    elsewhere = ctx.dir / "elsewhere-rootfs"
    os.rename(b.rootfs, elsewhere)
    b.config["root"]["path"] = str(elsewhere)
    cid = ctx.cid()
    b.args("/probe", "sleep", "30")
    assert ctx.create(b, cid).rc == 0
    assert ctx.state(cid)["rootfs"] == str(elsewhere)
    assert ctx.husk("delete", "-f", cid).rc == 0
    assert ctx.probe(b)["pid"] == 1


def test_no_pivot_runs_the_container(ctx):
    b = ctx.bundle()
    p = ctx.probe(b, "--no-pivot")
    assert p["pid"] == 1 and p["cwd"] == "/"
    out = sh_out(ctx, b, "ls /; cat /proc/self/mountinfo")
    assert "probe" in out.split()
    # The host's directories are not reachable.
    assert "husk-it" not in " ".join(m["mountpoint"] for m in parse_mountinfo(out))


# ---------------------------------------------------------------- bind mounts

def test_bind_mount_file_and_directory(ctx):
    b = ctx.bundle()
    b.config["root"]["readonly"] = False
    src_dir = ctx.dir / "share"
    src_dir.mkdir()
    (src_dir / "in.txt").write_text("from-host")
    src_file = ctx.dir / "single.txt"
    src_file.write_text("one-file")
    b.add_mount("/mnt/share", "bind", src_dir, ["bind"])
    b.add_mount("/etc/single.txt", "bind", src_file, ["bind", "ro"])
    out = sh_out(ctx, b, "cat /mnt/share/in.txt; echo; cat /etc/single.txt; echo; "
                         "echo written > /mnt/share/out.txt; "
                         "{ echo x >> /etc/single.txt; } 2>&1; echo rc=$?")
    lines = out.splitlines()
    assert lines[0] == "from-host" and lines[1] == "one-file", out
    assert EROFS in out
    assert (src_dir / "out.txt").read_text() == "written\n"
    assert src_file.read_text() == "one-file"
    # mount points were created inside the rootfs, not elsewhere
    assert (b.rootfs / "mnt/share").is_dir()
    assert (b.rootfs / "etc/single.txt").is_file()


def test_ro_bind_mount_refuses_writes(ctx):
    b = ctx.bundle()
    src = ctx.dir / "rosrc"
    src.mkdir()
    b.add_mount("/mnt/ro", "bind", src, ["rbind", "ro"])
    out = sh_out(ctx, b, "touch /mnt/ro/x 2>&1; echo rc=$?")
    assert EROFS in out and "rc=1" in out, out
    assert list(src.iterdir()) == []


def test_relative_bind_source_is_resolved_against_the_bundle(ctx):
    b = ctx.bundle()
    (b.path / "data").mkdir()
    (b.path / "data" / "marker").write_text("bundle-relative")
    b.add_mount("/mnt/data", "bind", "data", ["bind"])
    out = sh_out(ctx, b, "cat /mnt/data/marker")
    assert out == "bundle-relative"


def test_bind_without_r_hides_submounts_rbind_shows_them(ctx):
    src = ctx.dir / "tree"
    src.mkdir()
    with host_tmpfs(src / "sub"):
        (src / "sub" / "deep").write_text("in-submount")
        b = ctx.bundle()
        b.add_mount("/mnt/bind", "bind", src, ["bind"])
        b.add_mount("/mnt/rbind", "bind", src, ["rbind"])
        out = sh_out(ctx, b, "cat /mnt/rbind/sub/deep; echo; ls /mnt/bind/sub; echo end")
    assert out.splitlines() == ["in-submount", "end"], out


def kernel_at_least(major, minor):
    v = os.uname().release.split("-")[0].split(".")
    return (int(v[0]), int(v[1])) >= (major, minor)


def test_rro_makes_submounts_read_only_too(ctx):
    if not kernel_at_least(5, 12):
        pytest.skip("rro needs mount_setattr (Linux 5.12)")
    src = ctx.dir / "tree"
    src.mkdir()
    with host_tmpfs(src / "sub"):
        b = ctx.bundle()
        b.add_mount("/mnt/rro", "bind", src, ["rbind", "rro"])
        b.add_mount("/mnt/ro", "bind", src, ["rbind", "ro"])
        out = sh_out(ctx, b, "touch /mnt/rro/sub/a 2>&1; echo rc=$?; "
                             "touch /mnt/rro/b 2>&1; echo rc=$?; "
                             "touch /mnt/ro/sub/c; echo rc=$?; "
                             "touch /mnt/ro/d 2>&1; echo rc=$?")
        created = sorted(os.listdir(src / "sub"))
    lines = [line for line in out.splitlines() if line.startswith("rc=")]
    assert lines == ["rc=1", "rc=1", "rc=0", "rc=1"], out
    # plain ro is not recursive: only the sub-mount got the file
    assert created == ["c"]
    assert not (src / "b").exists() and not (src / "d").exists()


# ---------------------------------------------------------------- tmpfs

def test_tmpfs_mount_options_are_applied(ctx):
    b = ctx.bundle()
    b.add_mount("/scratch", "tmpfs", "tmpfs", ["nosuid", "nodev", "noexec", "size=1m", "mode=1770"])
    mounts = container_mounts(ctx, b, "cat /proc/self/mountinfo; stat -c 'mode=%a' /scratch")
    m = find_mount(mounts, "/scratch")
    assert m is not None and m["fstype"] == "tmpfs", mounts
    assert {"nosuid", "nodev", "noexec"} <= set(m["options"]), m
    assert "size=1024k" in m["superopts"] and "mode=1770" in m["superopts"], m


def test_tmpfs_size_limit_is_enforced(ctx):
    b = ctx.bundle()
    b.add_mount("/scratch", "tmpfs", "tmpfs", ["size=64k"])
    out = sh_out(ctx, b, "{ head -c 200000 /dev/zero > /scratch/big; } 2>/dev/null; echo rc=$?; "
                         "stat -c %s /scratch/big")
    lines = out.splitlines()
    assert lines[0] == "rc=1", out
    assert 0 < int(lines[1]) <= 65536, out


# ---------------------------------------------------------------- propagation

def root_propagation_of(mounts, mountpoint):
    m = find_mount(mounts, mountpoint)
    tags = [t.split(":")[0] for t in m["optional"]]
    return sorted(tags)


@pytest.mark.parametrize("opt,want", [("shared", ["shared"]), ("rshared", ["shared"]),
                                      ("private", []), ("rprivate", []),
                                      ("unbindable", ["unbindable"]),
                                      ("runbindable", ["unbindable"])])
def test_mount_propagation_option_like_runc(ctx, opt, want):
    src = ctx.dir / "psrc"
    src.mkdir()
    b = ctx.bundle()
    b.add_mount("/mnt/p", "bind", src, ["rbind", opt])
    assert root_propagation_of(container_mounts(ctx, b), "/mnt/p") == want
    # runc 1.1.5 gives the same on this host
    runc = ctx.runc()
    b.config["linux"]["cgroupsPath"] = ctx.cgpath()
    b.save()
    r = runc("run", "-b", b.path, ctx.cid())
    assert r.rc == 0, r
    assert root_propagation_of(parse_mountinfo(r.out), "/mnt/p") == want


@pytest.mark.parametrize("prop,want", [("shared", ["shared"]), ("rshared", ["shared"]),
                                       ("private", []), ("rprivate", []),
                                       ("slave", []), ("rslave", [])])
def test_rootfs_propagation_applies_to_the_container_root(ctx, prop, want):
    # The host's / is private here, so a slave mount has no master.
    if root_propagation_of(parse_mountinfo(open("/proc/self/mountinfo").read()), "/"):
        pytest.skip("host / is not private; expectations assume a private host root")
    b = ctx.bundle()
    b.linux["rootfsPropagation"] = prop
    assert root_propagation_of(container_mounts(ctx, b), "/") == want


def test_bad_rootfs_propagation_is_refused(ctx):
    b = ctx.bundle()
    b.linux["rootfsPropagation"] = "sideways"
    ctx.refused(b, "rootfsPropagation")


# ---------------------------------------------------------------- /dev

DEV_NODES = {"null": (1, 3), "zero": (1, 5), "full": (1, 7), "random": (1, 8),
             "urandom": (1, 9), "tty": (5, 0)}
DEV_LINKS = {"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1",
             "stderr": "/proc/self/fd/2", "ptmx": "pts/ptmx"}


def test_default_dev_contents(ctx):
    b = ctx.bundle()
    script = ("for n in null zero full random urandom tty; do "
              "stat -c '%n %F %a %t %T %u %g' /dev/$n; done; "
              "for l in fd stdin stdout stderr ptmx; do echo /dev/$l $(readlink /dev/$l); done; "
              "echo x > /dev/null && echo null-ok; head -c 4 /dev/zero | wc -c; ls /dev")
    out = sh_out(ctx, b, script)
    lines = out.splitlines()
    for i, (n, (ma, mi)) in enumerate(DEV_NODES.items()):
        f = lines[i].split(" ", 1)[1].rsplit(" ", 5)
        assert lines[i].startswith(f"/dev/{n} character special file"), lines[i]
        assert f[1:] == ["666", format(ma, "x"), format(mi, "x"), "0", "0"], lines[i]
    for j, (n, t) in enumerate(DEV_LINKS.items()):
        assert lines[len(DEV_NODES) + j] == f"/dev/{n} {t}", out
    assert "null-ok" in lines and "4" in lines, out
    listing = set(out.split())
    assert {"pts", "shm", "mqueue"} <= listing
    for bad in ("sda", "vda", "kmsg", "mem", "port"):
        assert bad not in listing, out


def test_linux_devices_are_created_with_mode_and_owner(ctx):
    b = ctx.bundle()
    b.linux["devices"] = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3,
                           "fileMode": 0o600, "uid": 1000, "gid": 1001}]
    b.process["user"] = {"uid": 1000, "gid": 1001}  # the owner can write to it
    out = sh_out(ctx, b, "stat -c '%F %a %t %T %u %g' /dev/mynull; "
                         "echo hi > /dev/mynull && echo ok")
    assert out.splitlines() == ["character special file 600 1 3 1000 1001", "ok"], out


def test_linux_devices_in_a_subdirectory(ctx):
    b = ctx.bundle()
    b.linux["devices"] = [{"path": "/dev/sub/dir/zero", "type": "c", "major": 1, "minor": 5}]
    out = sh_out(ctx, b, "stat -c '%F %t %T' /dev/sub/dir/zero; "
                         "head -c 3 /dev/sub/dir/zero | wc -c")
    assert out.splitlines() == ["character special file 1 5", "3"], out


# ---------------------------------------------------------------- masked / readonly paths

def test_masked_paths_hide_files_and_directories(ctx):
    b = ctx.bundle()
    b.config["root"]["readonly"] = False
    (b.rootfs / "etc/secret").write_text("top-secret")
    (b.rootfs / "secretdir").mkdir()
    (b.rootfs / "secretdir/inner").write_text("hidden")
    b.linux["maskedPaths"] = ["/etc/secret", "/secretdir", "/does/not/exist"]
    out = sh_out(ctx, b, "cat /etc/secret; echo '|'; ls -A /secretdir; echo '|'; "
                         "touch /secretdir/new 2>&1; echo rc=$?; stat -c '%t %T' /etc/secret; "
                         "cat /proc/self/mountinfo")
    parts = out.split("|")
    assert parts[0].strip() == "", out
    assert parts[1].strip() == "", out
    assert EROFS in parts[2] and "rc=1" in parts[2], out
    assert "1 3" in parts[2], "a masked file is /dev/null bound over it"
    m = find_mount(parse_mountinfo(out), "/secretdir")
    assert m and m["fstype"] == "tmpfs" and "ro" in m["options"], m
    assert (b.rootfs / "secretdir/inner").read_text() == "hidden"
    assert not (b.rootfs / "does").exists()


def test_default_masked_proc_paths(ctx):
    b = ctx.bundle()
    out = sh_out(ctx, b, "cat /proc/keys | wc -c; ls /proc/acpi 2>/dev/null | wc -l")
    assert out.split() == ["0", "0"], out


def test_readonly_paths_refuse_writes(ctx):
    b = ctx.bundle()
    b.config["root"]["readonly"] = False
    (b.rootfs / "rodir").mkdir()
    b.linux["readonlyPaths"] = ["/rodir", "/proc/sys", "/not/there"]
    out = sh_out(ctx, b, "touch /rodir/x 2>&1; echo rc=$?; touch /ok && echo ok; "
                         "{ echo 1 > /proc/sys/kernel/ns_last_pid; } 2>&1; echo rc=$?")
    assert out.count(EROFS) == 2, out
    assert "ok" in out.split()
    assert not (b.rootfs / "rodir/x").exists()


# ---------------------------------------------------------------- cgroup mount

def test_cgroup_mount_shows_the_containers_own_cgroups_read_only(ctx):
    b = ctx.bundle()
    out = sh_out(ctx, b, "ls /sys/fs/cgroup; echo '|'; cat /sys/fs/cgroup/pids/cgroup.procs; "
                         "echo '|'; { echo 5 > /sys/fs/cgroup/pids/pids.max; } 2>&1; echo rc=$?; "
                         "cat /proc/self/mountinfo")
    parts = out.split("|")
    listing = set(parts[0].split())
    assert {"pids", "memory", "cpu", "devices"} <= listing, out
    procs = [int(x) for x in parts[1].split()]
    assert 1 in procs and max(procs) < 10, "only the container's own processes are listed"
    assert EROFS in parts[2], out
    mounts = parse_mountinfo(parts[2])
    for ctrl in ("pids", "memory"):
        m = find_mount(mounts, f"/sys/fs/cgroup/{ctrl}")
        assert m["root"] == b.cgpath, m
        assert "ro" in m["options"], m


def test_cgroup_mount_root_is_not_writable_like_runc(ctx):
    # runc makes the /sys/fs/cgroup tmpfs 0555, so a container without
    # CAP_DAC_OVERRIDE cannot create entries in it.
    runc = ctx.runc()
    b = ctx.bundle()
    b.sh("stat -c %a /sys/fs/cgroup; mkdir /sys/fs/cgroup/x 2>/dev/null; echo rc=$?")
    h = ctx.run(b)
    b.config["linux"]["cgroupsPath"] = ctx.cgpath()
    b.save()
    r = runc("run", "-b", b.path, ctx.cid())
    assert r.rc == 0 and h.rc == 0, (h, r)
    assert h.out == r.out, (h.out, r.out)
