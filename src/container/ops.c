/* start, kill, delete, state and list: operations on an existing container. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "container/container.h"
#include "core/err.h"
#include "core/fdutil.h"
#include "core/log.h"
#include "linux/procfs.h"
#include "state/dir.h"
#include "state/id.h"

static const char *const status_names[] = {
    [HK_CREATING] = "creating", [HK_CREATED] = "created", [HK_RUNNING] = "running",
    [HK_PAUSED] = "paused",     [HK_STOPPED] = "stopped",
};

const char *container_status_name(enum hk_status s)
{
    return (unsigned)s < HK_ARRAY_SIZE(status_names) ? status_names[s] : "unknown";
}

void container_format_time(int64_t sec, long nsec, char *buf, size_t len)
{
    struct tm tm;
    time_t t = (time_t)sec;
    gmtime_r(&t, &tm);
    char head[32];
    strftime(head, sizeof(head), "%Y-%m-%dT%H:%M:%S", &tm);
    if (nsec == 0) {
        snprintf(buf, len, "%sZ", head);
        return;
    }
    char frac[16];
    snprintf(frac, sizeof(frac), "%09ld", nsec);
    for (int i = 8; i > 0 && frac[i] == '0'; i--)
        frac[i] = '\0';
    snprintf(buf, len, "%s.%sZ", head, frac);
}

int container_write_pid_file(const char *path, pid_t pid, struct hk_err *err)
{
    char tmp[4096], val[16];
    const char *slash = strrchr(path, '/');
    int w;
    if (slash)
        w = snprintf(tmp, sizeof(tmp), "%.*s/.%s", (int)(slash - path), path, slash + 1);
    else
        w = snprintf(tmp, sizeof(tmp), ".%s", path);
    if (w < 0 || (size_t)w >= sizeof(tmp))
        return hk_err_set(err, ENAMETOOLONG, "--pid-file: '%s' is too long", path);
    snprintf(val, sizeof(val), "%d", (int)pid);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_SYNC | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0)
        return hk_err_sys(err, errno, "--pid-file: create '%s'", tmp);
    int r = write_all(fd, val, strlen(val));
    close(fd);
    if (r == 0 && rename(tmp, path) < 0)
        r = -errno;
    if (r < 0) {
        unlink(tmp);
        return hk_err_sys(err, -r, "--pid-file: write '%s'", path);
    }
    return 0;
}

/* ------------------------------------------------------------ status */

static bool init_alive(int proc_fd, const struct hk_state *st)
{
    if (st->pid <= 0)
        return false;
    unsigned long long start = 0;
    char state = 0;
    if (procfs_pid_stat(proc_fd, st->pid, &start, &state) < 0)
        return false;
    return start == st->pid_start && state != 'Z' && state != 'X';
}

static bool frozen(const struct hk_state *st)
{
    /* v1 freezer leaf (or v2 cgroup.freeze); pause/resume are a later feature, but a
     * container frozen by an operator must still show as paused. */
    for (size_t i = 0; i < st->n_cgroup_dirs; i++) {
        char path[4096];
        _cleanup_free_ char *v = NULL;
        snprintf(path, sizeof(path), "%s/freezer.state", st->cgroup_dirs[i].path);
        if (read_file_at(AT_FDCWD, path, 0, 64, &v, NULL) == 0)
            return strncmp(v, "FROZEN", 6) == 0 || strncmp(v, "FREEZING", 8) == 0;
        snprintf(path, sizeof(path), "%s/cgroup.freeze", st->cgroup_dirs[i].path);
        if (read_file_at(AT_FDCWD, path, 0, 64, &v, NULL) == 0 && v[0] == '1')
            return true;
    }
    return false;
}

void container_view_clear(struct hk_view *v)
{
    state_clear(&v->st);
}

int container_view_load(int dir_fd, int proc_fd, struct hk_view *ret, struct hk_err *err)
{
    struct hk_view v = {0};
    int r = state_read(dir_fd, &v.st, err);
    if (r < 0)
        return r;
    struct stat sb;
    v.owner_uid = fstat(dir_fd, &sb) == 0 ? sb.st_uid : 0;
    if (!init_alive(proc_fd, &v.st)) {
        v.status = HK_STOPPED;
        v.st.pid = 0;
    } else if (state_fifo_exists(dir_fd)) {
        v.status = HK_CREATED;
    } else if (frozen(&v.st)) {
        v.status = HK_PAUSED;
    } else {
        v.status = HK_RUNNING;
    }
    *ret = v;
    return 0;
}

