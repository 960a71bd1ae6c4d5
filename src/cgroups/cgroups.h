/*
 * Cgroups: one interface over the cgroupfs v1 (incl. hybrid: v1 controllers plus a cgroup2
 * mount at /sys/fs/cgroup/unified) and cgroupfs v2 layouts. The systemd driver is a later
 * addition behind the same functions.
 *
 * A container's cgroup is a set of directories, one per mounted hierarchy. They are
 * recorded in the state (struct state_cgroup_dir) so that kill/delete need neither the
 * spec nor the layout: every directory husk created is removed again, children first.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/cleanup.h"

struct hk_err;
struct spec_resources;
struct spec_device;
struct state_cgroup_dir;

#define CG_ROOT "/sys/fs/cgroup"

enum cg_mode { CG_MODE_V1 = 1, CG_MODE_HYBRID, CG_MODE_V2 };

/* Controller bits (v1 hierarchies may carry several). */
enum {
    CG_CPU = 1 << 0,
    CG_CPUACCT = 1 << 1,
    CG_CPUSET = 1 << 2,
    CG_MEMORY = 1 << 3,
    CG_DEVICES = 1 << 4,
    CG_FREEZER = 1 << 5,
    CG_BLKIO = 1 << 6,
    CG_PIDS = 1 << 7,
    CG_HUGETLB = 1 << 8,
    CG_NET_CLS = 1 << 9,
    CG_NET_PRIO = 1 << 10,
    CG_PERF_EVENT = 1 << 11,
    CG_RDMA = 1 << 12,
    CG_MISC = 1 << 13,
    CG_IO = 1 << 14,      /* v2 */
    CG_NAMED = 1 << 15,   /* v1 name=... hierarchy (e.g. name=systemd) */
    CG_UNIFIED = 1 << 16, /* the cgroup2 hierarchy */
};

struct cg_hier {
    char *name;  /* "memory", "cpu,cpuacct", "name=systemd", "" (cgroup2) */
    char *mount; /* "/sys/fs/cgroup/memory" */
    char *own;   /* this process's cgroup in it, from /proc/self/cgroup */
    unsigned mask;
};

struct cg_layout {
    enum cg_mode mode;
    struct cg_hier *h;
    size_t n;
};

/* The container's cgroup: one leaf directory per hierarchy, plus the parents husk made. */
struct cg_dir {
    char *path;
    char *mount; /* the hierarchy's mount point (leaves only) */
    unsigned mask;
    bool created;
};

struct cg {
    enum cg_mode mode;
    char *path;          /* normalized cgroupsPath, as shown in messages */
    struct cg_dir *dirs; /* creation order (parents before children); leaves have mask != 0 */
    size_t n_dirs;
    int claim_fd; /* flock on one leaf from cg_create until cg_enter: one container per cgroup */
};

/* Read /proc/self/cgroup and find the mount points (no mountinfo parsing). */
int cg_layout_detect(struct cg_layout *ret, struct hk_err *err);
void cg_layout_clear(struct cg_layout *l);

/* Compute the directories for cgroupsPath (NULL/"" -> "<id>" relative to our own cgroup).
 * A path with a ".." component is refused. No filesystem change. */
int cg_prepare(const struct cg_layout *l, const char *id, const char *cgroups_path, struct cg *ret,
               struct hk_err *err);
void cg_clear(struct cg *cg);

/* Create the directories and apply the resources. A leaf that already holds processes is
 * refused; concurrent creates of one cgroup are serialized by an flock on a leaf held until
 * cg_enter, so exactly one wins. On failure everything created is removed again. */
int cg_create(struct cg *cg, const struct spec_resources *res, const struct spec_device *devs,
              size_t n_devs, struct hk_err *err);
/* Remove what cg_create made (children first), killing leftover processes. */
int cg_remove(struct cg *cg, struct hk_err *err);
/* Move pid into every leaf, then release the claim lock. */
int cg_enter(struct cg *cg, pid_t pid, struct hk_err *err);
/* Close the claim fd (also in a cloned child, whose copy would keep the lock). */
void cg_release_claim(struct cg *cg);

/* Check (without touching anything) that every resource in res can be applied by the
 * driver for this mode; the error names the field that cannot. */
int cg_check_resources(enum cg_mode mode, const struct spec_resources *res, struct hk_err *err);

/* On recorded directories (from state.json): */
/* Send sig to every process in the container's cgroup. Returns the number signalled. */
int cg_signal_all(const struct state_cgroup_dir *dirs, size_t n, int sig, struct hk_err *err);
/* True if any leaf still lists a process. */
bool cg_has_procs(const struct state_cgroup_dir *dirs, size_t n);
/* Remove every created directory, children first, killing leftover processes (SIGKILL)
 * and waiting for them (bounded). */
int cg_destroy(const struct state_cgroup_dir *dirs, size_t n, struct hk_err *err);

/* Resource writers per version (res_v1.c, res_v2.c). dir_for returns the leaf directory of
 * the hierarchy carrying a controller bit, or NULL. */
struct dev_rules;
/* devs: the device rules to apply, or NULL to leave device access as inherited. */
int cg_v1_apply(const struct cg *cg, const struct spec_resources *res, const struct dev_rules *devs,
                struct hk_err *err);
int cg_v2_apply(const struct cg *cg, const struct spec_resources *res, const struct dev_rules *devs,
                struct hk_err *err);
const char *cg_dir_for(const struct cg *cg, unsigned ctrl);
/* Write value to dir/file; the error names the file and value. */
int cg_write(const char *dir, const char *file, const char *value, struct hk_err *err);

/* runc's conversion of cpu shares [2, 262144] to cgroup v2 cpu.weight [1, 10000]. */
unsigned long long cg_shares_to_weight(unsigned long long shares);
