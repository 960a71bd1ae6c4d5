"""Helpers for husk's integration tests: runtime runner, bundles, host-side checks.

Everything here works on real containers. The pytest process makes itself a child
subreaper (see conftest.py), so every process a runtime leaves behind is re-parented to
us: that is how tests find leftover processes without looking at anyone else's.
"""

import copy
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HUSK = os.environ.get("HUSK", str(REPO / "build" / "husk"))
PROBE = os.environ.get("HUSK_PROBE", str(REPO / "build" / "tests" / "helper" / "probe"))
RUNC = shutil.which("runc") or "/usr/sbin/runc"
BUSYBOX = "/bin/busybox"
APPLETS = [
    "sh", "true", "false", "sleep", "cat", "ls", "echo", "id", "env", "mount", "grep",
    "hostname", "stat", "readlink", "touch", "mkdir", "test", "wc", "head", "kill", "rm",
]
CGROUP_TOP = "husk-test"

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_CHILD_SUBREAPER = 36


def set_child_subreaper():
    if _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


# ---------------------------------------------------------------- processes

# Helper processes started with Popen; never reaped behind subprocess's back.
HELPER_PIDS = set()


def proc_stat(pid):
    """(state, ppid, starttime) of pid, or None when it is gone."""
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    rest = data[data.rindex(")") + 2:].split()
    return rest[0], int(rest[1]), int(rest[19])


def my_children():
    """{pid: state} of the processes whose parent is this (subreaper) process."""
    me = os.getpid()
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        st = proc_stat(int(d))
        if st and st[1] == me:
            out[int(d)] = st[0]
    return out


def reap():
    """Reap zombie children that are not Popen helpers (container inits re-parented to us)."""
    for pid, state in my_children().items():
        if state in ("Z", "X") and pid not in HELPER_PIDS:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


def live_children(exclude=()):
    reap()
    return {p for p, s in my_children().items()
            if s not in ("Z", "X") and p not in HELPER_PIDS and p not in exclude}


def pid_alive(pid):
    st = proc_stat(pid)
    return st is not None and st[0] not in ("Z", "X")


def wait_for(cond, timeout=10.0, interval=0.01, what="condition"):
    end = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
        interval = min(interval * 1.5, 0.2)


# ---------------------------------------------------------------- runner

class Result:
    def __init__(self, argv, rc, out, err, elapsed):
        self.argv, self.rc, self.out, self.err, self.elapsed = argv, rc, out, err, elapsed

    def __iter__(self):
        return iter((self.rc, self.out, self.err))

    def __repr__(self):
        return (f"<{' '.join(map(str, self.argv))}: rc={self.rc}\n--- stdout:\n{self.out!r}"
                f"\n--- stderr:\n{self.err!r}>")

    def json(self):
        return json.loads(self.out)

    def probe(self):
        """The probe's JSON object (its last stdout line)."""
        assert self.rc == 0, self
        lines = [line for line in self.out.splitlines() if line.startswith("{")]
        assert lines, f"no probe output: {self!r}"
        return json.loads(lines[-1])

    def error_lines(self):
        return [line for line in self.err.splitlines() if line.strip()]


LOGRUS_RE = re.compile(r'^time="([^"]+)" level=(\w+) msg="((?:[^"\\]|\\.)*)"(.*)$')


def logrus_unquote(s):
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


def parse_logrus(line):
    m = LOGRUS_RE.match(line)
    if not m:
        return None
    return {"time": m.group(1), "level": m.group(2), "msg": logrus_unquote(m.group(3)),
            "rest": m.group(4)}


