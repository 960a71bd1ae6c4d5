"""Container lifecycle: run/create/start/kill/delete/state, exit codes, wrong-state errors."""

import json
import os
import re
import signal
import time

import pytest

from huskit import (assert_one_error, cgroup_dirs, finish_background, pid_alive, proc_stat,
                    wait_for)

# The container waits until the host creates <rootfs>/gate, then runs the rest.
GATE = "while [ ! -e /gate ]; do sleep 0.02; done"


def open_gate(b):
    (b.rootfs / "gate").write_text("")


# ---------------------------------------------------------------- exit codes

@pytest.mark.parametrize("code", [0, 3, 255])
def test_run_exits_with_the_container_status_and_deletes_it(ctx, code):
    b = ctx.bundle().args("/probe", "exit", str(code))
    cid = ctx.cid()
    r = ctx.run(b, cid=cid)
    assert r.rc == code, r
    assert r.err == "", r
    assert not (ctx.root / cid).exists()
    assert cgroup_dirs(b.cgpath) == []


def test_run_exit_status_is_128_plus_signal_when_the_process_kills_itself(ctx):
    # Without its own pid namespace the process is not an init, so it can kill itself.
    b = ctx.bundle().drop_ns("pid").sh("kill -USR1 $$; sleep 5")
    r = ctx.run(b)
    assert r.rc == 128 + signal.SIGUSR1, r


def test_run_exit_status_is_137_when_killed_from_outside(ctx):
    b = ctx.bundle().args("/probe", "sleep", "60")
    cid = ctx.cid()
    b.save()
    p = ctx.husk("run", "-b", b.path, cid, background=True)
    wait_for(lambda: (ctx.root / cid / "state.json").exists() and ctx.status(cid) == "running",
             what="foreground run to be running")
    k = ctx.husk("kill", cid, "KILL")
    assert k.rc == 0, k
    r = finish_background(p)
    assert r.rc == 137, r
    assert not (ctx.root / cid).exists()
    assert cgroup_dirs(b.cgpath) == []


# ---------------------------------------------------------------- create / start / state

def test_create_start_and_exit_walk_through_created_running_stopped(ctx):
    b = ctx.bundle().sh(GATE + "; exit 0")
    cid = ctx.cid()
    st = ctx.created(b, cid)
    assert st["status"] == "created"
    assert st["id"] == cid
    assert isinstance(st["pid"], int) and st["pid"] > 0
    assert pid_alive(st["pid"])
    assert (ctx.root / cid / "exec.fifo").exists()
    assert oct((ctx.root / cid / "state.json").stat().st_mode & 0o7777) == "0o600"
    assert oct((ctx.root / cid).stat().st_mode & 0o7777) == "0o700"
    assert st["bundle"] == str(b.path)
    assert st["rootfs"] == str(b.rootfs)

    r = ctx.husk("start", cid)
    assert r.rc == 0 and r.out == "" and r.err == "", r
    st2 = ctx.state(cid)
    assert st2["status"] == "running"
    assert st2["pid"] == st["pid"]
    assert st2["created"] == st["created"]
    assert not (ctx.root / cid / "exec.fifo").exists()

    open_gate(b)
    ctx.wait_status(cid, "stopped")
    st3 = ctx.state(cid)
    assert st3["pid"] == 0
    r = ctx.husk("delete", cid)
    assert r.rc == 0, r
    assert not (ctx.root / cid).exists()
    assert cgroup_dirs(b.cgpath) == []


def test_state_reports_stopped_for_an_exited_but_unreaped_init(ctx):
    # An engine's shim reaps late; runc reports a zombie init as stopped.
    b = ctx.bundle().args("/probe", "exit", "0")
    cid = ctx.cid()
    ctx.created(b, cid)
    pid = ctx.state(cid)["pid"]
    r = ctx.husk("start", cid)
    assert r.rc == 0, r
    wait_for(lambda: (proc_stat(pid) or ("Z",))[0] == "Z", what="init to become a zombie")
    # Runtime() reaps zombies before running husk, so look at the raw state ourselves.
    import subprocess
    out = subprocess.run([ctx.husk.binary, "--root", str(ctx.root), "state", cid],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out
    st = json.loads(out.stdout)
    assert st["status"] == "stopped", st
    assert st["pid"] == 0, st


def test_created_timestamp_is_rfc3339nano_utc(ctx):
    b = ctx.bundle().args("/probe", "sleep", "30")
    cid = ctx.cid()
    st = ctx.created(b, cid)
    # Go's RFC3339Nano: fraction without trailing zeros, Z suffix.
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,8}[1-9])?Z", st["created"]), st
    t = time.strptime(st["created"][:19], "%Y-%m-%dT%H:%M:%S")
    assert abs(time.mktime(t) - time.mktime(time.gmtime())) < 120


