/* Command-line parsing in runc's style (Go flag rules: -name and --name, "=value" or a
 * separate argument, booleans take "=true|false", parsing stops at the first argument
 * that is not a flag or at "--"), and the command table.
 * No unit test: flag parsing is checked end to end by tests/integration/test_cli.py.
 */
#pragma once

#include <stdbool.h>

#include "core/log.h"

struct hk_err;

enum cli_opt_kind { OPT_BOOL, OPT_STRING, OPT_UINT };

struct cli_opt {
    const char *name; /* long name */
    char short_name;  /* 0: none */
    enum cli_opt_kind kind;
    void *dest;       /* bool *, const char **, unsigned * */
    const char *meta; /* "value" shown in help */
    const char *help;
};

struct cli_global {
    const char *root;
    const char *log;
    enum log_format log_format;
    bool debug;
    bool systemd_cgroup;
    const char *rootless;
};

struct cli_cmd {
    const char *name;
    const char *args; /* usage after the options, e.g. "<container-id>" */
    const char *summary;
    int (*run)(const struct cli_global *g, int argc, char **argv, struct hk_err *err);
};

/* Parse options from argv[0..argc); returns the index of the first positional argument.
 * `--help`/`-h` sets *ret_help. */
int cli_parse(const char *cmd, const struct cli_opt *opts, int argc, char **argv, bool *ret_help,
              struct hk_err *err);
void cli_print_help(const char *cmd, const char *args, const char *summary,
                    const struct cli_opt *opts);
/* "requires exactly N argument(s)" checks with runc's wording. */
int cli_nargs_exact(const char *cmd, int have, int want, struct hk_err *err);
int cli_nargs_min(const char *cmd, int have, int want, struct hk_err *err);

/* Commands return a negative errno with err set, or the exit code (0; the container's
 * status for a foreground run). */
int cmd_create(const struct cli_global *g, int argc, char **argv, struct hk_err *err);
int cmd_run(const struct cli_global *g, int argc, char **argv, struct hk_err *err);
int cmd_start(const struct cli_global *g, int argc, char **argv, struct hk_err *err);
int cmd_state(const struct cli_global *g, int argc, char **argv, struct hk_err *err);
int cmd_list(const struct cli_global *g, int argc, char **argv, struct hk_err *err);
int cmd_kill(const struct cli_global *g, int argc, char **argv, struct hk_err *err);
int cmd_delete(const struct cli_global *g, int argc, char **argv, struct hk_err *err);
int cmd_spec(const struct cli_global *g, int argc, char **argv, struct hk_err *err);
