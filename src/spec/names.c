/* Name tables: capabilities, rlimits, namespaces, signals, mount options, seccomp names. */
#include "spec/names.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/parse_num.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef MS_LAZYTIME
#define MS_LAZYTIME (1 << 25)
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif

static int index_of(const char *const *names, size_t n, const char *name)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

/* ---------------------------------------------------------------- capabilities */

static const char *const cap_names[SPEC_CAP_LAST + 1] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

int spec_cap_from_name(const char *name)
{
    return index_of(cap_names, HK_ARRAY_SIZE(cap_names), name);
}

const char *spec_cap_name(int cap)
{
    if (cap < 0 || cap > SPEC_CAP_LAST)
        return NULL;
    return cap_names[cap];
}

/* ---------------------------------------------------------------- rlimits */

static const char *const rlimit_names[] = {
    [RLIMIT_CPU] = "RLIMIT_CPU",           [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
    [RLIMIT_DATA] = "RLIMIT_DATA",         [RLIMIT_STACK] = "RLIMIT_STACK",
    [RLIMIT_CORE] = "RLIMIT_CORE",         [RLIMIT_RSS] = "RLIMIT_RSS",
    [RLIMIT_NPROC] = "RLIMIT_NPROC",       [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
    [RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",   [RLIMIT_AS] = "RLIMIT_AS",
    [RLIMIT_LOCKS] = "RLIMIT_LOCKS",       [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
    [RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE", [RLIMIT_NICE] = "RLIMIT_NICE",
    [RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",     [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
};

int spec_rlimit_from_name(const char *name)
{
    return index_of(rlimit_names, HK_ARRAY_SIZE(rlimit_names), name);
}

const char *spec_rlimit_name(int type)
{
    if (type < 0 || (size_t)type >= HK_ARRAY_SIZE(rlimit_names))
        return NULL;
    return rlimit_names[type];
}

/* ---------------------------------------------------------------- namespaces */

static const struct {
    const char *name;
    const char *proc;
    unsigned long flag;
} ns_table[NS_TYPE_COUNT] = {
    [NS_PID] = {"pid", "pid", CLONE_NEWPID},
    [NS_NET] = {"network", "net", CLONE_NEWNET},
    [NS_IPC] = {"ipc", "ipc", CLONE_NEWIPC},
    [NS_UTS] = {"uts", "uts", CLONE_NEWUTS},
    [NS_MNT] = {"mount", "mnt", CLONE_NEWNS},
    [NS_USER] = {"user", "user", CLONE_NEWUSER},
    [NS_CGROUP] = {"cgroup", "cgroup", CLONE_NEWCGROUP},
    [NS_TIME] = {"time", "time", CLONE_NEWTIME},
};

int spec_ns_from_name(const char *name, enum spec_ns_type *ret)
{
    for (int t = 0; t < NS_TYPE_COUNT; t++)
        if (name && strcmp(ns_table[t].name, name) == 0) {
            *ret = (enum spec_ns_type)t;
            return 0;
        }
    return -EINVAL;
}

const char *spec_ns_name(enum spec_ns_type t)
{
    return (unsigned)t < NS_TYPE_COUNT ? ns_table[t].name : NULL;
}

unsigned long spec_ns_clone_flag(enum spec_ns_type t)
{
    return (unsigned)t < NS_TYPE_COUNT ? ns_table[t].flag : 0;
}

const char *spec_ns_proc_name(enum spec_ns_type t)
{
    return (unsigned)t < NS_TYPE_COUNT ? ns_table[t].proc : NULL;
}

/* ---------------------------------------------------------------- signals */

#define SIG_RTMIN    34
#define SIG_RTMAX    64
#define SIG_NAME_MAX 32

/* The names Go's x/sys/unix knows on Linux, which is what runc accepts. */
static const char *const signal_names[] = {
    [1] = "HUP",   [2] = "INT",     [3] = "QUIT",  [4] = "ILL",     [5] = "TRAP",  [6] = "ABRT",
    [7] = "BUS",   [8] = "FPE",     [9] = "KILL",  [10] = "USR1",   [11] = "SEGV", [12] = "USR2",
    [13] = "PIPE", [14] = "ALRM",   [15] = "TERM", [16] = "STKFLT", [17] = "CHLD", [18] = "CONT",
    [19] = "STOP", [20] = "TSTP",   [21] = "TTIN", [22] = "TTOU",   [23] = "URG",  [24] = "XCPU",
    [25] = "XFSZ", [26] = "VTALRM", [27] = "PROF", [28] = "WINCH",  [29] = "IO",   [30] = "PWR",
    [31] = "SYS",
};

/* "RTMIN", "RTMIN+n", "RTMAX", "RTMAX-n" (already without "SIG"). */
static int rt_signal(const char *s)
{
    int base, sign;
    if (strncmp(s, "RTMIN", 5) == 0) {
        base = SIG_RTMIN;
        sign = 1;
    } else if (strncmp(s, "RTMAX", 5) == 0) {
        base = SIG_RTMAX;
        sign = -1;
    } else {
        return -1;
    }
    s += 5;
    if (*s == '\0')
        return base;
    if (*s != (sign > 0 ? '+' : '-'))
        return -1;
    uint32_t n;
    if (parse_u32(s + 1, &n) < 0 || n > SIG_RTMAX - SIG_RTMIN)
        return -1;
    return base + sign * (int)n;
}

int spec_signal_from_name(const char *name)
{
    if (!name || !*name)
        return -1;
    uint32_t num;
    if (name[0] >= '0' && name[0] <= '9') {
        if (parse_u32(name, &num) < 0 || num < 1 || num > SIG_RTMAX)
            return -1;
        return (int)num;
    }
    /* runc upper-cases the name and accepts it with or without the SIG prefix. */
    char up[SIG_NAME_MAX];
    size_t len = strlen(name);
    if (len >= sizeof(up))
        return -1;
    for (size_t i = 0; i <= len; i++)
        up[i] = (name[i] >= 'a' && name[i] <= 'z') ? (char)(name[i] - 'a' + 'A') : name[i];
    const char *s = strncmp(up, "SIG", 3) == 0 ? up + 3 : up;
    for (size_t i = 1; i < HK_ARRAY_SIZE(signal_names); i++)
        if (strcmp(signal_names[i], s) == 0)
            return (int)i;
    return rt_signal(s);
}

/* ---------------------------------------------------------------- mount options */

enum mopt_kind {
    MOPT_NOOP,  /* "defaults" */
    MOPT_MS,    /* MS_* flag, set or clear */
    MOPT_PROP,  /* propagation */
    MOPT_ATTR,  /* recursive mount_setattr flag, set or clear */
    MOPT_ATIME, /* recursive atime mode (an enum inside MOUNT_ATTR__ATIME) */
    MOPT_TMPCOPYUP,
    MOPT_IDMAP,
    MOPT_RIDMAP,
};

struct mopt {
    const char *name;
    enum mopt_kind kind;
    bool clear;
    unsigned long ms; /* MOPT_MS, MOPT_PROP */
    uint64_t attr;    /* MOPT_ATTR, MOPT_ATIME */
};

#define MS_SET(n, f)                                                                               \
    {                                                                                              \
        n, MOPT_MS, false, f, 0                                                                    \
    }
#define MS_CLR(n, f)                                                                               \
    {                                                                                              \
        n, MOPT_MS, true, f, 0                                                                     \
    }
#define PROP(n, f)                                                                                 \
    {                                                                                              \
        n, MOPT_PROP, false, f, 0                                                                  \
    }
#define ATTR_SET(n, a)                                                                             \
    {                                                                                              \
        n, MOPT_ATTR, false, 0, a                                                                  \
    }
#define ATTR_CLR(n, a)                                                                             \
    {                                                                                              \
        n, MOPT_ATTR, true, 0, a                                                                   \
    }
#define ATIME(n, a)                                                                                \
    {                                                                                              \
        n, MOPT_ATIME, false, 0, a                                                                 \
    }

/*
 * runc 1.5.1's table. The recursive atime options select one mode of the MOUNT_ATTR__ATIME
 * enum; the kernel wants MOUNT_ATTR__ATIME in attr_clr together with the mode in attr_set.
 * The "clearing" atime forms have no mode of their own, so they select the kernel default
 * (relatime), except rnorelatime, which selects strictatime.
 */
static const struct mopt mount_opts[] = {
    MS_CLR("async", MS_SYNCHRONOUS),
    MS_CLR("atime", MS_NOATIME),
    MS_SET("bind", MS_BIND),
    {"defaults", MOPT_NOOP, false, 0, 0},
    MS_CLR("dev", MS_NODEV),
    MS_CLR("diratime", MS_NODIRATIME),
    MS_SET("dirsync", MS_DIRSYNC),
    MS_CLR("exec", MS_NOEXEC),
    MS_SET("iversion", MS_I_VERSION),
    MS_SET("lazytime", MS_LAZYTIME),
    MS_CLR("loud", MS_SILENT),
    MS_SET("mand", MS_MANDLOCK),
    MS_SET("noatime", MS_NOATIME),
    MS_SET("nodev", MS_NODEV),
    MS_SET("nodiratime", MS_NODIRATIME),
    MS_SET("noexec", MS_NOEXEC),
    MS_CLR("noiversion", MS_I_VERSION),
    MS_CLR("nolazytime", MS_LAZYTIME),
    MS_CLR("nomand", MS_MANDLOCK),
    MS_CLR("norelatime", MS_RELATIME),
    MS_CLR("nostrictatime", MS_STRICTATIME),
    MS_SET("nosuid", MS_NOSUID),
    MS_SET("nosymfollow", MS_NOSYMFOLLOW),
    PROP("private", MS_PRIVATE),
    ATIME("ratime", MOUNT_ATTR_RELATIME),
    MS_SET("rbind", MS_BIND | MS_REC),
    ATTR_CLR("rdev", MOUNT_ATTR_NODEV),
    ATTR_CLR("rdiratime", MOUNT_ATTR_NODIRATIME),
    MS_SET("relatime", MS_RELATIME),
    MS_SET("remount", MS_REMOUNT),
    ATTR_CLR("rexec", MOUNT_ATTR_NOEXEC),
    ATIME("rnoatime", MOUNT_ATTR_NOATIME),
    ATTR_SET("rnodev", MOUNT_ATTR_NODEV),
    ATTR_SET("rnodiratime", MOUNT_ATTR_NODIRATIME),
    ATTR_SET("rnoexec", MOUNT_ATTR_NOEXEC),
    ATIME("rnorelatime", MOUNT_ATTR_STRICTATIME),
    ATIME("rnostrictatime", MOUNT_ATTR_RELATIME),
    ATTR_SET("rnosuid", MOUNT_ATTR_NOSUID),
    ATTR_SET("rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW),
    MS_SET("ro", MS_RDONLY),
    PROP("rprivate", MS_PRIVATE | MS_REC),
    ATIME("rrelatime", MOUNT_ATTR_RELATIME),
    ATTR_SET("rro", MOUNT_ATTR_RDONLY),
    ATTR_CLR("rrw", MOUNT_ATTR_RDONLY),
    PROP("rshared", MS_SHARED | MS_REC),
    PROP("rslave", MS_SLAVE | MS_REC),
    ATIME("rstrictatime", MOUNT_ATTR_STRICTATIME),
    ATTR_CLR("rsuid", MOUNT_ATTR_NOSUID),
    ATTR_CLR("rsymfollow", MOUNT_ATTR_NOSYMFOLLOW),
    PROP("runbindable", MS_UNBINDABLE | MS_REC),
    MS_CLR("rw", MS_RDONLY),
    PROP("shared", MS_SHARED),
    MS_SET("silent", MS_SILENT),
    PROP("slave", MS_SLAVE),
    MS_SET("strictatime", MS_STRICTATIME),
    MS_CLR("suid", MS_NOSUID),
    MS_CLR("symfollow", MS_NOSYMFOLLOW),
    MS_SET("sync", MS_SYNCHRONOUS),
    {"tmpcopyup", MOPT_TMPCOPYUP, false, 0, 0},
    PROP("unbindable", MS_UNBINDABLE),
    /* complex flags: not listed in spec_mount_option_names (runc's features omit them) */
    {"idmap", MOPT_IDMAP, false, 0, 0},
    {"ridmap", MOPT_RIDMAP, false, 0, 0},
};

const char *const spec_mount_option_names[] = {
    "async",
    "atime",
    "bind",
    "defaults",
    "dev",
    "diratime",
    "dirsync",
    "exec",
    "iversion",
    "lazytime",
    "loud",
    "mand",
    "noatime",
    "nodev",
    "nodiratime",
    "noexec",
    "noiversion",
    "nolazytime",
    "nomand",
    "norelatime",
    "nostrictatime",
    "nosuid",
    "nosymfollow",
    "private",
    "ratime",
    "rbind",
    "rdev",
    "rdiratime",
    "relatime",
    "remount",
    "rexec",
    "rnoatime",
    "rnodev",
    "rnodiratime",
    "rnoexec",
    "rnorelatime",
    "rnostrictatime",
    "rnosuid",
    "rnosymfollow",
    "ro",
    "rprivate",
    "rrelatime",
    "rro",
    "rrw",
    "rshared",
    "rslave",
    "rstrictatime",
    "rsuid",
    "rsymfollow",
    "runbindable",
    "rw",
    "shared",
    "silent",
    "slave",
    "strictatime",
    "suid",
    "symfollow",
    "sync",
    "tmpcopyup",
    "unbindable",
    NULL,
};

static const struct mopt *mopt_find(const char *name)
{
    for (size_t i = 0; i < HK_ARRAY_SIZE(mount_opts); i++)
        if (strcmp(mount_opts[i].name, name) == 0)
            return &mount_opts[i];
    return NULL;
}

static void mopt_apply(const struct mopt *o, struct spec_mount_opts *m)
{
    switch (o->kind) {
    case MOPT_NOOP:
        break;
    case MOPT_MS:
        if (o->clear) {
            m->flags &= ~o->ms;
            m->clear |= o->ms;
        } else {
            m->flags |= o->ms;
            m->clear &= ~o->ms;
        }
        break;
    case MOPT_PROP:
        m->propagation = o->ms;
        break;
    case MOPT_ATTR:
        if (o->clear) {
            m->rec_attr_clr |= o->attr;
            m->rec_attr_set &= ~o->attr;
        } else {
            m->rec_attr_set |= o->attr;
            m->rec_attr_clr &= ~o->attr;
        }
        break;
    case MOPT_ATIME:
        m->rec_attr_set = (m->rec_attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | o->attr;
        m->rec_attr_clr |= MOUNT_ATTR__ATIME;
        break;
    case MOPT_TMPCOPYUP:
        m->tmpcopyup = true;
        break;
    case MOPT_IDMAP:
        m->idmap = true;
        m->ridmap = false;
        break;
    case MOPT_RIDMAP:
        m->idmap = false;
        m->ridmap = true;
        break;
    }
}

int spec_mount_opts_parse(char *const *options, size_t n, struct spec_mount_opts *ret,
                          const char *path, struct hk_err *err)
{
    struct spec_mount_opts m = {0};
    _cleanup_buf_ struct hk_buf data = HK_BUF_INIT;

    for (size_t i = 0; i < n; i++) {
        const char *o = options[i];
        if (!o)
            return hk_err_set(err, EINVAL, "%s[%zu]: missing option", path ? path : "options", i);
        const struct mopt *known = mopt_find(o);
        if (known) {
            mopt_apply(known, &m);
            continue;
        }
        if (data.len > 0)
            buf_putc(&data, ',');
        buf_puts(&data, o);
    }
    if (buf_status(&data) < 0)
        return hk_err_set(err, ENOMEM, "%s: out of memory", path ? path : "options");
    m.bind = (m.flags & MS_BIND) != 0;
    m.recursive_bind = m.bind && (m.flags & MS_REC) != 0;
    if (data.len > 0)
        m.data = TAKE_PTR(data.data);
    *ret = m;
    return 0;
}

int spec_propagation_from_name(const char *name, unsigned long *ret)
{
    if (!name)
        return -EINVAL;
    if (*name == '\0') {
        *ret = 0;
        return 0;
    }
    const struct mopt *o = mopt_find(name);
    if (!o || o->kind != MOPT_PROP)
        return -EINVAL;
    *ret = o->ms;
    return 0;
}

/* ---------------------------------------------------------------- seccomp */

static const char *const scmp_actions[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY",
};

static const char *const scmp_ops[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

static const char *const scmp_arches[] = {
    "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     "SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",    "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",
};

static const char *const scmp_flags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

bool spec_seccomp_action_known(const char *name)
{
    return index_of(scmp_actions, HK_ARRAY_SIZE(scmp_actions), name) >= 0;
}

bool spec_seccomp_op_known(const char *name)
{
    return index_of(scmp_ops, HK_ARRAY_SIZE(scmp_ops), name) >= 0;
}

bool spec_seccomp_arch_known(const char *name)
{
    return index_of(scmp_arches, HK_ARRAY_SIZE(scmp_arches), name) >= 0;
}

bool spec_seccomp_flag_known(const char *name)
{
    return index_of(scmp_flags, HK_ARRAY_SIZE(scmp_flags), name) >= 0;
}