def test_run_detached_returns_with_the_container_running(ctx):
    b = ctx.bundle().sh(GATE)
    cid = ctx.cid()
    b.save()
    r = ctx.husk("run", "-d", "-b", b.path, cid, timeout=10)
    assert r.rc == 0, r
    assert r.err == "", r
    st = ctx.state(cid)
    assert st["status"] == "running"
    assert pid_alive(st["pid"])
    open_gate(b)
    ctx.wait_status(cid, "stopped")
    # run -d does not delete the container when it exits.
    assert (ctx.root / cid).exists()
    assert ctx.husk("delete", cid).rc == 0


def test_run_keep_leaves_a_stopped_container(ctx):
    b = ctx.bundle().args("/probe", "exit", "4")
    cid = ctx.cid()
    r = ctx.run(b, "--keep", cid=cid)
    assert r.rc == 4, r
    st = ctx.state(cid)
    assert st["status"] == "stopped"
    assert st["pid"] == 0
    assert cgroup_dirs(b.cgpath) != []
    r = ctx.husk("delete", cid)
    assert r.rc == 0, r
    assert not (ctx.root / cid).exists()
    assert cgroup_dirs(b.cgpath) == []


# ---------------------------------------------------------------- kill

@pytest.mark.parametrize("sig", ["KILL", "SIGKILL", "9"])
def test_kill_running_container_with_signal_name_or_number(ctx, sig):
    b = ctx.bundle().args("/probe", "sleep", "60")
    cid = ctx.cid()
    pid = ctx.created(b, cid, start=True)["pid"]
    r = ctx.husk("kill", cid, sig)
    assert r.rc == 0 and r.err == "", r
    wait_for(lambda: not pid_alive(pid), what="init to die")
    ctx.wait_status(cid, "stopped")


def test_kill_created_container_stops_it(ctx):
    b = ctx.bundle().args("/probe", "sleep", "60")
    cid = ctx.cid()
    pid = ctx.created(b, cid)["pid"]
    r = ctx.husk("kill", cid, "KILL")
    assert r.rc == 0, r
    wait_for(lambda: not pid_alive(pid), what="init to die")
    ctx.wait_status(cid, "stopped")
    # A killed created container can no longer be started.
    r = ctx.husk("start", cid)
    assert_one_error(r, "cannot start a container that has stopped")


def test_kill_delivers_named_numbered_and_default_signals(ctx):
    script = ("trap 'echo got-USR1' USR1; trap 'echo got-USR2' USR2; "
              "trap 'echo got-TERM; exit 0' TERM; echo ready; "
              "while :; do sleep 0.05 & wait $!; done")
    b = ctx.bundle().sh(script)
    cid = ctx.cid()
    out = ctx.dir / "ct.out"
    r = ctx.create(b, cid, stdout=out)
    assert r.rc == 0, r
    assert ctx.husk("start", cid).rc == 0

    def lines():
        return out.read_text().split()
    wait_for(lambda: "ready" in lines(), what="trap script to start")
    for sig, want, count in (("USR1", "got-USR1", 1), ("SIGUSR2", "got-USR2", 1),
                             (str(signal.SIGUSR1.value), "got-USR1", 2)):
        r = ctx.husk("kill", cid, sig)
        assert r.rc == 0, r
        wait_for(lambda: lines().count(want) == count, what=f"{want} x{count}")
    r = ctx.husk("kill", cid)  # default: SIGTERM
    assert r.rc == 0, r
    wait_for(lambda: "got-TERM" in lines(), what="SIGTERM")
    ctx.wait_status(cid, "stopped")


@pytest.mark.parametrize("sig", ["NOTASIG", "SIGFOO", "0x9", "-9", "99999"])
def test_kill_bad_signal_is_refused_and_container_untouched(ctx, sig):
    b = ctx.bundle().args("/probe", "sleep", "60")
    cid = ctx.cid()
    before = ctx.created(b, cid, start=True)
    r = ctx.husk("kill", cid, sig)
    if sig.isalpha():
        assert_one_error(r, f'unknown signal "{sig}"')
    else:
        assert_one_error(r)  # runc: a kill(2) error for numbers; husk may refuse earlier
    assert ctx.state(cid) == before
    assert pid_alive(before["pid"])


# ---------------------------------------------------------------- delete

def test_delete_created_container_kills_it_and_removes_everything(ctx):
    b = ctx.bundle().args("/probe", "sleep", "60")
    cid = ctx.cid()
    pid = ctx.created(b, cid)["pid"]
    r = ctx.husk("delete", cid)
    assert r.rc == 0 and r.err == "", r
    assert not (ctx.root / cid).exists()
    wait_for(lambda: not pid_alive(pid), what="created init to be killed")
    assert cgroup_dirs(b.cgpath) == []


