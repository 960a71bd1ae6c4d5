/* bench/spawn.c — tiny launcher used by bench/run to time one runtime command.
 *
 * Why a C launcher: ru_maxrss of a process is at least the high-water RSS of
 * the address space it had before execve().  A child forked (or vforked) from
 * the Python harness therefore reports >= Python's ~15 MB, hiding the real
 * peak RSS of the runtimes.  This launcher is built static and small, so the
 * floor it adds is a few hundred KB (bench/run measures and prints it).
 *
 * usage: spawn RESULT_FILE TIMEOUT_SECONDS PROGRAM [ARG...]
 *
 * It becomes a child subreaper, vforks+execs PROGRAM (stdio inherited; in its
 * own process group, killed with SIGKILL after TIMEOUT_SECONDS), and
 * wait4()s for it: wall time is CLOCK_MONOTONIC from just before vfork() to
 * just after wait4() returned; user/sys/maxrss come from that wait4() rusage,
 * i.e. the program plus every descendant it waited for.  Descendants that got
 * orphaned (reparented to this launcher) and already exited are reaped right
 * after and reported separately; ones still running are inherited by the
 * next subreaper up (bench/run) when this launcher exits.
 *
 * RESULT_FILE gets one line:
 *   status wall_ns utime_us stime_us maxrss_kb orphans orphan_cpu_us orphan_maxrss_kb timed_out
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t child;
static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
    (void)sig;
    timed_out = 1;
    if (child > 0)
        kill(-child, SIGKILL); /* its process group: wrappers' children too */
}

static long long tv_us(struct timeval tv)
{
    return (long long)tv.tv_sec * 1000000LL + tv.tv_usec;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s RESULT_FILE TIMEOUT_SECONDS PROGRAM [ARG...]\n", argv[0]);
        return 125;
    }
    const char *result = argv[1];
    double timeout = atof(argv[2]);
    char **cmd = argv + 3;

    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        perror("spawn: prctl(PR_SET_CHILD_SUBREAPER)");
        return 125;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: wait4 returns EINTR, we loop */
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it;
    memset(&it, 0, sizeof it);
    it.it_value.tv_sec = (time_t)timeout;
    it.it_value.tv_usec = (suseconds_t)((timeout - (double)(time_t)timeout) * 1e6);

    struct timespec t0, t1;
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);

    setitimer(ITIMER_REAL, &it, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = vfork();
    if (pid < 0) {
        perror("spawn: vfork");
        return 125;
    }
    if (pid == 0) {
        setpgid(0, 0); /* own process group, so a timeout can kill it whole */
        execv(cmd[0], cmd);
        _exit(127);
    }
    child = pid;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("spawn: wait4");
            return 125;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);

    int orphans = 0;
    long long ocpu = 0, orss = 0;
    for (;;) {
        int st;
        struct rusage oru;
        pid_t p = wait4(-1, &st, WNOHANG | __WALL, &oru);
        if (p <= 0)
            break;
        orphans++;
        ocpu += tv_us(oru.ru_utime) + tv_us(oru.ru_stime);
        if (oru.ru_maxrss > orss)
            orss = oru.ru_maxrss;
    }

    FILE *f = fopen(result, "w");
    if (!f) {
        perror("spawn: result file");
        return 125;
    }
    long long wall = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    fprintf(f, "%d %lld %lld %lld %ld %d %lld %lld %d\n", status, wall, tv_us(ru.ru_utime),
            tv_us(ru.ru_stime), ru.ru_maxrss, orphans, ocpu, orss, (int)timed_out);
    if (fclose(f) != 0) {
        perror("spawn: result file");
        return 125;
    }
    return 0;
}
