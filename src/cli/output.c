#include "cli/output.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "core/json_out.h"
#include "spec/spec.h"

static int cmp_kv(const void *a, const void *b)
{
    return strcmp(((const struct spec_kv *)a)->key, ((const struct spec_kv *)b)->key);
}

void output_state_json(struct json_out *j, const struct hk_view *v, const char *owner)
{
    json_obj_begin(j);
    json_key(j, "ociVersion");
    json_str(j, SPEC_OCI_VERSION);
    json_key(j, "id");
    json_str(j, v->st.id);
    json_key(j, "pid");
    json_i64(j, v->status == HK_STOPPED ? 0 : v->st.pid);
    json_key(j, "status");
    json_str(j, container_status_name(v->status));
    json_key(j, "bundle");
    json_str(j, v->st.bundle);
    json_key(j, "rootfs");
    json_str(j, v->st.rootfs);
    json_key(j, "created");
    json_str(j, v->st.created);
    if (v->st.n_annotations > 0) {
        /* Go marshals maps with sorted keys */
        struct spec_kv *kv = malloc(v->st.n_annotations * sizeof(*kv));
        if (kv) {
            memcpy(kv, v->st.annotations, v->st.n_annotations * sizeof(*kv));
            qsort(kv, v->st.n_annotations, sizeof(*kv), cmp_kv);
            json_key(j, "annotations");
            json_obj_begin(j);
            for (size_t i = 0; i < v->st.n_annotations; i++) {
                json_key(j, kv[i].key);
                json_str(j, kv[i].value);
            }
            json_obj_end(j);
            free(kv);
        }
    }
    json_key(j, "owner"); /* after annotations: runc's struct order */
    json_str(j, owner);
    json_obj_end(j);
}

void output_owner_name(unsigned uid, char *buf, unsigned long len)
{
    struct passwd pw, *res = NULL;
    char tmp[4096];
    if (getpwuid_r((uid_t)uid, &pw, tmp, sizeof(tmp), &res) == 0 && res)
        snprintf(buf, len, "%s", res->pw_name);
    else
        snprintf(buf, len, "#%u", uid);
}
