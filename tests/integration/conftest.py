"""Fixtures for husk's integration tests (real containers, run as root).

    env   session: husk/probe paths, a busybox rootfs template built once, the `husk spec`
          default config (terminal=false, args=[/probe]), a per-session cgroup parent
          /husk-test/<session> in every hierarchy.
    ctx   per test: its own --root, bundle factory, runners; teardown force-deletes what
          the test left, kills only its own processes, removes its cgroups, and fails
          the test if a mount was left under its directory.

HUSK and HUSK_PROBE select the binaries (default: <repo>/build/...).
"""

import os
import shutil
import tempfile

import pytest

import huskit


@pytest.fixture(scope="session")
def env():
    if os.geteuid() != 0:
        pytest.skip("integration tests need root")
    for what, p in (("HUSK", huskit.HUSK), ("HUSK_PROBE", huskit.PROBE),
                    ("busybox", huskit.BUSYBOX)):
        if not os.access(p, os.X_OK):
            pytest.skip(f"{what} binary not found at {p} (build with ninja -C build)")
    huskit.set_child_subreaper()
    base = tempfile.mkdtemp(prefix="husk-it-")
    os.chmod(base, 0o711)  # user-namespace containers must traverse it
    e = huskit.Env(base)
    try:
        e.setup()
        yield e
    finally:
        left = e.teardown()
        if not huskit.mounts_under(base):
            shutil.rmtree(base, ignore_errors=True)
        assert not left, f"cgroups left behind: {left}"


@pytest.fixture
def ctx(env, request):
    c = huskit.Ctx(env, request.node.name)
    yield c
    problems = c.teardown()
    assert not problems, "teardown: " + "; ".join(problems)