def test_delete_running_needs_force(ctx):
    b = ctx.bundle().args("/probe", "sleep", "60")
    cid = ctx.cid()
    before = ctx.created(b, cid, start=True)
    r = ctx.husk("delete", cid)
    assert_one_error(r, f"cannot delete container {cid} that is not stopped: running")
    assert ctx.state(cid) == before
    assert pid_alive(before["pid"])

    r = ctx.husk("delete", "-f", cid)
    assert r.rc == 0 and r.err == "", r
    assert not (ctx.root / cid).exists()
    wait_for(lambda: not pid_alive(before["pid"]), what="init to be killed")
    assert cgroup_dirs(b.cgpath) == []


def test_delete_force_of_stopped_and_of_created(ctx):
    b = ctx.bundle().args("/probe", "sleep", "60")
    c1, c2 = ctx.cid(), ctx.cid()
    b2 = ctx.bundle().args("/probe", "exit", "0")
    ctx.created(b, c1)
    assert ctx.run(b2, "--keep", cid=c2).rc == 0
    for cid in (c1, c2):
        r = ctx.husk("delete", "--force", cid)
        assert r.rc == 0, r
        assert not (ctx.root / cid).exists()
    assert cgroup_dirs(b.cgpath) == [] and cgroup_dirs(b2.cgpath) == []


# ---------------------------------------------------------------- wrong state

def test_operations_in_the_wrong_state_fail_without_effect(ctx):
    b = ctx.bundle().args("/probe", "sleep", "60")
    cid = ctx.cid()
    running = ctx.created(b, cid, start=True)

    assert_one_error(ctx.husk("start", cid), "cannot start an already running container")
    assert ctx.state(cid) == running
    assert_one_error(ctx.create(b, cid), f"container with id exists: {cid}")
    assert ctx.state(cid) == running
    assert_one_error(ctx.run(b, cid=cid), f"container with id exists: {cid}")
    assert ctx.state(cid) == running
    assert pid_alive(running["pid"])

    assert ctx.husk("kill", cid, "KILL").rc == 0
    ctx.wait_status(cid, "stopped")
    stopped = ctx.state(cid)
    assert_one_error(ctx.husk("start", cid), "cannot start a container that has stopped")
    assert ctx.state(cid) == stopped
    assert_one_error(ctx.husk("kill", cid, "KILL"), "container not running")
    assert ctx.state(cid) == stopped


def test_commands_on_a_missing_container_say_it_does_not_exist(ctx):
    for args in (("state", "nope"), ("start", "nope"), ("kill", "nope"),
                 ("kill", "nope", "KILL"), ("delete", "nope")):
        assert_one_error(ctx.husk(*args), "container does not exist")
    assert not (ctx.root / "nope").exists()


def test_delete_force_of_missing_container_matches_runc(ctx):
    runc = ctx.runc()
    h = ctx.husk("delete", "-f", "nope")
    r = runc("delete", "-f", "nope")
    assert h.rc == r.rc, (h, r)
    assert (h.err == "") == (r.err == ""), (h, r)


# ---------------------------------------------------------------- pid file

def test_pid_file_is_decimal_without_newline_like_runc(ctx):
    runc = ctx.runc()
    b = ctx.bundle().args("/probe", "sleep", "60")
    cid = ctx.cid()
    hp, rp = ctx.dir / "husk.pid", ctx.dir / "runc.pid"
    ctx.created(b, cid, "--pid-file", hp)
    b.config["linux"]["cgroupsPath"] = ctx.cgpath()
    b.save()
    r = runc("create", "-b", b.path, "--pid-file", rp, cid)
    assert r.rc == 0, r
    hb, rb = hp.read_bytes(), rp.read_bytes()
    assert re.fullmatch(rb"[1-9][0-9]*", rb), rb
    assert re.fullmatch(rb"[1-9][0-9]*", hb), hb
    assert int(hb) == ctx.state(cid)["pid"]
    assert hp.stat().st_mode & 0o7777 == rp.stat().st_mode & 0o7777
    # No temp file is left next to it.
    assert sorted(p.name for p in ctx.dir.iterdir() if p.name.startswith(".")) == []


def test_pid_file_relative_path_and_run_detached(ctx):
    b = ctx.bundle().args("/probe", "sleep", "60")
    cid = ctx.cid()
    b.save()
    # The relative path is relative to the caller's cwd (ctx.dir).
    r = ctx.husk("run", "-d", "-b", b.path, "--pid-file", "rel.pid", cid)
    assert r.rc == 0, r
    assert (ctx.dir / "rel.pid").read_bytes() == str(ctx.state(cid)["pid"]).encode()


