#include "path/path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/err.h"

#define MAX_SYMLINKS 40
#define MAX_DEPTH    256

static bool force_fallback;
static int openat2_state; /* 0 unknown, 1 works, -1 ENOSYS */

void path_force_fallback(bool on)
{
    force_fallback = on;
}

static int sys_openat2(int dirfd, const char *path, int oflags, unsigned long long resolve)
{
    struct open_how how = {
        .flags = (unsigned long long)oflags | O_CLOEXEC,
        .mode = 0,
        .resolve = resolve,
    };
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* ------------------------------------------------------------ lexical helpers */

char *path_clean(const char *path)
{
    size_t n = strlen(path);
    bool abs = path[0] == '/';
    char *out = malloc(n + 2);
    if (!out)
        return NULL;
    size_t o = 0;
    size_t floor = 0; /* o never goes below this through ".." */
    if (abs) {
        out[o++] = '/';
        floor = 1;
    }
    size_t i = 0;
    while (i < n) {
        while (i < n && path[i] == '/')
            i++;
        size_t s = i;
        while (i < n && path[i] != '/')
            i++;
        size_t len = i - s;
        if (len == 0 || (len == 1 && path[s] == '.'))
            continue;
        if (len == 2 && path[s] == '.' && path[s + 1] == '.') {
            if (o > floor) {
                /* drop the last component */
                while (o > floor && out[o - 1] != '/')
                    o--;
                if (o > floor)
                    o--;
                continue;
            }
            if (abs)
                continue;
            /* relative path going above its start: keep ".." */
            if (o > 0)
                out[o++] = '/';
            out[o++] = '.';
            out[o++] = '.';
            floor = o;
            continue;
        }
        if (o > 0 && out[o - 1] != '/')
            out[o++] = '/';
        memcpy(out + o, path + s, len);
        o += len;
    }
    if (o == 0)
        out[o++] = '.';
    out[o] = '\0';
    return out;
}

char *path_join_abs(const char *base, const char *rel)
{
    if (rel[0] == '/')
        return path_clean(rel);
    size_t bl = strlen(base), rl = strlen(rel);
    _cleanup_free_ char *j = malloc(bl + rl + 2);
    if (!j)
        return NULL;
    memcpy(j, base, bl);
    j[bl] = '/';
    memcpy(j + bl + 1, rel, rl + 1);
    return path_clean(j);
}

/* ------------------------------------------------------------ O_PATH walk fallback */

/*
 * Resolve path under root_fd one component at a time with O_PATH|O_NOFOLLOW, keeping a stack
 * of directory fds so that ".." pops (never above the root) and a symlink's target is
 * spliced in front of the remaining path (absolute targets restart at the root).
 * The final component is opened from its parent with the caller's flags plus O_NOFOLLOW,
 * after it was checked not to be a symlink (or the caller asked not to follow it).
 */
static int walk_resolve(int root_fd, const char *path, int oflags, bool nofollow, mode_t mkdir_mode,
                        int *ret_fd)
{
    int fds[MAX_DEPTH];
    int depth = 0;
    int r = 0;
    int links = 0;
    size_t pos = 0;
    char *rem = strdup(path);
    if (!rem)
        return -ENOMEM;
    fds[0] = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
    if (fds[0] < 0) {
        r = -errno;
        free(rem);
        return r;
    }
    for (;;) {
        while (rem[pos] == '/')
            pos++;
        if (!rem[pos]) {
            /* Path ended on the current directory ("", ".", ".."): reopen it. */
            int fd = openat(fds[depth], ".", (oflags & ~O_NOFOLLOW) | O_CLOEXEC);
            r = fd < 0 ? -errno : 0;
            if (fd >= 0)
                *ret_fd = fd;
            break;
        }
        size_t s = pos;
        while (rem[pos] && rem[pos] != '/')
            pos++;
        size_t len = pos - s;
        char comp[256];
        if (len >= sizeof(comp)) {
            r = -ENAMETOOLONG;
            break;
        }
        memcpy(comp, rem + s, len);
        comp[len] = '\0';
        while (rem[pos] == '/')
            pos++;
        bool last = rem[pos] == '\0';
        if (strcmp(comp, ".") == 0)
            continue;
        if (strcmp(comp, "..") == 0) {
            if (depth > 0)
                hk_close(fds[depth--]);
            continue;
        }
        int fd = openat(fds[depth], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && mkdir_mode) {
            /* create the missing directory in its resolved parent, then open it without
             * following: a racing swap for a symlink fails instead of being followed */
            if (mkdirat(fds[depth], comp, mkdir_mode) < 0 && errno != EEXIST) {
                r = -errno;
                break;
            }
            fd = openat(fds[depth], comp, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
        }
        if (fd < 0) {
            r = -errno;
            break;
        }
        struct stat st;
        if (fstat(fd, &st) < 0) {
            r = -errno;
            close(fd);
            break;
        }
        if (S_ISLNK(st.st_mode) && !(last && nofollow)) {
            char target[4096];
            ssize_t tl = readlinkat(fd, "", target, sizeof(target) - 1);
            int e = errno;
            close(fd);
            if (tl < 0) {
                r = -e;
                break;
            }
            if (++links > MAX_SYMLINKS) {
                r = -ELOOP;
                break;
            }
            if (tl == 0) {
                r = -ENOENT;
                break;
            }
            target[tl] = '\0';
            size_t restlen = strlen(rem + pos);
            char *nrem = malloc((size_t)tl + restlen + 2);
            if (!nrem) {
                r = -ENOMEM;
                break;
            }
            memcpy(nrem, target, (size_t)tl);
            nrem[tl] = '/';
            memcpy(nrem + tl + 1, rem + pos, restlen + 1);
            free(rem);
            rem = nrem;
            pos = 0;
            if (target[0] == '/')
                while (depth > 0)
                    hk_close(fds[depth--]);
            continue;
        }
        if (last) {
            close(fd);
            fd = openat(fds[depth], comp, oflags | O_NOFOLLOW | O_CLOEXEC);
            r = fd < 0 ? -errno : 0;
            if (fd >= 0)
                *ret_fd = fd;
            break;
        }
        if (!S_ISDIR(st.st_mode)) {
            close(fd);
            r = -ENOTDIR;
            break;
        }
        if (depth + 1 >= MAX_DEPTH) {
            close(fd);
            r = -ENAMETOOLONG;
            break;
        }
        fds[++depth] = fd;
    }
    for (int i = 0; i <= depth; i++)
        hk_close(fds[i]);
    free(rem);
    return r;
}

/* ------------------------------------------------------------ public API */

int path_open_in_root(int root_fd, const char *path, int oflags, unsigned flags, int *ret_fd,
                      struct hk_err *err)
{
    bool nofollow = (flags & PATH_NOFOLLOW) || (oflags & O_NOFOLLOW);
    const char *p = path;
    while (*p == '/')
        p++;
    if (!*p)
        p = ".";
    if (!force_fallback && openat2_state >= 0) {
        int fd = sys_openat2(root_fd, p, oflags | (nofollow ? O_NOFOLLOW : 0),
                             RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        if (fd >= 0) {
            openat2_state = 1;
            *ret_fd = fd;
            return 0;
        }
        if (errno != ENOSYS)
            return hk_err_sys(err, errno, "open '%s' in container root", path);
        openat2_state = -1;
    }
    int fd = -EBADF;
    int r = walk_resolve(root_fd, p, oflags, nofollow, 0, &fd);
    if (r < 0)
        return hk_err_sys(err, -r, "open '%s' in container root", path);
    *ret_fd = fd;
    return 0;
}

/* Split off the last component of a cleaned relative path. */
static int split_last(const char *path, char **ret_parent, char **ret_name)
{
    _cleanup_free_ char *c = path_clean(path[0] == '/' ? path : path);
    if (!c)
        return -ENOMEM;
    char *s = c;
    while (*s == '/')
        s++;
    if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strncmp(s, "../", 3) == 0)
        return -EINVAL;
    char *slash = strrchr(s, '/');
    char *parent, *name;
    if (slash) {
        *slash = '\0';
        parent = strdup(s);
        name = strdup(slash + 1);
    } else {
        parent = strdup(".");
        name = strdup(s);
    }
    if (!parent || !name) {
        free(parent);
        free(name);
        return -ENOMEM;
    }
    *ret_parent = parent;
    *ret_name = name;
    return 0;
}

int path_mkdir_p_in_root(int root_fd, const char *path, mode_t mode, int *ret_fd,
                         struct hk_err *err)
{
    /* Fast path: it already exists. */
    int fd = -EBADF;
    struct hk_err tmp;
    if (path_open_in_root(root_fd, path, O_PATH | O_DIRECTORY, 0, &fd, &tmp) == 0) {
        *ret_fd = fd;
        return 0;
    }
    if (tmp.code != ENOENT)
        return hk_err_set(err, tmp.code, "%s", tmp.msg);
    /* Walk from the root creating what is missing; symlinks (dangling ones too) are
     * followed inside the root, as runc's MkdirAllInRoot does. */
    const char *p = path;
    while (*p == '/')
        p++;
    int r =
        walk_resolve(root_fd, *p ? p : ".", O_PATH | O_DIRECTORY, false, mode ? mode : 0755, &fd);
    if (r < 0)
        return hk_err_sys(err, -r, "mkdir '%s' in container root", path);
    *ret_fd = fd;
    return 0;
}

int path_open_parent_in_root(int root_fd, const char *path, bool mkdir_parents, int *ret_dirfd,
                             char **ret_name, struct hk_err *err)
{
    _cleanup_free_ char *parent = NULL, *name = NULL;
    int r = split_last(path, &parent, &name);
    if (r == -EINVAL)
        return hk_err_set(err, EINVAL, "'%s' has no file name", path);
    if (r < 0)
        return hk_err_set(err, -r, "out of memory");
    int dfd = -EBADF;
    if (mkdir_parents)
        r = path_mkdir_p_in_root(root_fd, parent, 0755, &dfd, err);
    else
        r = path_open_in_root(root_fd, parent, O_PATH | O_DIRECTORY, 0, &dfd, err);
    if (r < 0)
        return r;
    *ret_dirfd = dfd;
    *ret_name = TAKE_PTR(name);
    return 0;
}

int path_mkfile_in_root(int root_fd, const char *path, mode_t mode, int *ret_fd, struct hk_err *err)
{
    int fd = -EBADF;
    struct hk_err tmp;
    if (path_open_in_root(root_fd, path, O_PATH, PATH_NOFOLLOW, &fd, &tmp) == 0) {
        struct stat st;
        if (fstat(fd, &st) < 0) {
            int e = errno;
            close(fd);
            return hk_err_sys(err, e, "stat '%s' in container root", path);
        }
        if (S_ISLNK(st.st_mode)) {
            close(fd);
            return hk_err_set(err, ELOOP, "'%s' in container root is a symlink", path);
        }
        *ret_fd = fd;
        return 0;
    }
    if (tmp.code != ENOENT)
        return hk_err_set(err, tmp.code, "%s", tmp.msg);
    _cleanup_close_ int dfd = -EBADF;
    _cleanup_free_ char *name = NULL;
    int r = path_open_parent_in_root(root_fd, path, true, &dfd, &name, err);
    if (r < 0)
        return r;
    /* O_PATH dir fds cannot be used with openat(O_CREAT); reopen the dir for real. */
    _cleanup_close_ int wdir = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (wdir < 0)
        return hk_err_sys(err, errno, "open parent of '%s'", path);
    int cfd = openat(wdir, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);
    if (cfd < 0 && errno != EEXIST)
        return hk_err_sys(err, errno, "create '%s' in container root", path);
    if (cfd >= 0)
        close(cfd);
    fd = openat(wdir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return hk_err_sys(err, errno, "open '%s' in container root", path);
    *ret_fd = fd;
    return 0;
}
