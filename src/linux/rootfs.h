/* The container's root filesystem, in order: propagation, self-bind, spec mounts, /dev,
 * pivot_root (or MS_MOVE + chroot), masked and read-only paths, read-only root.
 * No unit test: needs a mount namespace; covered by tests/integration/test_rootfs.py.
 */
#pragma once

#include <stdbool.h>

#include "linux/mount.h"

struct hk_err;
struct spec;

struct rootfs_plan {
    const struct spec *spec;
    const char *rootfs; /* absolute host path of root.path */
    bool no_pivot;
    bool setup_dev;     /* false when /dev is bind-mounted from the host */
    struct mnt_ctx mnt; /* mnt.root_fd is set by rootfs_prepare */
    int devnull_fd;     /* the container's /dev/null, verified 1:3 (opened on first use) */
};

int rootfs_prepare(struct rootfs_plan *p, struct hk_err *err);
int rootfs_mounts(struct rootfs_plan *p, struct hk_err *err);
int rootfs_pivot(struct rootfs_plan *p, struct hk_err *err);
int rootfs_finalize(struct rootfs_plan *p, struct hk_err *err);
/* Does the config bind-mount something onto /dev? (pure) */
bool rootfs_dev_is_bind(const struct spec *s);