class Runtime:
    """Runs `<binary> --root <root> ...` with a timeout; stdio always goes to files
    (a container started by create or run -d inherits them, so nothing ever waits on a pipe
    a container holds)."""

    def __init__(self, binary, root, cwd, iodir):
        self.binary = str(binary)
        self.root = Path(root)
        self.cwd = Path(cwd)
        self.iodir = Path(iodir)
        self.bg = []  # background invocations, cleaned up by Ctx.teardown

    def __call__(self, *args, timeout=30, stdin=None, stdout=None, glob=(), fd3=None,
                 pass_fds=(), env=None, background=False):
        """stdout: a path the output goes to (kept); otherwise a temp file read back.
        glob: global flags put after --root. fd3: a path opened read-write as fd 3 of
        the runtime process. background: return the Popen (tracked by the caller)."""
        reap()
        argv = [self.binary, "--root", str(self.root), *map(str, glob), *map(str, args)]
        self.iodir.mkdir(parents=True, exist_ok=True)
        if stdout is not None:
            out_f = open(stdout, "w+b")
        else:
            out_f = tempfile.TemporaryFile(dir=self.iodir)
        err_f = tempfile.TemporaryFile(dir=self.iodir)
        in_f = open(stdin if stdin is not None else os.devnull, "rb")
        cmd = argv
        if fd3 is not None:
            cmd = [sys.executable, "-c",
                   "import os,sys\n"
                   "fd=os.open(sys.argv[1], os.O_RDWR|os.O_CREAT, 0o644)\n"
                   "os.dup2(fd, 3)\n"
                   "if fd != 3: os.close(fd)\n"
                   "os.set_inheritable(3, True)\n"
                   "os.execv(sys.argv[2], sys.argv[2:])",
                   str(fd3), *argv]
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=in_f, stdout=out_f, stderr=err_f, cwd=self.cwd,
                             pass_fds=pass_fds, env=full_env)
        in_f.close()
        if background:
            HELPER_PIDS.add(p.pid)
            p._hk_files = (out_f, err_f)
            self.bg.append(p)
            return p
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            out_f.seek(0)
            err_f.seek(0)
            raise AssertionError(
                f"{' '.join(argv)} timed out after {timeout}s; stdout={out_f.read()!r} "
                f"stderr={err_f.read()!r}")
        elapsed = time.monotonic() - t0
        out_f.seek(0)
        err_f.seek(0)
        out = out_f.read().decode(errors="replace")
        err = err_f.read().decode(errors="replace")
        out_f.close()
        err_f.close()
        return Result(argv, rc, out, err, elapsed)


def finish_background(p, timeout=30):
    """Wait for a background Popen made by Runtime(background=True); return a Result."""
    try:
        rc = p.wait(timeout=timeout)
    finally:
        HELPER_PIDS.discard(p.pid)
    out_f, err_f = p._hk_files
    out_f.seek(0)
    err_f.seek(0)
    r = Result(p.args, rc, out_f.read().decode(errors="replace"),
               err_f.read().decode(errors="replace"), 0)
    out_f.close()
    err_f.close()
    return r


# ---------------------------------------------------------------- host views

def unescape_mountinfo(s):
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), s)


def mountinfo(pid="self"):
    """List of dicts: id parent root mountpoint options fstype source superopts."""
    return parse_mountinfo(Path(f"/proc/{pid}/mountinfo").read_text())


def parse_mountinfo(text):
    res = []
    for line in text.splitlines():
        if " - " not in line:
            continue
        pre, post = line.split(" - ", 1)
        f = pre.split()
        g = post.split()
        res.append({
            "id": int(f[0]), "parent": int(f[1]), "root": unescape_mountinfo(f[3]),
            "mountpoint": unescape_mountinfo(f[4]), "options": f[5].split(","),
            "optional": f[6:], "fstype": g[0], "source": unescape_mountinfo(g[1]),
            "superopts": g[2].split(",") if len(g) > 2 else [],
        })
    return res


def find_mount(mounts, mountpoint):
    """The last (topmost) mount at mountpoint, or None."""
    found = [m for m in mounts if m["mountpoint"] == mountpoint]
    return found[-1] if found else None


def mounts_under(path):
    p = os.path.realpath(str(path))
    return [m["mountpoint"] for m in mountinfo()
            if m["mountpoint"] == p or m["mountpoint"].startswith(p + "/")]


def cgroup_hierarchies():
    """Mount points of the host's cgroup hierarchies (v1 controllers, named, unified)."""
    seen = []
    for m in mountinfo():
        if m["fstype"] in ("cgroup", "cgroup2") and m["mountpoint"].startswith("/sys/fs/cgroup"):
            if m["mountpoint"] not in seen:
                seen.append(m["mountpoint"])
    return seen


def cgroup_dirs(cgpath):
    """Existing directories of cgpath in every hierarchy."""
    return [h + cgpath for h in cgroup_hierarchies() if os.path.isdir(h + cgpath)]


