#include "linux/mount.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/err.h"
#include "path/path.h"
#include "spec/spec.h"

#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif

static int new_api = 0; /* 0 unknown, 1 yes, -1 no (ENOSYS) */

static int sys_open_tree(int dfd, const char *path, unsigned flags)
{
    return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static int sys_move_mount(int from, const char *fp, int to, const char *tp, unsigned flags)
{
    return (int)syscall(SYS_move_mount, from, fp, to, tp, flags);
}

static int sys_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *a)
{
    return (int)syscall(SYS_mount_setattr, dfd, path, flags, a, sizeof(*a));
}

void mnt_fd_path(int fd, char *buf, size_t len)
{
    snprintf(buf, len, "/proc/self/fd/%d", fd);
}

void mnt_ms_to_attr(unsigned long ms, uint64_t *set, uint64_t *clr_extra)
{
    uint64_t s = 0, c = 0;
    if (ms & MS_RDONLY)
        s |= MOUNT_ATTR_RDONLY;
    if (ms & MS_NOSUID)
        s |= MOUNT_ATTR_NOSUID;
    if (ms & MS_NODEV)
        s |= MOUNT_ATTR_NODEV;
    if (ms & MS_NOEXEC)
        s |= MOUNT_ATTR_NOEXEC;
    if (ms & MS_NODIRATIME)
        s |= MOUNT_ATTR_NODIRATIME;
    if (ms & MS_NOSYMFOLLOW)
        s |= MOUNT_ATTR_NOSYMFOLLOW;
    if (ms & MS_NOATIME) {
        s |= MOUNT_ATTR_NOATIME;
        c |= MOUNT_ATTR__ATIME;
    } else if (ms & MS_STRICTATIME) {
        s |= MOUNT_ATTR_STRICTATIME;
        c |= MOUNT_ATTR__ATIME;
    } else if (ms & MS_RELATIME) {
        s |= MOUNT_ATTR_RELATIME;
        c |= MOUNT_ATTR__ATIME;
    }
    *set = s;
    *clr_extra = c;
}

int mnt_setattr(int target_fd, bool recursive, uint64_t set, uint64_t clr, uint64_t propagation,
                struct hk_err *err)
{
    if (!set && !clr && !propagation)
        return 0;
    struct mount_attr a = {.attr_set = set, .attr_clr = clr, .propagation = propagation};
    unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
    if (sys_mount_setattr(target_fd, "", flags, &a) == 0)
        return 0;
    if (errno != ENOSYS)
        return hk_err_sys(err, errno, "mount_setattr");
    /* Pre-5.12 fallback: remount through the magic link (flags only, not recursive). */
    char p[64];
    mnt_fd_path(target_fd, p, sizeof(p));
    if (propagation &&
        mount(NULL, p, NULL, (unsigned long)propagation | (recursive ? MS_REC : 0), NULL) < 0)
        return hk_err_sys(err, errno, "set mount propagation");
    if (set || clr) {
        if (recursive)
            return hk_err_set(err, ENOSYS, "recursive mount attributes need mount_setattr");
        unsigned long ms = MS_BIND | MS_REMOUNT;
        if (set & MOUNT_ATTR_RDONLY)
            ms |= MS_RDONLY;
        if (set & MOUNT_ATTR_NOSUID)
            ms |= MS_NOSUID;
        if (set & MOUNT_ATTR_NODEV)
            ms |= MS_NODEV;
        if (set & MOUNT_ATTR_NOEXEC)
            ms |= MS_NOEXEC;
        if (mount(NULL, p, NULL, ms, NULL) < 0)
            return hk_err_sys(err, errno, "remount");
    }
    return 0;
}

