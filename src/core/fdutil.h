/* fd helpers: full reads/writes, bounded file reads, atomic writes. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

struct hk_err;

/* Write all of buf, retrying on EINTR/short writes. Returns 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);
/* Read up to max bytes of dirfd/path into a NUL-terminated malloc'd buffer.
 * -EFBIG if the file is larger than max. flags are extra open flags. */
int read_file_at(int dirfd, const char *path, int flags, size_t max, char **ret, size_t *ret_len);
/* Read all of fd (up to max) into a NUL-terminated buffer. */
int read_fd_all(int fd, size_t max, char **ret, size_t *ret_len);
/* Open dirfd/path O_WRONLY|O_TRUNC|O_CLOEXEC (no create) and write s. Returns 0 or -errno. */
int write_file_at(int dirfd, const char *path, const char *s);
/* Write data to dirfd/.name.tmp (mode), fsync-less, then rename over dirfd/name. */
int write_file_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode);