/* An existing container's directories: state root, its state dir (locked if asked), and a
 * verified procfs. */
struct handle {
    int rfd, dfd, pfd;
};

static void handle_close(struct handle *h)
{
    h->rfd = hk_close(h->rfd);
    h->dfd = hk_close(h->dfd);
    h->pfd = hk_close(h->pfd);
}

static int open_container(const char *root, const char *id, bool lock, struct handle *h,
                          struct hk_err *err)
{
    *h = (struct handle){-EBADF, -EBADF, -EBADF};
    int r = state_id_check(id, err);
    if (r < 0)
        return r;
    h->rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (h->rfd < 0) {
        if (errno == ENOENT)
            return hk_err_set(err, ENOENT, "container does not exist");
        return hk_err_sys(err, errno, "open state root '%s'", root);
    }
    if ((r = state_dir_open(h->rfd, id, &h->dfd, err)) < 0 ||
        (lock && (r = state_dir_lock(h->dfd, true, err)) < 0) ||
        (r = procfs_open(&h->pfd, err)) < 0) {
        handle_close(h);
        return r;
    }
    return 0;
}

int container_view(const char *root, const char *id, struct hk_view *ret, struct hk_err *err)
{
    struct handle h;
    int r = open_container(root, id, false, &h, err);
    if (r < 0)
        return r;
    r = container_view_load(h.dfd, h.pfd, ret, err);
    handle_close(&h);
    return r;
}

static int cmp_view(const void *a, const void *b)
{
    return strcmp(((const struct hk_view *)a)->st.id, ((const struct hk_view *)b)->st.id);
}

int container_list(const char *root, struct hk_view **ret, size_t *ret_n, struct hk_err *err)
{
    *ret = NULL;
    *ret_n = 0;
    int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rfd < 0) {
        if (errno == ENOENT)
            return 0;
        return hk_err_sys(err, errno, "open state root '%s'", root);
    }
    DIR *d = fdopendir(rfd);
    if (!d) {
        int e = errno;
        close(rfd);
        return hk_err_sys(err, e, "read state root '%s'", root);
    }
    _cleanup_close_ int pfd = -EBADF;
    int r = procfs_open(&pfd, err);
    if (r < 0) {
        closedir(d);
        return r;
    }
    struct hk_view *v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
            continue;
        if (!state_id_valid(de->d_name))
            continue;
        _cleanup_close_ int dfd =
            openat(rfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct hk_view *nv = realloc(v, cap * sizeof(*nv));
            if (!nv) {
                r = hk_err_set(err, ENOMEM, "out of memory");
                break;
            }
            v = nv;
        }
        struct hk_err e;
        if (container_view_load(dfd, pfd, &v[n], &e) < 0)
            continue; /* being created or deleted right now */
        n++;
    }
    closedir(d);
    if (r < 0) {
        for (size_t i = 0; i < n; i++)
            container_view_clear(&v[i]);
        free(v);
        return r;
    }
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_view);
    *ret = v;
    *ret_n = n;
    return 0;
}

/* ------------------------------------------------------------ start */

