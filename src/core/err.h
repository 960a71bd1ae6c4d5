/* Error value carried up the stack: set once where it happens, wrapped by callers. */
#pragma once

#include "core/cleanup.h"

struct hk_err {
    int code; /* positive errno; 0 only while unset */
    char msg[1024];
};

/* Record an error; returns -code (code <= 0 is stored as EIO). */
int hk_err_set(struct hk_err *e, int code, const char *fmt, ...) HK_PRINTF(3, 4);
/* Prefix context to an existing error: "ctx: old". Returns -code. */
int hk_err_wrap(struct hk_err *e, const char *fmt, ...) HK_PRINTF(2, 3);
/* Same as hk_err_set, but appends ": strerror(code)". */
int hk_err_sys(struct hk_err *e, int code, const char *fmt, ...) HK_PRINTF(3, 4);
void hk_err_clear(struct hk_err *e);
