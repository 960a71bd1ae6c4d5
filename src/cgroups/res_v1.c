/* linux.resources on cgroup v1 (also the v1 part of a hybrid host). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "cgroups/devices.h"
#include "core/err.h"
#include "core/log.h"
#include "spec/spec.h"

static int need(const struct cg *cg, unsigned ctrl, const char *ctrl_name, const char *field,
                const char **ret_dir, struct hk_err *err)
{
    const char *d = cg_dir_for(cg, ctrl);
    if (!d)
        return hk_err_set(err, ENOENT, "%s: the %s cgroup controller is not mounted", field,
                          ctrl_name);
    *ret_dir = d;
    return 0;
}

static int write_i64(const char *dir, const char *file, int64_t v, struct hk_err *err)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%" PRId64, v);
    return cg_write(dir, file, buf, err);
}

static int write_u64(const char *dir, const char *file, uint64_t v, struct hk_err *err)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%" PRIu64, v);
    return cg_write(dir, file, buf, err);
}

static bool file_exists(const char *dir, const char *file)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    return access(path, F_OK) == 0;
}

static int apply_memory(const struct cg *cg, const struct spec_memory *m, struct hk_err *err)
{
    const char *d = NULL;
    int r = need(cg, CG_MEMORY, "memory", "linux.resources.memory", &d, err);
    if (r < 0)
        return r;
    /* A fresh cgroup has unlimited memsw, so limit first, then memsw (which must be >= it). */
    if (m->limit.set && (r = write_i64(d, "memory.limit_in_bytes", m->limit.v, err)) < 0)
        return hk_err_wrap(err, "linux.resources.memory.limit");
    if (m->swap.set) {
        if (!file_exists(d, "memory.memsw.limit_in_bytes")) {
            if (!(m->limit.set && m->swap.v == m->limit.v))
                return hk_err_set(err, ENOTSUP,
                                  "linux.resources.memory.swap: swap accounting is not enabled "
                                  "on this host");
        } else if ((r = write_i64(d, "memory.memsw.limit_in_bytes", m->swap.v, err)) < 0) {
            return hk_err_wrap(err, "linux.resources.memory.swap");
        }
    }
    if (m->reservation.set &&
        (r = write_i64(d, "memory.soft_limit_in_bytes", m->reservation.v, err)) < 0)
        return hk_err_wrap(err, "linux.resources.memory.reservation");
    if (m->swappiness.set && (r = write_u64(d, "memory.swappiness", m->swappiness.v, err)) < 0)
        return hk_err_wrap(err, "linux.resources.memory.swappiness");
    if (m->disable_oom_killer.set && m->disable_oom_killer.v &&
        (r = cg_write(d, "memory.oom_control", "1", err)) < 0)
        return hk_err_wrap(err, "linux.resources.memory.disableOOMKiller");
    if (m->use_hierarchy.set &&
        (r = cg_write(d, "memory.use_hierarchy", m->use_hierarchy.v ? "1" : "0", err)) < 0)
        return hk_err_wrap(err, "linux.resources.memory.useHierarchy");
    if (m->kernel.set || m->kernel_tcp.set)
        log_warn("linux.resources.memory.kernel and kernelTCP are obsolete, ignoring");
    return 0;
}

static int apply_cpu(const struct cg *cg, const struct spec_cpu *c, struct hk_err *err)
{
    int r;
    bool any_cpu = c->shares.set || c->quota.set || c->period.set || c->burst.set ||
                   c->realtime_runtime.set || c->realtime_period.set || c->idle.set;
    if (any_cpu) {
        const char *d = NULL;
        if ((r = need(cg, CG_CPU, "cpu", "linux.resources.cpu", &d, err)) < 0)
            return r;
        if (c->shares.set && (r = write_u64(d, "cpu.shares", c->shares.v, err)) < 0)
            return hk_err_wrap(err, "linux.resources.cpu.shares");
        /* period before quota: the kernel checks quota against the current period */
        if (c->period.set && (r = write_u64(d, "cpu.cfs_period_us", c->period.v, err)) < 0)
            return hk_err_wrap(err, "linux.resources.cpu.period");
        if (c->quota.set && (r = write_i64(d, "cpu.cfs_quota_us", c->quota.v, err)) < 0)
            return hk_err_wrap(err, "linux.resources.cpu.quota");
        if (c->burst.set && (r = write_u64(d, "cpu.cfs_burst_us", c->burst.v, err)) < 0)
            return hk_err_wrap(err, "linux.resources.cpu.burst");
        if (c->realtime_period.set &&
            (r = write_u64(d, "cpu.rt_period_us", c->realtime_period.v, err)) < 0)
            return hk_err_wrap(err, "linux.resources.cpu.realtimePeriod");
        if (c->realtime_runtime.set &&
            (r = write_i64(d, "cpu.rt_runtime_us", c->realtime_runtime.v, err)) < 0)
            return hk_err_wrap(err, "linux.resources.cpu.realtimeRuntime");
        if (c->idle.set && (r = write_i64(d, "cpu.idle", c->idle.v, err)) < 0)
            return hk_err_wrap(err, "linux.resources.cpu.idle");
    }
    if ((c->cpus && *c->cpus) || (c->mems && *c->mems)) {
        const char *d = NULL;
        if ((r = need(cg, CG_CPUSET, "cpuset", "linux.resources.cpu.cpus", &d, err)) < 0)
            return r;
        if (c->cpus && *c->cpus && (r = cg_write(d, "cpuset.cpus", c->cpus, err)) < 0)
            return hk_err_wrap(err, "linux.resources.cpu.cpus");
        if (c->mems && *c->mems && (r = cg_write(d, "cpuset.mems", c->mems, err)) < 0)
            return hk_err_wrap(err, "linux.resources.cpu.mems");
    }
    return 0;
}

