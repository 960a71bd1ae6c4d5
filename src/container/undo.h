/* The undo record of create: what was changed on the host, undone in reverse order.
 * It borrows (does not own) the fds and objects it points to.
 * No unit test: rollback is checked by tests/integration/test_bad_input.py (nothing left behind).
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct cg;

struct hk_undo {
    int state_root_fd;
    const char *id;
    bool state_dir; /* <root>/<id> was created */
    struct cg *cg;  /* cgroup directories were created */
    pid_t child;    /* the init (our child) */
    int child_pidfd;
};

void undo_init(struct hk_undo *u);
/* Kill and reap the child, remove the cgroup, remove the state dir. Idempotent; failures
 * are logged as warnings ("..., ignoring") and never replace the original error. */
void undo_run(struct hk_undo *u);
