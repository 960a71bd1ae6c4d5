/* The last steps before execve: find the program, close fds, check cwd. */
#pragma once

#include <stddef.h>

struct hk_err;

/* Resolve args[0] like runc (Go's exec.LookPath with the container's PATH): a name with '/'
 * is used as is, otherwise each PATH entry is tried; the file must be a regular file with
 * an execute bit. */
int exec_find(const char *file, char *const env[], char *ret, size_t len, struct hk_err *err);
/* Mark every fd >= first_closed close-on-exec (close_range CLOSE_RANGE_CLOEXEC, with a
 * /proc-free fallback loop). fds 0..first_closed-1 are left as they are. */
int exec_cloexec_from(int first_closed, struct hk_err *err);
/* The cwd must be inside the container root (CVE-2024-21626): getcwd must give an absolute
 * path (the kernel says "(unreachable)" otherwise). */
int exec_check_cwd(struct hk_err *err);
/* Look up NAME in env ("NAME=value" strings); NULL if absent. */
const char *exec_getenv(char *const env[], const char *name);
