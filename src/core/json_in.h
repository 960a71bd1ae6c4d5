/*
 * Small strict JSON reader for config.json and state.json.
 *
 * Why not jansson: it cannot represent integers above INT64_MAX (RLIM_INFINITY rlimits,
 * seccomp argument values), and we want byte-exact limits on size and depth, duplicate-key
 * rejection and line:column errors on one code path that the fuzzer covers.
 *
 * A document owns all of its nodes and strings (one arena); free it with jv_doc_free().
 * Numbers keep their source text so typed getters can parse exact uint64/int64 values.
 * Strings are NUL-terminated; an escaped \u0000 is rejected. Duplicate object keys are
 * rejected. Members keep their document order.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cleanup.h"

enum jv_type { JV_NULL = 0, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jv_member;

struct jv {
    enum jv_type type;
    uint32_t line, col; /* 1-based position of the value's first byte (columns count bytes) */
    union {
        bool b;          /* JV_BOOL */
        const char *num; /* JV_NUMBER: source text, e.g. "-1.5e3" */
        struct {
            const char *s;
            size_t len;
        } str; /* JV_STRING */
        struct {
            struct jv *items;
            size_t n;
        } arr; /* JV_ARRAY */
        struct {
            struct jv_member *m;
            size_t n;
        } obj; /* JV_OBJECT */
    } u;
};

struct jv_member {
    const char *key;
    struct jv value;
};

struct jv_limits {
    size_t max_bytes;   /* whole document */
    unsigned max_depth; /* nesting of arrays/objects; 1 = a flat object */
    size_t max_array;   /* elements in one array, members in one object */
    size_t max_string;  /* bytes in one decoded string */
};

/* Used for a NULL limits pointer, and for any field of struct jv_limits that is 0. */
#define JV_DEFAULT_MAX_BYTES  ((size_t)4 << 20)
#define JV_DEFAULT_MAX_DEPTH  64u
#define JV_DEFAULT_MAX_ARRAY  ((size_t)65536)
#define JV_DEFAULT_MAX_STRING ((size_t)1 << 20)

struct jv_doc;
struct hk_err;

/* Parse buf[0..len). On error: "line L column C: <problem>" with EINVAL
 * (E2BIG for a size or count limit, ENOMEM on allocation failure). */
int jv_parse(const char *buf, size_t len, const struct jv_limits *lim, struct jv_doc **ret,
             struct hk_err *err);
const struct jv *jv_root(const struct jv_doc *d);
void jv_doc_free(struct jv_doc *d);
HK_DEFINE_CLEANUP(struct jv_doc, jv_doc_free)

/* Member lookup in an object (NULL if v is not an object or the key is absent). */
const struct jv *jv_get(const struct jv *obj, const char *key);
/* Exact integer conversions of a JV_NUMBER: -EINVAL if v is not a number or not an integer
 * (fraction or exponent that is not integral), -ERANGE if out of range. */
int jv_u64(const struct jv *v, uint64_t *ret);
int jv_i64(const struct jv *v, int64_t *ret);
/* "null", "boolean", "number", "string", "array", "object". */
const char *jv_type_name(enum jv_type t);
