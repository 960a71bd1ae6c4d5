#include "linux/caps.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/err.h"
#include "core/fdutil.h"
#include "core/parse_num.h"
#include "spec/names.h"
#include "spec/spec.h"

int caps_last_cap(int proc_fd)
{
    _cleanup_free_ char *s = NULL;
    if (read_file_at(proc_fd, "sys/kernel/cap_last_cap", 0, 64, &s, NULL) < 0)
        return SPEC_CAP_LAST;
    for (char *p = s; *p; p++)
        if (*p == '\n')
            *p = '\0';
    uint32_t v;
    if (parse_u32(s, &v) < 0 || v > 63)
        return SPEC_CAP_LAST;
    return (int)v;
}

int caps_apply_bounding(uint64_t bounding, int last_cap, struct hk_err *err)
{
    for (int c = 0; c <= last_cap; c++) {
        if (bounding & (1ULL << c))
            continue;
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
            return hk_err_sys(err, errno, "drop %s from the bounding set",
                              spec_cap_name(c) ? spec_cap_name(c) : "capability");
    }
    return 0;
}

int caps_apply_final(const struct spec_caps *c, int last_cap, struct hk_err *err)
{
    uint64_t mask = last_cap >= 63 ? ~0ULL : ((1ULL << (last_cap + 1)) - 1);
    uint64_t eff = c->effective & mask, perm = c->permitted & mask, inh = c->inheritable & mask;
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[2] = {
        {.effective = (uint32_t)eff, .permitted = (uint32_t)perm, .inheritable = (uint32_t)inh},
        {.effective = (uint32_t)(eff >> 32),
         .permitted = (uint32_t)(perm >> 32),
         .inheritable = (uint32_t)(inh >> 32)},
    };
    if (syscall(SYS_capset, &h, d) < 0)
        return hk_err_sys(err, errno, "set capabilities");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return hk_err_sys(err, errno, "clear ambient capabilities");
    for (int cap = 0; cap <= last_cap; cap++) {
        if (!(c->ambient & (1ULL << cap)))
            continue;
        /* EPERM: not in permitted+inheritable; runc ignores these too. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 && errno != EPERM &&
            errno != EINVAL)
            return hk_err_sys(err, errno, "raise ambient %s", spec_cap_name(cap));
    }
    return 0;
}