static void rule_text(const struct spec_device_rule *d, char *buf, size_t n)
{
    char maj[24], min[24];
    if (d->major < 0)
        snprintf(maj, sizeof(maj), "*");
    else
        snprintf(maj, sizeof(maj), "%" PRId64, d->major);
    if (d->minor < 0)
        snprintf(min, sizeof(min), "*");
    else
        snprintf(min, sizeof(min), "%" PRId64, d->minor);
    if (d->type == 'a')
        snprintf(buf, n, "a");
    else
        snprintf(buf, n, "%c %s:%s %s", d->type, maj, min, d->access[0] ? d->access : "rwm");
}

static int apply_devices(const struct cg *cg, const struct dev_rules *rules, struct hk_err *err)
{
    const char *d = NULL;
    int r = need(cg, CG_DEVICES, "devices", "linux.resources.devices", &d, err);
    if (r < 0)
        return r;
    /* Rules apply in order ("a" in devices.deny resets to deny-all); a new cgroup starts
     * from its parent's list. */
    for (size_t i = 0; i < rules->n; i++) {
        char rule[96];
        rule_text(&rules->r[i], rule, sizeof(rule));
        r = cg_write(d, rules->r[i].allow ? "devices.allow" : "devices.deny", rule, err);
        if (r < 0)
            return hk_err_wrap(err, "linux.resources.devices");
    }
    return 0;
}

int cg_v1_apply(const struct cg *cg, const struct spec_resources *res, const struct dev_rules *devs,
                struct hk_err *err)
{
    int r;
    if (res->has_memory && (r = apply_memory(cg, &res->memory, err)) < 0)
        return r;
    if (res->has_cpu && (r = apply_cpu(cg, &res->cpu, err)) < 0)
        return r;
    if (res->has_pids) {
        const char *d = NULL;
        if ((r = need(cg, CG_PIDS, "pids", "linux.resources.pids", &d, err)) < 0)
            return r;
        r = res->pids_limit < 0 ? cg_write(d, "pids.max", "max", err)
                                : write_i64(d, "pids.max", res->pids_limit, err);
        if (r < 0)
            return hk_err_wrap(err, "linux.resources.pids.limit");
    }
    if (devs && (r = apply_devices(cg, devs, err)) < 0)
        return r;
    return 0;
}

int cg_check_resources(enum cg_mode mode, const struct spec_resources *res, struct hk_err *err)
{
    /* What the foundation drivers apply; the rest is refused rather than ignored. */
    if (res->has_block_io)
        return hk_err_set(err, ENOTSUP, "linux.resources.blockIO: not supported by husk yet");
    if (res->n_hugepage_limits)
        return hk_err_set(err, ENOTSUP,
                          "linux.resources.hugepageLimits: not supported by husk yet");
    if (res->has_network)
        return hk_err_set(err, ENOTSUP, "linux.resources.network: not supported by husk yet");
    if (res->n_rdma)
        return hk_err_set(err, ENOTSUP, "linux.resources.rdma: not supported by husk yet");
    if (res->n_unified)
        return hk_err_set(err, ENOTSUP, "linux.resources.unified: not supported by husk yet");
    if (mode == CG_MODE_V2) {
        if (res->has_cpu && (res->cpu.realtime_runtime.set || res->cpu.realtime_period.set))
            return hk_err_set(err, ENOTSUP,
                              "linux.resources.cpu.realtimeRuntime: not supported on cgroup v2");
        if (res->has_memory && (res->memory.swappiness.set || res->memory.disable_oom_killer.set))
            return hk_err_set(err, ENOTSUP,
                              "linux.resources.memory.swappiness: not supported on cgroup v2");
    }
    return 0;
}