def cgroup_procs(cgpath):
    pids = set()
    for d in cgroup_dirs(cgpath):
        for root, dirs, files in os.walk(d):
            try:
                pids |= {int(x) for x in Path(root, "cgroup.procs").read_text().split()}
            except OSError:
                pass
    return pids


def remove_cgroup(cgpath):
    """Kill what lives in cgpath (it is ours) and rmdir it, children first. Returns the
    directories that could not be removed."""
    left = []
    for d in cgroup_dirs(cgpath):
        left += remove_cgroup_dir(d)
    return left


def remove_cgroup_dir(d):
    left = []
    if os.path.isdir(d):
        for root, dirs, files in os.walk(d, topdown=False):
            for attempt in range(50):
                try:
                    for pid in Path(root, "cgroup.procs").read_text().split():
                        try:
                            os.kill(int(pid), signal.SIGKILL)
                        except ProcessLookupError:
                            pass
                except OSError:
                    pass
                try:
                    os.rmdir(root)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    reap()
                    time.sleep(0.02)
            else:
                left.append(root)
    return left


def ns_inode(pid, ns):
    return os.readlink(f"/proc/{pid}/ns/{ns}")


# ---------------------------------------------------------------- capabilities

CAPS = {
    "CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_DAC_READ_SEARCH": 2, "CAP_FOWNER": 3,
    "CAP_FSETID": 4, "CAP_KILL": 5, "CAP_SETGID": 6, "CAP_SETUID": 7, "CAP_SETPCAP": 8,
    "CAP_LINUX_IMMUTABLE": 9, "CAP_NET_BIND_SERVICE": 10, "CAP_NET_BROADCAST": 11,
    "CAP_NET_ADMIN": 12, "CAP_NET_RAW": 13, "CAP_IPC_LOCK": 14, "CAP_IPC_OWNER": 15,
    "CAP_SYS_MODULE": 16, "CAP_SYS_RAWIO": 17, "CAP_SYS_CHROOT": 18, "CAP_SYS_PTRACE": 19,
    "CAP_SYS_PACCT": 20, "CAP_SYS_ADMIN": 21, "CAP_SYS_BOOT": 22, "CAP_SYS_NICE": 23,
    "CAP_SYS_RESOURCE": 24, "CAP_SYS_TIME": 25, "CAP_SYS_TTY_CONFIG": 26, "CAP_MKNOD": 27,
    "CAP_LEASE": 28, "CAP_AUDIT_WRITE": 29, "CAP_AUDIT_CONTROL": 30, "CAP_SETFCAP": 31,
}


def capmask(names):
    v = 0
    for n in names:
        v |= 1 << CAPS[n]
    return v


def cap_names(mask):
    inv = {b: n for n, b in CAPS.items()}
    return sorted(inv.get(b, f"bit{b}") for b in range(64) if mask >> b & 1)


# ---------------------------------------------------------------- rootfs

