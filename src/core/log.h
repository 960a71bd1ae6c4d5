/* runc-compatible logging: logrus text or JSON lines, to stderr or a --log file. */
#pragma once

#include <stdbool.h>

#include "core/cleanup.h"

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };
enum log_format { LOG_TEXT = 0, LOG_JSON = 1 };

struct hk_err;

/* Open FILE (NULL: stderr) before any clone. Returns 0 or -errno. */
int log_open(const char *path, enum log_format fmt, bool debug, struct hk_err *err);
void log_close(void);
bool log_to_file(void);
bool log_debug_enabled(void);
enum log_format log_get_format(void);
const char *log_level_name(enum log_level l);
int log_level_parse(const char *name, enum log_level *ret);

void log_msg(enum log_level l, const char *fmt, ...) HK_PRINTF(2, 3);
/* Like log_msg with extra "key":"value" string fields (NULL-terminated pairs). */
void log_msg_fields(enum log_level l, const char *const *kv, const char *msg);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
    do {                                                                                           \
        if (log_debug_enabled())                                                                   \
            log_msg(LOG_DEBUG, __VA_ARGS__);                                                       \
    } while (0)

/* Format one log line into out (pure; unit-tested). ts is "YYYY-MM-DDTHH:MM:SSZ". */
struct hk_buf;
void log_format_line(struct hk_buf *out, enum log_format fmt, enum log_level l, const char *ts,
                     const char *const *kv, const char *msg);
/* Go's %q quoting, as logrus uses for text values. */
void log_quote_go(struct hk_buf *out, const char *s);
