#include "linux/user.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/err.h"
#include "core/fdutil.h"
#include "core/parse_num.h"
#include "path/path.h"
#include "spec/spec.h"

int user_switch(const struct spec_user *u, bool can_setgroups, struct hk_err *err)
{
    if (can_setgroups) {
        gid_t groups[1024];
        size_t n = u->n_additional_gids;
        if (n > HK_ARRAY_SIZE(groups))
            return hk_err_set(err, E2BIG, "process.user.additionalGids: too many groups");
        for (size_t i = 0; i < n; i++)
            groups[i] = (gid_t)u->additional_gids[i];
        if (setgroups(n, groups) < 0)
            return hk_err_sys(err, errno, "process.user.additionalGids: setgroups");
    } else if (u->n_additional_gids > 0) {
        return hk_err_set(err, EPERM,
                          "process.user.additionalGids: setgroups is denied in this user "
                          "namespace");
    }
    if (setresgid(u->gid, u->gid, u->gid) < 0)
        return hk_err_sys(err, errno, "process.user.gid: setresgid(%u)", u->gid);
    if (setresuid(u->uid, u->uid, u->uid) < 0)
        return hk_err_sys(err, errno, "process.user.uid: setresuid(%u)", u->uid);
    return 0;
}

int user_home_from_passwd(const char *passwd, uid_t uid, char *buf, size_t len)
{
    const char *line = passwd;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t ll = end ? (size_t)(end - line) : strlen(line);
        /* name:pw:uid:gid:gecos:home:shell */
        const char *f[7];
        size_t fl[7];
        size_t nf = 0;
        const char *p = line;
        while (nf < 7 && p <= line + ll) {
            const char *c = memchr(p, ':', (size_t)(line + ll - p));
            f[nf] = p;
            fl[nf] = c ? (size_t)(c - p) : (size_t)(line + ll - p);
            nf++;
            if (!c)
                break;
            p = c + 1;
        }
        if (nf >= 6 && fl[2] > 0 && fl[2] < 12) {
            char num[12];
            memcpy(num, f[2], fl[2]);
            num[fl[2]] = '\0';
            uint32_t v;
            if (parse_u32(num, &v) == 0 && v == uid && fl[5] > 0 && fl[5] < len) {
                memcpy(buf, f[5], fl[5]);
                buf[fl[5]] = '\0';
                return 0;
            }
        }
        line = end ? end + 1 : NULL;
    }
    return -ENOENT;
}

void user_home(int root_fd, uid_t uid, char *buf, size_t len)
{
    snprintf(buf, len, "/");
    struct hk_err ignored;
    _cleanup_close_ int fd = -EBADF;
    if (path_open_in_root(root_fd, "/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY, 0, &fd,
                          &ignored) < 0)
        return;
    _cleanup_free_ char *data = NULL;
    if (read_fd_all(fd, 1u << 20, &data, NULL) < 0)
        return;
    (void)user_home_from_passwd(data, uid, buf, len);
}
