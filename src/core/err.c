#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void vformat(char *buf, size_t n, const char *fmt, va_list ap)
{
    int r = vsnprintf(buf, n, fmt, ap);
    if (r < 0)
        snprintf(buf, n, "(unformattable error)");
}

int hk_err_set(struct hk_err *e, int code, const char *fmt, ...)
{
    if (code <= 0)
        code = EIO;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vformat(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return -code;
}

int hk_err_sys(struct hk_err *e, int code, const char *fmt, ...)
{
    if (code <= 0)
        code = EIO;
    char head[sizeof(e->msg)];
    va_list ap;
    va_start(ap, fmt);
    vformat(head, sizeof(head), fmt, ap);
    va_end(ap);
    e->code = code;
    if (snprintf(e->msg, sizeof(e->msg), "%s: %s", head, strerror(code)) < 0)
        e->msg[0] = '\0'; /* messages may be truncated, never overflow */
    return -code;
}

int hk_err_wrap(struct hk_err *e, const char *fmt, ...)
{
    if (e->code <= 0)
        e->code = EIO;
    char head[sizeof(e->msg)];
    char old[sizeof(e->msg)];
    va_list ap;
    va_start(ap, fmt);
    vformat(head, sizeof(head), fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof(old));
    old[sizeof(old) - 1] = '\0';
    if (snprintf(e->msg, sizeof(e->msg), "%s: %s", head, old) < 0)
        e->msg[0] = '\0';
    return -e->code;
}

void hk_err_clear(struct hk_err *e)
{
    e->code = 0;
    e->msg[0] = '\0';
}
