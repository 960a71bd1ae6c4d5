#include "container/undo.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "core/err.h"
#include "core/log.h"
#include "state/dir.h"

void undo_init(struct hk_undo *u)
{
    memset(u, 0, sizeof(*u));
    u->state_root_fd = -EBADF;
    u->child_pidfd = -EBADF;
}

void undo_run(struct hk_undo *u)
{
    if (u->child > 0) {
        if (u->child_pidfd >= 0)
            (void)syscall(SYS_pidfd_send_signal, u->child_pidfd, SIGKILL, NULL, 0);
        else
            (void)kill(u->child, SIGKILL);
        while (waitpid(u->child, NULL, __WALL) < 0 && errno == EINTR)
            ;
        u->child = 0;
    }
    if (u->cg) {
        struct hk_err e = {0};
        if (cg_remove(u->cg, &e) < 0)
            log_warn("%s, ignoring", e.msg);
        u->cg = NULL;
    }
    if (u->state_dir) {
        struct hk_err e = {0};
        if (state_dir_remove(u->state_root_fd, u->id, &e) < 0)
            log_warn("%s, ignoring", e.msg);
        u->state_dir = false;
    }
}
