/*
 * probe: a static binary the integration tests copy into container images. It prints, as
 * one JSON object on stdout, what the container process sees of itself:
 *   pid ppid uid gid euid egid groups umask cwd hostname domainname
 *   cap_inh cap_prm cap_eff cap_bnd cap_amb (hex strings) no_new_privs seccomp
 *   fds [{fd, target}] (from /proc/self/fd; the probe's own directory fd excluded)
 *   rlimits {NAME: [soft, hard]}  (-1 for infinity)
 *   cgroup (raw /proc/self/cgroup) oom_score_adj
 *   env [...]
 * `probe sleep N` sleeps N seconds first (so tests can inspect it from the host), and
 * `probe exit N` exits with N without printing.
 * No unit test: it is itself test tooling.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

extern char **environ;

static void jstr(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void file_field(const char *key, const char *path)
{
    char buf[8192];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = '\0';
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    printf(",\"%s\":", key);
    jstr(buf);
}

static void status_field(const char *key, const char *name)
{
    char buf[8192];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = '\0';
    char *p = strstr(buf, name);
    char val[64] = "";
    if (p) {
        p += strlen(name);
        while (*p == ':' || *p == '\t' || *p == ' ')
            p++;
        size_t i = 0;
        while (p[i] && p[i] != '\n' && i < sizeof(val) - 1) {
            val[i] = p[i];
            i++;
        }
        val[i] = '\0';
    }
    printf(",\"%s\":", key);
    jstr(val);
}

static const struct {
    const char *name;
    int res;
} rl[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},           {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},         {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},   {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},       {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},     {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "exit") == 0)
        return atoi(argv[2]);
    if (argc >= 3 && strcmp(argv[1], "sleep") == 0)
        sleep((unsigned)atoi(argv[2]));

    printf("{\"pid\":%d,\"ppid\":%d,\"uid\":%u,\"gid\":%u,\"euid\":%u,\"egid\":%u", getpid(),
           getppid(), getuid(), getgid(), geteuid(), getegid());
    gid_t groups[256];
    int ng = getgroups(256, groups);
    printf(",\"groups\":[");
    for (int i = 0; i < ng; i++)
        printf("%s%u", i ? "," : "", groups[i]);
    printf("]");
    mode_t um = umask(0);
    umask(um);
    printf(",\"umask\":%u", (unsigned)um);
    char cwd[4096];
    printf(",\"cwd\":");
    jstr(getcwd(cwd, sizeof(cwd)) ? cwd : "");
    struct utsname u;
    uname(&u);
    printf(",\"hostname\":");
    jstr(u.nodename);
    printf(",\"domainname\":");
    jstr(u.domainname);
    status_field("cap_inh", "CapInh");
    status_field("cap_prm", "CapPrm");
    status_field("cap_eff", "CapEff");
    status_field("cap_bnd", "CapBnd");
    status_field("cap_amb", "CapAmb");
    status_field("no_new_privs", "NoNewPrivs");
    status_field("seccomp", "Seccomp");
    file_field("cgroup", "/proc/self/cgroup");
    file_field("oom_score_adj", "/proc/self/oom_score_adj");

    printf(",\"fds\":[");
    DIR *d = opendir("/proc/self/fd");
    int own = d ? dirfd(d) : -1;
    int first = 1;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        int fd = atoi(de->d_name);
        if (fd == own)
            continue;
        char link[4096], tgt[4096];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, tgt, sizeof(tgt) - 1);
        tgt[n > 0 ? n : 0] = '\0';
        printf("%s{\"fd\":%d,\"target\":", first ? "" : ",", fd);
        jstr(tgt);
        printf("}");
        first = 0;
    }
    if (d)
        closedir(d);
    printf("]");

    printf(",\"rlimits\":{");
    for (size_t i = 0; i < sizeof(rl) / sizeof(rl[0]); i++) {
        struct rlimit r;
        getrlimit(rl[i].res, &r);
        printf("%s\"%s\":[%lld,%lld]", i ? "," : "", rl[i].name,
               r.rlim_cur == RLIM_INFINITY ? -1LL : (long long)r.rlim_cur,
               r.rlim_max == RLIM_INFINITY ? -1LL : (long long)r.rlim_max);
    }
    printf("}");

    printf(",\"env\":[");
    for (char **e = environ; e && *e; e++) {
        printf("%s", e == environ ? "" : ",");
        jstr(*e);
    }
    printf("]}\n");
    return 0;
}
