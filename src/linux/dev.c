#include "linux/dev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/err.h"
#include "linux/mount.h"
#include "path/path.h"
#include "spec/spec.h"

static const struct {
    const char *name;
    unsigned major, minor;
} default_devices[] = {
    {"null", 1, 3},   {"zero", 1, 5},    {"full", 1, 7},
    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static const struct {
    const char *target, *name;
} default_links[] = {
    {"/proc/self/fd", "fd"},       {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
    {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"},
};

/* Create one node `name` in dir_fd (a real, non-O_PATH dir fd). */
static int make_node(int dir_fd, const char *name, const char *shown, mode_t type, mode_t perm,
                     dev_t rdev, uid_t uid, gid_t gid, bool userns, struct hk_err *err)
/* `shown` is the path in the container, which is also where the host node is looked up when
 * it has to be bind-mounted (user namespace), as runc does. */
{
    if (unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT && errno != EISDIR)
        return hk_err_sys(err, errno, "remove existing '%s'", shown);
    if (!userns || type == S_IFIFO) {
        if (mknodat(dir_fd, name, type | perm, rdev) < 0)
            return hk_err_sys(err, errno, "mknod '%s'", shown);
        if (fchmodat(dir_fd, name, perm, 0) < 0 ||
            fchownat(dir_fd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
            return hk_err_sys(err, errno, "set owner and mode of '%s'", shown);
        return 0;
    }
    /* user namespace: bind-mount the host's device node onto an empty file */
    const char *host = shown;
    _cleanup_close_ int src = open(host, O_PATH | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (src < 0 || fstat(src, &st) < 0 || (st.st_mode & S_IFMT) != type || st.st_rdev != rdev)
        return hk_err_set(err, ENODEV,
                          "'%s': no matching host device %s to bind in a user "
                          "namespace",
                          shown, host);
    _cleanup_close_ int f =
        openat(dir_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (f < 0)
        return hk_err_sys(err, errno, "create '%s'", shown);
    _cleanup_close_ int tgt = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (tgt < 0)
        return hk_err_sys(err, errno, "open '%s'", shown);
    return mnt_bind_fd(src, tgt, false, 0, 0, err);
}

int dev_setup_default(int root_fd, bool userns, struct hk_err *err)
{
    _cleanup_close_ int p = -EBADF;
    int r = path_mkdir_p_in_root(root_fd, "/dev", 0755, &p, err);
    if (r < 0)
        return r;
    _cleanup_close_ int d = openat(p, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0)
        return hk_err_sys(err, errno, "open /dev");
    for (size_t i = 0; i < HK_ARRAY_SIZE(default_devices); i++) {
        char shown[32];
        snprintf(shown, sizeof(shown), "/dev/%s", default_devices[i].name);
        r = make_node(d, default_devices[i].name, shown, S_IFCHR, 0666,
                      makedev(default_devices[i].major, default_devices[i].minor), 0, 0, userns,
                      err);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < HK_ARRAY_SIZE(default_links); i++) {
        if (strcmp(default_links[i].name, "ptmx") == 0)
            (void)unlinkat(d, "ptmx", 0);
        if (symlinkat(default_links[i].target, d, default_links[i].name) < 0 && errno != EEXIST)
            return hk_err_sys(err, errno, "symlink /dev/%s", default_links[i].name);
    }
    if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", d, "core") < 0 &&
        errno != EEXIST)
        return hk_err_sys(err, errno, "symlink /dev/core");
    return 0;
}

int dev_create(int root_fd, const struct spec_device *dv, size_t idx, bool userns,
               struct hk_err *err)
{
    _cleanup_close_ int p = -EBADF;
    _cleanup_free_ char *name = NULL;
    int r = path_open_parent_in_root(root_fd, dv->path, true, &p, &name, err);
    if (r < 0)
        return hk_err_wrap(err, "linux.devices[%zu]", idx);
    _cleanup_close_ int d = openat(p, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0)
        return hk_err_sys(err, errno, "linux.devices[%zu]: open parent of '%s'", idx, dv->path);
    mode_t type = dv->type == 'b' ? S_IFBLK : dv->type == 'p' ? S_IFIFO : S_IFCHR;
    mode_t perm = dv->file_mode.set ? (mode_t)(dv->file_mode.v & 07777) : 0666;
    dev_t rdev = dv->type == 'p' ? 0 : makedev((unsigned)dv->major, (unsigned)dv->minor);
    r = make_node(d, name, dv->path, type, perm, rdev, dv->uid.set ? dv->uid.v : 0,
                  dv->gid.set ? dv->gid.v : 0, userns, err);
    if (r < 0)
        return hk_err_wrap(err, "linux.devices[%zu]", idx);
    return 0;
}
