/*
 * The only code that resolves paths inside a container root.
 *
 * Every lookup is relative to a root directory fd and behaves as if that fd were "/":
 * ".." stops at the root and absolute symlinks restart at the root, so nothing in the image
 * can send a lookup outside it. The fast path is openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS); when the kernel lacks openat2 (ENOSYS) an O_PATH walk that
 * applies the same rules one component at a time is used instead.
 *
 * Created components are made with mkdirat/mknodat/symlinkat relative to an fd of their
 * parent and re-opened with O_NOFOLLOW, so a component swapped for a symlink between the
 * two calls is detected rather than followed.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct hk_err;

enum {
    PATH_NOFOLLOW = 1 << 0, /* do not follow a symlink in the final component */
};

/* Open `path` (absolute or relative; both mean "from the root") inside root_fd.
 * oflags are open(2) flags (O_PATH, O_DIRECTORY, O_RDONLY, ...); O_CLOEXEC is implied. */
int path_open_in_root(int root_fd, const char *path, int oflags, unsigned flags, int *ret_fd,
                      struct hk_err *err);

/* Like mkdir -p inside the root; returns an O_PATH|O_DIRECTORY fd of the last component.
 * Existing components may be symlinks that resolve inside the root. */
int path_mkdir_p_in_root(int root_fd, const char *path, mode_t mode, int *ret_fd,
                         struct hk_err *err);

/* Make sure `path` exists as a regular file (creating parent dirs and an empty file as
 * needed, as a bind-mount target) and return an O_PATH fd of it (final component is not
 * followed if it is a symlink: that is an error). */
int path_mkfile_in_root(int root_fd, const char *path, mode_t mode, int *ret_fd,
                        struct hk_err *err);

/* Open the parent directory of `path` inside the root (creating it if mkdir_parents) and
 * return it with the final component name (malloc'd). The final component is never "." or
 * "..". */
int path_open_parent_in_root(int root_fd, const char *path, bool mkdir_parents, int *ret_dirfd,
                             char **ret_name, struct hk_err *err);

/* Test hook: force the O_PATH walk fallback (as if openat2 returned ENOSYS). */
void path_force_fallback(bool on);

/* Lexically clean an absolute or relative path: collapse "//", drop ".", resolve ".." against
 * what precedes it (never above the start). Pure; unit-tested. */
char *path_clean(const char *path);
/* Join base and rel ("rel" absolute wins) and clean. */
char *path_join_abs(const char *base, const char *rel);
