/* husk: global flags, command table, exit code. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/err.h"
#include "core/log.h"
#include "spec/spec.h"
#include "state/dir.h"
#include "version.h"

#ifndef HUSK_VERSION
#define HUSK_VERSION "0.0.0"
#endif

static const struct cli_cmd commands[] = {
    {"checkpoint", "<container-id>", "checkpoint a running container", NULL},
    {"create", "<container-id>", "create a container", cmd_create},
    {"delete", "<container-id>", "delete any resources held by the container", cmd_delete},
    {"events", "<container-id>", "display container events and statistics", NULL},
    {"exec", "<container-id> <command> [command options]",
     "execute new process inside the container", NULL},
    {"features", "", "show the enabled features", NULL},
    {"kill", "<container-id> [signal]",
     "kill sends the specified signal (default: SIGTERM) to the container's init process",
     cmd_kill},
    {"list", "", "lists containers started by husk with the given root", cmd_list},
    {"pause", "<container-id>", "pause suspends all processes inside the container", NULL},
    {"ps", "<container-id>", "ps displays the processes running inside a container", NULL},
    {"restore", "<container-id>", "restore a container from a previous checkpoint", NULL},
    {"resume", "<container-id>", "resumes all processes that have been previously paused", NULL},
    {"run", "<container-id>", "create and run a container", cmd_run},
    {"spec", "", "create a new specification file", cmd_spec},
    {"start", "<container-id>", "executes the user defined process in a created container",
     cmd_start},
    {"state", "<container-id>", "output the state of a container", cmd_state},
    {"update", "<container-id>", "update container resource constraints", NULL},
};

static void print_version(void)
{
    printf("husk version %s\ncommit: %s\nspec: %s\n", HUSK_VERSION, HUSK_COMMIT, SPEC_OCI_VERSION);
}

static void print_help(void)
{
    printf("NAME:\n   husk - Open Container Initiative runtime\n\n"
           "husk runs containers from OCI bundles and is called exactly as runc is.\n\n"
           "USAGE:\n   husk [global options] command [command options] [arguments...]\n\n"
           "VERSION:\n   %s\n\nCOMMANDS:\n",
           HUSK_VERSION);
    for (size_t i = 0; i < HK_ARRAY_SIZE(commands); i++)
        printf("   %-11s %s%s\n", commands[i].name, commands[i].summary,
               commands[i].run ? "" : " (not implemented yet)");
    printf("   %-11s %s\n", "help, h", "Shows a list of commands or help for one command");
    printf("\nGLOBAL OPTIONS:\n"
           "   --debug             enable debug logging\n"
           "   --log value         set the log file to write husk logs to (default is "
           "'/dev/stderr')\n"
           "   --log-format value  set the log format ('text' (default), or 'json')\n"
           "   --root value        root directory for storage of container state (default: "
           "\"" STATE_DEFAULT_ROOT "\")\n"
           "   --systemd-cgroup    enable systemd cgroup support (not implemented yet)\n"
           "   --rootless value    ignore cgroup permission errors ('true', 'false', or 'auto') "
           "(only 'false' and 'auto' as root are supported)\n"
           "   --help, -h          show help\n"
           "   --version, -v       print the version\n");
}

static int fail(const struct hk_err *err)
{
    log_error("%s", err->msg);
    if (log_to_file())
        fprintf(stderr, "%s\n", err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    struct cli_global g = {.root = STATE_DEFAULT_ROOT, .log_format = LOG_TEXT, .rootless = "auto"};
    const char *log_format = "text";
    const char *criu = NULL;
    bool version = false;
    const struct cli_opt gopts[] = {
        {"root", 0, OPT_STRING, &g.root, "value", "root directory for storage of container state"},
        {"log", 0, OPT_STRING, &g.log, "value", "log file"},
        {"log-format", 0, OPT_STRING, &log_format, "value", "text or json"},
        {"debug", 0, OPT_BOOL, &g.debug, NULL, "enable debug logging"},
        {"systemd-cgroup", 0, OPT_BOOL, &g.systemd_cgroup, NULL, "systemd cgroup driver"},
        {"rootless", 0, OPT_STRING, &g.rootless, "value", "true, false or auto"},
        {"criu", 0, OPT_STRING, &criu, "value", "obsolete, ignored"},
        {"version", 'v', OPT_BOOL, &version, NULL, "print the version"},
        {0},
    };
    struct hk_err err = {0};
    bool help = false;
    int i = cli_parse("", gopts, argc - 1, argv + 1, &help, &err);
    if (strcmp(log_format, "json") == 0)
        g.log_format = LOG_JSON;
    else if (strcmp(log_format, "text") != 0 && i >= 0)
        i = hk_err_set(&err, EINVAL, "invalid log-format: %s", log_format);
    if (i < 0)
        return fail(&err);
    i += 1;
    if (version) {
        print_version();
        return 0;
    }
    if (log_open(g.log, g.log_format, g.debug, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    if (help || i >= argc) {
        print_help();
        return 0;
    }
    const char *name = argv[i];
    if (strcmp(name, "help") == 0 || strcmp(name, "h") == 0) {
        print_help();
        return 0;
    }
    if (criu)
        log_warn("--criu is obsolete and ignored");
    if (strcmp(g.rootless, "true") == 0) {
        hk_err_set(&err, ENOTSUP, "--rootless: rootless containers are not supported by husk yet");
        return fail(&err);
    }
    if (strcmp(g.rootless, "false") != 0 && strcmp(g.rootless, "auto") != 0) {
        hk_err_set(&err, EINVAL, "invalid --rootless value: %s", g.rootless);
        return fail(&err);
    }
    for (size_t k = 0; k < HK_ARRAY_SIZE(commands); k++) {
        if (strcmp(commands[k].name, name) != 0)
            continue;
        if (!commands[k].run) {
            hk_err_set(&err, ENOSYS, "husk: '%s' is not implemented yet", name);
            return fail(&err);
        }
        if (geteuid() != 0 && strcmp(name, "spec") != 0) {
            hk_err_set(&err, EPERM, "husk must run as root (rootless mode is not implemented yet)");
            return fail(&err);
        }
        int r = commands[k].run(&g, argc - i - 1, argv + i + 1, &err);
        if (r < 0)
            return fail(&err);
        return r;
    }
    hk_err_set(&err, EINVAL, "No help topic for '%s'", name);
    fail(&err);
    return 3; /* runc (urfave/cli) exits 3 for an unknown command */
}
