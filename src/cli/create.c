#include <stdio.h>

#include "cli/cli.h"
#include "container/container.h"
#include "core/err.h"

#define CREATE_OPTS(o)                                                                             \
    {"bundle",   'b',                                                                              \
     OPT_STRING, &(o).bundle,                                                                      \
     "value",    "path to the root of the bundle directory, defaults to the current directory"},   \
        {"console-socket",                                                                         \
         0,                                                                                        \
         OPT_STRING,                                                                               \
         &(o).console_socket,                                                                      \
         "value",                                                                                  \
         "path to an AF_UNIX socket which will receive the console's pseudoterminal master"},      \
        {"pid-file",    0,       OPT_STRING,                                                       \
         &(o).pid_file, "value", "specify the file to write the process id to"},                   \
        {"no-pivot",    0,    OPT_BOOL,                                                            \
         &(o).no_pivot, NULL, "do not use pivot root to jail process inside rootfs"},              \
        {"no-new-keyring",    0,    OPT_BOOL,                                                      \
         &(o).no_new_keyring, NULL, "do not create a new session keyring for the container"},      \
    {                                                                                              \
        "preserve-fds", 0, OPT_UINT, &(o).preserve_fds, "value",                                   \
            "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N)"        \
    }

int cmd_create(const struct cli_global *g, int argc, char **argv, struct hk_err *err)
{
    struct hk_create_opts o = {.root = g->root, .systemd_cgroup = g->systemd_cgroup};
    const struct cli_opt opts[] = {CREATE_OPTS(o), {0}};
    bool help;
    int i = cli_parse("create", opts, argc, argv, &help, err);
    if (i < 0)
        return i;
    if (help) {
        cli_print_help("create", "<container-id>", "create a container", opts);
        return 0;
    }
    int r = cli_nargs_exact("create", argc - i, 1, err);
    if (r < 0)
        return r;
    o.id = argv[i];
    return container_create(&o, err);
}

int cmd_run(const struct cli_global *g, int argc, char **argv, struct hk_err *err)
{
    struct hk_create_opts o = {.root = g->root, .systemd_cgroup = g->systemd_cgroup};
    const struct cli_opt opts[] = {
        CREATE_OPTS(o),
        {"detach", 'd', OPT_BOOL, &o.detach, NULL, "detach from the container's process"},
        {"keep", 0, OPT_BOOL, &o.keep, NULL, "do not delete the container after it exits"},
        {"no-subreaper", 0, OPT_BOOL, &o.no_subreaper, NULL,
         "disable the use of the subreaper used to reap reparented processes"},
        {0},
    };
    bool help;
    int i = cli_parse("run", opts, argc, argv, &help, err);
    if (i < 0)
        return i;
    if (help) {
        cli_print_help("run", "<container-id>", "create and run a container", opts);
        return 0;
    }
    int r = cli_nargs_exact("run", argc - i, 1, err);
    if (r < 0)
        return r;
    o.id = argv[i];
    int status = 0;
    r = container_run(&o, &status, err);
    if (r < 0)
        return r;
    return status; /* the container's exit status becomes ours */
}
