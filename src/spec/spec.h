/*
 * Typed, validated, read-only OCI runtime config (runtime-spec v1.3.0, Linux parts).
 *
 * Built once by spec_parse_*() and checked once by spec_validate(); const everywhere after.
 * spec/ makes no syscalls except reading config.json through the bundle fd.
 *
 * Conventions:
 *  - every string is malloc'd and NUL-terminated; absent optional strings are NULL;
 *  - string arrays are NULL-terminated `char **` plus an explicit count;
 *  - optional numbers use the opt_* wrappers (`.set` says whether the key was present);
 *  - arrays of structs are `T *items; size_t n_items;`.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cleanup.h"

/* gnu17 predefines the legacy macro `linux` (as 1), which would rename the member
 * spec->linux. Nothing may rely on it: test __linux__ instead. */
#undef linux

#define SPEC_MAX_BYTES   (4u << 20) /* config.json size limit */
#define SPEC_MAX_DEPTH   64         /* JSON nesting limit */
#define SPEC_MAX_ARRAY   65536      /* any JSON array */
#define SPEC_MAX_STRING  (1u << 20) /* any single string */
#define SPEC_OCI_VERSION "1.3.0"    /* the spec version husk implements */

struct opt_i64 {
    bool set;
    int64_t v;
};
struct opt_u64 {
    bool set;
    uint64_t v;
};
struct opt_u32 {
    bool set;
    uint32_t v;
};
struct opt_bool {
    bool set;
    bool v;
};

struct spec_kv {
    char *key;
    char *value;
};

/* ---------------------------------------------------------------- process */

struct spec_user {
    uint32_t uid;
    uint32_t gid;
    struct opt_u32 umask;
    uint32_t *additional_gids;
    size_t n_additional_gids;
};

/* Capability sets as bitmasks (bit n = capability number n). Unknown names are skipped
 * and reported in spec->warnings. */
