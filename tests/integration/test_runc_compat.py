"""`state` and `list` output compared byte-for-byte (after masking pid/time/version) with
Debian's runc running the same bundle under its own --root."""

import json
import re

import pytest

pytestmark = pytest.mark.runc


def mask(text):
    text = re.sub(r'"ociVersion": ?"[^"]*"', '"ociVersion":V', text)
    text = re.sub(r'"pid": ?[0-9]+', '"pid":P', text)
    text = re.sub(r'"created": ?"[^"]*"', '"created":T', text)
    return text


def tabwriter(rows, minwidth=12, padding=3):
    """Go's text/tabwriter as runc's list uses it (minwidth 12, tabwidth 1, padding 3,
    padchar ' ', no flags): every column but the last is padded."""
    ncol = len(rows[0])
    widths = [max(minwidth, max(len(r[i]) for r in rows) + padding) for i in range(ncol - 1)]
    out = ""
    for r in rows:
        out += "".join(c.ljust(w) for c, w in zip(r, widths)) + r[-1] + "\n"
    return out


def table_from_json(items):
    rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]]
    for s in items:
        rows.append([s["id"], str(s["pid"]), s["status"], s["bundle"], s["created"], s["owner"]])
    return tabwriter(rows)


@pytest.fixture
def pair(ctx):
    """One bundle, one id; a husk container and a runc container made from it (each with
    its own cgroup). Returns (ctx, runc, bundle, id)."""
    runc = ctx.runc()
    b = ctx.bundle()
    cid = ctx.cid()
    return ctx, runc, b, cid


def both_create(ctx, runc, b, cid, args=("/probe", "sleep", "60")):
    b.args(*args)
    b.config["linux"]["cgroupsPath"] = ctx.cgpath()
    b.save()
    h = ctx.husk("create", "-b", b.path, cid)
    assert h.rc == 0, h
    b.config["linux"]["cgroupsPath"] = ctx.cgpath()
    b.save()
    r = runc("create", "-b", b.path, cid)
    assert r.rc == 0, r


def test_state_layout_matches_runc_in_every_status(pair):
    ctx, runc, b, cid = pair
    both_create(ctx, runc, b, cid)
    for step in ("created", "running", "stopped"):
        if step == "running":
            assert ctx.husk("start", cid).rc == 0
            assert runc("start", cid).rc == 0
        if step == "stopped":
            assert ctx.husk("kill", cid, "KILL").rc == 0
            assert runc("kill", cid, "KILL").rc == 0
            ctx.wait_status(cid, "stopped")
            ctx.wait_status(cid, "stopped", rt=runc)
        h, r = ctx.husk("state", cid), runc("state", cid)
        assert h.rc == r.rc == 0, (h, r)
        assert not h.out.endswith("\n"), "state has no trailing newline (json.MarshalIndent)"
        assert mask(h.out) == mask(r.out), (step, h.out, r.out)
        hj, rj = json.loads(h.out), json.loads(r.out)
        assert list(hj) == list(rj)
        assert hj["status"] == rj["status"] == step
        if step == "stopped":
            assert hj["pid"] == rj["pid"] == 0
        else:
            assert hj["pid"] > 0


def test_state_includes_annotations_like_runc(pair):
    ctx, runc, b, cid = pair
    b.config["annotations"] = {"org.example.b": "2", "org.example.a": "1"}
    both_create(ctx, runc, b, cid)
    h, r = ctx.husk("state", cid), runc("state", cid)
    assert mask(h.out) == mask(r.out), (h.out, r.out)
    assert json.loads(h.out)["annotations"] == {"org.example.a": "1", "org.example.b": "2"}


def test_list_json_matches_runc(pair):
    ctx, runc, b, cid = pair
    both_create(ctx, runc, b, cid)
    cid2 = "a" + cid  # sorts first
    both_create(ctx, runc, b, cid2)
    for rt in (ctx.husk, runc):
        assert rt("start", cid2).rc == 0
    h, r = ctx.husk("list", "--format", "json"), runc("list", "--format", "json")
    assert h.rc == r.rc == 0, (h, r)
    assert h.out.endswith("]\n") and h.out.count("\n") == 1, h.out
    assert mask(h.out) == mask(r.out), (h.out, r.out)
    items = json.loads(h.out)
    assert [i["id"] for i in items] == [cid2, cid]
    assert [i["status"] for i in items] == ["running", "created"]
    assert all(i["owner"] == "root" for i in items)
    # -f is the short form
    assert mask(ctx.husk("list", "-f", "json").out) == mask(h.out)


def test_list_table_and_quiet_match_runc(pair):
    ctx, runc, b, cid = pair
    both_create(ctx, runc, b, cid)
    cid2 = "z" + cid
    both_create(ctx, runc, b, cid2, args=("/probe", "exit", "0"))
    for rt in (ctx.husk, runc):
        assert rt("start", cid2).rc == 0
    ctx.wait_status(cid2, "stopped")
    ctx.wait_status(cid2, "stopped", rt=runc)
    for rt in (ctx.husk, runc):
        t = rt("list")
        js = rt("list", "--format", "json")
        assert t.rc == 0 and js.rc == 0, (t, js)
        assert t.out == table_from_json(json.loads(js.out)), (rt.binary, t.out)
        q = rt("list", "-q")
        assert q.out == f"{cid}\n{cid2}\n", q
    h, r = ctx.husk("list"), runc("list")
    assert h.out.splitlines()[0] == r.out.splitlines()[0]


def test_list_of_an_empty_root_matches_runc(pair):
    ctx, runc, b, cid = pair
    ctx.root.mkdir(mode=0o700)
    runc.root.mkdir(mode=0o700)
    for args in (("list",), ("list", "--format", "json"), ("list", "-q")):
        h, r = ctx.husk(*args), runc(*args)
        assert (h.rc, h.out, h.err) == (r.rc, r.out, r.err), (h, r)
    assert ctx.husk("list", "--format", "json").out == "null\n"


def test_list_of_a_missing_root_matches_runc(pair):
    ctx, runc, b, cid = pair
    for args in (("list",), ("list", "--format", "json")):
        h, r = ctx.husk(*args), runc(*args)
        assert (h.rc, h.out) == (r.rc, r.out), (h, r)


def test_list_bad_format_is_an_error(pair):
    ctx, runc, b, cid = pair
    h, r = ctx.husk("list", "--format", "yaml"), runc("list", "--format", "yaml")
    assert h.rc == r.rc != 0, (h, r)


def test_list_json_with_annotations_matches_runc(pair):
    ctx, runc, b, cid = pair
    b.config["annotations"] = {"k": "v"}
    both_create(ctx, runc, b, cid)
    h, r = ctx.husk("list", "--format", "json"), runc("list", "--format", "json")
    assert h.rc == r.rc == 0, (h, r)
    assert mask(h.out) == mask(r.out), (h.out, r.out)
