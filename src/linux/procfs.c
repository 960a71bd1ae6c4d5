#include "linux/procfs.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/err.h"
#include "core/fdutil.h"
#include "core/parse_num.h"
#include "spec/spec.h"

int procfs_open(int *ret_fd, struct hk_err *err)
{
    int fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return hk_err_sys(err, errno, "open /proc");
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC) {
        close(fd);
        return hk_err_set(err, EINVAL, "/proc is not a procfs");
    }
    *ret_fd = fd;
    return 0;
}

int procfs_write_sysctls(int proc_fd, const struct spec_kv *kv, size_t n, struct hk_err *err)
{
    for (size_t i = 0; i < n; i++) {
        char path[512];
        int w = snprintf(path, sizeof(path), "sys/%s", kv[i].key);
        if (w < 0 || (size_t)w >= sizeof(path))
            return hk_err_set(err, ENAMETOOLONG, "linux.sysctl: key '%s' too long", kv[i].key);
        /* "a.b.c" -> a/b/c; a key already written with '/' is used as is */
        if (!strchr(kv[i].key, '/'))
            for (char *p = path + 4; *p; p++)
                if (*p == '.')
                    *p = '/';
        _cleanup_close_ int fd =
            openat(proc_fd, path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0)
            return hk_err_sys(err, errno, "linux.sysctl: '%s'", kv[i].key);
        struct statfs sf;
        if (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
            return hk_err_set(err, EINVAL, "linux.sysctl: '%s' is not on procfs", kv[i].key);
        int r = write_all(fd, kv[i].value, strlen(kv[i].value));
        if (r < 0)
            return hk_err_sys(err, -r, "linux.sysctl: write '%s' to '%s'", kv[i].value, kv[i].key);
    }
    return 0;
}

int procfs_write_oom_score_adj(int proc_fd, pid_t pid, int value, struct hk_err *err)
{
    char path[64], val[16];
    snprintf(path, sizeof(path), "%d/oom_score_adj", (int)pid);
    snprintf(val, sizeof(val), "%d", value);
    int r = write_file_at(proc_fd, path, val);
    if (r < 0)
        return hk_err_sys(err, -r, "process.oomScoreAdj: write %d", value);
    return 0;
}

int procfs_parse_stat(const char *buf, unsigned long long *ret_start, char *ret_state)
{
    /* "pid (comm) S ppid ..." — comm may hold spaces and ')' so scan from the last ')'. */
    const char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ' || !p[2])
        return -EINVAL;
    char state = p[2];
    p += 3;
    /* fields after state: ppid(4) ... starttime(22) -> skip 18 more fields */
    for (int field = 4; field < 22; field++) {
        while (*p == ' ')
            p++;
        while (*p && *p != ' ')
            p++;
        if (!*p)
            return -EINVAL;
    }
    while (*p == ' ')
        p++;
    char tok[24];
    size_t n = 0;
    while (p[n] >= '0' && p[n] <= '9' && n < sizeof(tok) - 1) {
        tok[n] = p[n];
        n++;
    }
    tok[n] = '\0';
    uint64_t v;
    if (parse_u64(tok, &v) < 0)
        return -EINVAL;
    if (ret_start)
        *ret_start = v;
    if (ret_state)
        *ret_state = state;
    return 0;
}

int procfs_pid_stat(int proc_fd, pid_t pid, unsigned long long *ret_start, char *ret_state)
{
    char path[32];
    snprintf(path, sizeof(path), "%d/stat", (int)pid);
    _cleanup_close_ int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    char buf[1024];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    if (n < 0)
        return errno == ESRCH ? -ENOENT : -errno;
    buf[n] = '\0';
    return procfs_parse_stat(buf, ret_start, ret_state);
}
