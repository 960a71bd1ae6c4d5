#include "linux/ns.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fdutil.h"
#include "spec/names.h"

int ns_open_path(const char *path, enum spec_ns_type type, size_t idx, int *ret_fd,
                 struct hk_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hk_err_sys(err, errno, "linux.namespaces[%zu].path: open '%s'", idx, path);
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0 || sf.f_type != NSFS_MAGIC) {
        close(fd);
        return hk_err_set(err, EINVAL, "linux.namespaces[%zu].path: '%s' is not a namespace", idx,
                          path);
    }
    int t = ioctl(fd, NS_GET_NSTYPE);
    if (t >= 0 && (unsigned long)t != spec_ns_clone_flag(type)) {
        close(fd);
        return hk_err_set(err, EINVAL, "linux.namespaces[%zu].path: '%s' is not a %s namespace",
                          idx, path, spec_ns_name(type));
    }
    *ret_fd = fd;
    return 0;
}

int ns_join(int fd, enum spec_ns_type type, struct hk_err *err)
{
    if (setns(fd, (int)spec_ns_clone_flag(type)) < 0)
        return hk_err_sys(err, errno, "join %s namespace", spec_ns_name(type));
    return 0;
}

int ns_set_time_offsets(int proc_fd, const struct spec_time_offset *mono,
                        const struct spec_time_offset *boot, struct hk_err *err)
{
    char buf[128];
    int n = 0;
    if (mono->set)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, "monotonic %" PRId64 " %" PRIu32 "\n",
                      mono->secs, mono->nanosecs);
    if (boot->set)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, "boottime %" PRId64 " %" PRIu32 "\n",
                      boot->secs, boot->nanosecs);
    if (n == 0)
        return 0;
    int r = write_file_at(proc_fd, "self/timens_offsets", buf);
    if (r < 0)
        return hk_err_sys(err, -r, "linux.timeOffsets: write /proc/self/timens_offsets");
    return 0;
}
