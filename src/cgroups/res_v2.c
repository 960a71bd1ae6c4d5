/* linux.resources on cgroup v2, with runc's v1 -> v2 conversions. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgroups/cgroups.h"
#include "cgroups/devices.h"
#include "core/err.h"
#include "core/log.h"
#include "spec/spec.h"

static int write_limit(const char *dir, const char *file, int64_t v, struct hk_err *err)
{
    char buf[32];
    if (v < 0)
        snprintf(buf, sizeof(buf), "max");
    else
        snprintf(buf, sizeof(buf), "%" PRId64, v);
    return cg_write(dir, file, buf, err);
}

int cg_v2_apply(const struct cg *cg, const struct spec_resources *res, const struct dev_rules *devs,
                struct hk_err *err)
{
    const char *d = cg_dir_for(cg, CG_UNIFIED);
    int r;
    if (!d)
        return hk_err_set(err, ENOENT, "no cgroup2 hierarchy");
    if (res->has_memory) {
        const struct spec_memory *m = &res->memory;
        if (m->limit.set && (r = write_limit(d, "memory.max", m->limit.v, err)) < 0)
            return hk_err_wrap(err, "linux.resources.memory.limit");
        if (m->reservation.set && (r = write_limit(d, "memory.low", m->reservation.v, err)) < 0)
            return hk_err_wrap(err, "linux.resources.memory.reservation");
        if (m->swap.set) {
            /* v1 swap is memory+swap; v2 swap.max is swap alone (runc's conversion). */
            int64_t sw = m->swap.v;
            if (sw > 0 && m->limit.set && m->limit.v > 0) {
                if (sw < m->limit.v)
                    return hk_err_set(err, EINVAL,
                                      "linux.resources.memory.swap: %" PRId64
                                      " is less than the memory limit",
                                      sw);
                sw -= m->limit.v;
            }
            if ((r = write_limit(d, "memory.swap.max", sw, err)) < 0)
                return hk_err_wrap(err, "linux.resources.memory.swap");
        }
    }
    if (res->has_cpu) {
        const struct spec_cpu *c = &res->cpu;
        char buf[64];
        if (c->shares.set && c->shares.v) {
            snprintf(buf, sizeof(buf), "%llu", cg_shares_to_weight(c->shares.v));
            if ((r = cg_write(d, "cpu.weight", buf, err)) < 0)
                return hk_err_wrap(err, "linux.resources.cpu.shares");
        }
        if (c->quota.set || c->period.set) {
            uint64_t period = c->period.set && c->period.v ? c->period.v : 100000;
            if (c->quota.set && c->quota.v > 0)
                snprintf(buf, sizeof(buf), "%" PRId64 " %" PRIu64, c->quota.v, period);
            else
                snprintf(buf, sizeof(buf), "max %" PRIu64, period);
            if ((r = cg_write(d, "cpu.max", buf, err)) < 0)
                return hk_err_wrap(err, "linux.resources.cpu.quota");
        }
        if (c->burst.set) {
            snprintf(buf, sizeof(buf), "%" PRIu64, c->burst.v);
            if ((r = cg_write(d, "cpu.max.burst", buf, err)) < 0)
                return hk_err_wrap(err, "linux.resources.cpu.burst");
        }
        if (c->idle.set) {
            snprintf(buf, sizeof(buf), "%" PRId64, c->idle.v);
            if ((r = cg_write(d, "cpu.idle", buf, err)) < 0)
                return hk_err_wrap(err, "linux.resources.cpu.idle");
        }
        if (c->cpus && *c->cpus && (r = cg_write(d, "cpuset.cpus", c->cpus, err)) < 0)
            return hk_err_wrap(err, "linux.resources.cpu.cpus");
        if (c->mems && *c->mems && (r = cg_write(d, "cpuset.mems", c->mems, err)) < 0)
            return hk_err_wrap(err, "linux.resources.cpu.mems");
    }
    if (res->has_pids && (r = write_limit(d, "pids.max", res->pids_limit, err)) < 0)
        return hk_err_wrap(err, "linux.resources.pids.limit");
    if (devs && (r = dev_bpf_attach(d, devs, err)) < 0)
        return r;
    return 0;
}
