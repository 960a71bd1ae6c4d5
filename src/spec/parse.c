/*
 * config.json -> struct spec.
 *
 * The schema is described by tables of fields (key, kind, offset); one walker reads every
 * table with typed getters that check type and range and name the JSON path in errors.
 * Custom conversions (names -> numbers) are small callbacks. Unknown keys are ignored.
 * null for an optional key means absent; for a required key it is "required".
 */
#include "spec/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "core/fdutil.h"
#include "core/json_in.h"
#include "core/strv.h"
#include "spec/names.h"

#define PATH_BUF       512
#define USER_KEY_SHOWN 64 /* bytes of a user-supplied map key shown in a path */
#define NUM_SHOWN      40 /* bytes of a number's source text shown in an error */
#define NO_OFF         SIZE_MAX

struct pctx {
    struct spec *s;
    struct hk_err *err;
    char path[PATH_BUF];
    size_t len;
};

/* ---------------------------------------------------------------- paths and errors */

static size_t path_push(struct pctx *c, const char *fmt, ...) HK_PRINTF(2, 3);
static size_t path_push(struct pctx *c, const char *fmt, ...)
{
    size_t old = c->len;
    if (c->len < sizeof(c->path) - 1) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(c->path + c->len, sizeof(c->path) - c->len, fmt, ap);
        va_end(ap);
        if (n > 0)
            c->len +=
                (size_t)n < sizeof(c->path) - c->len ? (size_t)n : sizeof(c->path) - c->len - 1;
    }
    return old;
}

static size_t push_key(struct pctx *c, const char *key)
{
    return path_push(c, "%s%s", c->len ? "." : "", key);
}

static size_t push_idx(struct pctx *c, size_t i)
{
    return path_push(c, "[%zu]", i);
}

static size_t push_user_key(struct pctx *c, const char *key)
{
    size_t n = strlen(key);
    if (n > USER_KEY_SHOWN)
        return path_push(c, "['%.*s...']", USER_KEY_SHOWN, key);
    return path_push(c, "['%s']", key);
}

static void path_pop(struct pctx *c, size_t old)
{
    c->len = old;
    c->path[old] = '\0';
}

