/*
 * The child side of create: runs in the clone of the husk process, sets up namespaces,
 * rootfs, credentials, and execs the container process. Every failure is sent to the parent
 * as one SYNC_ERROR record, then the child exits. It never logs to files itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container/create.h"
#include "container/sync.h"
#include "core/err.h"
#include "core/log.h"
#include "linux/caps.h"
#include "linux/exec.h"
#include "linux/ns.h"
#include "linux/procfs.h"
#include "linux/rlimit.h"
#include "linux/rootfs.h"
#include "linux/user.h"
#include "spec/names.h"

#define FAIL(p, e) sync_fail((p)->sync_fd, (e))

/* Wait for a message from the parent; EOF means the parent died: exit quietly. */
static void wait_for(struct hk_plan *p, enum sync_type t)
{
    struct sync_msg m;
    for (;;) {
        int r = sync_recv(p->sync_fd, &m);
        if (r < 0)
            _exit(1);
        if (m.type == (uint32_t)t)
            return;
    }
}

static const enum spec_ns_type join_order[] = {NS_USER, NS_IPC, NS_UTS,    NS_NET,
                                               NS_PID,  NS_MNT, NS_CGROUP, NS_TIME};

void child_stage1(struct hk_plan *p)
{
    struct hk_err err = {0};
    /* user namespace first: everything else is owned by it */
    if (p->ns_fds[NS_USER] >= 0 && ns_join(p->ns_fds[NS_USER], NS_USER, &err) < 0)
        FAIL(p, &err);
    if (p->new_userns) {
        if (unshare(CLONE_NEWUSER) < 0) {
            hk_err_sys(&err, errno, "create user namespace");
            FAIL(p, &err);
        }
        (void)sync_send(p->sync_fd, SYNC_MAPS_REQ, 0, 0, NULL);
        wait_for(p, SYNC_MAPS_DONE);
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
            hk_err_sys(&err, errno, "become root in the user namespace");
            FAIL(p, &err);
        }
    }
    for (size_t i = 1; i < HK_ARRAY_SIZE(join_order); i++) {
        enum spec_ns_type t = join_order[i];
        if (t != NS_CGROUP && p->ns_fds[t] >= 0 && ns_join(p->ns_fds[t], t, &err) < 0)
            FAIL(p, &err);
    }
    unsigned long rest = p->new_ns & ~(unsigned long)CLONE_NEWUSER;
    if (rest && unshare((int)rest) < 0) {
        hk_err_sys(&err, errno, "create namespaces");
        FAIL(p, &err);
    }
    if ((p->new_ns & CLONE_NEWTIME) &&
        ns_set_time_offsets(p->proc_fd, &p->spec->linux.time_monotonic,
                            &p->spec->linux.time_boottime, &err) < 0)
        FAIL(p, &err);
    /* The parent moves us into the cgroup; the init inherits it. */
    wait_for(p, SYNC_CGROUP_DONE);
    /* clone3 requires exit_signal 0 with CLONE_PARENT: husk reaps the init with __WALL and
     * watches it through a pidfd; once reparented its exit signal becomes SIGCHLD again. */
    struct clone_args ca = {.flags = CLONE_PARENT, .exit_signal = 0};
    long pid = syscall(SYS_clone3, &ca, sizeof(ca));
    if (pid < 0) {
        hk_err_sys(&err, errno, "clone the container init");
        FAIL(p, &err);
    }
    if (pid == 0)
        child_init(p, true);
    (void)sync_send(p->sync_fd, SYNC_PID, 0, pid, NULL);
    _exit(0);
}

static void set_hostnames(struct hk_plan *p)
{
    struct hk_err err = {0};
    const struct spec *s = p->spec;
    if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0) {
        hk_err_sys(&err, errno, "hostname: set '%s'", s->hostname);
        FAIL(p, &err);
    }
    if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0) {
        hk_err_sys(&err, errno, "domainname: set '%s'", s->domainname);
        FAIL(p, &err);
    }
}

static void join_session_keyring(struct hk_plan *p)
{
    if (p->o->no_new_keyring)
        return;
    /* A new session keyring named after the container, so containers never share the
     * caller's keys. Kernels without keyrings (ENOSYS) or a denying LSM are tolerated. */
    long r = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, p->o->id);
    if (r < 0 && errno != ENOSYS && errno != EACCES && errno != EPERM) {
        struct hk_err err;
        hk_err_sys(&err, errno, "join a new session keyring");
        FAIL(p, &err);
    }
}

static void reset_signals(void)
{
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        struct sigaction sa;
        if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL) {
            sa.sa_handler = SIG_DFL;
            sa.sa_flags = 0;
            (void)sigaction(sig, &sa, NULL);
        }
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The environment for execve: process.env plus HOME (from /etc/passwd) if it is missing. */
static char **build_env(struct hk_plan *p, char *home_buf, size_t home_len)
{
    const struct spec_process *pr = &p->spec->process;
    size_t n = pr->n_env;
    char **env = calloc(n + 2, sizeof(char *));
    if (!env)
        return NULL;
    for (size_t i = 0; i < n; i++)
        env[i] = pr->env[i];
    if (!exec_getenv(pr->env, "HOME")) {
        char home[PATH_MAX];
        user_home(p->rootfs.mnt.root_fd, pr->user.uid, home, sizeof(home));
        snprintf(home_buf, home_len, "HOME=%s", home);
        env[n++] = home_buf;
    }
    env[n] = NULL;
    return env;
}

