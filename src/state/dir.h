/*
 * The state root and per-container directories:
 *   <root>/            0700, created on demand
 *   <root>/<id>/       0700, created atomically by mkdir (EEXIST: the id is taken)
 *        state.json    0600, written to a temp file and renamed
 *        exec.fifo     0622, exists while the container is "created"
 * Commands that change a container hold flock(LOCK_EX) on the <id> directory fd.
 * No unit test of its own: covered by tests/integration (layout, modes, concurrency).
 */
#pragma once

#include <stdbool.h>

struct hk_err;

#define STATE_DEFAULT_ROOT "/run/husk"
#define STATE_FILE         "state.json"
#define STATE_FIFO         "exec.fifo"

int state_root_open(const char *root, bool create, int *ret_fd, struct hk_err *err);
/* Make <root>/<id>; -EEXIST gives "container with id exists: ID". */
int state_dir_create(int root_fd, const char *id, int *ret_fd, struct hk_err *err);
/* Open <root>/<id>; -ENOENT gives "container does not exist". */
int state_dir_open(int root_fd, const char *id, int *ret_fd, struct hk_err *err);
/* flock the directory (blocking). */
int state_dir_lock(int dir_fd, bool exclusive, struct hk_err *err);
/* Remove the files husk puts in <root>/<id> and the directory itself. */
int state_dir_remove(int root_fd, const char *id, struct hk_err *err);
/* Create the exec fifo and return it opened O_RDWR|O_NONBLOCK|O_CLOEXEC (never blocks). */
int state_fifo_create(int dir_fd, int *ret_fd, struct hk_err *err);
bool state_fifo_exists(int dir_fd);
