/* Growable byte buffer, always NUL-terminated. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/cleanup.h"

struct hk_buf {
    char *data;
    size_t len;
    size_t cap;
    bool oom; /* set once an allocation failed; further appends are no-ops */
};

#define HK_BUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0, false                                                                          \
    }

void buf_put(struct hk_buf *b, const void *p, size_t n);
void buf_puts(struct hk_buf *b, const char *s);
void buf_putc(struct hk_buf *b, char c);
void buf_printf(struct hk_buf *b, const char *fmt, ...) HK_PRINTF(2, 3);
void buf_free(struct hk_buf *b);
/* Returns -ENOMEM if an append failed, else 0. */
int buf_status(const struct hk_buf *b);

static inline void buf_freep(struct hk_buf *b)
{
    buf_free(b);
}
#define _cleanup_buf_ _cleanup_(buf_freep)
