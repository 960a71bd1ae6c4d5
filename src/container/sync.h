/*
 * Parent <-> child protocol on one SOCK_SEQPACKET socketpair: small fixed-size messages,
 * one per datagram. The child never logs to files: it sends SYNC_LOG / SYNC_ERROR records
 * and the parent re-emits them.
 * No unit test of its own: every create/run in tests/integration drives it, including child errors
 * (test_bad_input.py).
 */
#pragma once

#include <stdint.h>

struct hk_err;

enum sync_type {
    SYNC_MAPS_REQ = 1, /* child -> parent: write uid/gid maps for pid `value` */
    SYNC_MAPS_DONE,    /* parent -> child */
    SYNC_CGROUP_DONE,  /* parent -> child: you are in the container's cgroup */
    SYNC_PID,          /* stage-1 -> parent: the init's pid is `value` */
    SYNC_READY,        /* child -> parent: set up, waiting to exec */
    SYNC_GO,           /* parent -> child (run): exec now */
    SYNC_ERROR,        /* child -> parent: {code, msg}; the child exits */
    SYNC_LOG,          /* child -> parent: {code = level, msg} */
};

struct sync_msg {
    uint32_t type;
    int32_t code;
    int64_t value;
    char msg[1024];
};

int sync_send(int fd, enum sync_type type, int32_t code, int64_t value, const char *msg);
/* Receive one message; -EPIPE on EOF (peer closed or exec'd). */
int sync_recv(int fd, struct sync_msg *m);
/* Receive until a message of `type` arrives (errors from the peer are turned into err,
 * log records are re-emitted). -ECHILD: the peer closed its end without a word (it died;
 * the child never reports ECHILD itself). */
int sync_expect(int fd, enum sync_type type, struct sync_msg *m, struct hk_err *err);
/* Child side: report err and never return. */
_Noreturn void sync_fail(int fd, const struct hk_err *err);
