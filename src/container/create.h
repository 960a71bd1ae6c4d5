/* Internal to container/: the create plan shared by the parent (create.c) and the child
 * (child.c). The child inherits it in memory through clone; nothing is re-serialized.
 * No unit test: the clone/child protocol is exercised by every integration test.
 */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cgroups/cgroups.h"
#include "container/container.h"
#include "linux/rootfs.h"
#include "spec/spec.h"

struct hk_plan {
    const struct hk_create_opts *o;
    bool run_mode; /* run: wait for SYNC_GO instead of the exec fifo */
    struct spec *spec;
    char *bundle_abs;
    char *rootfs_abs;
    int proc_fd;               /* host /proc, verified */
    int fifo_fd;               /* create mode: exec fifo, O_RDWR */
    int sync_fd;               /* child's end of the socketpair (parent's end is in the ctx) */
    int ns_fds[NS_TYPE_COUNT]; /* joined namespaces (path), -EBADF otherwise */
    unsigned long new_ns;      /* CLONE_NEW* to create (cgroup excluded: unshared later) */
    bool two_stage;            /* a stage-1 process joins/unshares, then forks the init */
    bool userns;               /* the container is in a user namespace (new or joined) */
    bool new_userns;
    bool new_cgroupns;
    bool own_pidns;
    int last_cap;
    struct cg_layout layout;
    struct cg cg;
    struct mnt_cgroup_src *cg_srcs;
    struct rootfs_plan rootfs;
};

/* Child entry points; never return. */
_Noreturn void child_stage1(struct hk_plan *p);
_Noreturn void child_init(struct hk_plan *p, bool in_cgroup);
