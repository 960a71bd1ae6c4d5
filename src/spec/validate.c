/*
 * Semantic checks of a parsed spec, without syscalls: one table of checks that fail, one of
 * checks that only warn (appended to s->warnings). Every message names the JSON path.
 */
#include "spec/spec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/strv.h"
#include "spec/names.h"

#define IDMAP_MAX    340 /* the kernel's limit on uid_map/gid_map lines */
#define ID_SPACE     (UINT64_C(1) << 32)
#define IFNAME_MAX   15 /* IFNAMSIZ - 1 */
#define NSEC_PER_SEC 1000000000u

typedef int (*check_fn)(const struct spec *s, struct hk_err *err);
typedef int (*warn_fn)(struct spec *s);

struct check {
    const char *name;
    check_fn fn;
};

struct warn_check {
    const char *name;
    warn_fn fn;
};

static int bad(struct hk_err *err, const char *fmt, ...) HK_PRINTF(2, 3);
static int bad(struct hk_err *err, const char *fmt, ...)
{
    char msg[sizeof(err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return hk_err_set(err, EINVAL, "%s", msg);
}

static bool empty(const char *s)
{
    return !s || !*s;
}

static bool is_abs(const char *s)
{
    return s && s[0] == '/';
}

static bool in_list(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

static bool has_ns(const struct spec *s, enum spec_ns_type t)
{
    return spec_find_ns(s, t) != NULL;
}

static bool new_ns(const struct spec *s, enum spec_ns_type t)
{
    const struct spec_namespace *ns = spec_find_ns(s, t);
    return ns && !ns->path;
}

/* ---------------------------------------------------------------- top level */

static int check_version(const struct spec *s, struct hk_err *err)
{
    if (empty(s->oci_version))
        return bad(err, "ociVersion: required");
    return 0;
}

static int check_root(const struct spec *s, struct hk_err *err)
{
    if (!s->has_root || empty(s->root_path))
        return bad(err, "root.path: required");
    return 0;
}

static int check_hostname(const struct spec *s, struct hk_err *err)
{
    /* runc: a new or a joined UTS namespace (pods set the sandbox's hostname again) */
    if (!empty(s->hostname) && !has_ns(s, NS_UTS))
        return bad(err, "hostname: requires a private UTS namespace");
    if (!empty(s->domainname) && !has_ns(s, NS_UTS))
        return bad(err, "domainname: requires a private UTS namespace");
    return 0;
}

static int check_annotations(const struct spec *s, struct hk_err *err)
{
    for (size_t i = 0; i < s->n_annotations; i++)
        if (empty(s->annotations[i].key))
            return bad(err, "annotations: empty key");
    return 0;
}

static int check_hooks(const struct spec *s, struct hk_err *err)
{
    static const char *const kinds[HOOK_KIND_COUNT] = {
        "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
    };
    for (int k = 0; k < HOOK_KIND_COUNT; k++) {
        for (size_t i = 0; i < s->hooks.n_hooks[k]; i++) {
            const struct spec_hook *h = &s->hooks.hooks[k][i];
            if (!is_abs(h->path))
                return bad(err, "hooks.%s[%zu].path: '%s' is not an absolute path", kinds[k], i,
                           h->path ? h->path : "");
            if (h->timeout.set && h->timeout.v <= 0)
                return bad(err, "hooks.%s[%zu].timeout: %lld is not greater than 0", kinds[k], i,
                           (long long)h->timeout.v);
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- process */

static int check_process(const struct spec *s, struct hk_err *err)
{
    const struct spec_process *p = &s->process;
    if (!s->has_process)
        return bad(err, "process: required");
    if (p->n_args == 0)
        return bad(err, "process.args: required");
    if (empty(p->args[0]))
        return bad(err, "process.args[0]: empty");
    if (empty(p->cwd))
        return bad(err, "process.cwd: required");
    if (!is_abs(p->cwd))
        return bad(err, "process.cwd: '%s' is not an absolute path", p->cwd);
    for (size_t i = 0; i < p->n_env; i++) {
        const char *eq = strchr(p->env[i], '=');
        if (!eq || eq == p->env[i])
            return bad(err, "process.env[%zu]: '%s' is not KEY=VALUE", i, p->env[i]);
    }
    if (p->oom_score_adj.set && (p->oom_score_adj.v < -1000 || p->oom_score_adj.v > 1000))
        return bad(err, "process.oomScoreAdj: %lld out of range [-1000, 1000]",
                   (long long)p->oom_score_adj.v);
    if (p->exec_cpu_affinity.initial &&
        p->exec_cpu_affinity.initial[strspn(p->exec_cpu_affinity.initial, "0123456789, -")])
        return bad(err, "process.execCPUAffinity.initial: invalid cpu list '%s'",
                   p->exec_cpu_affinity.initial);
    if (p->exec_cpu_affinity.final &&
        p->exec_cpu_affinity.final[strspn(p->exec_cpu_affinity.final, "0123456789, -")])
        return bad(err, "process.execCPUAffinity.final: invalid cpu list '%s'",
                   p->exec_cpu_affinity.final);
    return 0;
}

static int check_rlimits(const struct spec *s, struct hk_err *err)
{
    const struct spec_process *p = &s->process;
    for (size_t i = 0; i < p->n_rlimits; i++) {
        const struct spec_rlimit *rl = &p->rlimits[i];
        if (!spec_rlimit_name(rl->type))
            return bad(err, "process.rlimits[%zu].type: unknown rlimit '%s'", i,
                       rl->name ? rl->name : "");
        if (rl->soft > rl->hard)
            return bad(err, "process.rlimits[%zu]: soft limit %llu is greater than hard limit %llu",
                       i, (unsigned long long)rl->soft, (unsigned long long)rl->hard);
        for (size_t j = 0; j < i; j++)
            if (p->rlimits[j].type == rl->type)
                return bad(err, "process.rlimits[%zu].type: duplicate rlimit '%s'", i, rl->name);
    }
    return 0;
}

static int check_scheduler(const struct spec *s, struct hk_err *err)
{
    static const char *const policies[] = {
        "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",       "SCHED_BATCH",
        "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE", NULL,
    };
    static const char *const flags[] = {
        "SCHED_FLAG_RESET_ON_FORK",  "SCHED_FLAG_RECLAIM",
        "SCHED_FLAG_DL_OVERRUN",     "SCHED_FLAG_KEEP_POLICY",
        "SCHED_FLAG_KEEP_PARAMS",    "SCHED_FLAG_UTIL_CLAMP_MIN",
        "SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
    };
    const struct spec_scheduler *sc = &s->process.scheduler;
    if (!sc->set)
        return 0;
    if (!in_list(sc->policy, policies))
        return bad(err, "process.scheduler.policy: unknown policy '%s'",
                   sc->policy ? sc->policy : "");
    for (size_t i = 0; i < sc->n_flags; i++)
        if (!in_list(sc->flags[i], flags))
            return bad(err, "process.scheduler.flags[%zu]: unknown flag '%s'", i, sc->flags[i]);
    if (sc->nice < -20 || sc->nice > 19)
        return bad(err, "process.scheduler.nice: %d out of range [-20, 19]", sc->nice);
    bool rt = strcmp(sc->policy, "SCHED_FIFO") == 0 || strcmp(sc->policy, "SCHED_RR") == 0;
    if (sc->priority != 0 && !rt)
        return bad(err, "process.scheduler.priority: only valid with SCHED_FIFO or SCHED_RR");
    if ((sc->runtime || sc->deadline || sc->period) && strcmp(sc->policy, "SCHED_DEADLINE") != 0)
        return bad(err, "process.scheduler: runtime, deadline and period are only valid with "
                        "SCHED_DEADLINE");
    return 0;
}

static int check_io_priority(const struct spec *s, struct hk_err *err)
{
    static const char *const classes[] = {
        "IOPRIO_CLASS_RT",
        "IOPRIO_CLASS_BE",
        "IOPRIO_CLASS_IDLE",
        NULL,
    };
    const struct spec_io_priority *io = &s->process.io_priority;
    if (!io->set)
        return 0;
    if (!in_list(io->class, classes))
        return bad(err, "process.ioPriority.class: unknown class '%s'", io->class ? io->class : "");
    if (io->priority < 0 || io->priority > 7)
        return bad(err, "process.ioPriority.priority: %d out of range [0, 7]", io->priority);
    return 0;
}

/* ---------------------------------------------------------------- id mappings */

static bool overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
    return a < b + bn && b < a + an;
}

static int check_idmaps(const char *path, const struct spec_idmap *m, size_t n, struct hk_err *err)
{
    if (n > IDMAP_MAX)
        return bad(err, "%s: %zu entries, at most %d allowed", path, n, IDMAP_MAX);
    for (size_t i = 0; i < n; i++) {
        if (m[i].size == 0)
            return bad(err, "%s[%zu].size: must be greater than 0", path, i);
        if ((uint64_t)m[i].container_id + m[i].size > ID_SPACE)
            return bad(err, "%s[%zu]: containerID %u + size %u exceeds 2^32", path, i,
                       m[i].container_id, m[i].size);
        if ((uint64_t)m[i].host_id + m[i].size > ID_SPACE)
            return bad(err, "%s[%zu]: hostID %u + size %u exceeds 2^32", path, i, m[i].host_id,
                       m[i].size);
        for (size_t j = 0; j < i; j++) {
            if (overlaps(m[i].container_id, m[i].size, m[j].container_id, m[j].size))
                return bad(err, "%s[%zu]: container range overlaps %s[%zu]", path, i, path, j);
            if (overlaps(m[i].host_id, m[i].size, m[j].host_id, m[j].size))
                return bad(err, "%s[%zu]: host range overlaps %s[%zu]", path, i, path, j);
        }
    }
    return 0;
}

static int check_userns(const struct spec *s, struct hk_err *err)
{
    const struct spec_linux *l = &s->linux;
    const struct spec_namespace *user = spec_find_ns(s, NS_USER);
    static const char *const names[2] = {"linux.uidMappings", "linux.gidMappings"};
    const size_t counts[2] = {l->n_uid_mappings, l->n_gid_mappings};
    const char *const what[2] = {"uid", "gid"};

    for (int k = 0; k < 2; k++) {
        if (!user && counts[k])
            return bad(err, "%s: mappings given without a user namespace", names[k]);
        if (user && !user->path && !counts[k])
            return bad(err, "%s: user namespace requested without %s mappings", names[k], what[k]);
        /* With a path, engines (containerd, CRI-O) still send the mappings of the joined
         * namespace; like runc they are accepted and not written. */
    }
    int r = check_idmaps(names[0], l->uid_mappings, l->n_uid_mappings, err);
    if (r < 0)
        return r;
    return check_idmaps(names[1], l->gid_mappings, l->n_gid_mappings, err);
}

/* ---------------------------------------------------------------- mounts */

static int check_mounts(const struct spec *s, struct hk_err *err)
{
    for (size_t i = 0; i < s->n_mounts; i++) {
        const struct spec_mount *m = &s->mounts[i];
        bool bind = m->opts.bind || (m->type && strcmp(m->type, "bind") == 0);
        if (empty(m->destination))
            return bad(err, "mounts[%zu].destination: required", i);
        if (bind && empty(m->source))
            return bad(err, "mounts[%zu].source: required for a bind mount", i);
        if (!m->opts.idmap && !m->opts.ridmap)
            continue;
        if (!bind)
            return bad(err, "mounts[%zu]: idmapped mounts are only supported for bind mounts", i);
        if (!m->n_uid_mappings && !m->n_gid_mappings) {
            /* runc: the mount gets the container's user namespace mappings */
            if (!has_ns(s, NS_USER))
                return bad(err,
                           "mounts[%zu].options: idmap without uidMappings and gidMappings "
                           "requires a user namespace",
                           i);
            continue;
        }
        if (!m->n_uid_mappings || !m->n_gid_mappings)
            return bad(err, "mounts[%zu].%s: required for an idmapped mount", i,
                       m->n_uid_mappings ? "gidMappings" : "uidMappings");
        char path[64];
        snprintf(path, sizeof(path), "mounts[%zu].uidMappings", i);
        int r = check_idmaps(path, m->uid_mappings, m->n_uid_mappings, err);
        if (r < 0)
            return r;
        snprintf(path, sizeof(path), "mounts[%zu].gidMappings", i);
        r = check_idmaps(path, m->gid_mappings, m->n_gid_mappings, err);
        if (r < 0)
            return r;
    }
    return 0;
}

/* ---------------------------------------------------------------- linux */

static int check_namespaces(const struct spec *s, struct hk_err *err)
{
    const struct spec_linux *l = &s->linux;
    for (size_t i = 0; i < l->n_namespaces; i++) {
        const struct spec_namespace *ns = &l->namespaces[i];
        for (size_t j = 0; j < i; j++)
            if (l->namespaces[j].type == ns->type)
                return bad(err, "linux.namespaces[%zu].type: duplicate namespace type '%s'", i,
                           spec_ns_name(ns->type));
        if (ns->path && !is_abs(ns->path))
            return bad(err, "linux.namespaces[%zu].path: '%s' is not an absolute path", i,
                       ns->path);
    }
    return 0;
}

static int check_time_offsets(const struct spec *s, struct hk_err *err)
{
    const struct spec_linux *l = &s->linux;
    const struct {
        const char *name;
        const struct spec_time_offset *o;
    } offs[] = {{"monotonic", &l->time_monotonic}, {"boottime", &l->time_boottime}};
    for (size_t i = 0; i < HK_ARRAY_SIZE(offs); i++) {
        if (!offs[i].o->set)
            continue;
        if (!new_ns(s, NS_TIME))
            return bad(err, "linux.timeOffsets: requires a new time namespace");
        if (offs[i].o->nanosecs >= NSEC_PER_SEC)
            return bad(err, "linux.timeOffsets.%s.nanosecs: %u out of range", offs[i].name,
                       offs[i].o->nanosecs);
    }
    return 0;
}

static const char *const ipc_sysctls[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",          "kernel.sem", "kernel.shmall",
    "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", NULL,
};

static int check_sysctl(const struct spec *s, struct hk_err *err)
{
    const struct spec_linux *l = &s->linux;
    for (size_t i = 0; i < l->n_sysctl; i++) {
        const char *k = l->sysctl[i].key;
        if (empty(k))
            return bad(err, "linux.sysctl: empty key");
        /* Two spellings, as runc accepts: "net.ipv4.ip_forward" and "net/ipv4/ip_forward"
         * (the second lets a component hold a dot, e.g. an interface "eth0.100"). */
        bool slash = strchr(k, '/') != NULL;
        char sep = slash ? '/' : '.';
        size_t n = strlen(k);
        bool bad_comp = k[0] == sep || k[n - 1] == sep;
        for (const char *c = k; *c && !bad_comp; c++)
            if (c[0] == sep && c[1] == sep)
                bad_comp = true;
        if (slash && (strstr(k, "/../") || strncmp(k, "../", 3) == 0 ||
                      (n >= 3 && strcmp(k + n - 3, "/..") == 0) || strstr(k, "/./") ||
                      strncmp(k, "./", 2) == 0))
            bad_comp = true;
        if (!slash && strstr(k, ".."))
            bad_comp = true;
        if (bad_comp)
            return bad(err, "linux.sysctl: '%s' has an empty, '.' or '..' component", k);
        char norm[256];
        if (n >= sizeof(norm))
            return bad(err, "linux.sysctl: '%s' is too long", k);
        for (size_t c = 0; c <= n; c++)
            norm[c] = k[c] == '/' ? '.' : k[c];
        const char *shown = k;
        k = norm;
        if (in_list(k, ipc_sysctls) || strncmp(k, "fs.mqueue.", 10) == 0) {
            if (!has_ns(s, NS_IPC))
                return bad(err, "linux.sysctl: '%s' requires an IPC namespace", shown);
        } else if (strncmp(k, "net.", 4) == 0) {
            if (!has_ns(s, NS_NET))
                return bad(err, "linux.sysctl: '%s' requires a network namespace", shown);
        } else if (strcmp(k, "kernel.hostname") == 0 || strcmp(k, "kernel.domainname") == 0) {
            if (!has_ns(s, NS_UTS))
                return bad(err, "linux.sysctl: '%s' requires a UTS namespace", shown);
        } else {
            return bad(err, "linux.sysctl: '%s' is not namespaced", shown);
        }
    }
    return 0;
}

static int check_devices(const struct spec *s, struct hk_err *err)
{
    const struct spec_linux *l = &s->linux;
    for (size_t i = 0; i < l->n_devices; i++) {
        const struct spec_device *d = &l->devices[i];
        if (!d->type || !strchr("cbup", d->type))
            return bad(err, "linux.devices[%zu].type: invalid device type '%c'", i,
                       d->type ? d->type : '?');
        if (!is_abs(d->path))
            return bad(err, "linux.devices[%zu].path: '%s' is not an absolute path", i,
                       d->path ? d->path : "");
        if (d->type != 'p' && (!d->has_major || !d->has_minor))
            return bad(err, "linux.devices[%zu].%s: required for type '%c'", i,
                       d->has_major ? "minor" : "major", d->type);
    }
    return 0;
}

static int check_paths(const struct spec *s, struct hk_err *err)
{
    const struct spec_linux *l = &s->linux;
    const struct {
        const char *name;
        char *const *v;
        size_t n;
    } lists[] = {
        {"linux.maskedPaths", l->masked_paths, l->n_masked_paths},
        {"linux.readonlyPaths", l->readonly_paths, l->n_readonly_paths},
    };
    for (size_t k = 0; k < HK_ARRAY_SIZE(lists); k++) {
        if (lists[k].n && !has_ns(s, NS_MNT))
            return bad(err, "%s: requires a mount namespace", lists[k].name);
        for (size_t i = 0; i < lists[k].n; i++)
            if (!is_abs(lists[k].v[i]))
                return bad(err, "%s[%zu]: '%s' is not an absolute path", lists[k].name, i,
                           lists[k].v[i]);
    }
    return 0;
}

static bool seccomp_takes_errno(const char *action)
{
    return action &&
           (strcmp(action, "SCMP_ACT_ERRNO") == 0 || strcmp(action, "SCMP_ACT_TRACE") == 0);
}

static bool is_notify(const char *action)
{
    return action && strcmp(action, "SCMP_ACT_NOTIFY") == 0;
}

static int check_syscall(const struct spec_syscall *sc, size_t i, struct hk_err *err)
{
    if (!spec_seccomp_action_known(sc->action))
        return bad(err, "linux.seccomp.syscalls[%zu].action: unknown action '%s'", i,
                   sc->action ? sc->action : "");
    if (sc->errno_ret.set && !seccomp_takes_errno(sc->action))
        return bad(err, "linux.seccomp.syscalls[%zu].errnoRet: not valid with %s", i, sc->action);
    if (sc->n_names == 0)
        return bad(err, "linux.seccomp.syscalls[%zu].names: must not be empty", i);
    for (size_t j = 0; j < sc->n_names; j++) {
        if (empty(sc->names[j]))
            return bad(err, "linux.seccomp.syscalls[%zu].names[%zu]: empty", i, j);
        if (is_notify(sc->action) && strcmp(sc->names[j], "write") == 0)
            return bad(err,
                       "linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY cannot be used for "
                       "the write syscall",
                       i);
    }
    for (size_t j = 0; j < sc->n_args; j++) {
        if (sc->args[j].index > 5)
            return bad(err, "linux.seccomp.syscalls[%zu].args[%zu].index: %u out of range [0, 5]",
                       i, j, sc->args[j].index);
        if (!spec_seccomp_op_known(sc->args[j].op))
            return bad(err, "linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator '%s'", i, j,
                       sc->args[j].op ? sc->args[j].op : "");
    }
    return 0;
}

static int check_seccomp(const struct spec *s, struct hk_err *err)
{
    const struct spec_seccomp *sc = &s->linux.seccomp;
    if (!s->linux.has_seccomp)
        return 0;
    if (empty(sc->default_action))
        return bad(err, "linux.seccomp.defaultAction: required");
    if (!spec_seccomp_action_known(sc->default_action))
        return bad(err, "linux.seccomp.defaultAction: unknown action '%s'", sc->default_action);
    if (is_notify(sc->default_action))
        return bad(err,
                   "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
    if (sc->default_errno_ret.set && !seccomp_takes_errno(sc->default_action))
        return bad(err, "linux.seccomp.defaultErrnoRet: not valid with %s", sc->default_action);
    for (size_t i = 0; i < sc->n_architectures; i++)
        if (!spec_seccomp_arch_known(sc->architectures[i]))
            return bad(err, "linux.seccomp.architectures[%zu]: unknown architecture '%s'", i,
                       sc->architectures[i]);
    for (size_t i = 0; i < sc->n_flags; i++)
        if (!spec_seccomp_flag_known(sc->flags[i]))
            return bad(err, "linux.seccomp.flags[%zu]: unknown flag '%s'", i, sc->flags[i]);
    bool notify = false;
    for (size_t i = 0; i < sc->n_syscalls; i++) {
        int r = check_syscall(&sc->syscalls[i], i, err);
        if (r < 0)
            return r;
        notify |= is_notify(sc->syscalls[i].action);
    }
    if (notify && empty(sc->listener_path))
        return bad(err, "linux.seccomp.listenerPath: required with SCMP_ACT_NOTIFY");
    if (!notify && !empty(sc->listener_path))
        return bad(err, "linux.seccomp.listenerPath: given without any SCMP_ACT_NOTIFY action");
    if (!empty(sc->listener_metadata) && empty(sc->listener_path))
        return bad(err, "linux.seccomp.listenerMetadata: given without listenerPath");
    return 0;
}

/* ---------------------------------------------------------------- resources */

static int check_device_rules(const struct spec *s, struct hk_err *err)
{
    const struct spec_resources *r = &s->linux.resources;
    for (size_t i = 0; i < r->n_devices; i++) {
        const struct spec_device_rule *d = &r->devices[i];
        if (!d->type || !strchr("acb", d->type))
            return bad(err, "linux.resources.devices[%zu].type: invalid device type '%c'", i,
                       d->type ? d->type : '?');
        if (!d->access[0])
            return bad(err, "linux.resources.devices[%zu].access: empty", i);
        for (const char *a = d->access; *a; a++)
            if (!strchr("rwm", *a) || strchr(a + 1, *a))
                return bad(err, "linux.resources.devices[%zu].access: invalid access '%s'", i,
                           d->access);
    }
    return 0;
}

static int check_memory_cpu(const struct spec *s, struct hk_err *err)
{
    const struct spec_resources *r = &s->linux.resources;
    const struct spec_memory *m = &r->memory;
    const struct spec_cpu *c = &r->cpu;
    if (r->has_memory) {
        if (m->swappiness.set && m->swappiness.v > 100)
            return bad(err, "linux.resources.memory.swappiness: %llu out of range [0, 100]",
                       (unsigned long long)m->swappiness.v);
        /* runc: a positive swap (memory+swap) needs a positive limit no larger than it */
        if (m->swap.set && m->swap.v > 0) {
            if (!m->limit.set || m->limit.v <= 0)
                return bad(err, "linux.resources.memory.swap: unable to set swap limit without "
                                "memory limit");
            if (m->swap.v < m->limit.v)
                return bad(err, "linux.resources.memory.swap: %lld is less than memory limit %lld",
                           (long long)m->swap.v, (long long)m->limit.v);
        }
    }
    if (r->has_cpu) {
        if (c->period.set && c->period.v == 0)
            return bad(err, "linux.resources.cpu.period: must not be 0");
        if (c->burst.set && c->quota.set && c->quota.v > 0 && c->burst.v > (uint64_t)c->quota.v)
            return bad(err, "linux.resources.cpu.burst: %llu is greater than quota %lld",
                       (unsigned long long)c->burst.v, (long long)c->quota.v);
        if (c->realtime_period.set && c->realtime_period.v == 0)
            return bad(err, "linux.resources.cpu.realtimePeriod: must not be 0");
    }
    return 0;
}

static int weight_ok(const struct opt_u32 *w)
{
    return !w->set || (w->v >= 10 && w->v <= 1000);
}

static int check_block_io(const struct spec *s, struct hk_err *err)
{
    const struct spec_block_io *b = &s->linux.resources.block_io;
    if (!s->linux.resources.has_block_io)
        return 0;
    if (!weight_ok(&b->weight))
        return bad(err, "linux.resources.blockIO.weight: %u out of range [10, 1000]", b->weight.v);
    if (!weight_ok(&b->leaf_weight))
        return bad(err, "linux.resources.blockIO.leafWeight: %u out of range [10, 1000]",
                   b->leaf_weight.v);
    for (size_t i = 0; i < b->n_weight_device; i++) {
        const struct spec_weight_device *w = &b->weight_device[i];
        if (!w->weight.set && !w->leaf_weight.set)
            return bad(err,
                       "linux.resources.blockIO.weightDevice[%zu]: weight or leafWeight "
                       "required",
                       i);
        if (!weight_ok(&w->weight))
            return bad(err,
                       "linux.resources.blockIO.weightDevice[%zu].weight: %u out of range "
                       "[10, 1000]",
                       i, w->weight.v);
        if (!weight_ok(&w->leaf_weight))
            return bad(err,
                       "linux.resources.blockIO.weightDevice[%zu].leafWeight: %u out of "
                       "range [10, 1000]",
                       i, w->leaf_weight.v);
    }
    return 0;
}

static bool page_size_ok(const char *p)
{
    if (!p || *p < '1' || *p > '9')
        return false;
    p += strspn(p, "0123456789");
    return (p[0] == 'K' || p[0] == 'M' || p[0] == 'G') && p[1] == 'B' && p[2] == '\0';
}

/* A name that is used as one file or interface name: no '/', not "." or "..". */
static bool file_name_ok(const char *n)
{
    return !empty(n) && !strchr(n, '/') && strcmp(n, ".") != 0 && strcmp(n, "..") != 0;
}

static int check_other_resources(const struct spec *s, struct hk_err *err)
{
    const struct spec_resources *r = &s->linux.resources;
    for (size_t i = 0; i < r->n_hugepage_limits; i++)
        if (!page_size_ok(r->hugepage_limits[i].page_size))
            return bad(err, "linux.resources.hugepageLimits[%zu].pageSize: invalid page size '%s'",
                       i, r->hugepage_limits[i].page_size);
    for (size_t i = 0; i < r->n_rdma; i++) {
        if (!file_name_ok(r->rdma[i].device))
            return bad(err, "linux.resources.rdma: invalid device name '%s'", r->rdma[i].device);
        if (!r->rdma[i].hca_handles.set && !r->rdma[i].hca_objects.set)
            return bad(err, "linux.resources.rdma['%s']: hcaHandles or hcaObjects required",
                       r->rdma[i].device);
    }
    for (size_t i = 0; i < r->n_unified; i++)
        if (!file_name_ok(r->unified[i].key))
            return bad(err, "linux.resources.unified: '%s' is not a file name", r->unified[i].key);
    return 0;
}

/* ---------------------------------------------------------------- other linux sections */

static int check_misc_linux(const struct spec *s, struct hk_err *err)
{
    static const char *const mpol_modes[] = {
        "MPOL_DEFAULT",   "MPOL_BIND",           "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
        "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL",      NULL,
    };
    static const char *const mpol_flags[] = {
        "MPOL_F_NUMA_BALANCING",
        "MPOL_F_RELATIVE_NODES",
        "MPOL_F_STATIC_NODES",
        NULL,
    };
    static const char *const domains[] = {"LINUX", "LINUX32", NULL};
    const struct spec_linux *l = &s->linux;

    if (l->has_personality && !in_list(l->personality.domain, domains))
        return bad(err, "linux.personality.domain: invalid personality domain '%s'",
                   l->personality.domain ? l->personality.domain : "");
    if (l->has_memory_policy) {
        const struct spec_memory_policy *mp = &l->memory_policy;
        if (!in_list(mp->mode, mpol_modes))
            return bad(err, "linux.memoryPolicy.mode: unknown mode '%s'", mp->mode ? mp->mode : "");
        for (size_t i = 0; i < mp->n_flags; i++)
            if (!in_list(mp->flags[i], mpol_flags))
                return bad(err, "linux.memoryPolicy.flags[%zu]: unknown flag '%s'", i,
                           mp->flags[i]);
    }
    if (l->has_intel_rdt) {
        const struct spec_intel_rdt *rdt = &l->intel_rdt;
        if (rdt->clos_id && !file_name_ok(rdt->clos_id))
            return bad(err, "linux.intelRdt.closID: invalid closID '%s'", rdt->clos_id);
        if (rdt->mem_bw_schema &&
            (strncmp(rdt->mem_bw_schema, "MB:", 3) != 0 || strchr(rdt->mem_bw_schema, '\n')))
            return bad(err, "linux.intelRdt.memBwSchema: must start with 'MB:' and be one line");
        for (size_t i = 0; i < rdt->n_schemata; i++)
            if (strchr(rdt->schemata[i], '\n'))
                return bad(err, "linux.intelRdt.schemata[%zu]: contains a newline", i);
    }
    for (size_t i = 0; i < l->n_net_devices; i++) {
        const struct spec_net_device *d = &l->net_devices[i];
        if (!file_name_ok(d->host_name) || strlen(d->host_name) > IFNAME_MAX)
            return bad(err, "linux.netDevices: invalid interface name '%s'", d->host_name);
        if (d->name && (!file_name_ok(d->name) || strlen(d->name) > IFNAME_MAX))
            return bad(err, "linux.netDevices['%s'].name: invalid interface name '%s'",
                       d->host_name, d->name);
    }
    return 0;
}

static const struct check checks[] = {
    {"version", check_version},
    {"root", check_root},
    {"process", check_process},
    {"rlimits", check_rlimits},
    {"scheduler", check_scheduler},
    {"io_priority", check_io_priority},
    {"hostname", check_hostname},
    {"annotations", check_annotations},
    {"hooks", check_hooks},
    {"namespaces", check_namespaces},
    {"userns", check_userns},
    {"mounts", check_mounts},
    {"time_offsets", check_time_offsets},
    {"sysctl", check_sysctl},
    {"devices", check_devices},
    {"paths", check_paths},
    {"seccomp", check_seccomp},
    {"device_rules", check_device_rules},
    {"memory_cpu", check_memory_cpu},
    {"block_io", check_block_io},
    {"other_resources", check_other_resources},
    {"misc_linux", check_misc_linux},
};

/* ---------------------------------------------------------------- warnings */

static int add_warning(struct spec *s, const char *fmt, ...) HK_PRINTF(2, 3);
static int add_warning(struct spec *s, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return strv_push(&s->warnings, msg);
}

static int warn_prestart(struct spec *s)
{
    if (s->hooks.n_hooks[HOOK_PRESTART] == 0)
        return 0;
    return add_warning(s, "hooks.prestart: deprecated, use createRuntime hooks");
}

static int warn_relative_mounts(struct spec *s)
{
    for (size_t i = 0; i < s->n_mounts; i++)
        if (!is_abs(s->mounts[i].destination)) {
            int r = add_warning(s,
                                "mounts[%zu].destination: relative path '%s' is deprecated, "
                                "using it as relative to /",
                                i, s->mounts[i].destination);
            if (r < 0)
                return r;
        }
    return 0;
}

static int warn_kernel_memory(struct spec *s)
{
    const struct spec_memory *m = &s->linux.resources.memory;
    if (!m->kernel.set && !m->kernel_tcp.set)
        return 0;
    return add_warning(s, "linux.resources.memory: kernel memory settings are ignored");
}

static int warn_personality_flags(struct spec *s)
{
    if (s->linux.personality.n_flags == 0)
        return 0;
    return add_warning(s, "linux.personality.flags: not supported, ignoring");
}

static const struct warn_check warn_checks[] = {
    {"prestart", warn_prestart},
    {"relative_mounts", warn_relative_mounts},
    {"kernel_memory", warn_kernel_memory},
    {"personality_flags", warn_personality_flags},
};

int spec_validate(struct spec *s, struct hk_err *err)
{
    for (size_t i = 0; i < HK_ARRAY_SIZE(checks); i++) {
        int r = checks[i].fn(s, err);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < HK_ARRAY_SIZE(warn_checks); i++)
        if (warn_checks[i].fn(s) < 0)
            return hk_err_set(err, ENOMEM, "validate %s: out of memory", warn_checks[i].name);
    return 0;
}
