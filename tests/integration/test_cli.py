"""CLI surface: spec, logging (--log, --log-format), help/version, refused flags and commands."""

import json
import re
import subprocess

import pytest

from huskit import RUNC, assert_one_error, cgroup_dirs, parse_logrus

TIME_RFC3339 = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def run_in(cwd, *argv):
    return subprocess.run(list(map(str, argv)), cwd=cwd, capture_output=True, text=True,
                          timeout=30)


# ---------------------------------------------------------------- spec

@pytest.mark.parametrize("flags", [[], ["--rootless"]], ids=["default", "rootless"])
def test_spec_output_equals_runc_spec_except_ociversion(ctx, flags):
    hd, rd = ctx.dir / "h", ctx.dir / "r"
    hd.mkdir()
    rd.mkdir()
    h = run_in(hd, ctx.env.husk, "spec", *flags)
    r = run_in(rd, RUNC, "spec", *flags)
    assert h.returncode == 0 and r.returncode == 0, (h, r)
    assert h.stdout == "" and h.stderr == "", h
    hb = (hd / "config.json").read_text()
    rb = (rd / "config.json").read_text()
    assert json.loads(hb)["ociVersion"] == "1.3.0"
    norm = lambda s: re.sub(r'"ociVersion": "[^"]*"', '"ociVersion": X', s, count=1)
    assert norm(hb) == norm(rb)
    mode = lambda d: (d / "config.json").stat().st_mode & 0o777
    assert mode(hd) == mode(rd)


def test_spec_bundle_flag_writes_into_that_directory(ctx):
    d = ctx.dir / "specdir"
    d.mkdir()
    h = run_in(ctx.dir, ctx.env.husk, "spec", "-b", d)
    assert h.returncode == 0, h
    assert json.loads((d / "config.json").read_text())["root"]["path"] == "rootfs"
    assert not (ctx.dir / "config.json").exists()


def test_spec_refuses_to_overwrite_an_existing_config(ctx):
    d = ctx.dir / "specdir"
    d.mkdir()
    (d / "config.json").write_text("precious")
    h = run_in(d, ctx.env.husk, "spec")
    assert h.returncode == 1, h
    lines = [line for line in h.stderr.splitlines() if line]
    assert len(lines) == 1, h
    e = parse_logrus(lines[0])
    assert e and e["level"] == "error", h
    assert e["msg"] == "File config.json exists. Remove it first", e
    assert (d / "config.json").read_text() == "precious"


def test_spec_into_missing_directory_fails(ctx):
    h = run_in(ctx.dir, ctx.env.husk, "spec", "-b", ctx.dir / "missing")
    assert h.returncode == 1, h
    assert not (ctx.dir / "missing").exists()


# ---------------------------------------------------------------- logging

def test_default_error_log_is_one_logrus_text_line_on_stderr(ctx):
    r = ctx.husk("state", "nope")
    msg = assert_one_error(r, "container does not exist")
    assert msg == "container does not exist"
    assert re.fullmatch(TIME_RFC3339, parse_logrus(r.err.strip())["time"])
    assert r.out == ""


def test_log_json_last_line_is_an_error_object_like_runc(ctx):
    runc = ctx.runc()
    hl, rl = ctx.dir / "husk.log", ctx.dir / "runc.log"
    hl.write_text('{"level":"info","msg":"older line","time":"2020-01-01T00:00:00Z"}\n')
    h = ctx.husk("state", "nope", glob=["--log", hl, "--log-format", "json"])
    r = runc("state", "nope", glob=["--log", rl, "--log-format", "json"])
    assert h.rc == r.rc == 1, (h, r)
    # The message alone also goes to stderr when the log is a file.
    assert h.err == r.err == "container does not exist\n", (h, r)
    lines = hl.read_text().splitlines()
    assert lines[0].startswith('{"level":"info"'), "the log file must be appended to"
    last = json.loads(lines[-1])
    rlast = json.loads(rl.read_text().splitlines()[-1])
    assert list(last) == list(rlast) == ["level", "msg", "time"]
    assert last["level"] == "error" and last["msg"] == "container does not exist"
    assert re.fullmatch(TIME_RFC3339, last["time"]), last
    assert hl.read_text().endswith("\n")