# ---------------------------------------------------------------- more run/kill flags

@pytest.mark.parametrize("own_pidns,flags", [(False, ["-a"]), (False, []), (True, [])],
                         ids=["no-pidns-kill-all", "no-pidns-sigkill", "pidns-sigkill-init"])
def test_sigkill_reaches_every_process_of_the_container(ctx, own_pidns, flags):
    # kill -a signals the whole cgroup; SIGKILL without a private pid namespace does too
    # (runc >= 1.2); with one, killing the init takes the rest down with it.
    b = ctx.bundle().sh("sleep 100 & sleep 100 & echo started; wait")
    if not own_pidns:
        b.drop_ns("pid")
    cid = ctx.cid()
    out = ctx.dir / "out"
    assert ctx.create(b, cid, stdout=out).rc == 0
    assert ctx.husk("start", cid).rc == 0
    wait_for(lambda: "started" in out.read_text(), what="children to start")
    procs = set(open(f"/sys/fs/cgroup/pids{b.cgpath}/cgroup.procs").read().split())
    assert len(procs) == 3, procs
    r = ctx.husk("kill", *flags, cid, "KILL")
    assert r.rc == 0, r
    wait_for(lambda: all(not pid_alive(int(p)) for p in procs), what="all processes to die")
    ctx.wait_status(cid, "stopped")


def test_foreground_run_forwards_signals_to_the_container(ctx):
    b = ctx.bundle().sh("trap 'echo got-TERM; exit 42' TERM; echo ready; "
                        "while :; do sleep 0.05 & wait $!; done")
    cid = ctx.cid()
    b.save()
    out = ctx.dir / "fg.out"
    p = ctx.husk("run", "-b", b.path, cid, background=True, stdout=out)
    wait_for(lambda: "ready" in out.read_text(), what="container to be ready")
    p.send_signal(signal.SIGTERM)
    r = finish_background(p)
    assert r.rc == 42, r
    assert "got-TERM" in out.read_text()
    assert not (ctx.root / cid).exists()


@pytest.mark.parametrize("flag", ["--no-subreaper", "--no-new-keyring", "--no-pivot"])
def test_run_flags_are_accepted(ctx, flag):
    b = ctx.bundle().args("/probe", "exit", "5")
    r = ctx.run(b, flag)
    assert r.rc == 5, r


def test_delete_of_a_directory_without_state_matches_runc(ctx):
    # An aborted create can leave <root>/<id> without state.json; runc's delete cleans it.
    runc = ctx.runc()
    for rt in (ctx.husk, runc):
        (rt.root / "ghost").mkdir(parents=True)
    h, r = ctx.husk("delete", "-f", "ghost"), runc("delete", "-f", "ghost")
    assert h.rc == r.rc, (h, r)
    assert (ctx.root / "ghost").exists() == (runc.root / "ghost").exists()


def test_pid_file_in_a_missing_directory_fails_and_leaves_nothing(ctx):
    b = ctx.bundle().args("/probe", "sleep", "60")
    ctx.refused(b, "--pid-file", cmd="create", flags=("--pid-file", ctx.dir / "missing" / "pid",))


def test_externally_killed_init_is_reported_stopped(ctx):
    b = ctx.bundle().args("/probe", "sleep", "60")
    cid = ctx.cid()
    pid = ctx.created(b, cid, start=True)["pid"]
    os.kill(pid, signal.SIGKILL)
    ctx.wait_status(cid, "stopped")
    assert ctx.state(cid)["pid"] == 0
    assert ctx.husk("delete", cid).rc == 0
    assert cgroup_dirs(b.cgpath) == []


def test_concurrent_creates_of_one_id_have_one_winner(ctx):
    b = ctx.bundle().args("/probe", "sleep", "60")
    b.save()
    cid = ctx.cid()
    procs = [ctx.husk("create", "-b", b.path, cid, background=True) for _ in range(6)]
    results = [finish_background(p) for p in procs]
    winners = [r for r in results if r.rc == 0]
    assert len(winners) == 1, results
    for r in results:
        if r.rc != 0:
            assert_one_error(r, f"container with id exists: {cid}")
    st = ctx.state(cid)
    assert st["status"] == "created" and pid_alive(st["pid"])
    # the losers did not take the winner's cgroup away
    assert str(st["pid"]) in open(f"/sys/fs/cgroup/pids{b.cgpath}/cgroup.procs").read().split()


def test_root_directory_is_created_private(ctx):
    b = ctx.bundle().args("/probe", "exit", "0")
    assert not ctx.root.exists()
    assert ctx.run(b).rc == 0
    assert ctx.root.stat().st_mode & 0o077 == 0, oct(ctx.root.stat().st_mode)
