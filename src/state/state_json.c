#include "state/state_json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/fdutil.h"
#include "core/json_in.h"
#include "core/json_out.h"
#include "spec/spec.h"
#include "state/dir.h"

#define STATE_MAX_BYTES (1u << 20)

void state_clear(struct hk_state *st)
{
    free(st->id);
    free(st->bundle);
    free(st->rootfs);
    free(st->created);
    for (size_t i = 0; i < st->n_annotations; i++) {
        free(st->annotations[i].key);
        free(st->annotations[i].value);
    }
    free(st->annotations);
    free(st->cgroup_path);
    for (size_t i = 0; i < st->n_cgroup_dirs; i++)
        free(st->cgroup_dirs[i].path);
    free(st->cgroup_dirs);
    memset(st, 0, sizeof(*st));
}

int state_to_json(const struct hk_state *st, char **ret, size_t *ret_len)
{
    struct hk_buf b = HK_BUF_INIT;
    struct json_out j;
    json_out_init(&j, &b, NULL);
    json_obj_begin(&j);
    json_key(&j, "id");
    json_str(&j, st->id);
    json_key(&j, "pid");
    json_i64(&j, st->pid);
    json_key(&j, "pid_start");
    json_u64(&j, st->pid_start);
    json_key(&j, "own_pidns");
    json_bool(&j, st->own_pidns);
    json_key(&j, "bundle");
    json_str(&j, st->bundle);
    json_key(&j, "rootfs");
    json_str(&j, st->rootfs);
    json_key(&j, "created");
    json_str(&j, st->created);
    json_key(&j, "annotations");
    json_obj_begin(&j);
    for (size_t i = 0; i < st->n_annotations; i++) {
        json_key(&j, st->annotations[i].key);
        json_str(&j, st->annotations[i].value);
    }
    json_obj_end(&j);
    json_key(&j, "cgroup_path");
    json_str(&j, st->cgroup_path ? st->cgroup_path : "");
    json_key(&j, "cgroup_dirs");
    json_arr_begin(&j);
    for (size_t i = 0; i < st->n_cgroup_dirs; i++) {
        json_obj_begin(&j);
        json_key(&j, "path");
        json_str(&j, st->cgroup_dirs[i].path);
        json_key(&j, "created");
        json_bool(&j, st->cgroup_dirs[i].created);
        json_key(&j, "leaf");
        json_bool(&j, st->cgroup_dirs[i].leaf);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    buf_putc(&b, '\n');
    if (buf_status(&b) < 0) {
        buf_free(&b);
        return -ENOMEM;
    }
    *ret_len = b.len;
    *ret = b.data;
    return 0;
}

int state_write(int dir_fd, const struct hk_state *st, struct hk_err *err)
{
    _cleanup_free_ char *data = NULL;
    size_t len = 0;
    int r = state_to_json(st, &data, &len);
    if (r < 0)
        return hk_err_set(err, -r, "serialize state");
    r = write_file_atomic(dir_fd, STATE_FILE, data, len, 0600);
    if (r < 0)
        return hk_err_sys(err, -r, "write state.json");
    return 0;
}

static int get_str(const struct jv *o, const char *k, bool required, char **ret, struct hk_err *err)
{
    const struct jv *v = jv_get(o, k);
    if (!v || v->type == JV_NULL) {
        if (required)
            return hk_err_set(err, EINVAL, "state.json: '%s' missing", k);
        *ret = NULL;
        return 0;
    }
    if (v->type != JV_STRING)
        return hk_err_set(err, EINVAL, "state.json: '%s' is not a string", k);
    *ret = strdup(v->u.str.s);
    return *ret ? 0 : hk_err_set(err, ENOMEM, "out of memory");
}

int state_from_json(const char *buf, size_t len, struct hk_state *st, struct hk_err *err)
{
    memset(st, 0, sizeof(*st));
    struct jv_limits lim = {STATE_MAX_BYTES, 8, 65536, 65536};
    _cleanup_(jv_doc_freep) struct jv_doc *doc = NULL;
    int r = jv_parse(buf, len, &lim, &doc, err);
    if (r < 0)
        return hk_err_wrap(err, "state.json");
    const struct jv *o = jv_root(doc);
    if (o->type != JV_OBJECT)
        return hk_err_set(err, EINVAL, "state.json: not an object");
    if ((r = get_str(o, "id", true, &st->id, err)) < 0 ||
        (r = get_str(o, "bundle", true, &st->bundle, err)) < 0 ||
        (r = get_str(o, "rootfs", true, &st->rootfs, err)) < 0 ||
        (r = get_str(o, "created", true, &st->created, err)) < 0 ||
        (r = get_str(o, "cgroup_path", false, &st->cgroup_path, err)) < 0)
        goto fail;
    int64_t pid = 0;
    uint64_t start = 0;
    if (jv_i64(jv_get(o, "pid"), &pid) < 0 || pid < 0 || pid > 0x7fffffff ||
        jv_u64(jv_get(o, "pid_start"), &start) < 0) {
        r = hk_err_set(err, EINVAL, "state.json: bad pid");
        goto fail;
    }
    st->pid = (pid_t)pid;
    st->pid_start = start;
    const struct jv *b = jv_get(o, "own_pidns");
    st->own_pidns = b && b->type == JV_BOOL && b->u.b;
    const struct jv *a = jv_get(o, "annotations");
    if (a && a->type == JV_OBJECT && a->u.obj.n > 0) {
        st->annotations = calloc(a->u.obj.n, sizeof(*st->annotations));
        if (!st->annotations) {
            r = hk_err_set(err, ENOMEM, "out of memory");
            goto fail;
        }
        for (size_t i = 0; i < a->u.obj.n; i++) {
            const struct jv_member *m = &a->u.obj.m[i];
            if (m->value.type != JV_STRING)
                continue;
            struct spec_kv *kv = &st->annotations[st->n_annotations];
            kv->key = strdup(m->key);
            kv->value = strdup(m->value.u.str.s);
            st->n_annotations++;
            if (!kv->key || !kv->value) {
                r = hk_err_set(err, ENOMEM, "out of memory");
                goto fail;
            }
        }
    }
    const struct jv *cg = jv_get(o, "cgroup_dirs");
    if (cg && cg->type == JV_ARRAY && cg->u.arr.n > 0) {
        st->cgroup_dirs = calloc(cg->u.arr.n, sizeof(*st->cgroup_dirs));
        if (!st->cgroup_dirs) {
            r = hk_err_set(err, ENOMEM, "out of memory");
            goto fail;
        }
        for (size_t i = 0; i < cg->u.arr.n; i++) {
            const struct jv *e = &cg->u.arr.items[i];
            const struct jv *p = jv_get(e, "path");
            const struct jv *c = jv_get(e, "created");
            if (!p || p->type != JV_STRING)
                continue;
            struct state_cgroup_dir *d = &st->cgroup_dirs[st->n_cgroup_dirs];
            d->path = strdup(p->u.str.s);
            d->created = c && c->type == JV_BOOL && c->u.b;
            const struct jv *lf = jv_get(e, "leaf");
            d->leaf = lf && lf->type == JV_BOOL && lf->u.b;
            st->n_cgroup_dirs++;
            if (!d->path) {
                r = hk_err_set(err, ENOMEM, "out of memory");
                goto fail;
            }
        }
    }
    return 0;
fail:
    state_clear(st);
    return r;
}

int state_read(int dir_fd, struct hk_state *st, struct hk_err *err)
{
    _cleanup_free_ char *data = NULL;
    size_t len = 0;
    int r = read_file_at(dir_fd, STATE_FILE, O_NOFOLLOW, STATE_MAX_BYTES, &data, &len);
    if (r == -ENOENT)
        return hk_err_set(err, ENOENT, "container does not exist");
    if (r < 0)
        return hk_err_sys(err, -r, "read state.json");
    return state_from_json(data, len, st, err);
}
