/*
 * create and run, parent side: parse and plan, create the state dir and cgroup, clone the
 * init (directly with clone3, no re-exec), drive the sync protocol, write the state.
 * Any failure before the container is complete runs the undo record in reverse.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container/create.h"
#include "container/sync.h"
#include "container/undo.h"
#include "core/err.h"
#include "core/log.h"
#include "linux/caps.h"
#include "linux/ns.h"
#include "linux/procfs.h"
#include "linux/userns.h"
#include "path/path.h"
#include "spec/names.h"
#include "state/dir.h"
#include "state/id.h"

struct create_ctx {
    struct hk_plan p;
    struct hk_undo u;
    int root_fd;  /* state root */
    int dir_fd;   /* state dir (locked) */
    int sync_fd;  /* parent's end */
    int pidfd;    /* init */
    pid_t pid;    /* init */
    pid_t stage1; /* two-stage: the stage-1 process, reaped by us */
    char created[64];
};

static void ctx_init(struct create_ctx *c, const struct hk_create_opts *o, bool run_mode)
{
    memset(c, 0, sizeof(*c));
    c->p.o = o;
    c->p.run_mode = run_mode;
    c->p.proc_fd = c->p.fifo_fd = c->p.sync_fd = -EBADF;
    for (int i = 0; i < NS_TYPE_COUNT; i++)
        c->p.ns_fds[i] = -EBADF;
    c->p.rootfs.mnt.root_fd = -EBADF;
    c->p.rootfs.devnull_fd = -EBADF;
    c->root_fd = c->dir_fd = c->sync_fd = c->pidfd = -EBADF;
    undo_init(&c->u);
}

static void ctx_release(struct create_ctx *c)
{
    struct hk_plan *p = &c->p;
    spec_free(p->spec);
    free(p->bundle_abs);
    free(p->rootfs_abs);
    hk_close(p->proc_fd);
    hk_close(p->fifo_fd);
    hk_close(p->sync_fd);
    for (int i = 0; i < NS_TYPE_COUNT; i++)
        hk_close(p->ns_fds[i]);
    cg_layout_clear(&p->layout);
    cg_clear(&p->cg);
    free(p->cg_srcs);
    hk_close(c->root_fd);
    hk_close(c->dir_fd);
    hk_close(c->sync_fd);
    hk_close(c->pidfd);
    memset(c, 0, sizeof(*c));
}

/* Fields husk does not implement yet are refused, never ignored. */
static int check_supported(const struct spec *s, struct hk_err *err)
{
    const struct spec_process *pr = &s->process;
    const struct spec_linux *l = &s->linux;
    size_t hooks = 0;
    for (int k = 0; k < HOOK_KIND_COUNT; k++)
        hooks += s->hooks.n_hooks[k];
    const struct {
        bool present;
        const char *field;
    } unsupported[] = {
        {hooks > 0, "hooks"},
        {pr->terminal, "process.terminal"},
        {pr->apparmor_profile && *pr->apparmor_profile, "process.apparmorProfile"},
        {pr->selinux_label && *pr->selinux_label, "process.selinuxLabel"},
        {pr->scheduler.set, "process.scheduler"},
        {pr->io_priority.set, "process.ioPriority"},
        {pr->exec_cpu_affinity.initial || pr->exec_cpu_affinity.final, "process.execCPUAffinity"},
        {l->has_seccomp, "linux.seccomp"},
        {l->mount_label && *l->mount_label, "linux.mountLabel"},
        {l->has_intel_rdt, "linux.intelRdt"},
        {l->has_personality, "linux.personality"},
        {l->has_memory_policy, "linux.memoryPolicy"},
        {l->n_net_devices > 0, "linux.netDevices"},
    };
    for (size_t i = 0; i < HK_ARRAY_SIZE(unsupported); i++)
        if (unsupported[i].present)
            return hk_err_set(err, ENOTSUP, "%s: not supported by husk yet", unsupported[i].field);
    return 0;
}

static char *abs_path(const char *p)
{
    if (p[0] == '/')
        return path_clean(p);
    char cwd[4096];
    if (!getcwd(cwd, sizeof(cwd)))
        return NULL;
    return path_join_abs(cwd, p);
}