int mnt_bind_fd(int src_fd, int target_fd, bool recursive, uint64_t attr_set, uint64_t attr_clr,
                struct hk_err *err)
{
    if (new_api >= 0) {
        _cleanup_close_ int tree = sys_open_tree(
            src_fd, "",
            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
        if (tree >= 0) {
            new_api = 1;
            if (attr_set || attr_clr) {
                struct mount_attr a = {.attr_set = attr_set, .attr_clr = attr_clr};
                if (sys_mount_setattr(tree, "", AT_EMPTY_PATH, &a) < 0)
                    return hk_err_sys(err, errno, "set bind mount attributes");
            }
            if (sys_move_mount(tree, "", target_fd, "",
                               MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return hk_err_sys(err, errno, "attach bind mount");
            return 0;
        }
        if (errno != ENOSYS)
            return hk_err_sys(err, errno, "clone mount tree");
        new_api = -1;
    }
    char s[64], t[64];
    mnt_fd_path(src_fd, s, sizeof(s));
    mnt_fd_path(target_fd, t, sizeof(t));
    if (mount(s, t, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
        return hk_err_sys(err, errno, "bind mount");
    if (attr_set || attr_clr) {
        /* Classic remount must address the new mount: reopen through the magic link is
         * not possible (it names the covered dentry), so this path only supports the
         * flags the kernel lets us set in the initial bind; refuse the rest. */
        return hk_err_set(err, ENOSYS, "bind mount attributes need open_tree/mount_setattr");
    }
    return 0;
}

int mnt_tmpfs_ro(int target_fd, struct hk_err *err)
{
    int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
    if (fs >= 0) {
        _cleanup_close_ int fsfd = fs;
        if (syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
            return hk_err_sys(err, errno, "create tmpfs");
        _cleanup_close_ int m = (int)syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
        if (m < 0)
            return hk_err_sys(err, errno, "fsmount tmpfs");
        if (sys_move_mount(m, "", target_fd, "",
                           MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
            return hk_err_sys(err, errno, "attach tmpfs");
        return 0;
    }
    if (errno != ENOSYS)
        return hk_err_sys(err, errno, "fsopen tmpfs");
    char t[64];
    mnt_fd_path(target_fd, t, sizeof(t));
    if (mount("tmpfs", t, "tmpfs", MS_RDONLY, NULL) < 0)
        return hk_err_sys(err, errno, "mount tmpfs");
    return 0;
}

/* ------------------------------------------------------------ per-type mounts */

static bool is_bind(const struct spec_mount *m)
{
    return m->opts.bind || (m->type && strcmp(m->type, "bind") == 0);
}

static unsigned long fs_flags(const struct spec_mount *m)
{
    return m->opts.flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT | MS_SHARED | MS_SLAVE |
                                            MS_PRIVATE | MS_UNBINDABLE);
}

/* After mounting, fix propagation and recursive attributes on the new mount. */
static int post_attrs(const struct mnt_ctx *c, const struct spec_mount *m, struct hk_err *err)
{
    if (!m->opts.propagation && !m->opts.rec_attr_set && !m->opts.rec_attr_clr)
        return 0;
    _cleanup_close_ int fd = -EBADF;
    int r = path_open_in_root(c->root_fd, m->destination, O_PATH, 0, &fd, err);
    if (r < 0)
        return r;
    if (m->opts.rec_attr_set || m->opts.rec_attr_clr) {
        r = mnt_setattr(fd, true, m->opts.rec_attr_set, m->opts.rec_attr_clr, 0, err);
        if (r < 0)
            return r;
    }
    if (m->opts.propagation) {
        unsigned long p = m->opts.propagation & ~(unsigned long)MS_REC;
        r = mnt_setattr(fd, (m->opts.propagation & MS_REC) != 0, 0, 0, p, err);
        if (r < 0)
            return r;
    }
    return 0;
}

static int do_bind(const struct mnt_ctx *c, const struct spec_mount *m, struct hk_err *err)
{
    if (!m->source || !*m->source)
        return hk_err_set(err, EINVAL, "bind mount needs a source");
    _cleanup_free_ char *src = path_join_abs(c->bundle, m->source);
    if (!src)
        return hk_err_set(err, ENOMEM, "out of memory");
    _cleanup_close_ int sfd = open(src, O_PATH | O_CLOEXEC);
    if (sfd < 0)
        return hk_err_sys(err, errno, "source '%s'", src);
    struct stat st;
    if (fstat(sfd, &st) < 0)
        return hk_err_sys(err, errno, "stat source '%s'", src);
    _cleanup_close_ int tfd = -EBADF;
    int r = S_ISDIR(st.st_mode) ? path_mkdir_p_in_root(c->root_fd, m->destination, 0755, &tfd, err)
                                : path_mkfile_in_root(c->root_fd, m->destination, 0644, &tfd, err);
    if (r < 0)
        return r;
    uint64_t set, clr_extra;
    mnt_ms_to_attr(fs_flags(m), &set, &clr_extra);
    uint64_t clr = clr_extra;
    uint64_t cs, cc;
    mnt_ms_to_attr(m->opts.clear, &cs, &cc);
    clr |= cs & ~set;
    r = mnt_bind_fd(sfd, tfd, m->opts.recursive_bind, set, clr, err);
    if (r < 0)
        return r;
    return post_attrs(c, m, err);
}

static int mount_fs_at(int tfd, const char *source, const char *type, unsigned long flags,
                       const char *data, struct hk_err *err)
{
    char t[64];
    mnt_fd_path(tfd, t, sizeof(t));
    if (mount(source, t, type, flags, data) < 0)
        return hk_err_sys(err, errno, "mount %s", type);
    return 0;
}

/* cgroup v1 without a cgroup namespace: a tmpfs with the container's directory of every
 * hierarchy bind-mounted in (read-only if the mount is), as runc does. With a cgroup
 * namespace each hierarchy is mounted fresh. */
static int do_cgroup_v1(const struct mnt_ctx *c, const struct spec_mount *m, struct hk_err *err)
{
    _cleanup_close_ int tfd = -EBADF;
    int r = path_mkdir_p_in_root(c->root_fd, m->destination, 0755, &tfd, err);
    if (r < 0)
        return r;
    unsigned long flags = fs_flags(m);
    r = mount_fs_at(tfd, "tmpfs", "tmpfs", flags & ~(unsigned long)MS_RDONLY, "mode=755", err);
    if (r < 0)
        return r;
    _cleanup_close_ int base = -EBADF;
    r = path_open_in_root(c->root_fd, m->destination, O_PATH | O_DIRECTORY, 0, &base, err);
    if (r < 0)
        return r;
    _cleanup_close_ int wbase = openat(base, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (wbase < 0)
        return hk_err_sys(err, errno, "open cgroup tmpfs");
    uint64_t set, clr;
    mnt_ms_to_attr(flags, &set, &clr);
    for (size_t i = 0; i < c->n_cg; i++) {
        const char *name = c->cg[i].name;
        const char *dir = strncmp(name, "name=", 5) == 0 ? name + 5 : name;
        if (mkdirat(wbase, dir, 0755) < 0 && errno != EEXIST)
            return hk_err_sys(err, errno, "mkdir cgroup/%s", dir);
        _cleanup_close_ int sub = openat(wbase, dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0)
            return hk_err_sys(err, errno, "open cgroup/%s", dir);
        if (c->cgroupns) {
            char data[256];
            snprintf(data, sizeof(data), "%s%s", strncmp(name, "name=", 5) == 0 ? "none," : "",
                     name);
            r = mount_fs_at(sub, "cgroup", "cgroup", flags, data, err);
        } else {
            _cleanup_close_ int src = open(c->cg[i].host_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (src < 0)
                return hk_err_sys(err, errno, "open %s", c->cg[i].host_dir);
            r = mnt_bind_fd(src, sub, false, set, clr, err);
        }
        if (r < 0)
            return hk_err_wrap(err, "cgroup %s", name);
        /* co-mounted controllers ("cpu,cpuacct") also get a symlink per controller */
        if (strchr(dir, ',')) {
            char copy[256];
            snprintf(copy, sizeof(copy), "%s", dir);
            char *save = NULL;
            for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                if (strcmp(t, dir) != 0 && symlinkat(dir, wbase, t) < 0 && errno != EEXIST)
                    return hk_err_sys(err, errno, "symlink cgroup/%s", t);
        }
    }
    /* runc leaves the tmpfs root 0555 so the container cannot add entries */
    if (fchmod(wbase, 0555) < 0)
        return hk_err_sys(err, errno, "chmod the cgroup tmpfs");
    return post_attrs(c, m, err);
}

static int do_cgroup(const struct mnt_ctx *c, const struct spec_mount *m, struct hk_err *err)
{
    if (!c->cgroup_v2)
        return do_cgroup_v1(c, m, err);
    _cleanup_close_ int tfd = -EBADF;
    int r = path_mkdir_p_in_root(c->root_fd, m->destination, 0755, &tfd, err);
    if (r < 0)
        return r;
    if (c->cgroupns) {
        r = mount_fs_at(tfd, "cgroup2", "cgroup2", fs_flags(m), m->opts.data, err);
    } else {
        _cleanup_close_ int src = open(c->cgroup_v2_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (src < 0)
            return hk_err_sys(err, errno, "open %s", c->cgroup_v2_dir);
        uint64_t set, clr;
        mnt_ms_to_attr(fs_flags(m), &set, &clr);
        r = mnt_bind_fd(src, tfd, false, set, clr, err);
    }
    if (r < 0)
        return r;
    return post_attrs(c, m, err);
}

int mnt_apply(const struct mnt_ctx *c, const struct spec_mount *m, size_t idx, struct hk_err *err)
{
    int r;
    if (m->opts.tmpcopyup || m->opts.idmap || m->opts.ridmap || m->n_uid_mappings ||
        m->n_gid_mappings)
        r = hk_err_set(err, ENOTSUP, "%s: not supported by husk yet",
                       m->opts.tmpcopyup ? "tmpcopyup" : "id-mapped mounts");
    else if (is_bind(m))
        r = do_bind(c, m, err);
    else if (m->type && (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0))
        r = do_cgroup(c, m, err);
    else if (!m->type || !*m->type)
        r = hk_err_set(err, EINVAL, "type: required for a mount that is not a bind mount");
    else {
        _cleanup_close_ int tfd = -EBADF;
        r = path_mkdir_p_in_root(c->root_fd, m->destination, 0755, &tfd, err);
        if (r == 0)
            r = mount_fs_at(tfd, m->source && *m->source ? m->source : m->type, m->type,
                            fs_flags(m), m->opts.data, err);
        if (r == 0)
            r = post_attrs(c, m, err);
    }
    if (r < 0)
        return hk_err_wrap(err, "mounts[%zu] '%s'", idx, m->destination);
    return 0;
}
