#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/fdutil.h"
#include "core/json_out.h"

static int log_fd = STDERR_FILENO;
static bool log_is_file;
static enum log_format log_fmt = LOG_TEXT;
static enum log_level log_max = LOG_INFO;

static const char *const level_names[] = {"error", "warning", "info", "debug"};

const char *log_level_name(enum log_level l)
{
    return (unsigned)l < HK_ARRAY_SIZE(level_names) ? level_names[l] : "info";
}

int log_level_parse(const char *name, enum log_level *ret)
{
    for (size_t i = 0; i < HK_ARRAY_SIZE(level_names); i++)
        if (strcmp(name, level_names[i]) == 0) {
            *ret = (enum log_level)i;
            return 0;
        }
    if (strcmp(name, "warn") == 0) {
        *ret = LOG_WARN;
        return 0;
    }
    return -EINVAL;
}

int log_open(const char *path, enum log_format fmt, bool debug, struct hk_err *err)
{
    log_fmt = fmt;
    log_max = debug ? LOG_DEBUG : LOG_INFO;
    if (!path || !*path || strcmp(path, "/dev/stderr") == 0)
        return 0;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd < 0)
        return hk_err_sys(err, errno, "open log file '%s'", path);
    if (fd < 3) {
        /* Never let the log take a stdio slot the container inherits. */
        int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        int e = errno;
        close(fd);
        if (nfd < 0)
            return hk_err_sys(err, e, "open log file '%s'", path);
        fd = nfd;
    }
    log_fd = fd;
    log_is_file = true;
    return 0;
}

void log_close(void)
{
    if (log_is_file)
        close(log_fd);
    log_fd = STDERR_FILENO;
    log_is_file = false;
}

bool log_to_file(void)
{
    return log_is_file;
}

bool log_debug_enabled(void)
{
    return log_max >= LOG_DEBUG;
}

enum log_format log_get_format(void)
{
    return log_fmt;
}

static bool needs_quoting(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '/' || c == '@' || c == '^' || c == '+'))
            return true;
    }
    return false;
}

void log_quote_go(struct hk_buf *out, const char *str)
{
    static const char hex[] = "0123456789abcdef";
    buf_putc(out, '"');
    for (const unsigned char *s = (const unsigned char *)str; *s; s++) {
        unsigned char c = *s;
        switch (c) {
        case '"':
            buf_puts(out, "\\\"");
            break;
        case '\\':
            buf_puts(out, "\\\\");
            break;
        case '\a':
            buf_puts(out, "\\a");
            break;
        case '\b':
            buf_puts(out, "\\b");
            break;
        case '\f':
            buf_puts(out, "\\f");
            break;
        case '\n':
            buf_puts(out, "\\n");
            break;
        case '\r':
            buf_puts(out, "\\r");
            break;
        case '\t':
            buf_puts(out, "\\t");
            break;
        case '\v':
            buf_puts(out, "\\v");
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char x[5] = {'\\', 'x', hex[c >> 4], hex[c & 15], 0};
                buf_puts(out, x);
            } else {
                /* Bytes >= 0x80 pass through: the JSON path replaces invalid UTF-8, and a
                 * text log line can never be split by them (no control bytes remain). */
                buf_putc(out, (char)c);
            }
        }
    }
    buf_putc(out, '"');
}

static void text_value(struct hk_buf *out, const char *v)
{
    if (needs_quoting(v))
        log_quote_go(out, v);
    else
        buf_puts(out, v);
}

void log_format_line(struct hk_buf *out, enum log_format fmt, enum log_level l, const char *ts,
                     const char *const *kv, const char *msg)
{
    if (fmt == LOG_JSON) {
        /* logrus' JSON formatter sorts keys: extra fields, then level, msg, time in order. */
        struct json_out j;
        json_out_init(&j, out, NULL);
        json_obj_begin(&j);
        const char *fixed[3][2] = {{"level", log_level_name(l)}, {"msg", msg}, {"time", ts}};
        size_t fi = 0;
        for (size_t i = 0; kv && kv[i]; i += 2) {
            while (fi < 3 && strcmp(fixed[fi][0], kv[i]) < 0) {
                json_key(&j, fixed[fi][0]);
                json_str(&j, fixed[fi][1]);
                fi++;
            }
            json_key(&j, kv[i]);
            json_str(&j, kv[i + 1]);
        }
        for (; fi < 3; fi++) {
            json_key(&j, fixed[fi][0]);
            json_str(&j, fixed[fi][1]);
        }
        json_obj_end(&j);
        buf_putc(out, '\n');
        return;
    }
    buf_puts(out, "time=");
    text_value(out, ts);
    buf_puts(out, " level=");
    buf_puts(out, log_level_name(l));
    buf_puts(out, " msg=");
    text_value(out, msg);
    for (size_t i = 0; kv && kv[i]; i += 2) {
        buf_putc(out, ' ');
        buf_puts(out, kv[i]);
        buf_putc(out, '=');
        text_value(out, kv[i + 1]);
    }
    buf_putc(out, '\n');
}

static void now_ts(char *ts, size_t n)
{
    struct timespec t;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &t);
    gmtime_r(&t.tv_sec, &tm);
    strftime(ts, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void log_msg_fields(enum log_level l, const char *const *kv, const char *msg)
{
    if (l > log_max)
        return;
    char ts[32];
    now_ts(ts, sizeof(ts));
    _cleanup_buf_ struct hk_buf b = HK_BUF_INIT;
    log_format_line(&b, log_fmt, l, ts, kv, msg);
    if (buf_status(&b) == 0)
        (void)write_all(log_fd, b.data, b.len);
}

void log_msg(enum log_level l, const char *fmt, ...)
{
    if (l > log_max)
        return;
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_msg_fields(l, NULL, msg);
}