/* Everything that can be checked before the first change on the host. */
static int plan(struct create_ctx *c, struct hk_err *err)
{
    struct hk_plan *p = &c->p;
    const struct hk_create_opts *o = p->o;
    int r;

    if (o->systemd_cgroup)
        return hk_err_set(err, ENOTSUP,
                          "--systemd-cgroup: the systemd cgroup driver is not "
                          "supported by husk yet");
    if (o->console_socket)
        return hk_err_set(err, ENOTSUP, "--console-socket: not supported by husk yet");
    for (unsigned i = 0; i < o->preserve_fds; i++)
        if (fcntl(3 + (int)i, F_GETFD) < 0)
            return hk_err_sys(err, errno, "--preserve-fds: fd %u is not open", 3 + i);
    p->bundle_abs = abs_path(o->bundle ? o->bundle : ".");
    if (!p->bundle_abs)
        return hk_err_sys(err, errno ? errno : ENOMEM, "bundle: resolve '%s'", o->bundle);
    _cleanup_close_ int bfd = open(p->bundle_abs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (bfd < 0)
        return hk_err_sys(err, errno, "bundle '%s'", p->bundle_abs);
    if ((r = spec_load(bfd, "config.json", &p->spec, err)) < 0)
        return r;
    if ((r = spec_validate(p->spec, err)) < 0)
        return r;
    for (char **w = p->spec->warnings; w && *w; w++)
        log_warn("%s", *w);
    const struct spec *s = p->spec;
    if ((r = check_supported(s, err)) < 0)
        return r;

    p->rootfs_abs = path_join_abs(p->bundle_abs, s->root_path);
    if (!p->rootfs_abs)
        return hk_err_set(err, ENOMEM, "out of memory");
    struct stat st;
    if (stat(p->rootfs_abs, &st) < 0)
        return hk_err_sys(err, errno, "root.path '%s'", p->rootfs_abs);
    if (!S_ISDIR(st.st_mode))
        return hk_err_set(err, ENOTDIR, "root.path '%s' is not a directory", p->rootfs_abs);

    /* namespaces */
    bool have_mnt = false;
    for (size_t i = 0; i < s->linux.n_namespaces; i++) {
        const struct spec_namespace *ns = &s->linux.namespaces[i];
        if (ns->type == NS_MNT)
            have_mnt = true;
        if (ns->path && *ns->path) {
            if ((r = ns_open_path(ns->path, ns->type, i, &p->ns_fds[ns->type], err)) < 0)
                return r;
            if (ns->type != NS_CGROUP)
                p->two_stage = true;
            if (ns->type == NS_USER)
                p->userns = true;
            /* a joined pid namespace is shared: the init is not its pid 1 */
        } else {
            if (ns->type == NS_CGROUP)
                p->new_cgroupns = true;
            else
                p->new_ns |= spec_ns_clone_flag(ns->type);
            if (ns->type == NS_USER)
                p->userns = p->new_userns = true;
            if (ns->type == NS_PID)
                p->own_pidns = true;
            if (ns->type == NS_TIME)
                p->two_stage = true; /* offsets must be written before the init enters */
        }
    }
    if (!have_mnt)
        return hk_err_set(err, EINVAL, "linux.namespaces: a mount namespace is required");

    /* cgroups: compute everything, change nothing yet */
    if ((r = cg_layout_detect(&p->layout, err)) < 0)
        return r;
    if ((r = cg_prepare(&p->layout, o->id, s->linux.cgroups_path, &p->cg, err)) < 0)
        return r;
    if (s->linux.has_resources &&
        (r = cg_check_resources(p->layout.mode, &s->linux.resources, err)) < 0)
        return r;

    if ((r = procfs_open(&p->proc_fd, err)) < 0)
        return r;
    p->last_cap = caps_last_cap(p->proc_fd);

    /* rootfs plan (the mount context points into cg, filled after cg_create) */
    p->rootfs.spec = s;
    p->rootfs.rootfs = p->rootfs_abs;
    p->rootfs.no_pivot = o->no_pivot;
    p->rootfs.setup_dev = !rootfs_dev_is_bind(s);
    p->rootfs.mnt.bundle = p->bundle_abs;
    p->rootfs.mnt.userns = p->userns;
    p->rootfs.mnt.cgroupns = p->new_cgroupns || p->ns_fds[NS_CGROUP] >= 0;
    p->rootfs.mnt.cgroup_v2 = p->layout.mode == CG_MODE_V2;
    return 0;
}

static int fill_cgroup_mount_sources(struct hk_plan *p, struct hk_err *err)
{
    size_t n = 0;
    p->cg_srcs = calloc(p->layout.n + 1, sizeof(*p->cg_srcs));
    if (!p->cg_srcs)
        return hk_err_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < p->layout.n; i++) {
        const struct cg_hier *h = &p->layout.h[i];
        const char *dir = cg_dir_for(&p->cg, h->mask);
        if (!dir)
            continue;
        if (h->mask & CG_UNIFIED) {
            p->rootfs.mnt.cgroup_v2_dir = dir;
            continue; /* hybrid: like runc, only the v1 hierarchies are shown */
        }
        p->cg_srcs[n].name = h->name;
        p->cg_srcs[n].host_dir = dir;
        n++;
    }
    p->rootfs.mnt.cg = p->cg_srcs;
    p->rootfs.mnt.n_cg = n;
    return 0;
}

