/* Every write to /proc goes through here, on an fd of a procfs verified by fstatfs. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

struct hk_err;
struct spec_kv;

/* Open /proc (O_PATH|O_DIRECTORY) and verify it is procfs. */
int procfs_open(int *ret_fd, struct hk_err *err);
/* Write linux.sysctl entries: key "net.ipv4.ip_forward" -> sys/net/ipv4/ip_forward.
 * Keys were validated by spec_validate (no '/', no ".."). */
int procfs_write_sysctls(int proc_fd, const struct spec_kv *kv, size_t n, struct hk_err *err);
/* /proc/<pid>/oom_score_adj */
int procfs_write_oom_score_adj(int proc_fd, pid_t pid, int value, struct hk_err *err);
/* starttime (field 22) and state letter of /proc/<pid>/stat. -ENOENT if gone. Pure parser
 * procfs_parse_stat is unit-tested. */
int procfs_pid_stat(int proc_fd, pid_t pid, unsigned long long *ret_start, char *ret_state);
int procfs_parse_stat(const char *buf, unsigned long long *ret_start, char *ret_state);
