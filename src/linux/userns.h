/* User namespace id maps, written by the parent for the child's pid. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

struct hk_err;
struct spec_idmap;

/* Write /proc/<pid>/uid_map and gid_map through proc_fd (a verified host procfs). */
int userns_write_maps(int proc_fd, pid_t pid, const struct spec_idmap *uids, size_t n_uids,
                      const struct spec_idmap *gids, size_t n_gids, struct hk_err *err);
/* Format a map as the kernel wants it ("ctr host size\n" lines). Pure; unit-tested. */
int userns_format_map(const struct spec_idmap *m, size_t n, char *buf, size_t len);
