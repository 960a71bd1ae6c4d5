#include "linux/userns.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "core/err.h"
#include "core/fdutil.h"
#include "spec/spec.h"

int userns_format_map(const struct spec_idmap *m, size_t n, char *buf, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(buf + o, len - o, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
                         m[i].container_id, m[i].host_id, m[i].size);
        if (w < 0 || (size_t)w >= len - o)
            return -E2BIG;
        o += (size_t)w;
    }
    return (int)o;
}

static int write_map(int proc_fd, pid_t pid, const char *file, const struct spec_idmap *m, size_t n,
                     struct hk_err *err)
{
    char buf[340 * 36 + 1];
    if (userns_format_map(m, n, buf, sizeof(buf)) < 0)
        return hk_err_set(err, E2BIG, "linux.%s: too many mappings",
                          file[0] == 'u' ? "uidMappings" : "gidMappings");
    char path[64];
    snprintf(path, sizeof(path), "%d/%s", (int)pid, file);
    int r = write_file_at(proc_fd, path, buf);
    if (r < 0)
        return hk_err_sys(err, -r, "linux.%s: write /proc/%d/%s",
                          file[0] == 'u' ? "uidMappings" : "gidMappings", (int)pid, file);
    return 0;
}

int userns_write_maps(int proc_fd, pid_t pid, const struct spec_idmap *uids, size_t n_uids,
                      const struct spec_idmap *gids, size_t n_gids, struct hk_err *err)
{
    int r = write_map(proc_fd, pid, "uid_map", uids, n_uids, err);
    if (r < 0)
        return r;
    return write_map(proc_fd, pid, "gid_map", gids, n_gids, err);
}
