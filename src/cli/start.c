#include "cli/cli.h"
#include "container/container.h"
#include "core/err.h"

int cmd_start(const struct cli_global *g, int argc, char **argv, struct hk_err *err)
{
    const struct cli_opt opts[] = {{0}};
    bool help;
    int i = cli_parse("start", opts, argc, argv, &help, err);
    if (i < 0)
        return i;
    if (help) {
        cli_print_help("start", "<container-id>",
                       "executes the user defined process in a created container", opts);
        return 0;
    }
    int r = cli_nargs_exact("start", argc - i, 1, err);
    if (r < 0)
        return r;
    return container_start(g->root, argv[i], err);
}
