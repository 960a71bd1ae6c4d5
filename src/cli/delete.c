#include <errno.h>

#include "cli/cli.h"
#include "container/container.h"
#include "core/err.h"

int cmd_delete(const struct cli_global *g, int argc, char **argv, struct hk_err *err)
{
    bool force = false;
    const struct cli_opt opts[] = {
        {"force", 'f', OPT_BOOL, &force, NULL,
         "forcibly deletes the container if it is still running (uses SIGKILL)"},
        {0},
    };
    bool help;
    int i = cli_parse("delete", opts, argc, argv, &help, err);
    if (i < 0)
        return i;
    if (help) {
        cli_print_help("delete", "<container-id>", "delete any resources held by the container",
                       opts);
        return 0;
    }
    int r = cli_nargs_exact("delete", argc - i, 1, err);
    if (r < 0)
        return r;
    r = container_delete(g->root, argv[i], force, err);
    /* like runc, --force on a container that does not exist is not an error */
    if (r == -ENOENT && force)
        return 0;
    return r;
}