static void now_created(char *buf, size_t len)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    container_format_time(ts.tv_sec, ts.tv_nsec, buf, len);
}

static int do_clone(struct create_ctx *c, struct hk_err *err)
{
    struct hk_plan *p = &c->p;
    int pidfd = -EBADF;
    struct clone_args ca = {
        .flags = CLONE_PIDFD | (p->two_stage ? 0 : p->new_ns),
        .pidfd = (uint64_t)(uintptr_t)&pidfd,
        .exit_signal = SIGCHLD,
    };
    long pid = syscall(SYS_clone3, &ca, sizeof(ca));
    if (pid < 0)
        return hk_err_sys(err, errno, "clone the container init");
    if (pid == 0) {
        /* child */
        /* If husk dies during setup the child dies too; its death before this call is
         * noticed as EOF on the sync socket. (getppid() is 0 in a new pid namespace, so it
         * cannot be compared.) */
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        /* Parent-only fds. The state dir fd carries the flock: a copy kept here would hold
         * the lock for as long as the init waits to start. */
        c->sync_fd = hk_close(c->sync_fd);
        c->dir_fd = hk_close(c->dir_fd);
        c->root_fd = hk_close(c->root_fd);
        cg_release_claim(&p->cg);
        if (p->two_stage)
            child_stage1(p);
        child_init(p, false);
    }
    if (p->two_stage) {
        c->stage1 = (pid_t)pid;
        close(pidfd);
    } else {
        c->pid = (pid_t)pid;
        c->pidfd = pidfd;
        c->u.child = c->pid;
        c->u.child_pidfd = c->pidfd;
    }
    p->sync_fd = hk_close(p->sync_fd);
    return 0;
}

/* The child closed the socket without reporting an error: say how it died. It is our child
 * (stage-1 or the init), so it can be reaped here; the undo record then has nothing to kill. */
