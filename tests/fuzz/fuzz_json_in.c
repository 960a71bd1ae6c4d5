/* libFuzzer target for src/core/json_in.c: parse with small and with default limits, walk the
 * tree through every getter and check the invariants the API promises. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/json_in.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x))                                                                                  \
            abort();                                                                               \
    } while (0)

static void walk(const struct jv *v, unsigned depth)
{
    CHECK(v->line >= 1 && v->col >= 1);
    CHECK(strcmp(jv_type_name(v->type), "unknown") != 0);
    uint64_t u;
    int64_t i;
    int ru = jv_u64(v, &u), ri = jv_i64(v, &i);

    switch (v->type) {
    case JV_NULL:
    case JV_BOOL:
        CHECK(ru == -EINVAL && ri == -EINVAL);
        break;
    case JV_NUMBER:
        CHECK(v->u.num && v->u.num[0]);
        CHECK(ru == 0 || ru == -EINVAL || ru == -ERANGE);
        CHECK(ri == 0 || ri == -EINVAL || ri == -ERANGE);
        CHECK((ru == -EINVAL) == (ri == -EINVAL)); /* integrality does not depend on the type */
        if (ru == 0 && u <= INT64_MAX)
            CHECK(ri == 0 && (uint64_t)i == u);
        if (ri == 0 && i >= 0)
            CHECK(ru == 0 && (uint64_t)i == u);
        if (ri == 0 && i < 0)
            CHECK(ru == -ERANGE);
        break;
    case JV_STRING:
        CHECK(v->u.str.s && strlen(v->u.str.s) == v->u.str.len);
        CHECK(ru == -EINVAL && ri == -EINVAL);
        break;
    case JV_ARRAY:
        CHECK(v->u.arr.n == 0 || v->u.arr.items);
        CHECK(jv_get(v, "") == NULL);
        for (size_t k = 0; k < v->u.arr.n; k++)
            walk(&v->u.arr.items[k], depth + 1);
        break;
    case JV_OBJECT:
        CHECK(v->u.obj.n == 0 || v->u.obj.m);
        CHECK(jv_get(v, "\x01 not a key") == NULL); /* raw control bytes cannot be in a key */
        for (size_t k = 0; k < v->u.obj.n; k++) {
            const struct jv_member *m = &v->u.obj.m[k];
            CHECK(m->key);
            CHECK(jv_get(v, m->key) == &m->value); /* keys are unique */
            walk(&m->value, depth + 1);
        }
        break;
    }
    CHECK(depth <= 64);
}

static void check_err(int r, const struct hk_err *err)
{
    CHECK(r == -EINVAL || r == -E2BIG || r == -ENOMEM);
    CHECK(err->code == -r);
    CHECK(strncmp(err->msg, "line ", 5) == 0 && strstr(err->msg, " column "));
    for (const char *p = err->msg; *p; p++)
        CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
}

static void one(const uint8_t *data, size_t size, const struct jv_limits *lim)
{
    struct hk_err err = {0};
    _cleanup_(jv_doc_freep) struct jv_doc *d = NULL;
    int r = jv_parse((const char *)data, size, lim, &d, &err);
    if (r < 0) {
        check_err(r, &err);
        CHECK(d == NULL);
        return;
    }
    CHECK(r == 0 && d);
    walk(jv_root(d), 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct jv_limits small = {
        .max_bytes = 64 * 1024, .max_depth = 8, .max_array = 64, .max_string = 256};
    one(data, size, &small);
    one(data, size, NULL);
    return 0;
}
