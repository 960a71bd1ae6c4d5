#include "linux/rlimit.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/resource.h>

#include "core/err.h"
#include "spec/spec.h"

int rlimit_apply(const struct spec_rlimit *rl, size_t n, struct hk_err *err)
{
    for (size_t i = 0; i < n; i++) {
        struct rlimit lim = {.rlim_cur = (rlim_t)rl[i].soft, .rlim_max = (rlim_t)rl[i].hard};
        if (setrlimit((__rlimit_resource_t)rl[i].type, &lim) < 0)
            return hk_err_sys(err, errno, "process.rlimits[%zu]: set %s to %" PRIu64 ":%" PRIu64, i,
                              rl[i].name, rl[i].soft, rl[i].hard);
    }
    return 0;
}
