/* <root>/<id>/state.json: what later commands need to know about a container. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/cleanup.h"

struct hk_err;
struct spec_kv;

/* A cgroup directory the container uses; `created` if husk made it (and so removes it);
 * `leaf` for the container's own cgroup in a hierarchy (parents are shared with others). */
struct state_cgroup_dir {
    char *path;
    bool created;
    bool leaf;
};

struct hk_state {
    char *id;
    char *bundle;       /* absolute */
    char *rootfs;       /* absolute */
    char *created;      /* RFC 3339 with nanoseconds, Go's trailing-zero rules */
    pid_t pid;          /* init pid on the host; 0 once known to be gone */
    uint64_t pid_start; /* /proc/<pid>/stat starttime, guards against pid reuse */
    bool own_pidns;     /* the container has its own pid namespace */
    struct spec_kv *annotations;
    size_t n_annotations;
    char *cgroup_path;                    /* the resolved cgroupsPath (for messages) */
    struct state_cgroup_dir *cgroup_dirs; /* creation order: parents before children */
    size_t n_cgroup_dirs;
};

void state_clear(struct hk_state *st);
int state_write(int dir_fd, const struct hk_state *st, struct hk_err *err);
int state_read(int dir_fd, struct hk_state *st, struct hk_err *err);
/* Serialize / parse (pure; unit-tested). */
int state_to_json(const struct hk_state *st, char **ret, size_t *ret_len);
int state_from_json(const char *buf, size_t len, struct hk_state *st, struct hk_err *err);