struct spec_caps {
    bool set; /* process.capabilities present */
    uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct spec_rlimit {
    int type;   /* RLIMIT_* */
    char *name; /* as written, e.g. "RLIMIT_NOFILE" */
    uint64_t soft, hard;
};

struct spec_scheduler {
    bool set;
    char *policy; /* SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE,
                     SCHED_DEADLINE */
    int nice;
    int priority;
    char **flags; /* SCHED_FLAG_* names */
    size_t n_flags;
    uint64_t runtime, deadline, period;
};

struct spec_io_priority {
    bool set;
    char *class; /* IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE */
    int priority;
};

struct spec_cpu_affinity {
    char *initial; /* cpu list strings, e.g. "0-3,7" */
    char *final;
};

struct spec_process {
    bool terminal;
    bool has_console_size;
    uint32_t console_height, console_width;
    struct spec_user user;
    char **args;
    size_t n_args;
    char **env;
    size_t n_env;
    char *cwd;
    struct spec_caps caps;
    struct spec_rlimit *rlimits;
    size_t n_rlimits;
    bool no_new_privileges;
    char *apparmor_profile;
    char *selinux_label;
    struct opt_i64 oom_score_adj; /* within [-1000, 1000] after validation */
    struct spec_scheduler scheduler;
    struct spec_io_priority io_priority;
    struct spec_cpu_affinity exec_cpu_affinity;
};

/* ---------------------------------------------------------------- mounts */

/* Mount options translated from the `options` array (see spec/names.c). */
struct spec_mount_opts {
    unsigned long flags;       /* MS_* to set (MS_RDONLY, MS_NOSUID, ..., MS_BIND, MS_REC) */
    unsigned long clear;       /* MS_* explicitly cleared (rw, suid, dev, exec, ...) */
    unsigned long propagation; /* MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE [|MS_REC] or 0 */
    uint64_t rec_attr_set;     /* MOUNT_ATTR_* for mount_setattr(AT_RECURSIVE) from r* options */
    uint64_t rec_attr_clr;
    bool bind;           /* "bind" or "rbind" */
    bool recursive_bind; /* "rbind" */
    bool tmpcopyup;
    bool idmap, ridmap;
    char *data; /* unknown options joined with ',' for the filesystem, or NULL */
};

struct spec_idmap {
    uint32_t container_id;
    uint32_t host_id;
    uint32_t size;
};

struct spec_mount {
    char *destination;
    char *type;   /* may be NULL (then a bind mount if options say so) */
    char *source; /* may be NULL */
    char **options;
    size_t n_options;
    struct spec_mount_opts opts;
    struct spec_idmap *uid_mappings;
    size_t n_uid_mappings;
    struct spec_idmap *gid_mappings;
    size_t n_gid_mappings;
};

/* ---------------------------------------------------------------- hooks */

struct spec_hook {
    char *path;
    char **args;
    size_t n_args;
    char **env;
    size_t n_env;
    struct opt_i64 timeout; /* seconds, > 0 after validation */
};

enum spec_hook_kind {
    HOOK_PRESTART = 0,
    HOOK_CREATE_RUNTIME,
    HOOK_CREATE_CONTAINER,
    HOOK_START_CONTAINER,
    HOOK_POSTSTART,
    HOOK_POSTSTOP,
    HOOK_KIND_COUNT,
};

struct spec_hooks {
    struct spec_hook *hooks[HOOK_KIND_COUNT];
    size_t n_hooks[HOOK_KIND_COUNT];
};

/* ---------------------------------------------------------------- linux */

enum spec_ns_type {
    NS_PID = 0,
    NS_NET,
    NS_IPC,
    NS_UTS,
    NS_MNT,
    NS_USER,
    NS_CGROUP,
    NS_TIME,
    NS_TYPE_COUNT,
};

struct spec_namespace {
    enum spec_ns_type type;
    char *path; /* NULL: create a new one */
};

struct spec_time_offset {
    bool set;
    int64_t secs;
    uint32_t nanosecs;
};

struct spec_device {
    char type; /* 'c', 'b', 'u', 'p' */
    char *path;
    int64_t major, minor; /* required for c/b/u, ignored for p */
    bool has_major, has_minor;
    struct opt_u32 file_mode;
    struct opt_u32 uid;
    struct opt_u32 gid;
};

struct spec_device_rule {
    bool allow;
    char type;      /* 'a', 'c', 'b' ('a' when absent) */
    int64_t major;  /* -1: wildcard (absent) */
    int64_t minor;  /* -1: wildcard (absent) */
    char access[4]; /* subset of "rwm"; "rwm" when absent */
};

struct spec_memory {
    struct opt_i64 limit, reservation, swap, kernel, kernel_tcp;
    struct opt_u64 swappiness;
    struct opt_bool disable_oom_killer, use_hierarchy, check_before_update;
};

struct spec_cpu {
    struct opt_u64 shares;
    struct opt_i64 quota;
    struct opt_u64 burst;
    struct opt_u64 period;
    struct opt_i64 realtime_runtime;
    struct opt_u64 realtime_period;
    char *cpus;
    char *mems;
    struct opt_i64 idle;
};

struct spec_weight_device {
    int64_t major, minor;
    struct opt_u32 weight;      /* uint16 range */
    struct opt_u32 leaf_weight; /* uint16 range */
};

struct spec_throttle_device {
    int64_t major, minor;
    uint64_t rate;
};

struct spec_block_io {
    struct opt_u32 weight;      /* uint16 range */
    struct opt_u32 leaf_weight; /* uint16 range */
    struct spec_weight_device *weight_device;
    size_t n_weight_device;
    struct spec_throttle_device *throttle_read_bps, *throttle_write_bps;
    struct spec_throttle_device *throttle_read_iops, *throttle_write_iops;
    size_t n_throttle_read_bps, n_throttle_write_bps;
    size_t n_throttle_read_iops, n_throttle_write_iops;
};

struct spec_hugepage_limit {
    char *page_size; /* e.g. "2MB" */
    uint64_t limit;
};

struct spec_net_priority {
    char *name;
    uint32_t priority;
};

struct spec_rdma {
    char *device;
    struct opt_u32 hca_handles;
    struct opt_u32 hca_objects;
};

struct spec_resources {
    struct spec_device_rule *devices;
    size_t n_devices;
    bool has_memory;
    struct spec_memory memory;
    bool has_cpu;
    struct spec_cpu cpu;
    bool has_pids;
    int64_t pids_limit; /* "pids": {"limit": N}; 0 is a real limit, <0 unlimited */
    bool has_block_io;
    struct spec_block_io block_io;
    struct spec_hugepage_limit *hugepage_limits;
    size_t n_hugepage_limits;
    bool has_network;
    struct opt_u32 net_class_id;
    struct spec_net_priority *net_priorities;
    size_t n_net_priorities;
    struct spec_rdma *rdma;
    size_t n_rdma;
    struct spec_kv *unified;
    size_t n_unified;
};

struct spec_seccomp_arg {
    uint32_t index;
    uint64_t value;
    uint64_t value_two;
    char *op; /* SCMP_CMP_* */
};

struct spec_syscall {
    char **names;
    size_t n_names;
    char *action; /* SCMP_ACT_* */
    struct opt_u32 errno_ret;
    struct spec_seccomp_arg *args;
    size_t n_args;
};

struct spec_seccomp {
    char *default_action;
    struct opt_u32 default_errno_ret;
    char **architectures;
    size_t n_architectures;
    char **flags;
    size_t n_flags;
    char *listener_path;
    char *listener_metadata;
    struct spec_syscall *syscalls;
    size_t n_syscalls;
};

struct spec_intel_rdt {
    char *clos_id;
    char *l3_cache_schema;
    char *mem_bw_schema;
    char **schemata;
    size_t n_schemata;
    bool enable_monitoring;
};

struct spec_personality {
    char *domain; /* LINUX, LINUX32 */
    char **flags;
    size_t n_flags;
};

struct spec_memory_policy {
    char *mode;  /* MPOL_* */
    char *nodes; /* node list string */
    char **flags;
    size_t n_flags;
};

struct spec_net_device {
    char *host_name; /* the map key */
    char *name;      /* optional new name */
};

struct spec_linux {
    struct spec_idmap *uid_mappings;
    size_t n_uid_mappings;
    struct spec_idmap *gid_mappings;
    size_t n_gid_mappings;
    struct spec_namespace *namespaces; /* in config order */
    size_t n_namespaces;
    struct spec_time_offset time_monotonic, time_boottime;
    struct spec_device *devices;
    size_t n_devices;
    char *cgroups_path;
    bool has_resources;
    struct spec_resources resources;
    struct spec_kv *sysctl;
    size_t n_sysctl;
    bool has_seccomp;
    struct spec_seccomp seccomp;
    char *rootfs_propagation; /* "", shared, slave, private, unbindable, rshared, ... */
    unsigned long rootfs_propagation_flags; /* MS_* translation, 0 when unset */
    char **masked_paths;
    size_t n_masked_paths;
    char **readonly_paths;
    size_t n_readonly_paths;
    char *mount_label;
    bool has_intel_rdt;
    struct spec_intel_rdt intel_rdt;
    bool has_personality;
    struct spec_personality personality;
    bool has_memory_policy;
    struct spec_memory_policy memory_policy;
    struct spec_net_device *net_devices;
    size_t n_net_devices;
};

/* ---------------------------------------------------------------- top level */

struct spec {
    char *oci_version;
    bool has_root;
    char *root_path;
    bool root_readonly;
    bool has_process;
    struct spec_process process;
    char *hostname; /* NULL when absent; "" is a real value */
    char *domainname;
    struct spec_mount *mounts;
    size_t n_mounts;
    bool has_hooks;
    struct spec_hooks hooks;
    struct spec_kv *annotations; /* in config order */
    size_t n_annotations;
    bool has_linux;
    struct spec_linux linux;
    char **warnings; /* non-fatal findings (unknown capability names, ...), for the CLI to log */
};

struct hk_err;

/* Parse config.json text. Errors name the JSON path ("process.user.uid: ...") or the
 * line:column of a syntax error. */
int spec_parse_buf(const char *buf, size_t len, struct spec **ret, struct hk_err *err);
/* Open `name` relative to bundle_fd (O_NOFOLLOW, regular file, <= SPEC_MAX_BYTES) and parse. */
int spec_load(int bundle_fd, const char *name, struct spec **ret, struct hk_err *err);
void spec_free(struct spec *s);
HK_DEFINE_CLEANUP(struct spec, spec_free)

/* Semantic checks that need no syscall (see spec/validate.c). Findings that are only
 * warnings are appended to s->warnings, hence non-const. */
int spec_validate(struct spec *s, struct hk_err *err);

/* runc's default config.json (`husk spec`), exactly as runc writes it. The rootless text
 * maps host uid/gid 0, as runc writes it when run as root. */
const char *spec_default_json(bool rootless);
/* `runc spec --rootless` as written by a process with euid/egid host_uid/host_gid (runc maps
 * container 0 to the caller). *ret_json is malloc'd. Returns 0 or -ENOMEM. */
int spec_default_rootless_json(uint32_t host_uid, uint32_t host_gid, char **ret_json);

/* True if the namespace type is in the spec (new or joined). */
const struct spec_namespace *spec_find_ns(const struct spec *s, enum spec_ns_type t);
