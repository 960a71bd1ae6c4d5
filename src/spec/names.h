/* Name tables shared by parser, validator, features and the child: capabilities, rlimits,
 * namespaces, signals, mount options, seccomp names. Pure lookups, no syscalls. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/spec.h"

#define SPEC_CAP_LAST 40 /* CAP_CHECKPOINT_RESTORE */

/* "CAP_CHOWN" -> 0; -1 if unknown. */
int spec_cap_from_name(const char *name);
/* 0 -> "CAP_CHOWN"; NULL if unknown. */
const char *spec_cap_name(int cap);

/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE; -1 if unknown. */
int spec_rlimit_from_name(const char *name);
const char *spec_rlimit_name(int type);

/* "pid", "network", "ipc", "uts", "mount", "user", "cgroup", "time". */
int spec_ns_from_name(const char *name, enum spec_ns_type *ret);
const char *spec_ns_name(enum spec_ns_type t);
/* CLONE_NEW* flag of a namespace type. */
unsigned long spec_ns_clone_flag(enum spec_ns_type t);
/* /proc/<pid>/ns/<file> name: "pid", "net", "ipc", "uts", "mnt", "user", "cgroup", "time". */
const char *spec_ns_proc_name(enum spec_ns_type t);

/* Signal by runc's rules: "KILL", "SIGKILL", "9", "SIGRTMIN+3", "RTMAX-1". -1 if unknown. */
int spec_signal_from_name(const char *name);

/* Translate a mounts[].options array (spec config.md + runc's list, incl. r* recursive
 * attributes, propagation, bind/rbind, tmpcopyup, idmap/ridmap). Unknown options go to
 * ->data, comma-joined in order. The caller frees ->data. path is used for errors only. */
struct hk_err;
int spec_mount_opts_parse(char *const *options, size_t n, struct spec_mount_opts *ret,
                          const char *path, struct hk_err *err);
/* Every option name spec_mount_opts_parse knows, sorted (for `features`). */
extern const char *const spec_mount_option_names[];

/* rootfsPropagation value -> MS_* flags (0 for ""); -EINVAL if unknown. */
int spec_propagation_from_name(const char *name, unsigned long *ret);

/* Seccomp names known to husk (validated before libseccomp sees them). */
bool spec_seccomp_action_known(const char *name);
bool spec_seccomp_op_known(const char *name);
bool spec_seccomp_arch_known(const char *name);
bool spec_seccomp_flag_known(const char *name);
