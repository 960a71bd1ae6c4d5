/*
 * Device access rules, shared by both cgroup versions: the config's rules, then runc's
 * default allow list, then an allow rule per linux.devices node (as runc does). v1 writes
 * them to devices.allow/deny; v2 compiles them into a BPF_PROG_TYPE_CGROUP_DEVICE program
 * (no external compiler, no libbpf) and attaches it to the container's cgroup.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "spec/spec.h"

struct hk_err;

struct dev_rules {
    struct spec_device_rule *r;
    size_t n;
};

/* Build the effective list; free with dev_rules_clear. */
int dev_rules_build(const struct spec_resources *res, const struct spec_device *devs, size_t n_devs,
                    struct dev_rules *ret);
void dev_rules_clear(struct dev_rules *d);

/* Compile to eBPF instructions (8 bytes each; malloc'd). Semantics: the last rule that
 * matches decides (a wildcard "a" rule resets everything before it); an allow rule matches
 * when the requested access is a subset of its access, a deny rule when they intersect;
 * no match: the default of the last "a" rule, or allow when there is none. Pure. */
int dev_bpf_compile(const struct dev_rules *d, uint64_t **ret_insns, size_t *ret_n);

/* Load the program and attach it to the cgroup directory (BPF_F_ALLOW_MULTI). */
int dev_bpf_attach(const char *cgroup_dir, const struct dev_rules *d, struct hk_err *err);
