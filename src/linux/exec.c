#include "linux/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/err.h"

const char *exec_getenv(char *const env[], const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; env && env[i]; i++)
        if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
            return env[i] + n + 1;
    return NULL;
}

static int is_executable(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return -errno;
    if (S_ISDIR(st.st_mode))
        return -EISDIR;
    if (!(st.st_mode & 0111))
        return -EACCES;
    return 0;
}

int exec_find(const char *file, char *const env[], char *ret, size_t len, struct hk_err *err)
{
    if (strchr(file, '/')) {
        int r = is_executable(file);
        if (r < 0)
            return hk_err_sys(err, -r, "exec: '%s'", file);
        if (snprintf(ret, len, "%s", file) >= (int)len)
            return hk_err_set(err, ENAMETOOLONG, "exec: '%s': name too long", file);
        return 0;
    }
    const char *path = exec_getenv(env, "PATH");
    int last = ENOENT;
    for (const char *p = path; p && *p;) {
        const char *e = strchr(p, ':');
        size_t dl = e ? (size_t)(e - p) : strlen(p);
        char cand[PATH_MAX];
        int w = dl == 0 ? snprintf(cand, sizeof(cand), "./%s", file)
                        : snprintf(cand, sizeof(cand), "%.*s/%s", (int)dl, p, file);
        if (w > 0 && (size_t)w < sizeof(cand)) {
            int r = is_executable(cand);
            if (r == 0) {
                if ((size_t)w >= len)
                    return hk_err_set(err, ENAMETOOLONG, "exec: '%s': name too long", file);
                memcpy(ret, cand, (size_t)w + 1);
                return 0;
            }
            if (r != -ENOENT && r != -ENOTDIR)
                last = -r;
        }
        p = e ? e + 1 : NULL;
    }
    if (last == ENOENT)
        return hk_err_set(err, ENOENT, "exec: '%s': executable file not found in $PATH", file);
    return hk_err_sys(err, last, "exec: '%s'", file);
}

int exec_cloexec_from(int first, struct hk_err *err)
{
    if (syscall(SYS_close_range, (unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return 0;
    if (errno != ENOSYS && errno != EINVAL)
        return hk_err_sys(err, errno, "close_range");
    /* Fallback without /proc: walk up to the fd limit. */
    struct rlimit rl;
    int max = 65536;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)INT_MAX)
        max = (int)rl.rlim_cur;
    for (int fd = first; fd < max; fd++) {
        int fl = fcntl(fd, F_GETFD);
        if (fl >= 0 && !(fl & FD_CLOEXEC))
            (void)fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
    }
    return 0;
}

int exec_check_cwd(struct hk_err *err)
{
    char buf[PATH_MAX];
    if (!getcwd(buf, sizeof(buf)))
        return hk_err_sys(err, errno, "process.cwd: getcwd");
    if (buf[0] != '/')
        return hk_err_set(err, EPERM, "process.cwd: current directory is outside the container");
    return 0;
}
