/* /dev inside the container: default devices, linux.devices, standard symlinks.
 * No unit test: mknod needs root in a mount namespace; covered by tests/integration/test_rootfs.py.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct hk_err;
struct spec_device;

/* runc's default devices (null zero full random urandom tty) with mode 0666, the /dev/fd,
 * stdin/stdout/stderr, ptmx (and core if the host has /proc/kcore) symlinks. In a user
 * namespace the nodes are bind mounts of the host's devices (mknod is not allowed). */
int dev_setup_default(int root_fd, bool userns, struct hk_err *err);
/* linux.devices[idx] */
int dev_create(int root_fd, const struct spec_device *d, size_t idx, bool userns,
               struct hk_err *err);