static int start_locked(const struct handle *h, struct hk_err *err)
{
    struct hk_view v;
    int r = container_view_load(h->dfd, h->pfd, &v, err);
    if (r < 0)
        return r;
    enum hk_status s = v.status;
    container_view_clear(&v);
    switch (s) {
    case HK_CREATED:
        break;
    case HK_STOPPED:
        return hk_err_set(err, EINVAL, "cannot start a container that has stopped");
    case HK_RUNNING:
        return hk_err_set(err, EINVAL, "cannot start an already running container");
    default:
        return hk_err_set(err, EINVAL, "cannot start a container in the %s state",
                          container_status_name(s));
    }
    _cleanup_close_ int ff =
        openat(h->dfd, STATE_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
    if (ff < 0) {
        if (errno == ENXIO)
            return hk_err_set(err, ESRCH, "container init is not waiting to start");
        return hk_err_sys(err, errno, "open exec fifo");
    }
    if (write(ff, "0", 1) != 1)
        return hk_err_sys(err, errno, "write exec fifo");
    if (unlinkat(h->dfd, STATE_FIFO, 0) < 0)
        return hk_err_sys(err, errno, "remove exec fifo");
    return 0;
}

int container_start(const char *root, const char *id, struct hk_err *err)
{
    struct handle h;
    int r = open_container(root, id, true, &h, err);
    if (r < 0)
        return r;
    r = start_locked(&h, err);
    handle_close(&h);
    return r;
}

/* ------------------------------------------------------------ kill */

static int open_pidfd_checked(int proc_fd, const struct hk_state *st)
{
    int fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
    if (fd < 0)
        return -errno;
    /* The pid could have been reused between reading the state and pidfd_open: check the
     * start time again now that the pidfd pins the process. */
    unsigned long long start = 0;
    if (procfs_pid_stat(proc_fd, st->pid, &start, NULL) < 0 || start != st->pid_start) {
        close(fd);
        return -ESRCH;
    }
    return fd;
}

static int signal_container(int proc_fd, const struct hk_view *v, int sig, bool all,
                            struct hk_err *err)
{
    _cleanup_close_ int pidfd = open_pidfd_checked(proc_fd, &v->st);
    if (pidfd < 0)
        return hk_err_set(err, ESRCH, "container not running");
    if (all || (sig == SIGKILL && !v->st.own_pidns)) {
        int r = cg_signal_all(v->st.cgroup_dirs, v->st.n_cgroup_dirs, sig, err);
        if (r < 0)
            return r;
    }
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
        return hk_err_sys(err, errno, "send signal %d to the container", sig);
    return 0;
}

int container_kill(const char *root, const char *id, int sig, bool all, struct hk_err *err)
{
    struct handle h;
    int r = open_container(root, id, false, &h, err);
    if (r < 0)
        return r;
    struct hk_view v;
    if ((r = container_view_load(h.dfd, h.pfd, &v, err)) == 0) {
        if (v.status != HK_CREATED && v.status != HK_RUNNING && v.status != HK_PAUSED)
            r = hk_err_set(err, ESRCH, "container not running");
        else
            r = signal_container(h.pfd, &v, sig, all, err);
        container_view_clear(&v);
    }
    handle_close(&h);
    return r;
}

/* ------------------------------------------------------------ delete */

/* SIGKILL everything and wait until the init is gone (pidfd, no sleeps). */
static int kill_and_wait(int proc_fd, const struct hk_view *v, struct hk_err *err)
{
    _cleanup_close_ int pidfd = open_pidfd_checked(proc_fd, &v->st);
    if (!v->st.own_pidns || pidfd < 0)
        (void)cg_signal_all(v->st.cgroup_dirs, v->st.n_cgroup_dirs, SIGKILL, err);
    if (pidfd < 0)
        return 0;
    if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
        return hk_err_sys(err, errno, "kill the container");
    struct pollfd pf = {.fd = pidfd, .events = POLLIN};
    for (;;) {
        int n = poll(&pf, 1, 10000);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            return hk_err_set(err, ETIMEDOUT, "container init did not exit within 10 s of SIGKILL");
        return 0;
    }
}

static int delete_locked(const struct handle *h, const char *id, bool force, struct hk_err *err)
{
    int rfd = h->rfd, dfd = h->dfd, pfd = h->pfd;
    int r = 0;
    struct hk_view v;
    struct hk_err e;
    if (container_view_load(dfd, pfd, &v, &e) < 0) {
        if (e.code != ENOENT)
            return hk_err_set(err, e.code, "%s", e.msg);
        /* No state.json: left over from a create that died; nothing else to undo. */
        return state_dir_remove(rfd, id, err);
    }
    switch (v.status) {
    case HK_STOPPED:
        break;
    case HK_CREATED:
        r = kill_and_wait(pfd, &v, err);
        break;
    default:
        if (!force) {
            r = hk_err_set(err, EBUSY, "cannot delete container %s that is not stopped: %s", id,
                           container_status_name(v.status));
            break;
        }
        /* a paused container must be thawed for SIGKILL to take effect */
        for (size_t i = 0; i < v.st.n_cgroup_dirs; i++) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/freezer.state", v.st.cgroup_dirs[i].path);
            (void)write_file_at(AT_FDCWD, path, "THAWED");
            snprintf(path, sizeof(path), "%s/cgroup.freeze", v.st.cgroup_dirs[i].path);
            (void)write_file_at(AT_FDCWD, path, "0");
        }
        r = kill_and_wait(pfd, &v, err);
    }
    if (r == 0 && v.st.n_cgroup_dirs &&
        (r = cg_destroy(v.st.cgroup_dirs, v.st.n_cgroup_dirs, err)) < 0)
        (void)0;
    if (r == 0)
        r = state_dir_remove(rfd, id, err);
    container_view_clear(&v);
    return r;
}

int container_delete(const char *root, const char *id, bool force, struct hk_err *err)
{
    struct handle h;
    int r = open_container(root, id, true, &h, err);
    if (r < 0)
        return r;
    r = delete_locked(&h, id, force, err);
    handle_close(&h);
    return r;
}
