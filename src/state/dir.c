#include "state/dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/err.h"

static int mkdir_p(const char *path, mode_t mode)
{
    if (mkdir(path, mode) == 0 || errno == EEXIST)
        return 0;
    if (errno != ENOENT)
        return -errno;
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof(buf))
        return -ENAMETOOLONG;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    if (mkdir(buf, mode) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

int state_root_open(const char *root, bool create, int *ret_fd, struct hk_err *err)
{
    int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        int r = mkdir_p(root, 0700);
        if (r < 0)
            return hk_err_sys(err, -r, "create state root '%s'", root);
        fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    if (fd < 0)
        return hk_err_sys(err, errno, "open state root '%s'", root);
    *ret_fd = fd;
    return 0;
}

int state_dir_create(int root_fd, const char *id, int *ret_fd, struct hk_err *err)
{
    if (mkdirat(root_fd, id, 0700) < 0) {
        if (errno == EEXIST)
            return hk_err_set(err, EEXIST, "container with id exists: %s", id);
        return hk_err_sys(err, errno, "create state directory for '%s'", id);
    }
    int fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        unlinkat(root_fd, id, AT_REMOVEDIR);
        return hk_err_sys(err, e, "open state directory for '%s'", id);
    }
    *ret_fd = fd;
    return 0;
}

int state_dir_open(int root_fd, const char *id, int *ret_fd, struct hk_err *err)
{
    int fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
            return hk_err_set(err, ENOENT, "container does not exist");
        return hk_err_sys(err, errno, "open state directory for '%s'", id);
    }
    *ret_fd = fd;
    return 0;
}

int state_dir_lock(int dir_fd, bool exclusive, struct hk_err *err)
{
    while (flock(dir_fd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
        if (errno != EINTR)
            return hk_err_sys(err, errno, "lock state directory");
    }
    return 0;
}

int state_dir_remove(int root_fd, const char *id, struct hk_err *err)
{
    _cleanup_close_ int dfd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) {
        if (errno == ENOENT)
            return 0;
        return hk_err_sys(err, errno, "open state directory for '%s'", id);
    }
    int dup = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
    if (dup < 0)
        return hk_err_sys(err, errno, "dup state directory fd");
    DIR *d = fdopendir(dup);
    if (!d) {
        int e = errno;
        close(dup);
        return hk_err_sys(err, e, "read state directory for '%s'", id);
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (unlinkat(dfd, de->d_name, 0) < 0 && errno == EISDIR)
            (void)unlinkat(dfd, de->d_name, AT_REMOVEDIR);
    }
    closedir(d);
    if (unlinkat(root_fd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return hk_err_sys(err, errno, "remove state directory for '%s'", id);
    return 0;
}

int state_fifo_create(int dir_fd, int *ret_fd, struct hk_err *err)
{
    if (mkfifoat(dir_fd, STATE_FIFO, 0622) < 0)
        return hk_err_sys(err, errno, "create exec fifo");
    /* O_RDWR on a fifo never blocks; the container init keeps this end and blocks in
     * read() until `start` writes a byte. */
    int fd = openat(dir_fd, STATE_FIFO, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        int e = errno;
        unlinkat(dir_fd, STATE_FIFO, 0);
        return hk_err_sys(err, e, "open exec fifo");
    }
    *ret_fd = fd;
    return 0;
}

bool state_fifo_exists(int dir_fd)
{
    return faccessat(dir_fd, STATE_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}
