/* Namespaces: open and verify a namespace path, join it, unshare new ones.
 * No unit test: needs namespaces; covered by tests/integration/test_namespaces.py.
 */
#pragma once

#include <sys/types.h>

#include "spec/spec.h"

struct hk_err;

/* Open an nsfs path and check (NS_GET_NSTYPE, or the inode's fs) that it is a namespace of
 * `type`. The error names the field: "linux.namespaces[2].path: '/proc/1/ns/net' is not a
 * pid namespace". */
int ns_open_path(const char *path, enum spec_ns_type type, size_t idx, int *ret_fd,
                 struct hk_err *err);
int ns_join(int fd, enum spec_ns_type type, struct hk_err *err);
/* Write /proc/self/timens_offsets (must be before any process enters the namespace). */
int ns_set_time_offsets(int proc_fd, const struct spec_time_offset *mono,
                        const struct spec_time_offset *boot, struct hk_err *err);
