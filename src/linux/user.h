/* process.user: groups, gid, uid; HOME lookup in the container's /etc/passwd. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct hk_err;
struct spec_user;

/* setgroups(additionalGids) (skipped when setgroups is denied in a user namespace),
 * setresgid, setresuid. The caller set PR_SET_KEEPCAPS before. */
int user_switch(const struct spec_user *u, bool can_setgroups, struct hk_err *err);
/* Home directory of uid from <root>/etc/passwd (bounded read, no NSS); "/" if unknown. */
void user_home(int root_fd, uid_t uid, char *buf, size_t len);
/* Pure parser over passwd text; unit-tested. Returns 0 and fills buf, or -ENOENT. */
int user_home_from_passwd(const char *passwd, uid_t uid, char *buf, size_t len);