static int child_died(struct create_ctx *c, struct hk_err *err)
{
    pid_t pid = c->stage1 > 0 ? c->stage1 : c->pid;
    int status = 0;
    pid_t w;
    while ((w = waitpid(pid, &status, __WALL)) < 0 && errno == EINTR)
        ;
    if (w != pid)
        return -err->code;
    if (pid == c->stage1)
        c->stage1 = 0;
    else
        c->u.child = 0;
    const struct spec *s = c->p.spec;
    bool mem_limit = s->linux.has_resources && s->linux.resources.has_memory &&
                     s->linux.resources.memory.limit.set && s->linux.resources.memory.limit.v > 0;
    if (WIFSIGNALED(status))
        return hk_err_set(err, ECHILD, "container init was killed by signal %d (%s) during setup%s",
                          WTERMSIG(status), strsignal(WTERMSIG(status)),
                          WTERMSIG(status) == SIGKILL && mem_limit
                              ? ": out of memory? linux.resources.memory.limit may be too low"
                              : "");
    return hk_err_set(err, ECHILD, "container init exited with status %d during setup",
                      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* Parent side of the sync protocol, until the init reports ready. */
static int drive_setup(struct create_ctx *c, struct hk_err *err)
{
    struct hk_plan *p = &c->p;
    const struct spec *s = p->spec;
    struct sync_msg m;
    int r;
    if (p->two_stage) {
        if (p->new_userns) {
            if ((r = sync_expect(c->sync_fd, SYNC_MAPS_REQ, &m, err)) < 0)
                return r;
            if ((r = userns_write_maps(p->proc_fd, c->stage1, s->linux.uid_mappings,
                                       s->linux.n_uid_mappings, s->linux.gid_mappings,
                                       s->linux.n_gid_mappings, err)) < 0)
                return r;
            (void)sync_send(c->sync_fd, SYNC_MAPS_DONE, 0, 0, NULL);
        }
        if ((r = cg_enter(&p->cg, c->stage1, err)) < 0)
            return r;
        (void)sync_send(c->sync_fd, SYNC_CGROUP_DONE, 0, 0, NULL);
        if ((r = sync_expect(c->sync_fd, SYNC_PID, &m, err)) < 0)
            return r;
        int status = 0;
        while (waitpid(c->stage1, &status, 0) < 0 && errno == EINTR)
            ;
        c->stage1 = 0;
        c->pid = (pid_t)m.value;
        c->u.child = c->pid;
        c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
        if (c->pidfd < 0)
            return hk_err_sys(err, errno, "open the init's pidfd");
        c->u.child_pidfd = c->pidfd;
    } else {
        if (p->new_userns) {
            if ((r = userns_write_maps(p->proc_fd, c->pid, s->linux.uid_mappings,
                                       s->linux.n_uid_mappings, s->linux.gid_mappings,
                                       s->linux.n_gid_mappings, err)) < 0)
                return r;
            (void)sync_send(c->sync_fd, SYNC_MAPS_DONE, 0, 0, NULL);
        }
        /* The child sets up its mounts while we wait in line for cgroup.procs. */
        if ((r = cg_enter(&p->cg, c->pid, err)) < 0)
            return r;
        (void)sync_send(c->sync_fd, SYNC_CGROUP_DONE, 0, 0, NULL);
    }
    if (s->process.oom_score_adj.set &&
        (r = procfs_write_oom_score_adj(p->proc_fd, c->pid, (int)s->process.oom_score_adj.v, err)) <
            0)
        return r;
    return sync_expect(c->sync_fd, SYNC_READY, &m, err);
}

static int drive_setup_checked(struct create_ctx *c, struct hk_err *err)
{
    int r = drive_setup(c, err);
    return r == -ECHILD ? child_died(c, err) : r;
}

static int write_state(struct create_ctx *c, struct hk_err *err)
{
    struct hk_plan *p = &c->p;
    const struct spec *s = p->spec;
    unsigned long long start = 0;
    int r = procfs_pid_stat(p->proc_fd, c->pid, &start, NULL);
    if (r < 0)
        return hk_err_sys(err, -r, "read the init's start time");
    struct hk_state st = {
        .id = (char *)p->o->id,
        .bundle = p->bundle_abs,
        .rootfs = p->rootfs_abs,
        .created = c->created,
        .pid = c->pid,
        .pid_start = start,
        .own_pidns = p->own_pidns,
        .annotations = s->annotations,
        .n_annotations = s->n_annotations,
        .cgroup_path = p->cg.path,
    };
    struct state_cgroup_dir dirs[64];
    size_t n = 0;
    for (size_t i = 0; i < p->cg.n_dirs && n < HK_ARRAY_SIZE(dirs); i++)
        dirs[n++] =
            (struct state_cgroup_dir){.path = p->cg.dirs[i].path, .created = p->cg.dirs[i].created};
    st.cgroup_dirs = dirs;
    st.n_cgroup_dirs = n;
    return state_write(c->dir_fd, &st, err);
}

/* Phase timings for --debug: where create's milliseconds go. */
struct phases {
    struct timespec t[8];
    int n;
};

static void phase(struct phases *ph)
{
    if (ph->n < 8)
        clock_gettime(CLOCK_MONOTONIC, &ph->t[ph->n++]);
}

static double ms_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void log_phases(const struct phases *ph)
{
    static const char *const names[] = {"plan",        "state_dir",  "cgroup", "clone",
                                        "child_setup", "state_json", "total"};
    if (!log_debug_enabled() || ph->n < 7)
        return;
    char buf[512];
    int o = 0;
    for (int i = 1; i < 7 && o < (int)sizeof(buf); i++)
        o += snprintf(buf + o, sizeof(buf) - (size_t)o, "%s%s=%.3fms", i > 1 ? " " : "",
                      names[i - 1], ms_between(&ph->t[i - 1], &ph->t[i]));
    if (o < (int)sizeof(buf))
        snprintf(buf + o, sizeof(buf) - (size_t)o, " %s=%.3fms", names[6],
                 ms_between(&ph->t[0], &ph->t[6]));
    log_debug("create phases: %s", buf);
}

/* Steps 1..n of create shared by create and run; on failure everything is undone. */
static int create_common(struct create_ctx *c, struct hk_err *err)
{
    struct hk_plan *p = &c->p;
    const struct hk_create_opts *o = p->o;
    int r;
    int sp[2];
    struct phases ph = {.n = 0};
    phase(&ph);

    if ((r = state_id_check(o->id, err)) < 0)
        return r;
    if ((r = plan(c, err)) < 0)
        return r;
    now_created(c->created, sizeof(c->created));
    phase(&ph);

    if ((r = state_root_open(o->root, true, &c->root_fd, err)) < 0)
        return r;
    if ((r = state_dir_create(c->root_fd, o->id, &c->dir_fd, err)) < 0)
        return r;
    c->u.state_root_fd = c->root_fd;
    c->u.id = o->id;
    c->u.state_dir = true;
    if ((r = state_dir_lock(c->dir_fd, true, err)) < 0)
        goto fail;
    phase(&ph);
    if ((r = cg_create(&p->cg, p->spec->linux.has_resources ? &p->spec->linux.resources : NULL,
                       p->spec->linux.devices, p->spec->linux.n_devices, err)) < 0)
        goto fail;
    c->u.cg = &p->cg;
    if ((r = fill_cgroup_mount_sources(p, err)) < 0)
        goto fail;
    if (!p->run_mode && (r = state_fifo_create(c->dir_fd, &p->fifo_fd, err)) < 0)
        goto fail;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
        r = hk_err_sys(err, errno, "socketpair");
        goto fail;
    }
    c->sync_fd = sp[0];
    p->sync_fd = sp[1];
    phase(&ph);
    if ((r = do_clone(c, err)) < 0)
        goto fail;
    phase(&ph);
    if ((r = drive_setup_checked(c, err)) < 0)
        goto fail;
    phase(&ph);
    if ((r = write_state(c, err)) < 0)
        goto fail;
    if (o->pid_file && (r = container_write_pid_file(o->pid_file, c->pid, err)) < 0)
        goto fail;
    phase(&ph);
    log_phases(&ph);
    return 0;
fail:
    if (c->stage1 > 0) {
        kill(c->stage1, SIGKILL);
        while (waitpid(c->stage1, NULL, 0) < 0 && errno == EINTR)
            ;
        c->stage1 = 0;
    }
    undo_run(&c->u);
    return r;
}

int container_create(const struct hk_create_opts *o, struct hk_err *err)
{
    struct create_ctx c;
    ctx_init(&c, o, false);
    int r = create_common(&c, err);
    ctx_release(&c);
    return r;
}

/* ------------------------------------------------------------ run */

/* Foreground: forward signals, reap, return the init's exit status. */
static int wait_foreground(struct create_ctx *c, int sfd, struct hk_err *err)
{
    for (;;) {
        struct pollfd pf[2] = {{.fd = sfd, .events = POLLIN}, {.fd = c->pidfd, .events = POLLIN}};
        if (poll(pf, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return hk_err_sys(err, errno, "poll");
        }
        if (pf[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                int sig = (int)si.ssi_signo;
                if (sig == SIGCHLD || sig == SIGWINCH || sig == SIGURG)
                    continue;
                if (syscall(SYS_pidfd_send_signal, c->pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
                    log_warn("forward signal %d to the container: %s", sig, strerror(errno));
            }
        }
        /* Reap the init and any orphan handed to us as subreaper. */
        for (;;) {
            int status = 0;
            pid_t w = waitpid(-1, &status, WNOHANG | __WALL);
            if (w <= 0)
                break;
            if (w == c->pid)
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
    }
}

int container_run(const struct hk_create_opts *o, int *ret_status, struct hk_err *err)
{
    struct create_ctx c;
    ctx_init(&c, o, true);
    int r;
    sigset_t all, old;
    sigfillset(&all);
    /* Block everything before clone so no signal is lost; the child restores its mask. */
    sigprocmask(SIG_BLOCK, &all, &old);
    if (!o->detach && !o->no_subreaper)
        (void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    r = create_common(&c, err);
    if (r < 0)
        goto out;
    c.dir_fd = hk_close(c.dir_fd); /* unlock: delete takes the lock again */
    /* From here the container exists; errors below still delete it unless --keep. */
    (void)sync_send(c.sync_fd, SYNC_GO, 0, 0, NULL);
    struct sync_msg m;
    /* The init closes its end at exec (O_CLOEXEC): EOF means the program is running. */
    int rr = sync_recv(c.sync_fd, &m);
    if (rr == 0 && m.type == SYNC_ERROR) {
        r = hk_err_set(err, m.code > 0 ? m.code : EIO, "%s", m.msg);
        (void)container_delete(o->root, o->id, true, &(struct hk_err){0});
        goto out;
    }
    if (o->detach) {
        *ret_status = 0;
        goto out;
    }
    sigset_t fwd;
    sigfillset(&fwd);
    int sfd = signalfd(-1, &fwd, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) {
        r = hk_err_sys(err, errno, "signalfd");
        goto out;
    }
    r = wait_foreground(&c, sfd, err);
    close(sfd);
    if (r >= 0) {
        *ret_status = r;
        r = 0;
        if (!o->keep) {
            struct hk_err derr = {0};
            if (container_delete(o->root, o->id, true, &derr) < 0)
                log_warn("delete container after exit: %s", derr.msg);
        }
    }
out:
    sigprocmask(SIG_SETMASK, &old, NULL);
    ctx_release(&c);
    return r;
}
