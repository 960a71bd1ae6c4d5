/*
 * Strict RFC 8259 reader: one pass, iterative (no recursion), arena-allocated.
 *
 * Values being built live on a scratch stack of slots. Opening '[' or '{' pushes a frame whose
 * children are the slots above it; the closing bracket copies those children into one arena
 * array and pops them. Every node is therefore copied once, the C stack never grows with the
 * input, and the nesting limit is checked before a frame is pushed.
 *
 * Positions: only whitespace can contain '\n' (a raw newline in a string is an error), so the
 * column of anything is "pointer - start of the current line + 1" and every error is reported
 * before the cursor moves to a later line.
 */
#include "core/json_in.h"

#include <inttypes.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"

#define CHUNK_MIN      ((size_t)1024)
#define CHUNK_MAX      ((size_t)1 << 20)
#define DUP_LINEAR_MAX 8  /* members scanned linearly before an object gets a hash index */
#define QUOTE_MAX      48 /* user bytes shown in an error message */
#define EXP_CAP        1000000000000000LL

struct chunk {
    struct chunk *next;
    size_t cap, used;
    max_align_t data[];
};

struct jv_doc {
    struct chunk *chunks;
    struct jv root;
};

struct arena {
    struct chunk *head; /* the chunk being filled; dedicated big chunks sit behind it */
    size_t next_cap;
};

struct slot {
    struct jv_member m; /* key is NULL for array items and the root */
    size_t keylen;
    uint64_t hash; /* valid once the enclosing object has a hash index */
};

struct frame {
    size_t start; /* first child slot; the container itself is slots[start - 1] */
    bool obj;
    size_t *tab; /* object hash index: child offset + 1, 0 = empty */
    size_t tabmask;
};

struct parser {
    const char *p, *end, *line_start;
    size_t line;
    struct jv_limits lim;
    struct arena arena;
    struct slot *slots;
    size_t nslots, capslots;
    struct frame *frames;
    size_t depth, capframes;
    uint64_t seed;
    struct hk_err *err;
};

/* 1: ends a run of plain string bytes ('"', '\\', control characters). */
static const unsigned char str_special[256] = {
    [0x00 ... 0x1f] = 1,
    ['"'] = 1,
    ['\\'] = 1,
};

/* Bytes that may continue a number or literal token; used to reject "01", "1x" and friends
 * and to show the whole bad token in the message. */
static bool is_token_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
           c == '+' || c == '-' || c == '_';
}

/* ---- arena ---------------------------------------------------------------------------- */

static void chunks_free(struct chunk *c)
{
    while (c) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
}

static void *arena_alloc(struct arena *a, size_t n, size_t align)
{
    struct chunk *c = a->head;

    if (c) {
        size_t off = (c->used + align - 1) & ~(align - 1);
        if (off <= c->cap && n <= c->cap - off) {
            c->used = off + n;
            return (unsigned char *)c->data + off;
        }
    }
    if (n > SIZE_MAX / 2 - sizeof(struct chunk))
        return NULL;
    if (c && n > a->next_cap / 4) {
        /* Big block: its own chunk, linked behind the head so the head keeps filling. */
        struct chunk *d = malloc(sizeof(*d) + n);
        if (!d)
            return NULL;
        d->cap = d->used = n;
        d->next = c->next;
        c->next = d;
        return d->data;
    }
    size_t cap = a->next_cap > n ? a->next_cap : n;
    struct chunk *d = malloc(sizeof(*d) + cap);
    if (!d)
        return NULL;
    d->cap = cap;
    d->used = n;
    d->next = c;
    a->head = d;
    if (a->next_cap < CHUNK_MAX)
        a->next_cap *= 2;
    return d->data;
}

/* Give back the unused tail of the most recent allocation (no-op if it was not the last). */
static void arena_trim(struct arena *a, void *p, size_t had, size_t keep)
{
    struct chunk *c = a->head;
    if (c && (unsigned char *)p + had == (unsigned char *)c->data + c->used)
        c->used -= had - keep;
}

/* ---- errors --------------------------------------------------------------------------- */

static uint32_t clamp32(size_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Escape user bytes for a message: printable ASCII as is, anything else as \xNN; long input
 * is cut with "...". out must hold 4 * QUOTE_MAX + 4 bytes. */
static const char *quote(char *out, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && i < QUOTE_MAX; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
        } else {
            static const char hex[] = "0123456789abcdef";
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 0xf];
        }
    }
    if (n > QUOTE_MAX) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

