#include "linux/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/err.h"
#include "linux/dev.h"
#include "path/path.h"
#include "spec/spec.h"

bool rootfs_dev_is_bind(const struct spec *s)
{
    for (size_t i = 0; i < s->n_mounts; i++) {
        const struct spec_mount *m = &s->mounts[i];
        _cleanup_free_ char *d = path_join_abs("/", m->destination);
        if (!d || strcmp(d, "/dev") != 0)
            continue;
        if (m->opts.bind || (m->type && strcmp(m->type, "bind") == 0))
            return true;
    }
    return false;
}

int rootfs_prepare(struct rootfs_plan *p, struct hk_err *err)
{
    unsigned long prop = p->spec->linux.rootfs_propagation_flags;
    /* Keep host mount events flowing in but never out: everything becomes a slave first
     * (so detaching the old root after pivot_root cannot propagate an unmount to the host),
     * then private / unbindable when asked. A shared root is applied after pivot_root, which
     * refuses a shared mount point. */
    if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        return hk_err_sys(err, errno, "make / rslave");
    if ((prop & (MS_PRIVATE | MS_UNBINDABLE)) && mount(NULL, "/", NULL, prop, NULL) < 0)
        return hk_err_sys(err, errno, "linux.rootfsPropagation: '%s'",
                          p->spec->linux.rootfs_propagation);
    if (mount(p->rootfs, p->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return hk_err_sys(err, errno, "root.path: bind '%s'", p->rootfs);
    int fd = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return hk_err_sys(err, errno, "root.path: open '%s'", p->rootfs);
    p->mnt.root_fd = fd;
    return 0;
}

int rootfs_mounts(struct rootfs_plan *p, struct hk_err *err)
{
    const struct spec *s = p->spec;
    int r;
    for (size_t i = 0; i < s->n_mounts; i++)
        if ((r = mnt_apply(&p->mnt, &s->mounts[i], i, err)) < 0)
            return r;
    if (p->setup_dev && (r = dev_setup_default(p->mnt.root_fd, p->mnt.userns, err)) < 0)
        return r;
    for (size_t i = 0; i < s->linux.n_devices; i++)
        if ((r = dev_create(p->mnt.root_fd, &s->linux.devices[i], i, p->mnt.userns, err)) < 0)
            return r;
    /* like runc, a missing cwd is created (inside the root) */
    if (s->process.cwd) {
        _cleanup_close_ int cwd = -EBADF;
        if ((r = path_mkdir_p_in_root(p->mnt.root_fd, s->process.cwd, 0755, &cwd, err)) < 0)
            return hk_err_wrap(err, "process.cwd");
    }
    return 0;
}

int rootfs_pivot(struct rootfs_plan *p, struct hk_err *err)
{
    if (fchdir(p->mnt.root_fd) < 0)
        return hk_err_sys(err, errno, "chdir to the container root");
    if (p->no_pivot) {
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
            return hk_err_sys(err, errno, "move the container root to /");
        if (chroot(".") < 0)
            return hk_err_sys(err, errno, "chroot");
    } else {
        if (syscall(SYS_pivot_root, ".", ".") < 0)
            return hk_err_sys(err, errno, "pivot_root");
        /* The old root is now stacked on "." (umount2 resolves to the topmost mount there).
         * Its unmount cannot propagate to the host: "/" was made rslave (or private) in
         * rootfs_prepare. A mount(MS_SLAVE|MS_REC) on "." here would hit the new root
         * instead ("." does not cross onto the stacked mount) and turn the container's
         * shared mounts private. */
        if (umount2(".", MNT_DETACH) < 0)
            return hk_err_sys(err, errno, "detach the old root");
    }
    if (chdir("/") < 0)
        return hk_err_sys(err, errno, "chdir /");
    int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return hk_err_sys(err, errno, "open the new root");
    close(p->mnt.root_fd);
    p->mnt.root_fd = fd;
    return 0;
}

static int mask_path(struct rootfs_plan *p, const char *path, size_t idx, struct hk_err *err)
{
    _cleanup_close_ int fd = -EBADF;
    struct hk_err e;
    if (path_open_in_root(p->mnt.root_fd, path, O_PATH, 0, &fd, &e) < 0) {
        if (e.code == ENOENT || e.code == ENOTDIR)
            return 0;
        return hk_err_set(err, e.code, "linux.maskedPaths[%zu]: %s", idx, e.msg);
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
        return hk_err_sys(err, errno, "linux.maskedPaths[%zu]: stat '%s'", idx, path);
    int r;
    if (S_ISDIR(st.st_mode)) {
        r = mnt_tmpfs_ro(fd, err);
    } else {
        if (p->devnull_fd < 0) {
            /* The container's own /dev/null, checked to be the real null device so that a
             * hostile image cannot turn a mask into a bind of something else
             * (CVE-2025-31133). It must be in our mount namespace for open_tree. */
            int nfd = -EBADF;
            struct stat ns;
            if (path_open_in_root(p->mnt.root_fd, "/dev/null", O_PATH, PATH_NOFOLLOW, &nfd, &e) < 0)
                return hk_err_set(err, e.code, "linux.maskedPaths[%zu] '%s': %s", idx, path, e.msg);
            if (fstat(nfd, &ns) < 0 || !S_ISCHR(ns.st_mode) || ns.st_rdev != makedev(1, 3)) {
                close(nfd);
                return hk_err_set(err, ENODEV,
                                  "linux.maskedPaths[%zu] '%s': /dev/null in the container is "
                                  "not the null device (char 1:3)",
                                  idx, path);
            }
            p->devnull_fd = nfd;
        }
        r = mnt_bind_fd(p->devnull_fd, fd, false, 0, 0, err);
    }
    if (r < 0)
        return hk_err_wrap(err, "linux.maskedPaths[%zu] '%s'", idx, path);
    return 0;
}

static int readonly_path(struct rootfs_plan *p, const char *path, size_t idx, struct hk_err *err)
{
    _cleanup_close_ int fd = -EBADF;
    struct hk_err e;
    if (path_open_in_root(p->mnt.root_fd, path, O_PATH, 0, &fd, &e) < 0) {
        if (e.code == ENOENT || e.code == ENOTDIR)
            return 0;
        return hk_err_set(err, e.code, "linux.readonlyPaths[%zu]: %s", idx, e.msg);
    }
    int r = mnt_bind_fd(fd, fd, true, MOUNT_ATTR_RDONLY, 0, err);
    if (r < 0)
        return hk_err_wrap(err, "linux.readonlyPaths[%zu] '%s'", idx, path);
    return 0;
}

int rootfs_finalize(struct rootfs_plan *p, struct hk_err *err)
{
    const struct spec *s = p->spec;
    int r;
    for (size_t i = 0; i < s->linux.n_masked_paths; i++)
        if ((r = mask_path(p, s->linux.masked_paths[i], i, err)) < 0)
            return r;
    for (size_t i = 0; i < s->linux.n_readonly_paths; i++)
        if ((r = readonly_path(p, s->linux.readonly_paths[i], i, err)) < 0)
            return r;
    if (s->root_readonly &&
        (r = mnt_setattr(p->mnt.root_fd, false, MOUNT_ATTR_RDONLY, 0, 0, err)) < 0)
        return hk_err_wrap(err, "root.readonly");
    unsigned long prop = s->linux.rootfs_propagation_flags;
    if (prop & (MS_SHARED | MS_SLAVE)) {
        r = mnt_setattr(p->mnt.root_fd, (prop & MS_REC) != 0, 0, 0, prop & ~(unsigned long)MS_REC,
                        err);
        if (r < 0)
            return hk_err_wrap(err, "linux.rootfsPropagation");
    }
    return 0;
}