def test_log_text_file_gets_the_logrus_line(ctx):
    hl = ctx.dir / "husk.log"
    h = ctx.husk("kill", "nope", glob=["--log", hl])
    assert h.rc == 1, h
    assert h.err == "container does not exist\n", h
    e = parse_logrus(hl.read_text().splitlines()[-1])
    assert e and e["level"] == "error" and e["msg"] == "container does not exist", hl.read_text()


def test_log_json_for_a_container_error_names_the_field(ctx):
    b = ctx.bundle()
    b.config["process"]["user"]["uid"] = 4294967296
    hl = ctx.dir / "husk.log"
    cid = ctx.cid()
    b.save()
    h = ctx.husk("run", "-b", b.path, cid, glob=["--log", hl, "--log-format", "json"])
    assert h.rc == 1, h
    last = json.loads(hl.read_text().splitlines()[-1])
    assert last["level"] == "error"
    assert "process.user.uid" in last["msg"] and "4294967296" in last["msg"], last
    ctx.assert_nothing_left(b, cid)


def test_unknown_log_format_is_refused(ctx):
    r = ctx.husk("list", glob=["--log-format", "yaml"])
    assert_one_error(r, "yaml")


# ---------------------------------------------------------------- help, version

def test_version_prints_go_runc_parsable_lines(ctx):
    r = subprocess.run([ctx.env.husk, "--version"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r
    lines = r.stdout.splitlines()
    assert re.fullmatch(r"husk version \S+", lines[0]), lines
    assert any(re.fullmatch(r"commit: \S+", line) for line in lines), lines
    assert "spec: 1.3.0" in lines, lines


@pytest.mark.parametrize("argv", [["--help"], ["create", "--help"], ["run", "--help"],
                                  ["kill", "--help"], ["list", "--help"], ["help"]])
def test_help_exits_zero_and_prints_usage(ctx, argv):
    r = ctx.husk(*argv)
    assert r.rc == 0, r
    assert "USAGE" in r.out or "Usage" in r.out, r


def test_unknown_command_exit_code_matches_runc(ctx):
    runc = ctx.runc()
    h = ctx.husk("bogus")
    r = runc("bogus")
    assert h.rc != 0
    assert h.rc == r.rc, (h, r)


# ---------------------------------------------------------------- refused flags and commands

@pytest.mark.parametrize("glob", [["--systemd-cgroup"], ["--rootless", "true"]])
def test_unsupported_global_flags_are_refused_and_leave_nothing(ctx, glob):
    b = ctx.bundle()
    cid = ctx.cid()
    b.save()
    r = ctx.husk("run", "-b", b.path, cid, glob=glob)
    assert_one_error(r, "not supported")
    ctx.assert_nothing_left(b, cid)
    assert not ctx.root.exists() or list(ctx.root.iterdir()) == []


@pytest.mark.parametrize("cmd", ["exec", "ps", "pause", "resume", "events", "update",
                                 "features", "checkpoint", "restore"])
def test_unimplemented_commands_are_refused_without_effect(ctx, cmd):
    b = ctx.bundle().args("/probe", "sleep", "60")
    cid = ctx.cid()
    assert ctx.create(b, cid).rc == 0
    before = ctx.state(cid)
    r = ctx.husk(cmd, cid)
    msg = assert_one_error(r, cmd)
    assert "not supported" in msg or "not implemented" in msg, msg
    assert ctx.state(cid) == before


def test_console_socket_is_refused_and_leaves_nothing(ctx):
    b = ctx.bundle()
    cid = ctx.cid()
    b.save()
    r = ctx.husk("create", "-b", b.path, "--console-socket", ctx.dir / "sock", cid)
    assert_one_error(r, "--console-socket", "not supported")
    ctx.assert_nothing_left(b, cid)
    assert cgroup_dirs(b.cgpath) == []