#define QUOTE_BUF (4 * QUOTE_MAX + 4)

static int fail_at(struct parser *ps, const char *at, int code, const char *fmt, ...)
    HK_PRINTF(4, 5);
static int fail_at(struct parser *ps, const char *at, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    if (!ps->err)
        return -code;
    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
        msg[0] = '\0';
    va_end(ap);
    return hk_err_set(ps->err, code, "line %" PRIu32 " column %" PRIu32 ": %s", clamp32(ps->line),
                      clamp32((size_t)(at - ps->line_start) + 1), msg);
}

static int fail_eof(struct parser *ps)
{
    return fail_at(ps, ps->end, EINVAL, "unexpected end of input");
}

static int fail_oom(struct parser *ps)
{
    return fail_at(ps, ps->p, ENOMEM, "out of memory");
}

/* Length of the token starting at p, at least 1 byte (p < end). */
static size_t token_len(const struct parser *ps, const char *p)
{
    const char *q = p + 1;
    while (q < ps->end && is_token_byte((unsigned char)*q))
        q++;
    return (size_t)(q - p);
}

static int fail_token(struct parser *ps, const char *at, const char *what)
{
    char q[QUOTE_BUF];
    return fail_at(ps, at, EINVAL, "invalid %s '%s'", what, quote(q, at, token_len(ps, at)));
}

static int fail_char(struct parser *ps, const char *at, const char *suffix)
{
    char q[QUOTE_BUF];
    return fail_at(ps, at, EINVAL, "unexpected character '%s'%s", quote(q, at, 1), suffix);
}

/* ---- scanning ------------------------------------------------------------------------- */

static inline void skip_ws(struct parser *ps)
{
    const char *p = ps->p, *end = ps->end;
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c > ' ') {
            break;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            p++;
        } else if (c == '\n') {
            p++;
            ps->line++;
            ps->line_start = p;
        } else {
            break;
        }
    }
    ps->p = p;
}

