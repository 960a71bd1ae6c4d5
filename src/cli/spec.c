#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/err.h"
#include "core/fdutil.h"
#include "spec/spec.h"

int cmd_spec(const struct cli_global *g, int argc, char **argv, struct hk_err *err)
{
    const char *bundle = NULL;
    bool rootless = false;
    const struct cli_opt opts[] = {
        {"bundle", 'b', OPT_STRING, &bundle, "value", "path to the root of the bundle directory"},
        {"rootless", 0, OPT_BOOL, &rootless, NULL,
         "generate a configuration for a rootless container"},
        {0},
    };
    (void)g;
    bool help;
    int i = cli_parse("spec", opts, argc, argv, &help, err);
    if (i < 0)
        return i;
    if (help) {
        cli_print_help("spec", "", "create a new specification file", opts);
        return 0;
    }
    int r = cli_nargs_exact("spec", argc - i, 0, err);
    if (r < 0)
        return r;
    _cleanup_close_ int dfd = open(bundle ? bundle : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return hk_err_sys(err, errno, "bundle '%s'", bundle ? bundle : ".");
    _cleanup_free_ char *rl = NULL;
    const char *text = spec_default_json(false);
    if (rootless) {
        /* like runc: the caller's ids are the mapping's host side */
        if ((r = spec_default_rootless_json(geteuid(), getegid(), &rl)) < 0)
            return hk_err_set(err, -r, "out of memory");
        text = rl;
    }
    _cleanup_close_ int fd =
        openat(dfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0) {
        if (errno == EEXIST)
            return hk_err_set(err, EEXIST, "File config.json exists. Remove it first");
        return hk_err_sys(err, errno, "create config.json");
    }
    if ((r = write_all(fd, text, strlen(text))) < 0)
        return hk_err_sys(err, -r, "write config.json");
    return 0;
}
