#include <errno.h>
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

/* Go's text/tabwriter as runc configures it: minwidth 12, padding 3, the last column
 * unpadded. */
static void table(struct hk_buf *b, char *const *cells, size_t rows, size_t cols)
{
    size_t width[16] = {0};
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c + 1 < cols; c++) {
            size_t l = strlen(cells[r * cols + c]) + 3;
            if (l < 12)
                l = 12;
            if (l > width[c])
                width[c] = l;
        }
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < cols; c++) {
            const char *s = cells[r * cols + c];
            buf_puts(b, s);
            if (c + 1 < cols)
                for (size_t k = strlen(s); k < width[c]; k++)
                    buf_putc(b, ' ');
        }
        buf_putc(b, '\n');
    }
}

int cmd_list(const struct cli_global *g, int argc, char **argv, struct hk_err *err)
{
    const char *format = "table";
    bool quiet = false;
    const struct cli_opt opts[] = {
        {"format", 'f', OPT_STRING, &format, "value", "select one of: table or json"},
        {"quiet", 'q', OPT_BOOL, &quiet, NULL, "display only container IDs"},
        {0},
    };
    bool help;
    int i = cli_parse("list", opts, argc, argv, &help, err);
    if (i < 0)
        return i;
    if (help) {
        cli_print_help("list", "", "lists containers started by husk with the given root", opts);
        return 0;
    }
    int r = cli_nargs_exact("list", argc - i, 0, err);
    if (r < 0)
        return r;
    bool json = strcmp(format, "json") == 0;
    if (!json && strcmp(format, "table") != 0)
        return hk_err_set(err, EINVAL, "invalid format option");
    struct hk_view *v = NULL;
    size_t n = 0;
    if ((r = container_list(g->root, &v, &n, err)) < 0)
        return r;
    _cleanup_buf_ struct hk_buf b = HK_BUF_INIT;
    unsigned last_uid = ~0u;
    char owner[256] = "";
    if (quiet) {
        for (size_t k = 0; k < n; k++) {
            buf_puts(&b, v[k].st.id);
            buf_putc(&b, '\n');
        }
    } else if (json) {
        if (n == 0) {
            buf_puts(&b, "null\n");
        } else {
            struct json_out j;
            json_out_init(&j, &b, NULL);
            json_arr_begin(&j);
            for (size_t k = 0; k < n; k++) {
                if (v[k].owner_uid != last_uid) {
                    output_owner_name(v[k].owner_uid, owner, sizeof(owner));
                    last_uid = v[k].owner_uid;
                }
                output_state_json(&j, &v[k], owner);
            }
            json_arr_end(&j);
            buf_putc(&b, '\n');
        }
    } else {
        size_t cols = 6;
        char **cells = calloc((n + 1) * cols, sizeof(char *));
        char(*pid)[16] = calloc(n + 1, 16);
        char(*own)[256] = calloc(n + 1, 256);
        if (!cells || !pid || !own) {
            free(cells);
            free(pid);
            free(own);
            r = hk_err_set(err, ENOMEM, "out of memory");
            goto out;
        }
        static char hdr[6][8] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
        for (size_t c = 0; c < cols; c++)
            cells[c] = hdr[c];
        for (size_t k = 0; k < n; k++) {
            char **row = cells + (k + 1) * cols;
            snprintf(pid[k], 16, "%d", v[k].status == HK_STOPPED ? 0 : (int)v[k].st.pid);
            if (v[k].owner_uid != last_uid) {
                output_owner_name(v[k].owner_uid, owner, sizeof(owner));
                last_uid = v[k].owner_uid;
            }
            snprintf(own[k], 256, "%s", owner);
            row[0] = v[k].st.id;
            row[1] = pid[k];
            row[2] = (char *)container_status_name(v[k].status);
            row[3] = v[k].st.bundle;
            row[4] = v[k].st.created;
            row[5] = own[k];
        }
        table(&b, cells, n + 1, cols);
        free(cells);
        free(pid);
        free(own);
    }
    if (buf_status(&b) < 0)
        r = hk_err_set(err, ENOMEM, "out of memory");
    else if ((r = write_all(STDOUT_FILENO, b.data, b.len)) < 0)
        r = hk_err_sys(err, -r, "write list");
out:
    for (size_t k = 0; k < n; k++)
        container_view_clear(&v[k]);
    free(v);
    return r;
}
