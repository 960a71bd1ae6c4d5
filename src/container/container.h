/* Container lifecycle operations. The CLI parses flags into these options and prints.
 * No unit test: every operation needs root, namespaces and cgroups; covered by
 * tests/integration/test_lifecycle.py and test_runc_compat.py.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "state/state_json.h"

struct hk_err;

struct hk_create_opts {
    const char *root; /* state root */
    const char *id;
    const char *bundle;         /* as given (relative to cwd allowed) */
    const char *pid_file;       /* NULL: none */
    const char *console_socket; /* NULL: none */
    bool no_pivot;
    bool no_new_keyring;
    unsigned preserve_fds;
    bool systemd_cgroup;
    /* run only */
    bool detach;
    bool keep;
    bool no_subreaper;
};

/* `create`: the container is "created" on success, its init waiting on the exec fifo. */
int container_create(const struct hk_create_opts *o, struct hk_err *err);
/* `run`: create and start. Foreground: waits, sets *ret_status to the exit status (128+N for
 * signal N) and deletes the container unless keep. Detached: returns once the process has
 * exec'd, *ret_status = 0. */
int container_run(const struct hk_create_opts *o, int *ret_status, struct hk_err *err);
int container_start(const char *root, const char *id, struct hk_err *err);
int container_kill(const char *root, const char *id, int sig, bool all, struct hk_err *err);
int container_delete(const char *root, const char *id, bool force, struct hk_err *err);

enum hk_status { HK_CREATING = 0, HK_CREATED, HK_RUNNING, HK_PAUSED, HK_STOPPED };
const char *container_status_name(enum hk_status s);

/* What `state` and `list` show. */
struct hk_view {
    struct hk_state st;
    enum hk_status status;
    uid_t owner_uid;
};
void container_view_clear(struct hk_view *v);
/* Load and compute the status of one container (dir_fd: its state dir). */
int container_view_load(int dir_fd, int proc_fd, struct hk_view *ret, struct hk_err *err);
int container_view(const char *root, const char *id, struct hk_view *ret, struct hk_err *err);
/* Every container under root, sorted by id. A missing root is an empty list. */
int container_list(const char *root, struct hk_view **ret, size_t *ret_n, struct hk_err *err);

/* Go's time.RFC3339Nano in UTC ("2026-11-23T16:12:57.293359852Z", trailing zeros dropped). */
void container_format_time(int64_t sec, long nsec, char *buf, size_t len);
/* Write a pid file as runc does: decimal, no newline, temp file + rename. */
int container_write_pid_file(const char *path, pid_t pid, struct hk_err *err);
