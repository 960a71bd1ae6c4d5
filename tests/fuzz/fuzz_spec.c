/* libFuzzer target for src/spec: spec_parse_buf + spec_validate + spec_free, checking the
 * invariants the API promises (an error is set exactly when a call fails; a failed parse
 * returns no spec). Seed corpus: tests/fuzz/corpus/spec/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "spec/names.h"
#include "spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x))                                                                                  \
            abort();                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hk_err err = {0};
    struct spec *s = NULL;
    int r = spec_parse_buf((const char *)data, size, &s, &err);
    if (r < 0) {
        CHECK(!s && err.code > 0 && r == -err.code && err.msg[0]);
        return 0;
    }
    CHECK(r == 0 && s);

    /* what the rest of husk relies on after a successful parse */
    for (size_t i = 0; i < s->n_mounts; i++)
        CHECK(s->mounts[i].destination);
    for (size_t i = 0; i < s->process.n_rlimits; i++)
        CHECK(spec_rlimit_name(s->process.rlimits[i].type));
    for (size_t i = 0; i < s->linux.n_namespaces; i++)
        CHECK(spec_ns_name(s->linux.namespaces[i].type));
    CHECK(s->process.n_args == 0 || s->process.args[s->process.n_args] == NULL);

    hk_err_clear(&err);
    r = spec_validate(s, &err);
    if (r < 0)
        CHECK(err.code > 0 && r == -err.code && err.msg[0]);
    else
        CHECK(r == 0 && s->has_process && s->process.n_args > 0 && s->root_path);
    spec_free(s);
    return 0;
}
