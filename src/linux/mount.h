/*
 * Mounts inside the container's mount namespace. Every target is resolved through
 * src/path (never by string after the check) and mounted through its fd: bind mounts with
 * open_tree + mount_setattr + move_mount, filesystems with mount(2) on the fd's magic link
 * (before pivot_root, where /proc is the host's procfs). After pivot_root only fd-based calls
 * are used, so nothing depends on the container's /proc.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hk_err;
struct spec_mount;

/* One cgroup hierarchy to show under a "cgroup" mount (cgroup v1, no cgroup namespace). */
struct mnt_cgroup_src {
    const char *name;     /* "memory", "cpu,cpuacct", "name=systemd" */
    const char *host_dir; /* the container's cgroup directory in that hierarchy */
};

struct mnt_ctx {
    int root_fd;               /* O_PATH fd of the container root mount */
    const char *bundle;        /* absolute bundle path: base of relative bind sources */
    bool userns;               /* in a new user namespace */
    bool cgroupns;             /* in a new cgroup namespace */
    bool cgroup_v2;            /* host is pure cgroup v2 */
    const char *cgroup_v2_dir; /* container cgroup dir (v2, no cgroupns: bind source) */
    const struct mnt_cgroup_src *cg;
    size_t n_cg;
};

/* Apply mounts[idx]. Errors are prefixed "mounts[idx] '<destination>'". */
int mnt_apply(const struct mnt_ctx *c, const struct spec_mount *m, size_t idx, struct hk_err *err);

/* Bind src_fd (any O_PATH fd) onto target_fd, optionally recursive; then set attrs on the
 * new mount (MOUNT_ATTR_* set/clear, top mount only). */
int mnt_bind_fd(int src_fd, int target_fd, bool recursive, uint64_t attr_set, uint64_t attr_clr,
                struct hk_err *err);
/* Mount a fresh read-only tmpfs on target_fd (masked directories). */
int mnt_tmpfs_ro(int target_fd, struct hk_err *err);
/* Set MOUNT_ATTR_* on the mount whose root target_fd is, optionally recursively. */
int mnt_setattr(int target_fd, bool recursive, uint64_t set, uint64_t clr, uint64_t propagation,
                struct hk_err *err);
/* Translate MS_* flags to MOUNT_ATTR_* (pure; unit-tested). */
void mnt_ms_to_attr(unsigned long ms, uint64_t *set, uint64_t *clr_extra);
/* Format "/proc/self/fd/N". */
void mnt_fd_path(int fd, char *buf, size_t len);