PASSWD = ("root:x:0:0:root:/root:/bin/sh\n"
          "app:x:1000:1000:app:/home/app:/bin/sh\n"
          "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
GROUP = "root:x:0:\napp:x:1000:\nusers:x:100:app\nnogroup:x:65534:\n"


def build_rootfs(dest, probe):
    dest = Path(dest)
    for d in ("bin", "etc", "proc", "sys", "dev", "root", "home/app", "tmp", "var", "run"):
        (dest / d).mkdir(parents=True, exist_ok=True)
    os.chmod(dest / "tmp", 0o1777)
    os.chown(dest / "home/app", 1000, 1000)
    shutil.copy2(BUSYBOX, dest / "bin/busybox")
    for a in APPLETS:
        os.symlink("busybox", dest / "bin" / a)
    shutil.copy2(probe, dest / "probe")
    os.chmod(dest / "probe", 0o755)
    (dest / "etc/passwd").write_text(PASSWD)
    (dest / "etc/group").write_text(GROUP)
    (dest / "etc/hostname").write_text("template\n")
    for f in ("etc/passwd", "etc/group", "etc/hostname"):
        os.chmod(dest / f, 0o644)


def clone_tree(src, dst, hardlink=True, owner=None):
    """Copy src to dst; regular files are hard links unless hardlink=False. owner=(uid,gid)
    chowns the copy (for user-namespace containers)."""
    def cp(s, d):
        if hardlink:
            os.link(s, d)
        else:
            shutil.copy2(s, d)
    shutil.copytree(src, dst, symlinks=True, copy_function=cp)
    if owner:
        for root, dirs, files in os.walk(dst):
            os.lchown(root, *owner)
            for n in dirs + files:
                os.lchown(os.path.join(root, n), *owner)


# ---------------------------------------------------------------- bundles

class Bundle:
    def __init__(self, path, config, cgpath):
        self.path = Path(path)
        self.config = config
        self.cgpath = cgpath
        self.raw = None  # bytes written verbatim instead of config (bad-input tests)
        self._written = None

    @property
    def rootfs(self):
        p = "rootfs"
        if isinstance(self.config, dict):
            p = self.config.get("root", {}).get("path", "rootfs")
        return Path(p) if os.path.isabs(p) else self.path / p

    @property
    def process(self):
        return self.config["process"]

    @property
    def linux(self):
        return self.config.setdefault("linux", {})

    def args(self, *argv):
        self.config["process"]["args"] = list(argv)
        return self

    def sh(self, script):
        return self.args("/bin/sh", "-c", script)

    def add_ns(self, typ, path=None):
        nss = self.linux.setdefault("namespaces", [])
        nss[:] = [n for n in nss if n.get("type") != typ]
        e = {"type": typ}
        if path:
            e["path"] = path
        nss.append(e)
        return self

    def drop_ns(self, typ):
        self.linux["namespaces"] = [n for n in self.linux.get("namespaces", []) if n["type"] != typ]
        return self

    def add_mount(self, destination, type=None, source=None, options=None, **extra):
        m = {"destination": destination}
        if type is not None:
            m["type"] = type
        if source is not None:
            m["source"] = str(source)
        if options is not None:
            m["options"] = options
        m.update(extra)
        self.config.setdefault("mounts", []).append(m)
        return self

    def save(self):
        cfg = self.path / "config.json"
        if self.raw is not None:
            data = self.raw if isinstance(self.raw, bytes) else self.raw.encode()
        else:
            data = json.dumps(self.config, indent=2).encode()
        if data != self._written:
            cfg.write_bytes(data)
            self._written = data


class Env:
    """Session-wide: binaries, base dir, rootfs template, default config, cgroup parent."""

    def __init__(self, base):
        self.base = Path(base)
        self.husk = HUSK
        self.probe = PROBE
        self.session = uuid.uuid4().hex[:8]
        self.cg_parent = f"/{CGROUP_TOP}/{self.session}"
        self.template = self.base / "rootfs-template"
        self.userns_template = None
        self.base_config = None

    def setup(self):
        # Private copies: others rebuild build/ while the suite runs.
        bindir = self.base / "bin"
        bindir.mkdir()
        for attr in ("husk", "probe"):
            dst = bindir / os.path.basename(getattr(self, attr))
            shutil.copy2(getattr(self, attr), dst)
            setattr(self, attr, str(dst))
        build_rootfs(self.template, self.probe)
        d = self.base / "spec"
        d.mkdir()
        r = subprocess.run([self.husk, "spec"], cwd=d, capture_output=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError(f"husk spec failed: {r.stderr!r}")
        cfg = json.loads((d / "config.json").read_text())
        cfg["process"]["terminal"] = False
        cfg["process"]["args"] = ["/probe"]
        cfg["root"] = {"path": "rootfs", "readonly": True}
        self.base_config = cfg
        # Pre-create the session's parent cgroups, so husk only ever creates (and removes)
        # the per-test leaves.
        for h in cgroup_hierarchies():
            for rel in (f"/{CGROUP_TOP}", self.cg_parent):
                p = h + rel
                os.makedirs(p, exist_ok=True)
                if h.endswith("/cpuset"):
                    for f in ("cpuset.cpus", "cpuset.mems"):
                        cur = Path(p, f).read_text().strip()
                        if not cur:
                            Path(p, f).write_text(Path(os.path.dirname(p), f).read_text())

    def teardown(self):
        left = remove_cgroup(self.cg_parent)
        for h in cgroup_hierarchies():
            try:
                os.rmdir(h + "/" + CGROUP_TOP)
            except OSError:
                pass
        return left


class Ctx:
    """One test's world: its own state root, bundles, cgroups and helper processes."""

    def __init__(self, env, name):
        self.env = env
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:60]
        self.dir = env.base / f"{safe}-{uuid.uuid4().hex[:6]}"
        self.dir.mkdir()
        os.chmod(self.dir, 0o711)
        self.root = self.dir / "root"
        self.husk = Runtime(env.husk, self.root, self.dir, self.dir / "io")
        self.runtimes = [self.husk]
        self.cgpaths = []
        self.cg_abs_dirs = []  # absolute cgroup dirs (when paths differ per hierarchy)
        self.helpers = []
        self.children_before = live_children()
        self._n = 0

    # -- naming
    def cid(self, prefix="c"):
        self._n += 1
        return f"{prefix}{self._n}-{uuid.uuid4().hex[:6]}"

    def cgpath(self):
        p = f"{self.env.cg_parent}/{uuid.uuid4().hex[:10]}"
        self.cgpaths.append(p)
        return p

    def track_cgroup(self, p):
        self.cgpaths.append(p)
        return p

    def runtime(self, binary, name):
        rt = Runtime(binary, self.dir / f"root-{name}", self.dir, self.dir / "io")
        self.runtimes.append(rt)
        return rt

    def runc(self):
        if not os.path.exists(RUNC):
            import pytest
            pytest.skip("runc is not installed")
        return self.runtime(RUNC, "runc")

    # -- bundles
    def bundle(self, name=None, userns_owner=None, rootfs=True):
        name = name or f"bundle{self._n}-{uuid.uuid4().hex[:4]}"
        self._n += 1
        path = self.dir / name
        path.mkdir()
        if rootfs:
            if userns_owner:
                clone_tree(self.env.template, path / "rootfs", hardlink=False, owner=userns_owner)
            else:
                clone_tree(self.env.template, path / "rootfs")
        cfg = copy.deepcopy(self.env.base_config)
        cg = self.cgpath()
        cfg["linux"]["cgroupsPath"] = cg
        return Bundle(path, cfg, cg)

    # -- helpers
    def spawn(self, argv, **kw):
        """A helper process we own (killed in teardown)."""
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, **kw)
        HELPER_PIDS.add(p.pid)
        self.helpers.append(p)
        return p

    def run(self, b, *flags, cid=None, timeout=30, **kw):
        """Foreground `husk run` of bundle b."""
        b.save()
        return self.husk("run", "-b", b.path, *flags, cid or self.cid(), timeout=timeout, **kw)

    def probe(self, b, *flags, **kw):
        b.args("/probe")
        return self.run(b, *flags, **kw).probe()

    def create(self, b, cid, *flags, **kw):
        b.save()
        return self.husk("create", "-b", b.path, *flags, cid, **kw)

    def created(self, b, cid, *flags, start=False, **kw):
        """create (and optionally start) b as cid; both must succeed. Returns the state."""
        r = self.create(b, cid, *flags, **kw)
        assert r.rc == 0, r
        if start:
            r = self.husk("start", cid)
            assert r.rc == 0, r
        return self.state(cid)

    def state(self, cid, rt=None):
        r = (rt or self.husk)("state", cid)
        assert r.rc == 0, r
        return json.loads(r.out)

    def status(self, cid, rt=None):
        return self.state(cid, rt)["status"]

    def wait_status(self, cid, status, timeout=10, rt=None):
        def ok():
            return self.status(cid, rt) == status
        wait_for(ok, timeout, what=f"{cid} to become {status}")

    def container_ids(self, rt):
        try:
            return [d for d in os.listdir(rt.root) if (rt.root / d).is_dir()]
        except FileNotFoundError:
            return []

    # -- checks
    def refused(self, b, *needles, cmd="run", flags=(), cid=None):
        """b must be refused by `husk <cmd>`: one error line naming every needle, exit 1,
        and nothing left behind. Returns the error message."""
        cid = cid or self.cid()
        b.save()
        r = self.husk(cmd, "-b", b.path, *flags, cid)
        msg = assert_one_error(r, *needles)
        self.assert_nothing_left(b, cid)
        return msg

    def assert_nothing_left(self, b, cid, allow_pids=()):
        """After a failed create/run: no state dir, no cgroup, no mount, no process."""
        problems = []
        try:
            exists = (self.husk.root / cid).exists()
        except OSError:  # e.g. ENAMETOOLONG
            exists = False
        if exists:
            problems.append(f"state dir {self.husk.root / cid} exists: "
                            f"{os.listdir(self.husk.root / cid)}")
        for cg in [b.cgpath] if b is not None and b.cgpath else []:
            d = cgroup_dirs(cg)
            if d:
                problems.append(f"cgroup dirs left: {d}")
        if b is not None:
            m = mounts_under(b.path)
            if m:
                problems.append(f"mounts left under the bundle: {m}")
        allowed = set(allow_pids) | self.children_before
        for other in self.container_ids(self.husk):
            try:
                st = json.loads((self.husk.root / other / "state.json").read_text())
                for k in ("pid", "init_process_pid", "init_pid"):
                    if isinstance(st.get(k), int):
                        allowed.add(st[k])
            except (OSError, ValueError):
                pass
        time.sleep(0.02)
        left = live_children(exclude=allowed)
        if left:
            desc = {p: Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ")
                    for p in left if os.path.exists(f"/proc/{p}")}
            problems.append(f"processes left: {desc}")
        assert not problems, "; ".join(problems)

    # -- teardown
    def teardown(self):
        problems = []
        for rt in self.runtimes:
            # newest first: a later container may depend on an earlier one's cgroup parent
            def newest_first(c):
                try:
                    return -(rt.root / c).stat().st_mtime_ns
                except OSError:
                    return 0
            ids = sorted(self.container_ids(rt), key=newest_first)
            for cid in ids:
                try:
                    r = rt("delete", "-f", cid, timeout=15)
                    why = f"rc={r.rc} err={r.err.strip()!r}"
                except AssertionError as e:
                    why = str(e)
                if (rt.root / cid).exists():
                    problems.append(f"{rt.binary} delete -f {cid} left its state dir ({why})")
                    try:
                        st = json.loads((rt.root / cid / "state.json").read_text())
                        pid = st.get("init_process_pid") or st.get("pid")
                        if isinstance(pid, int) and pid > 0 and proc_stat(pid) and \
                                proc_stat(pid)[1] == os.getpid():
                            os.kill(pid, signal.SIGKILL)
                    except (OSError, ValueError):
                        pass
                    shutil.rmtree(rt.root / cid, ignore_errors=True)
        for p in self.helpers + [p for rt in self.runtimes for p in rt.bg]:
            if p.poll() is None:
                p.kill()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            HELPER_PIDS.discard(p.pid)
        # Anything still re-parented to us from this test was started by this test.
        stray = live_children(exclude=self.children_before)
        for pid in stray:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        end = time.monotonic() + 10
        while stray and time.monotonic() < end:
            reap()
            stray = {p for p in stray if proc_stat(p) and proc_stat(p)[1] == os.getpid()}
            time.sleep(0.01)
        if stray:
            problems.append(f"processes {sorted(stray)} survived SIGKILL")
        for cg in self.cgpaths:
            left = remove_cgroup(cg)
            if left:
                problems.append(f"could not remove cgroups {left}")
        for d in self.cg_abs_dirs:
            left = remove_cgroup_dir(d)
            if left:
                problems.append(f"could not remove cgroups {left}")
        mnts = mounts_under(self.dir)
        if mnts:
            problems.append(f"mounts left on the host: {mnts}")
            for m in sorted(mnts, key=len, reverse=True):
                subprocess.run(["umount", "-l", m], capture_output=True)
        if mounts_under(self.dir):
            problems.append("mounts still present; not removing the test dir")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return problems


# ---------------------------------------------------------------- assertions

def assert_one_error(res, *needles, rc=1):
    """A runtime error: nonzero exit (rc, if given), exactly one logrus error line on stderr
    whose message contains every needle."""
    assert res.rc != 0, res
    if rc is not None:
        assert res.rc == rc, res
    lines = res.error_lines()
    assert len(lines) == 1, f"expected one error line: {res!r}"
    e = parse_logrus(lines[0])
    assert e is not None, f"not a logrus line: {lines[0]!r}"
    assert e["level"] == "error", e
    for n in needles:
        assert n in e["msg"], f"{n!r} not in error message {e['msg']!r}"
    return e["msg"]