static void set_pos(const struct parser *ps, struct jv *v)
{
    v->line = clamp32(ps->line);
    v->col = clamp32((size_t)(ps->p - ps->line_start) + 1);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Read "\uXXXX" at p (p[0] == '\\', p[1] == 'u'). */
static int read_u_escape(struct parser *ps, const char *p, unsigned *ret_cp)
{
    unsigned cp = 0;
    for (int i = 2; i < 6; i++) {
        if (p + i >= ps->end)
            return fail_eof(ps);
        int h = hexval(p[i]);
        if (h < 0) {
            char q[QUOTE_BUF];
            return fail_at(ps, p, EINVAL, "invalid escape '%s' in string",
                           quote(q, p, (size_t)i + 1));
        }
        cp = cp << 4 | (unsigned)h;
    }
    *ret_cp = cp;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static int fail_string_len(struct parser *ps, const char *at)
{
    return fail_at(ps, at, E2BIG, "string longer than %zu bytes", ps->lim.max_string);
}

/* Decode a string whose body [s, q) contains escapes or control characters; q is the closing
 * quote or the end of input. Errors are found in document order. out holds
 * min(q - s, max_string) + 1 bytes, which is enough: no escape decodes to more bytes than it
 * takes in the source. */
static int decode_string(struct parser *ps, const char *s, const char *q, char *out,
                         size_t *ret_len)
{
    const char *p = s;
    size_t o = 0, max = ps->lim.max_string;

    while (p < q) {
        const char *run = p;
        while (p < q && !str_special[(unsigned char)*p])
            p++;
        if (p > run) {
            size_t n = (size_t)(p - run);
            if (n > max - o)
                return fail_string_len(ps, s - 1);
            memcpy(out + o, run, n);
            o += n;
            continue;
        }
        unsigned char c = (unsigned char)*p;
        if (c < 0x20) {
            char qb[QUOTE_BUF];
            return fail_at(ps, p, EINVAL, "unescaped control character '%s' in string",
                           quote(qb, p, 1));
        }
        /* c == '\\': a '"' cannot appear before q */
        if (p + 1 >= ps->end)
            return fail_eof(ps);
        char e = p[1], ch;
        switch (e) {
        case '"':
            ch = '"';
            break;
        case '\\':
            ch = '\\';
            break;
        case '/':
            ch = '/';
            break;
        case 'b':
            ch = '\b';
            break;
        case 'f':
            ch = '\f';
            break;
        case 'n':
            ch = '\n';
            break;
        case 'r':
            ch = '\r';
            break;
        case 't':
            ch = '\t';
            break;
        case 'u': {
            unsigned cp;
            int r = read_u_escape(ps, p, &cp);
            if (r < 0)
                return r;
            if (cp == 0)
                return fail_at(ps, p, EINVAL, "escaped nul '\\u0000' not allowed in string");
            const char *esc = p;
            p += 6;
            if (cp >= 0xdc00 && cp <= 0xdfff)
                return fail_at(ps, esc, EINVAL, "lone surrogate '\\u%.4s' in string", esc + 2);
            if (cp >= 0xd800 && cp <= 0xdbff) {
                unsigned lo = 0;
                if (p >= ps->end || (p[0] == '\\' && p + 1 >= ps->end))
                    return fail_eof(ps);
                if (p[0] == '\\' && p[1] == 'u') {
                    r = read_u_escape(ps, p, &lo);
                    if (r < 0)
                        return r;
                }
                if (lo < 0xdc00 || lo > 0xdfff)
                    return fail_at(ps, esc, EINVAL, "lone surrogate '\\u%.4s' in string", esc + 2);
                p += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (n > max - o)
                return fail_string_len(ps, s - 1);
            o += put_utf8(out + o, cp);
            continue;
        }
        default: {
            char qb[QUOTE_BUF];
            return fail_at(ps, p, EINVAL, "invalid escape '\\%s' in string", quote(qb, p + 1, 1));
        }
        }
        if (o >= max)
            return fail_string_len(ps, s - 1);
        out[o++] = ch;
        p += 2;
    }
    if (q >= ps->end)
        return fail_eof(ps);
    out[o] = '\0';
    *ret_len = o;
    return 0;
}

/* ps->p is at the opening quote; on success it is just past the closing one. */
static int parse_string(struct parser *ps, const char **ret_s, size_t *ret_len)
{
    const char *s = ps->p + 1, *q = s, *end = ps->end;
    bool special = false;

    /* Find the closing quote; escapes and control characters only mark the slow path. */
    for (;;) {
        while (q < end && !str_special[(unsigned char)*q])
            q++;
        if (q >= end || *q == '"')
            break;
        special = true;
        q += *q == '\\' ? 2 : 1;
        if (q > end)
            q = end;
    }

    size_t span = (size_t)(q - s);
    char *out;
    size_t len;
    if (!special) {
        if (q >= end)
            return fail_eof(ps);
        if (span > ps->lim.max_string)
            return fail_string_len(ps, ps->p);
        out = arena_alloc(&ps->arena, span + 1, 1);
        if (!out)
            return fail_oom(ps);
        memcpy(out, s, span);
        out[span] = '\0';
        len = span;
    } else {
        size_t cap = (span < ps->lim.max_string ? span : ps->lim.max_string) + 1;
        out = arena_alloc(&ps->arena, cap, 1);
        if (!out)
            return fail_oom(ps);
        int r = decode_string(ps, s, q, out, &len);
        if (r < 0)
            return r;
        arena_trim(&ps->arena, out, cap, len + 1);
    }
    ps->p = q + 1;
    *ret_s = out;
    *ret_len = len;
    return 0;
}

/* RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and no token byte right after. */
static int parse_number(struct parser *ps, struct jv *v)
{
    const char *start = ps->p, *p = start, *end = ps->end;

#define DIGIT(x) ((x) < end && *(x) >= '0' && *(x) <= '9')
    if (p < end && *p == '-')
        p++;
    if (p < end && *p == '0') {
        p++;
    } else if (DIGIT(p)) {
        while (DIGIT(p))
            p++;
    } else {
        return fail_token(ps, start, "number");
    }
    if (p < end && *p == '.') {
        p++;
        if (!DIGIT(p))
            return fail_token(ps, start, "number");
        while (DIGIT(p))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (!DIGIT(p))
            return fail_token(ps, start, "number");
        while (DIGIT(p))
            p++;
    }
#undef DIGIT
    if (p < end && is_token_byte((unsigned char)*p))
        return fail_token(ps, start, "number");

    size_t n = (size_t)(p - start);
    char *t = arena_alloc(&ps->arena, n + 1, 1);
    if (!t)
        return fail_oom(ps);
    memcpy(t, start, n);
    t[n] = '\0';
    v->type = JV_NUMBER;
    v->u.num = t;
    ps->p = p;
    return 0;
}

static int parse_literal(struct parser *ps, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (ps->p + i >= ps->end)
            return fail_eof(ps);
        if (ps->p[i] != lit[i])
            return fail_token(ps, ps->p, "literal");
    }
    if (ps->p + n < ps->end && is_token_byte((unsigned char)ps->p[n]))
        return fail_token(ps, ps->p, "literal");
    ps->p += n;
    return 0;
}

/* ---- containers ----------------------------------------------------------------------- */

static int push_slot(struct parser *ps, const char *key, size_t keylen, uint64_t hash)
{
    if (ps->nslots == ps->capslots) {
        size_t cap = ps->capslots ? ps->capslots * 2 : 64;
        struct slot *s = reallocarray(ps->slots, cap, sizeof(*s));
        if (!s)
            return fail_oom(ps);
        ps->slots = s;
        ps->capslots = cap;
    }
    struct slot *s = &ps->slots[ps->nslots++];
    *s = (struct slot){.m = {.key = key}, .keylen = keylen, .hash = hash};
    return 0;
}

static int push_frame(struct parser *ps, bool obj)
{
    if (ps->depth >= ps->lim.max_depth)
        return fail_at(ps, ps->p, EINVAL, "nesting deeper than %u", ps->lim.max_depth);
    if (ps->depth == ps->capframes) {
        size_t cap = ps->capframes ? ps->capframes * 2 : 16;
        struct frame *f = reallocarray(ps->frames, cap, sizeof(*f));
        if (!f)
            return fail_oom(ps);
        ps->frames = f;
        ps->capframes = cap;
    }
    ps->frames[ps->depth++] = (struct frame){.start = ps->nslots, .obj = obj};
    return 0;
}

static int close_frame(struct parser *ps)
{
    struct frame *f = &ps->frames[ps->depth - 1];
    struct jv *v = &ps->slots[f->start - 1].m.value;
    size_t n = ps->nslots - f->start;

    if (f->obj) {
        struct jv_member *m = NULL;
        if (n > 0) {
            m = arena_alloc(&ps->arena, n * sizeof(*m), alignof(struct jv_member));
            if (!m)
                return fail_oom(ps);
            for (size_t i = 0; i < n; i++)
                m[i] = ps->slots[f->start + i].m;
        }
        v->u.obj.m = m;
        v->u.obj.n = n;
    } else {
        struct jv *items = NULL;
        if (n > 0) {
            items = arena_alloc(&ps->arena, n * sizeof(*items), alignof(struct jv));
            if (!items)
                return fail_oom(ps);
            for (size_t i = 0; i < n; i++)
                items[i] = ps->slots[f->start + i].m.value;
        }
        v->u.arr.items = items;
        v->u.arr.n = n;
    }
    free(f->tab);
    ps->nslots = f->start;
    ps->depth--;
    return 0;
}

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

/* Seeded per parse so that colliding keys cannot be precomputed cheaply. */
static uint64_t hash_key(uint64_t seed, const char *s, size_t n)
{
    uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = mix64(h ^ w);
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    return mix64(h ^ w ^ 0x5bd1e995);
}

static void tab_insert(size_t *tab, size_t mask, uint64_t h, size_t val)
{
    size_t i = (size_t)h & mask;
    while (tab[i])
        i = (i + 1) & mask;
    tab[i] = val;
}

/* Build or grow the hash index of an object so that it holds want members at load <= 1/2. */
static int tab_resize(struct parser *ps, struct frame *f, size_t n, size_t want)
{
    size_t size = 32;
    while (size < want * 2)
        size *= 2;
    size_t *tab = calloc(size, sizeof(*tab));
    if (!tab)
        return fail_oom(ps);
    for (size_t i = 0; i < n; i++) {
        struct slot *s = &ps->slots[f->start + i];
        if (!f->tab)
            s->hash = hash_key(ps->seed, s->m.key, s->keylen);
        tab_insert(tab, size - 1, s->hash, i + 1);
    }
    free(f->tab);
    f->tab = tab;
    f->tabmask = size - 1;
    return 0;
}

static int fail_dup(struct parser *ps, const char *at, const char *key, size_t keylen)
{
    char q[QUOTE_BUF];
    return fail_at(ps, at, EINVAL, "duplicate key '%s'", quote(q, key, keylen));
}

/* ps->p is at the opening quote of a key: parse it, check it, push its slot, eat the ':'. */
static int parse_key(struct parser *ps, struct frame *f)
{
    const char *at = ps->p, *key;
    size_t keylen, n = ps->nslots - f->start;
    uint64_t h = 0;
    int r;

    if (n >= ps->lim.max_array)
        return fail_at(ps, at, E2BIG, "more than %zu members in object", ps->lim.max_array);
    r = parse_string(ps, &key, &keylen);
    if (r < 0)
        return r;

    if (!f->tab && n < DUP_LINEAR_MAX) {
        for (size_t i = 0; i < n; i++) {
            const struct slot *s = &ps->slots[f->start + i];
            if (s->keylen == keylen && memcmp(s->m.key, key, keylen) == 0)
                return fail_dup(ps, at, key, keylen);
        }
    } else {
        if (!f->tab || (n + 1) * 2 > f->tabmask + 1) {
            r = tab_resize(ps, f, n, n + 1);
            if (r < 0)
                return r;
        }
        h = hash_key(ps->seed, key, keylen);
        size_t i = (size_t)h & f->tabmask;
        for (; f->tab[i]; i = (i + 1) & f->tabmask) {
            const struct slot *s = &ps->slots[f->start + f->tab[i] - 1];
            if (s->hash == h && s->keylen == keylen && memcmp(s->m.key, key, keylen) == 0)
                return fail_dup(ps, at, key, keylen);
        }
        f->tab[i] = n + 1;
    }
    r = push_slot(ps, key, keylen, h);
    if (r < 0)
        return r;

    skip_ws(ps);
    if (ps->p >= ps->end)
        return fail_eof(ps);
    if (*ps->p != ':')
        return fail_at(ps, ps->p, EINVAL, "expected ':' after object key");
    ps->p++;
    return 0;
}

/* Start a member (object) or an item (array) at ps->p, after '{', '[' or ','. */
static int begin_child(struct parser *ps, struct frame *f, const char *not_key)
{
    if (f->obj) {
        if (ps->p >= ps->end)
            return fail_eof(ps);
        if (*ps->p != '"')
            return fail_at(ps, ps->p, EINVAL, "%s", not_key);
        return parse_key(ps, f);
    }
    if (ps->nslots - f->start >= ps->lim.max_array)
        return fail_at(ps, ps->p, E2BIG, "more than %zu elements in array", ps->lim.max_array);
    return push_slot(ps, NULL, 0, 0);
}

/* Parse the value at ps->p into v. Returns 1 if it opened a container (ps->p is past the
 * bracket), 0 for a complete scalar. */
static int parse_value(struct parser *ps, struct jv *v)
{
    int r;

    if (ps->p >= ps->end)
        return fail_eof(ps);
    set_pos(ps, v);
    switch (*ps->p) {
    case '{':
    case '[':
        r = push_frame(ps, *ps->p == '{');
        if (r < 0)
            return r;
        v->type = *ps->p == '{' ? JV_OBJECT : JV_ARRAY;
        ps->p++;
        return 1;
    case '"':
        v->type = JV_STRING;
        return parse_string(ps, &v->u.str.s, &v->u.str.len);
    case 't':
        v->type = JV_BOOL;
        v->u.b = true;
        return parse_literal(ps, "true", 4);
    case 'f':
        v->type = JV_BOOL;
        v->u.b = false;
        return parse_literal(ps, "false", 5);
    case 'n':
        v->type = JV_NULL;
        return parse_literal(ps, "null", 4);
    case '-':
    case '+':
    case '.':
    case '0' ... '9':
        return parse_number(ps, v);
    default:
        return fail_char(ps, ps->p, "");
    }
}

static int run(struct parser *ps)
{
    bool want_value = true;
    int r;

    r = push_slot(ps, NULL, 0, 0); /* the root */
    if (r < 0)
        return r;
    for (;;) {
        if (want_value) {
            skip_ws(ps);
            r = parse_value(ps, &ps->slots[ps->nslots - 1].m.value);
            if (r < 0)
                return r;
            if (r == 0) {
                want_value = false;
                continue;
            }
            struct frame *f = &ps->frames[ps->depth - 1];
            skip_ws(ps);
            if (ps->p < ps->end && *ps->p == (f->obj ? '}' : ']')) {
                ps->p++;
                r = close_frame(ps);
                if (r < 0)
                    return r;
                want_value = false;
                continue;
            }
            r = begin_child(ps, f, "expected string or '}' in object");
            if (r < 0)
                return r;
            continue;
        }

        skip_ws(ps);
        if (ps->depth == 0)
            break;
        struct frame *f = &ps->frames[ps->depth - 1];
        if (ps->p >= ps->end)
            return fail_eof(ps);
        char c = *ps->p;
        if (c == ',') {
            ps->p++;
            skip_ws(ps);
            r = begin_child(ps, f, "expected string after ',' in object");
            if (r < 0)
                return r;
            want_value = true;
        } else if (c == (f->obj ? '}' : ']')) {
            ps->p++;
            r = close_frame(ps);
            if (r < 0)
                return r;
        } else {
            return fail_at(ps, ps->p, EINVAL, "%s",
                           f->obj ? "expected ',' or '}' in object"
                                  : "expected ',' or ']' in array");
        }
    }
    if (ps->p < ps->end)
        return fail_char(ps, ps->p, " after top-level value");
    return 0;
}

static void parser_done(struct parser *ps)
{
    for (size_t i = 0; i < ps->depth; i++)
        free(ps->frames[i].tab);
    free(ps->frames);
    free(ps->slots);
}

/* Position of byte index off, for the size-limit error. */
static int fail_too_big(struct parser *ps, const char *buf, size_t off)
{
    const char *nl;
    ps->line_start = buf;
    while ((nl = memchr(ps->line_start, '\n', (size_t)(buf + off - ps->line_start)))) {
        ps->line++;
        ps->line_start = nl + 1;
    }
    return fail_at(ps, buf + off, E2BIG, "document larger than %zu bytes", ps->lim.max_bytes);
}

int jv_parse(const char *buf, size_t len, const struct jv_limits *lim, struct jv_doc **ret,
             struct hk_err *err)
{
    struct parser ps = {.line = 1, .err = err};
    int r;

    if (!buf)
        buf = "";
    if (lim)
        ps.lim = *lim;
    if (!ps.lim.max_bytes)
        ps.lim.max_bytes = JV_DEFAULT_MAX_BYTES;
    if (!ps.lim.max_depth)
        ps.lim.max_depth = JV_DEFAULT_MAX_DEPTH;
    if (!ps.lim.max_array)
        ps.lim.max_array = JV_DEFAULT_MAX_ARRAY;
    if (!ps.lim.max_string)
        ps.lim.max_string = JV_DEFAULT_MAX_STRING;
    ps.p = ps.line_start = buf;
    ps.end = buf + len;
    if (len > ps.lim.max_bytes)
        return fail_too_big(&ps, buf, ps.lim.max_bytes);

    /* Nodes and strings of a pretty-printed config take about 1.5x its size. */
    size_t first = len + len / 2 + 512;
    ps.arena.next_cap = first < CHUNK_MIN ? CHUNK_MIN : first > CHUNK_MAX ? CHUNK_MAX : first;
    uintptr_t noise = (uintptr_t)&ps ^ ((uintptr_t)buf << 16) ^ (uintptr_t)len;
    ps.seed = mix64((uint64_t)noise);

    r = run(&ps);
    struct jv_doc *d = NULL;
    if (r >= 0) {
        d = arena_alloc(&ps.arena, sizeof(*d), alignof(struct jv_doc));
        if (!d)
            r = fail_oom(&ps);
    }
    if (r < 0) {
        parser_done(&ps);
        chunks_free(ps.arena.head);
        return r;
    }
    d->root = ps.slots[0].m.value;
    d->chunks = ps.arena.head;
    parser_done(&ps);
    *ret = d;
    return 0;
}

const struct jv *jv_root(const struct jv_doc *d)
{
    return d ? &d->root : NULL;
}

void jv_doc_free(struct jv_doc *d)
{
    if (d)
        chunks_free(d->chunks); /* d itself lives in one of the chunks */
}

const struct jv *jv_get(const struct jv *obj, const char *key)
{
    if (!obj || obj->type != JV_OBJECT || !key)
        return NULL;
    for (size_t i = 0; i < obj->u.obj.n; i++) {
        const struct jv_member *m = &obj->u.obj.m[i];
        if (m->key[0] == key[0] && strcmp(m->key, key) == 0)
            return &m->value;
    }
    return NULL;
}

/* ---- exact integers ------------------------------------------------------------------- */

/* Magnitude of an integral number text: int digits I, fraction digits F, exponent e. The
 * digit string S = I F has its decimal point after P = |I| + e digits; the value is integral
 * iff every nonzero digit of S lies before the point. */
static int num_magnitude(const char *s, bool *ret_neg, uint64_t *ret_mag)
{
    const char *ip, *fp = NULL;
    size_t li, lf = 0;
    long long e = 0;
    bool neg = false;

    if (!s)
        return -EINVAL;
    if (*s == '-') {
        neg = true;
        s++;
    }
    ip = s;
    while (*s >= '0' && *s <= '9')
        s++;
    li = (size_t)(s - ip);
    if (li == 0 || (li > 1 && ip[0] == '0'))
        return -EINVAL;
    if (*s == '.') {
        fp = ++s;
        while (*s >= '0' && *s <= '9')
            s++;
        lf = (size_t)(s - fp);
        if (lf == 0)
            return -EINVAL;
    }
    if (*s == 'e' || *s == 'E') {
        bool eneg = false;
        s++;
        if (*s == '+' || *s == '-')
            eneg = *s++ == '-';
        if (!(*s >= '0' && *s <= '9'))
            return -EINVAL;
        for (; *s >= '0' && *s <= '9'; s++)
            if (e < EXP_CAP)
                e = e * 10 + (*s - '0');
        if (eneg)
            e = -e;
    }
    if (*s)
        return -EINVAL;

#define SDIGIT(i) ((i) < li ? ip[i] : fp[(i)-li])
    size_t total = li + lf, a = 0, b;
    while (a < total && SDIGIT(a) == '0')
        a++;
    if (a == total) {
        *ret_neg = neg;
        *ret_mag = 0;
        return 0;
    }
    b = total - 1;
    while (SDIGIT(b) == '0')
        b--;
    long long point = (long long)li + e;
    if ((long long)b >= point)
        return -EINVAL; /* a nonzero digit after the decimal point */
    if (point - 1 - (long long)a >= 20)
        return -ERANGE; /* at least 10^20 */
    uint64_t mag = 0;
    for (size_t i = a; (long long)i < point; i++) {
        unsigned d = i <= b ? (unsigned)(SDIGIT(i) - '0') : 0;
        if (mag > (UINT64_MAX - d) / 10)
            return -ERANGE;
        mag = mag * 10 + d;
    }
#undef SDIGIT
    *ret_neg = neg;
    *ret_mag = mag;
    return 0;
}

int jv_u64(const struct jv *v, uint64_t *ret)
{
    bool neg;
    uint64_t mag;

    if (!v || v->type != JV_NUMBER)
        return -EINVAL;
    int r = num_magnitude(v->u.num, &neg, &mag);
    if (r < 0)
        return r;
    if (neg && mag != 0)
        return -ERANGE;
    *ret = mag;
    return 0;
}

int jv_i64(const struct jv *v, int64_t *ret)
{
    bool neg;
    uint64_t mag;

    if (!v || v->type != JV_NUMBER)
        return -EINVAL;
    int r = num_magnitude(v->u.num, &neg, &mag);
    if (r < 0)
        return r;
    if (neg) {
        if (mag > (uint64_t)INT64_MAX + 1)
            return -ERANGE;
        *ret = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)INT64_MAX)
            return -ERANGE;
        *ret = (int64_t)mag;
    }
    return 0;
}

const char *jv_type_name(enum jv_type t)
{
    switch (t) {
    case JV_NULL:
        return "null";
    case JV_BOOL:
        return "boolean";
    case JV_NUMBER:
        return "number";
    case JV_STRING:
        return "string";
    case JV_ARRAY:
        return "array";
    case JV_OBJECT:
        return "object";
    }
    return "unknown";
}