static int fail(struct pctx *c, int code, const char *fmt, ...) HK_PRINTF(3, 4);
static int fail(struct pctx *c, int code, const char *fmt, ...)
{
    char msg[sizeof(c->err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (c->len == 0)
        return hk_err_set(c->err, code, "%s", msg);
    return hk_err_set(c->err, code, "%s: %s", c->path, msg);
}

static int oom(struct pctx *c)
{
    return fail(c, ENOMEM, "out of memory");
}

static int warn(struct pctx *c, const char *fmt, ...) HK_PRINTF(2, 3);
static int warn(struct pctx *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(msg, sizeof(msg), "%s: ", c->path);
    if (n < 0 || (size_t)n >= sizeof(msg))
        n = 0;
    vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    va_end(ap);
    if (strv_push(&c->s->warnings, msg) < 0)
        return oom(c);
    return 0;
}

static int want(struct pctx *c, const struct jv *v, enum jv_type t)
{
    if (v->type == t)
        return 0;
    return fail(c, EINVAL, "expected %s, got %s", jv_type_name(t), jv_type_name(v->type));
}

/* ---------------------------------------------------------------- scalar getters */

static int get_u64(struct pctx *c, const struct jv *v, uint64_t max, uint64_t *ret)
{
    if (v->type != JV_NUMBER)
        return fail(c, EINVAL, "expected unsigned integer, got %s", jv_type_name(v->type));
    uint64_t x = 0;
    int r = jv_u64(v, &x);
    if (r == -ERANGE || (r == 0 && x > max))
        return fail(c, EINVAL, "%.*s out of range", NUM_SHOWN, v->u.num);
    if (r < 0)
        return fail(c, EINVAL, "expected unsigned integer, got '%.*s'", NUM_SHOWN, v->u.num);
    *ret = x;
    return 0;
}

static int get_i64(struct pctx *c, const struct jv *v, int64_t min, int64_t max, int64_t *ret)
{
    if (v->type != JV_NUMBER)
        return fail(c, EINVAL, "expected integer, got %s", jv_type_name(v->type));
    int64_t x = 0;
    int r = jv_i64(v, &x);
    if (r == -ERANGE || (r == 0 && (x < min || x > max)))
        return fail(c, EINVAL, "%.*s out of range", NUM_SHOWN, v->u.num);
    if (r < 0)
        return fail(c, EINVAL, "expected integer, got '%.*s'", NUM_SHOWN, v->u.num);
    *ret = x;
    return 0;
}

static int get_u32(struct pctx *c, const struct jv *v, uint32_t max, uint32_t *ret)
{
    uint64_t x;
    int r = get_u64(c, v, max, &x);
    if (r < 0)
        return r;
    *ret = (uint32_t)x;
    return 0;
}

static int get_str(struct pctx *c, const struct jv *v, char **ret)
{
    int r = want(c, v, JV_STRING);
    if (r < 0)
        return r;
    char *s = strndup(v->u.str.s, v->u.str.len);
    if (!s)
        return oom(c);
    free(*ret);
    *ret = s;
    return 0;
}

/* ---------------------------------------------------------------- field tables */

enum fkind {
    FK_STR,      /* char * */
    FK_BOOL,     /* bool */
    FK_OPT_BOOL, /* struct opt_bool */
    FK_I64,      /* int64_t (off2: optional presence flag) */
    FK_OPT_I64,  /* struct opt_i64 */
    FK_U64,      /* uint64_t */
    FK_OPT_U64,  /* struct opt_u64 */
    FK_U32,      /* uint32_t */
    FK_OPT_U32,  /* struct opt_u32 */
    FK_OPT_U16,  /* struct opt_u32 holding a uint16 */
    FK_ID,       /* uint32_t uid/gid: (uid_t)-1 is rejected */
    FK_INT,      /* int (int32 range) */
    FK_STRV,     /* char ** + size_t count at off2 */
    FK_IDV,      /* uint32_t * + size_t count at off2, each an FK_ID */
    FK_CAPS,     /* uint64_t capability mask from an array of names */
    FK_KV,       /* struct spec_kv * + count from an object of strings */
    FK_OBJ,      /* nested object parsed with sub into base+off; off2: presence flag */
    FK_ITEMS,    /* array of objects: T * at off, count at off2, each parsed with sub */
    FK_MAP,      /* object of objects: like FK_ITEMS, the key stored at sub->key_off */
    FK_FN,       /* custom conversion: fn(c, value, base+off) */
};

struct pctx;
struct ftable;
typedef int (*field_fn)(struct pctx *c, const struct jv *v, void *member);
typedef int (*post_fn)(struct pctx *c, const struct jv *obj, void *base);
typedef void (*init_fn)(void *item);

struct field {
    const char *key;
    enum fkind kind;
    bool required;
    size_t off;
    size_t off2;
    const struct ftable *sub;
    size_t size;
    field_fn fn;
};

struct ftable {
    const struct field *f;
    size_t n;
    size_t key_off; /* FK_MAP: where the member key goes (a char *) */
    init_fn init;   /* defaults for a fresh array item */
    post_fn post;   /* checks and conversions after the fields */
};

#define FLD(k, kind_, T, m)                                                                        \
    {                                                                                              \
        .key = k, .kind = kind_, .off = offsetof(T, m), .off2 = NO_OFF                             \
    }
#define REQ(k, kind_, T, m)                                                                        \
    {                                                                                              \
        .key = k, .kind = kind_, .required = true, .off = offsetof(T, m), .off2 = NO_OFF           \
    }
#define HAS(k, kind_, T, m, has)                                                                   \
    {                                                                                              \
        .key = k, .kind = kind_, .off = offsetof(T, m), .off2 = offsetof(T, has)                   \
    }
#define SEQ(k, kind_, T, m, n)                                                                     \
    {                                                                                              \
        .key = k, .kind = kind_, .off = offsetof(T, m), .off2 = offsetof(T, n)                     \
    }
#define REQ_SEQ(k, kind_, T, m, n)                                                                 \
    {                                                                                              \
        .key = k, .kind = kind_, .required = true, .off = offsetof(T, m), .off2 = offsetof(T, n)   \
    }
#define OBJ(k, T, m, has, tbl)                                                                     \
    {                                                                                              \
        .key = k, .kind = FK_OBJ, .off = offsetof(T, m), .off2 = offsetof(T, has), .sub = &tbl     \
    }
#define OBJ_NOFLAG(k, T, m, tbl)                                                                   \
    {                                                                                              \
        .key = k, .kind = FK_OBJ, .off = offsetof(T, m), .off2 = NO_OFF, .sub = &tbl               \
    }
/* an object whose members live directly in the parent struct */
#define INLINE(k, T, has, tbl)                                                                     \
    {                                                                                              \
        .key = k, .kind = FK_OBJ, .off = 0, .off2 = offsetof(T, has), .sub = &tbl                  \
    }
#define INLINE_NOFLAG(k, tbl)                                                                      \
    {                                                                                              \
        .key = k, .kind = FK_OBJ, .off = 0, .off2 = NO_OFF, .sub = &tbl                            \
    }
#define ITEMS(k, T, m, n, ET, tbl)                                                                 \
    {                                                                                              \
        .key = k, .kind = FK_ITEMS, .off = offsetof(T, m), .off2 = offsetof(T, n), .sub = &tbl,    \
        .size = sizeof(ET)                                                                         \
    }
#define MAP(k, T, m, n, ET, tbl)                                                                   \
    {                                                                                              \
        .key = k, .kind = FK_MAP, .off = offsetof(T, m), .off2 = offsetof(T, n), .sub = &tbl,      \
        .size = sizeof(ET)                                                                         \
    }
#define FN(k, req, T, m, f)                                                                        \
    {                                                                                              \
        .key = k, .kind = FK_FN, .required = req, .off = offsetof(T, m), .off2 = NO_OFF, .fn = f   \
    }
#define TABLE(name, fields, ...)                                                                   \
    static const struct ftable name = {.f = fields, .n = HK_ARRAY_SIZE(fields), __VA_ARGS__}

static int parse_table(struct pctx *c, const struct jv *obj, const struct ftable *t, void *base);

static void *at(void *base, size_t off)
{
    return (char *)base + off;
}

static void set_flag(void *base, size_t off)
{
    if (off != NO_OFF)
        *(bool *)at(base, off) = true;
}

/* Store a freshly allocated array into a `T *` member without type punning. */
static void store_ptr(void *base, size_t off, void *p)
{
    memcpy(at(base, off), &p, sizeof(p));
}

static int get_strv(struct pctx *c, const struct jv *v, char ***ret, size_t *ret_n)
{
    int r = want(c, v, JV_ARRAY);
    if (r < 0)
        return r;
    size_t n = v->u.arr.n;
    char **sv = calloc(n + 1, sizeof(char *));
    if (!sv)
        return oom(c);
    strv_free(*ret);
    *ret = sv; /* NULL-terminated at every step: spec_free copes with a partial vector */
    *ret_n = n;
    for (size_t i = 0; i < n; i++) {
        size_t old = push_idx(c, i);
        r = get_str(c, &v->u.arr.items[i], &sv[i]);
        path_pop(c, old);
        if (r < 0)
            return r;
    }
    return 0;
}

static int get_idv(struct pctx *c, const struct jv *v, uint32_t **ret, size_t *ret_n)
{
    int r = want(c, v, JV_ARRAY);
    if (r < 0)
        return r;
    size_t n = v->u.arr.n;
    uint32_t *ids = calloc(n ? n : 1, sizeof(uint32_t));
    if (!ids)
        return oom(c);
    free(*ret);
    *ret = ids;
    *ret_n = n;
    for (size_t i = 0; i < n; i++) {
        size_t old = push_idx(c, i);
        r = get_u32(c, &v->u.arr.items[i], UINT32_MAX - 1, &ids[i]);
        path_pop(c, old);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Unknown capability names are skipped with a warning, as runc does. */
static int get_caps(struct pctx *c, const struct jv *v, uint64_t *ret)
{
    int r = want(c, v, JV_ARRAY);
    if (r < 0)
        return r;
    uint64_t mask = 0;
    for (size_t i = 0; i < v->u.arr.n; i++) {
        const struct jv *e = &v->u.arr.items[i];
        if (e->type != JV_STRING) {
            size_t old = push_idx(c, i);
            r = want(c, e, JV_STRING);
            path_pop(c, old);
            return r;
        }
        int cap = spec_cap_from_name(e->u.str.s);
        if (cap < 0) {
            r = warn(c, "unknown capability '%s', ignoring", e->u.str.s);
            if (r < 0)
                return r;
            continue;
        }
        mask |= UINT64_C(1) << cap;
    }
    *ret = mask;
    return 0;
}

static int get_kv(struct pctx *c, const struct jv *v, struct spec_kv **ret, size_t *ret_n)
{
    int r = want(c, v, JV_OBJECT);
    if (r < 0)
        return r;
    size_t n = v->u.obj.n;
    struct spec_kv *kv = calloc(n ? n : 1, sizeof(*kv));
    if (!kv)
        return oom(c);
    *ret = kv;
    *ret_n = n;
    for (size_t i = 0; i < n; i++) {
        const struct jv_member *m = &v->u.obj.m[i];
        size_t old = push_user_key(c, m->key);
        r = get_str(c, &m->value, &kv[i].value);
        path_pop(c, old);
        if (r < 0)
            return r;
        kv[i].key = strdup(m->key);
        if (!kv[i].key)
            return oom(c);
    }
    return 0;
}

/* Arrays of objects (FK_ITEMS) and objects of objects (FK_MAP). */
static int get_items(struct pctx *c, const struct jv *v, const struct field *f, void *base)
{
    bool is_map = f->kind == FK_MAP;
    int r = want(c, v, is_map ? JV_OBJECT : JV_ARRAY);
    if (r < 0)
        return r;
    size_t n = is_map ? v->u.obj.n : v->u.arr.n;
    if (n == 0)
        return 0;
    char *items = calloc(n, f->size);
    if (!items)
        return oom(c);
    store_ptr(base, f->off, items);
    *(size_t *)at(base, f->off2) = n;
    for (size_t i = 0; i < n; i++) {
        void *item = items + i * f->size;
        if (f->sub->init)
            f->sub->init(item);
    }
    for (size_t i = 0; i < n; i++) {
        void *item = items + i * f->size;
        const struct jv *e;
        size_t old;
        if (is_map) {
            const struct jv_member *m = &v->u.obj.m[i];
            char *key = strdup(m->key);
            if (!key)
                return oom(c);
            store_ptr(item, f->sub->key_off, key);
            e = &m->value;
            old = push_user_key(c, m->key);
        } else {
            e = &v->u.arr.items[i];
            old = push_idx(c, i);
        }
        r = want(c, e, JV_OBJECT);
        if (r >= 0)
            r = parse_table(c, e, f->sub, item);
        path_pop(c, old);
        if (r < 0)
            return r;
    }
    return 0;
}

static int get_field(struct pctx *c, const struct jv *v, const struct field *f, void *base)
{
    void *m = at(base, f->off);
    int r = 0;

    switch (f->kind) {
    case FK_STR:
        return get_str(c, v, m);
    case FK_BOOL:
    case FK_OPT_BOOL:
        r = want(c, v, JV_BOOL);
        if (r < 0)
            return r;
        if (f->kind == FK_BOOL) {
            *(bool *)m = v->u.b;
        } else {
            struct opt_bool *o = m;
            *o = (struct opt_bool){true, v->u.b};
        }
        return 0;
    case FK_I64:
        r = get_i64(c, v, INT64_MIN, INT64_MAX, m);
        break;
    case FK_OPT_I64: {
        struct opt_i64 *o = m;
        r = get_i64(c, v, INT64_MIN, INT64_MAX, &o->v);
        o->set = r >= 0;
        return r;
    }
    case FK_U64:
        return get_u64(c, v, UINT64_MAX, m);
    case FK_OPT_U64: {
        struct opt_u64 *o = m;
        r = get_u64(c, v, UINT64_MAX, &o->v);
        o->set = r >= 0;
        return r;
    }
    case FK_U32:
        return get_u32(c, v, UINT32_MAX, m);
    case FK_OPT_U32:
    case FK_OPT_U16: {
        struct opt_u32 *o = m;
        r = get_u32(c, v, f->kind == FK_OPT_U16 ? UINT16_MAX : UINT32_MAX, &o->v);
        o->set = r >= 0;
        return r;
    }
    case FK_ID:
        return get_u32(c, v, UINT32_MAX - 1, m);
    case FK_INT: {
        int64_t x;
        r = get_i64(c, v, INT32_MIN, INT32_MAX, &x);
        if (r >= 0)
            *(int *)m = (int)x;
        return r;
    }
    case FK_STRV:
        return get_strv(c, v, m, at(base, f->off2));
    case FK_IDV:
        return get_idv(c, v, m, at(base, f->off2));
    case FK_CAPS:
        return get_caps(c, v, m);
    case FK_KV:
        return get_kv(c, v, m, at(base, f->off2));
    case FK_OBJ:
        r = want(c, v, JV_OBJECT);
        if (r >= 0)
            r = parse_table(c, v, f->sub, m);
        break;
    case FK_ITEMS:
    case FK_MAP:
        return get_items(c, v, f, base);
    case FK_FN:
        return f->fn(c, v, m);
    }
    if (r >= 0)
        set_flag(base, f->off2);
    return r;
}

static int parse_table(struct pctx *c, const struct jv *obj, const struct ftable *t, void *base)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct field *f = &t->f[i];
        const struct jv *v = jv_get(obj, f->key);
        size_t old = push_key(c, f->key);
        int r = 0;
        if (!v || v->type == JV_NULL) {
            if (f->required)
                r = fail(c, EINVAL, "required");
        } else {
            r = get_field(c, v, f, base);
        }
        path_pop(c, old);
        if (r < 0)
            return r;
    }
    return t->post ? t->post(c, obj, base) : 0;
}

/* ---------------------------------------------------------------- custom conversions */

static int str_of(struct pctx *c, const struct jv *v, const char **ret)
{
    int r = want(c, v, JV_STRING);
    if (r < 0)
        return r;
    *ret = v->u.str.s;
    return 0;
}

static int ns_type_fn(struct pctx *c, const struct jv *v, void *member)
{
    const char *s;
    int r = str_of(c, v, &s);
    if (r < 0)
        return r;
    if (spec_ns_from_name(s, member) < 0)
        return fail(c, EINVAL, "unknown namespace type '%s'", s);
    return 0;
}

static int dev_type_fn(struct pctx *c, const struct jv *v, void *member)
{
    const char *s;
    int r = str_of(c, v, &s);
    if (r < 0)
        return r;
    if (v->u.str.len != 1)
        return fail(c, EINVAL, "invalid device type '%s'", s);
    *(char *)member = s[0];
    return 0;
}

/* resources.devices[].type: "" means all, as absent does (runc) */
static int rule_type_fn(struct pctx *c, const struct jv *v, void *member)
{
    if (v->type == JV_STRING && v->u.str.len == 0)
        return 0;
    return dev_type_fn(c, v, member);
}

static int dev_access_fn(struct pctx *c, const struct jv *v, void *member)
{
    const char *s;
    int r = str_of(c, v, &s);
    if (r < 0)
        return r;
    char *access = member; /* char[4] */
    if (v->u.str.len > 3)
        return fail(c, EINVAL, "invalid access '%s'", s);
    memcpy(access, s, v->u.str.len + 1);
    return 0;
}

static void dev_rule_init(void *item)
{
    struct spec_device_rule *d = item;
    d->type = 'a';
    d->major = -1;
    d->minor = -1;
    memcpy(d->access, "rwm", 4);
}

static int rlimit_post(struct pctx *c, const struct jv *obj, void *base)
{
    (void)obj;
    struct spec_rlimit *rl = base;
    rl->type = spec_rlimit_from_name(rl->name);
    if (rl->type < 0) {
        size_t old = push_key(c, "type");
        int r = fail(c, EINVAL, "unknown rlimit '%s'", rl->name);
        path_pop(c, old);
        return r;
    }
    return 0;
}

/* runc treats an empty namespace path as "create a new one" */
static int ns_post(struct pctx *c, const struct jv *obj, void *base)
{
    (void)c;
    (void)obj;
    struct spec_namespace *ns = base;
    if (ns->path && !*ns->path) {
        free(ns->path);
        ns->path = NULL;
    }
    return 0;
}

static int mount_post(struct pctx *c, const struct jv *obj, void *base)
{
    (void)obj;
    struct spec_mount *m = base;
    size_t old = push_key(c, "options");
    int r = spec_mount_opts_parse(m->options, m->n_options, &m->opts, c->path, c->err);
    path_pop(c, old);
    /* runc: uid/gidMappings without "idmap" or "ridmap" make an idmapped mount */
    if (r >= 0 && (m->n_uid_mappings || m->n_gid_mappings) && !m->opts.idmap && !m->opts.ridmap)
        m->opts.idmap = true;
    return r;
}

static int linux_post(struct pctx *c, const struct jv *obj, void *base)
{
    (void)obj;
    struct spec_linux *l = base;
    if (l->rootfs_propagation &&
        spec_propagation_from_name(l->rootfs_propagation, &l->rootfs_propagation_flags) < 0) {
        size_t old = push_key(c, "rootfsPropagation");
        int r = fail(c, EINVAL, "unknown propagation '%s'", l->rootfs_propagation);
        path_pop(c, old);
        return r;
    }
    /* runc: no defaultAction and no syscalls means seccomp is disabled */
    if (l->has_seccomp && !l->seccomp.default_action && l->seccomp.n_syscalls == 0)
        l->has_seccomp = false;
    return 0;
}

/* ---------------------------------------------------------------- the schema */

static const struct field idmap_f[] = {
    REQ("containerID", FK_ID, struct spec_idmap, container_id),
    REQ("hostID", FK_ID, struct spec_idmap, host_id),
    REQ("size", FK_U32, struct spec_idmap, size),
};
TABLE(idmap_t, idmap_f);

/* process */
static const struct field console_f[] = {
    REQ("height", FK_U32, struct spec_process, console_height),
    REQ("width", FK_U32, struct spec_process, console_width),
};
TABLE(console_t, console_f);

static const struct field user_f[] = {
    FLD("uid", FK_ID, struct spec_user, uid),
    FLD("gid", FK_ID, struct spec_user, gid),
    FLD("umask", FK_OPT_U32, struct spec_user, umask),
    SEQ("additionalGids", FK_IDV, struct spec_user, additional_gids, n_additional_gids),
};
TABLE(user_t, user_f);

static const struct field caps_f[] = {
    FLD("bounding", FK_CAPS, struct spec_caps, bounding),
    FLD("effective", FK_CAPS, struct spec_caps, effective),
    FLD("inheritable", FK_CAPS, struct spec_caps, inheritable),
    FLD("permitted", FK_CAPS, struct spec_caps, permitted),
    FLD("ambient", FK_CAPS, struct spec_caps, ambient),
};
TABLE(caps_t, caps_f);

static const struct field rlimit_f[] = {
    REQ("type", FK_STR, struct spec_rlimit, name),
    REQ("soft", FK_U64, struct spec_rlimit, soft),
    REQ("hard", FK_U64, struct spec_rlimit, hard),
};
TABLE(rlimit_t, rlimit_f, .post = rlimit_post);

static const struct field sched_f[] = {
    REQ("policy", FK_STR, struct spec_scheduler, policy),
    FLD("nice", FK_INT, struct spec_scheduler, nice),
    FLD("priority", FK_INT, struct spec_scheduler, priority),
    SEQ("flags", FK_STRV, struct spec_scheduler, flags, n_flags),
    FLD("runtime", FK_U64, struct spec_scheduler, runtime),
    FLD("deadline", FK_U64, struct spec_scheduler, deadline),
    FLD("period", FK_U64, struct spec_scheduler, period),
};
TABLE(sched_t, sched_f);

static const struct field ioprio_f[] = {
    REQ("class", FK_STR, struct spec_io_priority, class),
    FLD("priority", FK_INT, struct spec_io_priority, priority),
};
TABLE(ioprio_t, ioprio_f);

static const struct field affinity_f[] = {
    FLD("initial", FK_STR, struct spec_cpu_affinity, initial),
    FLD("final", FK_STR, struct spec_cpu_affinity, final),
};
TABLE(affinity_t, affinity_f);

static const struct field process_f[] = {
    FLD("terminal", FK_BOOL, struct spec_process, terminal),
    INLINE("consoleSize", struct spec_process, has_console_size, console_t),
    OBJ_NOFLAG("user", struct spec_process, user, user_t),
    SEQ("args", FK_STRV, struct spec_process, args, n_args),
    SEQ("env", FK_STRV, struct spec_process, env, n_env),
    FLD("cwd", FK_STR, struct spec_process, cwd),
    OBJ("capabilities", struct spec_process, caps, caps.set, caps_t),
    ITEMS("rlimits", struct spec_process, rlimits, n_rlimits, struct spec_rlimit, rlimit_t),
    FLD("noNewPrivileges", FK_BOOL, struct spec_process, no_new_privileges),
    FLD("apparmorProfile", FK_STR, struct spec_process, apparmor_profile),
    FLD("selinuxLabel", FK_STR, struct spec_process, selinux_label),
    FLD("oomScoreAdj", FK_OPT_I64, struct spec_process, oom_score_adj),
    OBJ("scheduler", struct spec_process, scheduler, scheduler.set, sched_t),
    OBJ("ioPriority", struct spec_process, io_priority, io_priority.set, ioprio_t),
    OBJ_NOFLAG("execCPUAffinity", struct spec_process, exec_cpu_affinity, affinity_t),
};
TABLE(process_t, process_f);

/* mounts */
static const struct field mount_f[] = {
    REQ("destination", FK_STR, struct spec_mount, destination),
    FLD("type", FK_STR, struct spec_mount, type),
    FLD("source", FK_STR, struct spec_mount, source),
    SEQ("options", FK_STRV, struct spec_mount, options, n_options),
    ITEMS("uidMappings", struct spec_mount, uid_mappings, n_uid_mappings, struct spec_idmap,
          idmap_t),
    ITEMS("gidMappings", struct spec_mount, gid_mappings, n_gid_mappings, struct spec_idmap,
          idmap_t),
};
TABLE(mount_t, mount_f, .post = mount_post);

/* hooks */
static const struct field hook_f[] = {
    REQ("path", FK_STR, struct spec_hook, path),
    SEQ("args", FK_STRV, struct spec_hook, args, n_args),
    SEQ("env", FK_STRV, struct spec_hook, env, n_env),
    FLD("timeout", FK_OPT_I64, struct spec_hook, timeout),
};
TABLE(hook_t, hook_f);

#define HOOKS(k, kind)                                                                             \
    ITEMS(k, struct spec_hooks, hooks[kind], n_hooks[kind], struct spec_hook, hook_t)
static const struct field hooks_f[] = {
    HOOKS("prestart", HOOK_PRESTART),
    HOOKS("createRuntime", HOOK_CREATE_RUNTIME),
    HOOKS("createContainer", HOOK_CREATE_CONTAINER),
    HOOKS("startContainer", HOOK_START_CONTAINER),
    HOOKS("poststart", HOOK_POSTSTART),
    HOOKS("poststop", HOOK_POSTSTOP),
};
TABLE(hooks_t, hooks_f);

/* linux */
static const struct field ns_f[] = {
    FN("type", true, struct spec_namespace, type, ns_type_fn),
    FLD("path", FK_STR, struct spec_namespace, path),
};
TABLE(ns_t, ns_f, .post = ns_post);

static const struct field time_offset_f[] = {
    FLD("secs", FK_I64, struct spec_time_offset, secs),
    FLD("nanosecs", FK_U32, struct spec_time_offset, nanosecs),
};
TABLE(time_offset_t, time_offset_f);

static const struct field time_offsets_f[] = {
    OBJ("monotonic", struct spec_linux, time_monotonic, time_monotonic.set, time_offset_t),
    OBJ("boottime", struct spec_linux, time_boottime, time_boottime.set, time_offset_t),
};
TABLE(time_offsets_t, time_offsets_f);

static const struct field device_f[] = {
    FN("type", true, struct spec_device, type, dev_type_fn),
    REQ("path", FK_STR, struct spec_device, path),
    HAS("major", FK_I64, struct spec_device, major, has_major),
    HAS("minor", FK_I64, struct spec_device, minor, has_minor),
    FLD("fileMode", FK_OPT_U32, struct spec_device, file_mode),
    FLD("uid", FK_OPT_U32, struct spec_device, uid),
    FLD("gid", FK_OPT_U32, struct spec_device, gid),
};
TABLE(device_t, device_f);

static const struct field dev_rule_f[] = {
    REQ("allow", FK_BOOL, struct spec_device_rule, allow),
    FN("type", false, struct spec_device_rule, type, rule_type_fn),
    FLD("major", FK_I64, struct spec_device_rule, major),
    FLD("minor", FK_I64, struct spec_device_rule, minor),
    FN("access", false, struct spec_device_rule, access, dev_access_fn),
};
TABLE(dev_rule_t, dev_rule_f, .init = dev_rule_init);

static const struct field memory_f[] = {
    FLD("limit", FK_OPT_I64, struct spec_memory, limit),
    FLD("reservation", FK_OPT_I64, struct spec_memory, reservation),
    FLD("swap", FK_OPT_I64, struct spec_memory, swap),
    FLD("kernel", FK_OPT_I64, struct spec_memory, kernel),
    FLD("kernelTCP", FK_OPT_I64, struct spec_memory, kernel_tcp),
    FLD("swappiness", FK_OPT_U64, struct spec_memory, swappiness),
    FLD("disableOOMKiller", FK_OPT_BOOL, struct spec_memory, disable_oom_killer),
    FLD("useHierarchy", FK_OPT_BOOL, struct spec_memory, use_hierarchy),
    FLD("checkBeforeUpdate", FK_OPT_BOOL, struct spec_memory, check_before_update),
};
TABLE(memory_t, memory_f);

static const struct field cpu_f[] = {
    FLD("shares", FK_OPT_U64, struct spec_cpu, shares),
    FLD("quota", FK_OPT_I64, struct spec_cpu, quota),
    FLD("burst", FK_OPT_U64, struct spec_cpu, burst),
    FLD("period", FK_OPT_U64, struct spec_cpu, period),
    FLD("realtimeRuntime", FK_OPT_I64, struct spec_cpu, realtime_runtime),
    FLD("realtimePeriod", FK_OPT_U64, struct spec_cpu, realtime_period),
    FLD("cpus", FK_STR, struct spec_cpu, cpus),
    FLD("mems", FK_STR, struct spec_cpu, mems),
    FLD("idle", FK_OPT_I64, struct spec_cpu, idle),
};
TABLE(cpu_t, cpu_f);

static const struct field pids_f[] = {
    REQ("limit", FK_I64, struct spec_resources, pids_limit),
};
TABLE(pids_t, pids_f);

static const struct field weight_dev_f[] = {
    REQ("major", FK_I64, struct spec_weight_device, major),
    REQ("minor", FK_I64, struct spec_weight_device, minor),
    FLD("weight", FK_OPT_U16, struct spec_weight_device, weight),
    FLD("leafWeight", FK_OPT_U16, struct spec_weight_device, leaf_weight),
};
TABLE(weight_dev_t, weight_dev_f);

static const struct field throttle_f[] = {
    REQ("major", FK_I64, struct spec_throttle_device, major),
    REQ("minor", FK_I64, struct spec_throttle_device, minor),
    REQ("rate", FK_U64, struct spec_throttle_device, rate),
};
TABLE(throttle_t, throttle_f);

#define THROTTLE(k, m)                                                                             \
    ITEMS(k, struct spec_block_io, m, n_##m, struct spec_throttle_device, throttle_t)
static const struct field blkio_f[] = {
    FLD("weight", FK_OPT_U16, struct spec_block_io, weight),
    FLD("leafWeight", FK_OPT_U16, struct spec_block_io, leaf_weight),
    ITEMS("weightDevice", struct spec_block_io, weight_device, n_weight_device,
          struct spec_weight_device, weight_dev_t),
    THROTTLE("throttleReadBpsDevice", throttle_read_bps),
    THROTTLE("throttleWriteBpsDevice", throttle_write_bps),
    THROTTLE("throttleReadIOPSDevice", throttle_read_iops),
    THROTTLE("throttleWriteIOPSDevice", throttle_write_iops),
};
TABLE(blkio_t, blkio_f);

static const struct field hugepage_f[] = {
    REQ("pageSize", FK_STR, struct spec_hugepage_limit, page_size),
    REQ("limit", FK_U64, struct spec_hugepage_limit, limit),
};
TABLE(hugepage_t, hugepage_f);

static const struct field net_prio_f[] = {
    REQ("name", FK_STR, struct spec_net_priority, name),
    REQ("priority", FK_U32, struct spec_net_priority, priority),
};
TABLE(net_prio_t, net_prio_f);

static const struct field network_f[] = {
    FLD("classID", FK_OPT_U32, struct spec_resources, net_class_id),
    ITEMS("priorities", struct spec_resources, net_priorities, n_net_priorities,
          struct spec_net_priority, net_prio_t),
};
TABLE(network_t, network_f);

static const struct field rdma_f[] = {
    FLD("hcaHandles", FK_OPT_U32, struct spec_rdma, hca_handles),
    FLD("hcaObjects", FK_OPT_U32, struct spec_rdma, hca_objects),
};
TABLE(rdma_t, rdma_f, .key_off = offsetof(struct spec_rdma, device));

static const struct field resources_f[] = {
    ITEMS("devices", struct spec_resources, devices, n_devices, struct spec_device_rule,
          dev_rule_t),
    OBJ("memory", struct spec_resources, memory, has_memory, memory_t),
    OBJ("cpu", struct spec_resources, cpu, has_cpu, cpu_t),
    INLINE("pids", struct spec_resources, has_pids, pids_t),
    OBJ("blockIO", struct spec_resources, block_io, has_block_io, blkio_t),
    ITEMS("hugepageLimits", struct spec_resources, hugepage_limits, n_hugepage_limits,
          struct spec_hugepage_limit, hugepage_t),
    INLINE("network", struct spec_resources, has_network, network_t),
    MAP("rdma", struct spec_resources, rdma, n_rdma, struct spec_rdma, rdma_t),
    SEQ("unified", FK_KV, struct spec_resources, unified, n_unified),
};
TABLE(resources_t, resources_f);

static const struct field scmp_arg_f[] = {
    REQ("index", FK_U32, struct spec_seccomp_arg, index),
    REQ("value", FK_U64, struct spec_seccomp_arg, value),
    FLD("valueTwo", FK_U64, struct spec_seccomp_arg, value_two),
    REQ("op", FK_STR, struct spec_seccomp_arg, op),
};
TABLE(scmp_arg_t, scmp_arg_f);

static const struct field syscall_f[] = {
    REQ_SEQ("names", FK_STRV, struct spec_syscall, names, n_names),
    REQ("action", FK_STR, struct spec_syscall, action),
    FLD("errnoRet", FK_OPT_U32, struct spec_syscall, errno_ret),
    ITEMS("args", struct spec_syscall, args, n_args, struct spec_seccomp_arg, scmp_arg_t),
};
TABLE(syscall_t, syscall_f);

static const struct field seccomp_f[] = {
    FLD("defaultAction", FK_STR, struct spec_seccomp, default_action),
    FLD("defaultErrnoRet", FK_OPT_U32, struct spec_seccomp, default_errno_ret),
    SEQ("architectures", FK_STRV, struct spec_seccomp, architectures, n_architectures),
    SEQ("flags", FK_STRV, struct spec_seccomp, flags, n_flags),
    FLD("listenerPath", FK_STR, struct spec_seccomp, listener_path),
    FLD("listenerMetadata", FK_STR, struct spec_seccomp, listener_metadata),
    ITEMS("syscalls", struct spec_seccomp, syscalls, n_syscalls, struct spec_syscall, syscall_t),
};
TABLE(seccomp_t, seccomp_f);

static const struct field rdt_f[] = {
    FLD("closID", FK_STR, struct spec_intel_rdt, clos_id),
    FLD("l3CacheSchema", FK_STR, struct spec_intel_rdt, l3_cache_schema),
    FLD("memBwSchema", FK_STR, struct spec_intel_rdt, mem_bw_schema),
    SEQ("schemata", FK_STRV, struct spec_intel_rdt, schemata, n_schemata),
    FLD("enableMonitoring", FK_BOOL, struct spec_intel_rdt, enable_monitoring),
};
TABLE(rdt_t, rdt_f);

static const struct field personality_f[] = {
    FLD("domain", FK_STR, struct spec_personality, domain),
    SEQ("flags", FK_STRV, struct spec_personality, flags, n_flags),
};
TABLE(personality_t, personality_f);

static const struct field mempolicy_f[] = {
    FLD("mode", FK_STR, struct spec_memory_policy, mode),
    FLD("nodes", FK_STR, struct spec_memory_policy, nodes),
    SEQ("flags", FK_STRV, struct spec_memory_policy, flags, n_flags),
};
TABLE(mempolicy_t, mempolicy_f);

static const struct field net_dev_f[] = {
    FLD("name", FK_STR, struct spec_net_device, name),
};
TABLE(net_dev_t, net_dev_f, .key_off = offsetof(struct spec_net_device, host_name));

static const struct field linux_f[] = {
    ITEMS("uidMappings", struct spec_linux, uid_mappings, n_uid_mappings, struct spec_idmap,
          idmap_t),
    ITEMS("gidMappings", struct spec_linux, gid_mappings, n_gid_mappings, struct spec_idmap,
          idmap_t),
    ITEMS("namespaces", struct spec_linux, namespaces, n_namespaces, struct spec_namespace, ns_t),
    INLINE_NOFLAG("timeOffsets", time_offsets_t),
    ITEMS("devices", struct spec_linux, devices, n_devices, struct spec_device, device_t),
    FLD("cgroupsPath", FK_STR, struct spec_linux, cgroups_path),
    OBJ("resources", struct spec_linux, resources, has_resources, resources_t),
    SEQ("sysctl", FK_KV, struct spec_linux, sysctl, n_sysctl),
    OBJ("seccomp", struct spec_linux, seccomp, has_seccomp, seccomp_t),
    FLD("rootfsPropagation", FK_STR, struct spec_linux, rootfs_propagation),
    SEQ("maskedPaths", FK_STRV, struct spec_linux, masked_paths, n_masked_paths),
    SEQ("readonlyPaths", FK_STRV, struct spec_linux, readonly_paths, n_readonly_paths),
    FLD("mountLabel", FK_STR, struct spec_linux, mount_label),
    OBJ("intelRdt", struct spec_linux, intel_rdt, has_intel_rdt, rdt_t),
    OBJ("personality", struct spec_linux, personality, has_personality, personality_t),
    OBJ("memoryPolicy", struct spec_linux, memory_policy, has_memory_policy, mempolicy_t),
    MAP("netDevices", struct spec_linux, net_devices, n_net_devices, struct spec_net_device,
        net_dev_t),
};
TABLE(linux_t, linux_f, .post = linux_post);

/* top level */
static const struct field root_f[] = {
    REQ("path", FK_STR, struct spec, root_path),
    FLD("readonly", FK_BOOL, struct spec, root_readonly),
};
TABLE(root_t, root_f);

static const struct field spec_f[] = {
    FLD("ociVersion", FK_STR, struct spec, oci_version),
    INLINE("root", struct spec, has_root, root_t),
    OBJ("process", struct spec, process, has_process, process_t),
    FLD("hostname", FK_STR, struct spec, hostname),
    FLD("domainname", FK_STR, struct spec, domainname),
    ITEMS("mounts", struct spec, mounts, n_mounts, struct spec_mount, mount_t),
    OBJ("hooks", struct spec, hooks, has_hooks, hooks_t),
    SEQ("annotations", FK_KV, struct spec, annotations, n_annotations),
    OBJ("linux", struct spec, linux, has_linux, linux_t),
};
TABLE(spec_t, spec_f);

/* ---------------------------------------------------------------- entry points */

static const struct jv_limits spec_limits = {
    .max_bytes = SPEC_MAX_BYTES,
    .max_depth = SPEC_MAX_DEPTH,
    .max_array = SPEC_MAX_ARRAY,
    .max_string = SPEC_MAX_STRING,
};

/* name: prefix for syntax errors ("config.json: line 3 column 7: ..."), or NULL. */
static int parse_named(const char *buf, size_t len, const char *name, struct spec **ret,
                       struct hk_err *err)
{
    _cleanup_(jv_doc_freep) struct jv_doc *doc = NULL;
    int r = jv_parse(buf, len, &spec_limits, &doc, err);
    if (r < 0)
        return name ? hk_err_wrap(err, "%s", name) : r;

    _cleanup_(spec_freep) struct spec *s = calloc(1, sizeof(*s));
    if (!s)
        return hk_err_set(err, ENOMEM, "out of memory");
    struct pctx c = {.s = s, .err = err};
    const struct jv *root = jv_root(doc);
    if (root->type != JV_OBJECT)
        return hk_err_set(err, EINVAL, "%s%sexpected a JSON object at the top level, got %s",
                          name ? name : "", name ? ": " : "", jv_type_name(root->type));
    r = parse_table(&c, root, &spec_t, s);
    if (r < 0)
        return r;
    *ret = TAKE_PTR(s);
    return 0;
}

int spec_parse_buf(const char *buf, size_t len, struct spec **ret, struct hk_err *err)
{
    return parse_named(buf, len, NULL, ret, err);
}

int spec_load(int bundle_fd, const char *name, struct spec **ret, struct hk_err *err)
{
    _cleanup_close_ int fd =
        openat(bundle_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return hk_err_sys(err, errno, "open '%s'", name);
    struct stat st;
    if (fstat(fd, &st) < 0)
        return hk_err_sys(err, errno, "stat '%s'", name);
    if (!S_ISREG(st.st_mode))
        return hk_err_set(err, EINVAL, "'%s' is not a regular file", name);
    if ((uint64_t)st.st_size > SPEC_MAX_BYTES)
        return hk_err_set(err, EFBIG, "'%s' is too large (%lld bytes, limit %u)", name,
                          (long long)st.st_size, SPEC_MAX_BYTES);
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    int r = read_fd_all(fd, SPEC_MAX_BYTES, &buf, &len);
    if (r == -EFBIG)
        return hk_err_set(err, EFBIG, "'%s' is too large (limit %u bytes)", name, SPEC_MAX_BYTES);
    if (r < 0)
        return hk_err_sys(err, -r, "read '%s'", name);
    return parse_named(buf, len, name, ret, err);
}
