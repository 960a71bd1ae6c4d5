#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/err.h"
#include "core/parse_num.h"

static const struct cli_opt *find(const struct cli_opt *opts, const char *name, size_t len)
{
    for (const struct cli_opt *o = opts; o && o->name; o++) {
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
        if (len == 1 && o->short_name && o->short_name == name[0])
            return o;
    }
    return NULL;
}

static int parse_bool(const char *v, bool *ret)
{
    if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "t") || !strcmp(v, "T") ||
        !strcmp(v, "TRUE") || !strcmp(v, "True"))
        *ret = true;
    else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "f") || !strcmp(v, "F") ||
             !strcmp(v, "FALSE") || !strcmp(v, "False"))
        *ret = false;
    else
        return -EINVAL;
    return 0;
}

int cli_parse(const char *cmd, const struct cli_opt *opts, int argc, char **argv, bool *ret_help,
              struct hk_err *err)
{
    *ret_help = false;
    int i = 0;
    while (i < argc) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0')
            break;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        const char *name = a + 1;
        if (*name == '-')
            name++;
        if (*name == '-' || *name == '=')
            return hk_err_set(err, EINVAL, "bad flag syntax: %s", a);
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        if ((len == 4 && strncmp(name, "help", 4) == 0) || (len == 1 && name[0] == 'h')) {
            *ret_help = true;
            return i + 1;
        }
        const struct cli_opt *o = find(opts, name, len);
        if (!o)
            return hk_err_set(err, EINVAL, "flag provided but not defined: -%.*s", (int)len, name);
        i++;
        if (o->kind == OPT_BOOL) {
            bool v = true;
            if (eq && parse_bool(eq + 1, &v) < 0)
                return hk_err_set(err, EINVAL,
                                  "invalid boolean value \"%s\" for -%s: parse "
                                  "error",
                                  eq + 1, o->name);
            *(bool *)o->dest = v;
            continue;
        }
        const char *val;
        if (eq) {
            val = eq + 1;
        } else {
            if (i >= argc)
                return hk_err_set(err, EINVAL, "flag needs an argument: -%s", o->name);
            val = argv[i++];
        }
        if (o->kind == OPT_STRING) {
            *(const char **)o->dest = val;
        } else {
            uint32_t v;
            if (parse_u32(val, &v) < 0)
                return hk_err_set(err, EINVAL, "invalid value \"%s\" for flag -%s: parse error",
                                  val, o->name);
            *(unsigned *)o->dest = v;
        }
    }
    (void)cmd;
    return i;
}

void cli_print_help(const char *cmd, const char *args, const char *summary,
                    const struct cli_opt *opts)
{
    printf("NAME:\n   husk %s - %s\n\nUSAGE:\n   husk %s%s%s%s\n", cmd, summary, cmd,
           opts && opts->name ? " [command options]" : "", args && *args ? " " : "",
           args ? args : "");
    if (opts && opts->name) {
        printf("\nOPTIONS:\n");
        for (const struct cli_opt *o = opts; o->name; o++) {
            char left[64];
            if (o->short_name)
                snprintf(left, sizeof(left), "--%s%s%s, -%c%s%s", o->name, o->meta ? " " : "",
                         o->meta ? o->meta : "", o->short_name, o->meta ? " " : "",
                         o->meta ? o->meta : "");
            else
                snprintf(left, sizeof(left), "--%s%s%s", o->name, o->meta ? " " : "",
                         o->meta ? o->meta : "");
            printf("   %-28s %s\n", left, o->help);
        }
    }
}

int cli_nargs_exact(const char *cmd, int have, int want, struct hk_err *err)
{
    if (have != want)
        return hk_err_set(err, EINVAL, "husk: \"%s\" requires exactly %d argument(s)", cmd, want);
    return 0;
}

int cli_nargs_min(const char *cmd, int have, int want, struct hk_err *err)
{
    if (have < want)
        return hk_err_set(err, EINVAL, "husk: \"%s\" requires a minimum of %d argument(s)", cmd,
                          want);
    return 0;
}
