#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "container/container.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/fdutil.h"
#include "core/json_out.h"

int cmd_state(const struct cli_global *g, int argc, char **argv, struct hk_err *err)
{
    const struct cli_opt opts[] = {{0}};
    bool help;
    int i = cli_parse("state", opts, argc, argv, &help, err);
    if (i < 0)
        return i;
    if (help) {
        cli_print_help("state", "<container-id>", "output the state of a container", opts);
        return 0;
    }
    int r = cli_nargs_exact("state", argc - i, 1, err);
    if (r < 0)
        return r;
    struct hk_view v;
    if ((r = container_view(g->root, argv[i], &v, err)) < 0)
        return r;
    _cleanup_buf_ struct hk_buf b = HK_BUF_INIT;
    struct json_out j;
    json_out_init(&j, &b, "  ");
    output_state_json(&j, &v, "");
    container_view_clear(&v);
    if (buf_status(&b) < 0)
        return hk_err_set(err, ENOMEM, "out of memory");
    /* like runc: indented, no trailing newline */
    if ((r = write_all(STDOUT_FILENO, b.data, b.len)) < 0)
        return hk_err_sys(err, -r, "write state");
    return 0;
}
