#include "core/json_out.h"

#include <inttypes.h>
#include <string.h>

void json_out_init(struct json_out *j, struct hk_buf *b, const char *indent)
{
    memset(j, 0, sizeof(*j));
    j->b = b;
    j->indent = indent;
}

static void newline(struct json_out *j)
{
    if (!j->indent)
        return;
    buf_putc(j->b, '\n');
    for (int i = 0; i < j->depth; i++)
        buf_puts(j->b, j->indent);
}

/* Called before every value or key. */
static void before_item(struct json_out *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->depth > 0) {
        if (!j->first[j->depth])
            buf_putc(j->b, ',');
        j->first[j->depth] = false;
        newline(j);
    }
}

static void open_(struct json_out *j, char c)
{
    before_item(j);
    buf_putc(j->b, c);
    if (j->depth + 1 < JSON_OUT_MAX_DEPTH)
        j->depth++;
    j->first[j->depth] = true;
}

static void close_(struct json_out *j, char c)
{
    bool empty = j->first[j->depth];
    if (j->depth > 0)
        j->depth--;
    if (!empty)
        newline(j);
    buf_putc(j->b, c);
}

void json_obj_begin(struct json_out *j)
{
    open_(j, '{');
}

void json_obj_end(struct json_out *j)
{
    close_(j, '}');
}

void json_arr_begin(struct json_out *j)
{
    open_(j, '[');
}

void json_arr_end(struct json_out *j)
{
    close_(j, ']');
}

void json_key(struct json_out *j, const char *key)
{
    before_item(j);
    json_escape(j->b, key);
    buf_puts(j->b, j->indent ? ": " : ":");
    j->after_key = true;
}

void json_str(struct json_out *j, const char *s)
{
    before_item(j);
    json_escape(j->b, s ? s : "");
}

void json_i64(struct json_out *j, int64_t v)
{
    before_item(j);
    buf_printf(j->b, "%" PRId64, v);
}

void json_u64(struct json_out *j, uint64_t v)
{
    before_item(j);
    buf_printf(j->b, "%" PRIu64, v);
}

void json_bool(struct json_out *j, bool v)
{
    before_item(j);
    buf_puts(j->b, v ? "true" : "false");
}

void json_null(struct json_out *j)
{
    before_item(j);
    buf_puts(j->b, "null");
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. Sets *cp. */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        n = 2, v = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3, v = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

void json_escape(struct hk_buf *b, const char *str)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    buf_putc(b, '"');
    while (*s) {
        unsigned char c = *s;
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
            const unsigned char *start = s;
            while (*s >= 0x20 && *s < 0x80 && *s != '"' && *s != '\\' && *s != '<' && *s != '>' &&
                   *s != '&')
                s++;
            buf_put(b, start, (size_t)(s - start));
            continue;
        }
        if (c < 0x80) {
            switch (c) {
            case '"':
                buf_puts(b, "\\\"");
                break;
            case '\\':
                buf_puts(b, "\\\\");
                break;
            case '\n':
                buf_puts(b, "\\n");
                break;
            case '\r':
                buf_puts(b, "\\r");
                break;
            case '\t':
                buf_puts(b, "\\t");
                break;
            default: {
                char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
                buf_puts(b, u);
            }
            }
            s++;
            continue;
        }
        uint32_t cp;
        size_t n = utf8_seq(s, &cp);
        if (n == 0) {
            buf_puts(b, "\\ufffd");
            s++;
        } else if (cp == 0x2028 || cp == 0x2029) {
            buf_puts(b, cp == 0x2028 ? "\\u2028" : "\\u2029");
            s += n;
        } else {
            buf_put(b, s, n);
            s += n;
        }
    }
    buf_putc(b, '"');
}