void child_init(struct hk_plan *p, bool in_cgroup)
{
    struct hk_err err = {0};
    const struct spec *s = p->spec;
    const struct spec_process *pr = &s->process;

    if (!p->two_stage && p->new_userns) {
        wait_for(p, SYNC_MAPS_DONE);
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
            hk_err_sys(&err, errno, "become root in the user namespace");
            FAIL(p, &err);
        }
    }
    if (p->ns_fds[NS_CGROUP] >= 0 && ns_join(p->ns_fds[NS_CGROUP], NS_CGROUP, &err) < 0)
        FAIL(p, &err);
    if (p->new_cgroupns) {
        /* the namespace root must be the container's cgroup */
        if (!in_cgroup) {
            wait_for(p, SYNC_CGROUP_DONE);
            in_cgroup = true;
        }
        if (unshare(CLONE_NEWCGROUP) < 0) {
            hk_err_sys(&err, errno, "create cgroup namespace");
            FAIL(p, &err);
        }
    }
    umask(0);
    set_hostnames(p);
    if (s->linux.n_sysctl &&
        procfs_write_sysctls(p->proc_fd, s->linux.sysctl, s->linux.n_sysctl, &err) < 0)
        FAIL(p, &err);
    join_session_keyring(p);

    if (rootfs_prepare(&p->rootfs, &err) < 0 || rootfs_mounts(&p->rootfs, &err) < 0 ||
        rootfs_pivot(&p->rootfs, &err) < 0 || rootfs_finalize(&p->rootfs, &err) < 0)
        FAIL(p, &err);

    if (rlimit_apply(pr->rlimits, pr->n_rlimits, &err) < 0)
        FAIL(p, &err);

    bool cwd_done = chdir(pr->cwd) == 0;
    int cwd_errno = errno;

    /* No capabilities object means no capabilities at all (runc does the same): the
     * zero-initialised sets are applied. */
    if (caps_apply_bounding(pr->caps.bounding, p->last_cap, &err) < 0)
        FAIL(p, &err);
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
        hk_err_sys(&err, errno, "keep capabilities across the uid switch");
        FAIL(p, &err);
    }
    /* setgroups is always allowed for us: the maps are written by a privileged parent
     * without "deny" in /proc/<pid>/setgroups. */
    if (user_switch(&pr->user, true, &err) < 0)
        FAIL(p, &err);
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
        hk_err_sys(&err, errno, "clear keep-capabilities");
        FAIL(p, &err);
    }
    if (caps_apply_final(&pr->caps, p->last_cap, &err) < 0)
        FAIL(p, &err);
    if (!cwd_done && chdir(pr->cwd) < 0) {
        hk_err_sys(&err, errno == ENOENT ? cwd_errno : errno, "process.cwd: chdir '%s'", pr->cwd);
        FAIL(p, &err);
    }
    umask(pr->user.umask.set ? (mode_t)pr->user.umask.v : 022);

    char home[PATH_MAX + 8];
    char **env = build_env(p, home, sizeof(home));
    if (!env) {
        hk_err_set(&err, ENOMEM, "out of memory");
        FAIL(p, &err);
    }
    char exe[PATH_MAX];
    if (exec_find(pr->args[0], pr->env, exe, sizeof(exe), &err) < 0)
        FAIL(p, &err);

    if (pr->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        hk_err_sys(&err, errno, "process.noNewPrivileges");
        FAIL(p, &err);
    }
    /* Only stdio and the preserved fds survive exec; ours are all O_CLOEXEC, this catches
     * anything inherited from the caller. */
    if (exec_cloexec_from(3 + (int)p->o->preserve_fds, &err) < 0)
        FAIL(p, &err);
    /* preserved fds are the caller's 3..3+N-1 (checked open before clone): keep them */
    for (int fd = 3; fd < 3 + (int)p->o->preserve_fds; fd++) {
        int fl = fcntl(fd, F_GETFD);
        if (fl >= 0 && (fl & FD_CLOEXEC))
            (void)fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
    }
    if (exec_check_cwd(&err) < 0)
        FAIL(p, &err);
    if (!in_cgroup)
        wait_for(p, SYNC_CGROUP_DONE);
    reset_signals();
    prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);

    (void)sync_send(p->sync_fd, SYNC_READY, 0, 0, NULL);
    if (p->run_mode) {
        wait_for(p, SYNC_GO);
    } else {
        /* Blocks until `start` writes a byte into the exec fifo. */
        int fl = fcntl(p->fifo_fd, F_GETFL);
        if (fl >= 0)
            (void)fcntl(p->fifo_fd, F_SETFL, fl & ~O_NONBLOCK);
        char c;
        ssize_t n;
        do {
            n = read(p->fifo_fd, &c, 1);
        } while (n < 0 && errno == EINTR);
        if (n != 1)
            _exit(1);
    }
    execve(exe, pr->args, env);
    int e = errno;
    hk_err_sys(&err, e, "exec '%s'", exe);
    (void)sync_send(p->sync_fd, SYNC_ERROR, err.code, 0, err.msg);
    _exit(e == ENOENT ? 127 : 126);
}
