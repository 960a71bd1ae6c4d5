#include "container/sync.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"

static const char *const type_names[] = {
    [SYNC_MAPS_REQ] = "maps-request",
    [SYNC_MAPS_DONE] = "maps-done",
    [SYNC_CGROUP_DONE] = "cgroup-done",
    [SYNC_PID] = "pid",
    [SYNC_READY] = "ready",
    [SYNC_GO] = "go",
    [SYNC_ERROR] = "error",
    [SYNC_LOG] = "log",
};

int sync_send(int fd, enum sync_type type, int32_t code, int64_t value, const char *msg)
{
    struct sync_msg m = {.type = type, .code = code, .value = value};
    size_t len = offsetof(struct sync_msg, msg);
    if (msg) {
        size_t n = strnlen(msg, sizeof(m.msg) - 1);
        memcpy(m.msg, msg, n);
        m.msg[n] = '\0';
        len += n + 1;
    }
    for (;;) {
        ssize_t w = send(fd, &m, len, MSG_NOSIGNAL);
        if (w >= 0)
            return 0;
        if (errno != EINTR)
            return -errno;
    }
}

int sync_recv(int fd, struct sync_msg *m)
{
    memset(m, 0, sizeof(*m));
    for (;;) {
        ssize_t n = recv(fd, m, sizeof(*m), 0);
        if (n == 0)
            return -EPIPE;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == ECONNRESET ? -EPIPE : -errno;
        }
        if ((size_t)n < offsetof(struct sync_msg, msg))
            return -EBADMSG;
        m->msg[sizeof(m->msg) - 1] = '\0';
        return 0;
    }
}

int sync_expect(int fd, enum sync_type type, struct sync_msg *m, struct hk_err *err)
{
    for (;;) {
        int r = sync_recv(fd, m);
        if (r == -EPIPE)
            return hk_err_set(err, ECHILD, "container init exited during setup");
        if (r < 0)
            return hk_err_sys(err, -r, "read from container init");
        if (m->type == SYNC_LOG) {
            log_msg((enum log_level)(m->code >= 0 && m->code <= LOG_DEBUG ? m->code : LOG_INFO),
                    "%s", m->msg);
            continue;
        }
        if (m->type == SYNC_ERROR)
            return hk_err_set(err, m->code > 0 ? m->code : EIO, "%s", m->msg);
        if (m->type != (uint32_t)type)
            return hk_err_set(err, EPROTO, "container init sent '%s' while '%s' was expected",
                              m->type < sizeof(type_names) / sizeof(type_names[0]) &&
                                      type_names[m->type]
                                  ? type_names[m->type]
                                  : "?",
                              type_names[type]);
        return 0;
    }
}

void sync_fail(int fd, const struct hk_err *err)
{
    (void)sync_send(fd, SYNC_ERROR, err->code, 0, err->msg);
    _exit(1);
}
