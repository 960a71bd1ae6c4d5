#include <errno.h>
#include <signal.h>

#include "cli/cli.h"
#include "container/container.h"
#include "core/err.h"
#include "spec/names.h"

int cmd_kill(const struct cli_global *g, int argc, char **argv, struct hk_err *err)
{
    bool all = false;
    const struct cli_opt opts[] = {
        {"all", 'a', OPT_BOOL, &all, NULL,
         "send the specified signal to all processes inside the container"},
        {0},
    };
    bool help;
    int i = cli_parse("kill", opts, argc, argv, &help, err);
    if (i < 0)
        return i;
    if (help) {
        cli_print_help("kill", "<container-id> [signal]",
                       "kill sends the specified signal (default: SIGTERM) to the container's "
                       "init process",
                       opts);
        return 0;
    }
    int r = cli_nargs_min("kill", argc - i, 1, err);
    if (r < 0)
        return r;
    if (argc - i > 2)
        return hk_err_set(err, EINVAL, "husk: \"kill\" requires a maximum of 2 argument(s)");
    int sig = SIGTERM;
    if (argc - i == 2) {
        sig = spec_signal_from_name(argv[i + 1]);
        if (sig <= 0)
            return hk_err_set(err, EINVAL, "unknown signal \"%s\"", argv[i + 1]);
    }
    return container_kill(g->root, argv[i], sig, all, err);
}
