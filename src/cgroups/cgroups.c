#include "cgroups/cgroups.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/devices.h"
#include "core/err.h"
#include "core/fdutil.h"
#include "core/log.h"
#include "core/parse_num.h"
#include "path/path.h"
#include "spec/spec.h"
#include "state/state_json.h"

static const struct {
    const char *name;
    unsigned bit;
} ctrl_names[] = {
    {"cpu", CG_CPU},         {"cpuacct", CG_CPUACCT},   {"cpuset", CG_CPUSET},
    {"memory", CG_MEMORY},   {"devices", CG_DEVICES},   {"freezer", CG_FREEZER},
    {"blkio", CG_BLKIO},     {"pids", CG_PIDS},         {"hugetlb", CG_HUGETLB},
    {"net_cls", CG_NET_CLS}, {"net_prio", CG_NET_PRIO}, {"perf_event", CG_PERF_EVENT},
    {"rdma", CG_RDMA},       {"misc", CG_MISC},         {"io", CG_IO},
};

static unsigned ctrl_mask_of(const char *list)
{
    unsigned mask = 0;
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n > 5 && strncmp(p, "name=", 5) == 0)
            mask |= CG_NAMED;
        for (size_t i = 0; i < HK_ARRAY_SIZE(ctrl_names); i++)
            if (strlen(ctrl_names[i].name) == n && strncmp(ctrl_names[i].name, p, n) == 0)
                mask |= ctrl_names[i].bit;
        p += n;
        if (*p == ',')
            p++;
    }
    return mask;
}

static bool is_fs(const char *path, long magic)
{
    struct statfs sf;
    return statfs(path, &sf) == 0 && sf.f_type == magic;
}

void cg_layout_clear(struct cg_layout *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->h[i].name);
        free(l->h[i].mount);
        free(l->h[i].own);
    }
    free(l->h);
    memset(l, 0, sizeof(*l));
}

static int add_hier(struct cg_layout *l, const char *name, const char *mount, const char *own,
                    unsigned mask)
{
    struct cg_hier *nh = realloc(l->h, (l->n + 1) * sizeof(*nh));
    if (!nh)
        return -ENOMEM;
    l->h = nh;
    struct cg_hier *h = &l->h[l->n];
    h->name = strdup(name);
    h->mount = strdup(mount);
    h->own = strdup(own);
    h->mask = mask;
    l->n++;
    if (!h->name || !h->mount || !h->own)
        return -ENOMEM;
    return 0;
}

/* v1 mount point of a hierarchy: /sys/fs/cgroup/<list> or /sys/fs/cgroup/<one controller>,
 * or /sys/fs/cgroup/<name> for name=<name>. */
static bool find_v1_mount(const char *list, char *out, size_t n)
{
    if (strncmp(list, "name=", 5) == 0) {
        snprintf(out, n, CG_ROOT "/%s", list + 5);
        return is_fs(out, CGROUP_SUPER_MAGIC);
    }
    snprintf(out, n, CG_ROOT "/%s", list);
    if (is_fs(out, CGROUP_SUPER_MAGIC))
        return true;
    const char *comma = strchr(list, ',');
    if (comma) {
        snprintf(out, n, CG_ROOT "/%.*s", (int)(comma - list), list);
        return is_fs(out, CGROUP_SUPER_MAGIC);
    }
    return false;
}

int cg_layout_detect(struct cg_layout *ret, struct hk_err *err)
{
    struct cg_layout l = {0};
    _cleanup_free_ char *data = NULL;
    int r = read_file_at(AT_FDCWD, "/proc/self/cgroup", 0, 1 << 16, &data, NULL);
    if (r < 0)
        return hk_err_sys(err, -r, "read /proc/self/cgroup");
    bool v2 = is_fs(CG_ROOT, CGROUP2_SUPER_MAGIC);
    l.mode = v2 ? CG_MODE_V2 : CG_MODE_V1;
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c1 = *c2 = '\0';
        const char *list = c1 + 1, *own = c2 + 1;
        char mount[512];
        if (*list == '\0') {
            /* cgroup2 */
            if (v2) {
                r = add_hier(&l, "", CG_ROOT, own, CG_UNIFIED);
            } else if (is_fs(CG_ROOT "/unified", CGROUP2_SUPER_MAGIC)) {
                l.mode = CG_MODE_HYBRID;
                r = add_hier(&l, "", CG_ROOT "/unified", own, CG_UNIFIED);
            } else {
                continue;
            }
        } else {
            if (v2 || !find_v1_mount(list, mount, sizeof(mount)))
                continue;
            r = add_hier(&l, list, mount, own, ctrl_mask_of(list));
        }
        if (r < 0) {
            cg_layout_clear(&l);
            return hk_err_set(err, -r, "out of memory");
        }
    }
    if (l.n == 0) {
        cg_layout_clear(&l);
        return hk_err_set(err, ENOENT, "no cgroup hierarchy is mounted under " CG_ROOT);
    }
    *ret = l;
    return 0;
}

void cg_release_claim(struct cg *cg)
{
    cg->claim_fd = hk_close(cg->claim_fd);
}

void cg_clear(struct cg *cg)
{
    cg_release_claim(cg);
    free(cg->path);
    for (size_t i = 0; i < cg->n_dirs; i++) {
        free(cg->dirs[i].path);
        free(cg->dirs[i].mount);
    }
    free(cg->dirs);
    memset(cg, 0, sizeof(*cg));
}

static int push_dir(struct cg *cg, const char *path, const char *mount, unsigned mask)
{
    struct cg_dir *nd = realloc(cg->dirs, (cg->n_dirs + 1) * sizeof(*nd));
    if (!nd)
        return -ENOMEM;
    cg->dirs = nd;
    struct cg_dir *d = &cg->dirs[cg->n_dirs];
    *d = (struct cg_dir){.path = strdup(path), .mount = mount ? strdup(mount) : NULL, .mask = mask};
    cg->n_dirs++;
    if (!d->path || (mount && !d->mount))
        return -ENOMEM;
    return 0;
}

int cg_prepare(const struct cg_layout *l, const char *id, const char *cgroups_path, struct cg *ret,
               struct hk_err *err)
{
    struct cg cg = {.mode = l->mode, .claim_fd = -EBADF};
    const char *p = cgroups_path && *cgroups_path ? cgroups_path : id;
    /* Refuse ".." outright: a path that climbs can only mean to escape. */
    for (const char *s = p; (s = strstr(s, "..")) != NULL; s += 2) {
        bool start = s == p || s[-1] == '/';
        bool end = s[2] == '\0' || s[2] == '/';
        if (start && end)
            return hk_err_set(err, EINVAL,
                              "linux.cgroupsPath: '%s' must not contain '..' components", p);
    }
    _cleanup_free_ char *clean = path_clean(p);
    if (!clean)
        return hk_err_set(err, ENOMEM, "out of memory");
    if (strcmp(clean, "/") == 0 || strcmp(clean, ".") == 0)
        return hk_err_set(err, EINVAL, "linux.cgroupsPath: '%s' names the root cgroup", p);
    bool abs = clean[0] == '/';
    for (size_t i = 0; i < l->n; i++) {
        const struct cg_hier *h = &l->h[i];
        _cleanup_free_ char *base = NULL;
        if (abs) {
            base = strdup(h->mount);
        } else if (l->mode == CG_MODE_V2) {
            /* Like runc on cgroup v2: relative to the parent of our own cgroup, which
             * (unlike ours) holds no processes, so controllers can be enabled for the
             * container (the no-internal-process rule). */
            _cleanup_free_ char *own = path_join_abs("/", h->own);
            char *slash = own ? strrchr(own, '/') : NULL;
            if (slash)
                slash[slash == own ? 1 : 0] = '\0';
            base = own ? path_join_abs(h->mount, own + 1) : NULL;
        } else {
            base = path_join_abs(h->mount, h->own[0] == '/' ? h->own + 1 : h->own);
        }
        if (!base) {
            cg_clear(&cg);
            return hk_err_set(err, ENOMEM, "out of memory");
        }
        _cleanup_free_ char *leaf = path_join_abs(base, abs ? clean + 1 : clean);
        if (!leaf || push_dir(&cg, leaf, h->mount, h->mask) < 0) {
            cg_clear(&cg);
            return hk_err_set(err, ENOMEM, "out of memory");
        }
    }
    cg.path = strdup(abs ? clean : p);
    if (!cg.path) {
        cg_clear(&cg);
        return hk_err_set(err, ENOMEM, "out of memory");
    }
    *ret = cg;
    return 0;
}

int cg_write(const char *dir, const char *file, const char *value, struct hk_err *err)
{
    char path[4096];
    if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
        return hk_err_set(err, ENAMETOOLONG, "cgroup path too long");
    int r = write_file_at(AT_FDCWD, path, value);
    if (r < 0)
        return hk_err_sys(err, -r, "write '%s' to %s", value, path);
    return 0;
}

const char *cg_dir_for(const struct cg *cg, unsigned ctrl)
{
    for (size_t i = 0; i < cg->n_dirs; i++)
        if (cg->dirs[i].mask & ctrl)
            return cg->dirs[i].path;
    return NULL;
}

static bool dir_has_procs(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char c;
    return read(fd, &c, 1) == 1;
}

/* v1 cpuset: a new cgroup starts with empty cpus/mems, which makes it unusable; copy the
 * parent's values in. */
static int cpuset_fill(const char *dir, struct hk_err *err)
{
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    for (size_t i = 0; i < 2; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        _cleanup_free_ char *cur = NULL;
        if (read_file_at(AT_FDCWD, path, 0, 65536, &cur, NULL) < 0)
            continue;
        if (cur[0] && cur[0] != '\n')
            continue;
        snprintf(path, sizeof(path), "%s/../%s", dir, files[i]);
        _cleanup_free_ char *parent = NULL;
        int r = read_file_at(AT_FDCWD, path, 0, 65536, &parent, NULL);
        if (r < 0)
            return hk_err_sys(err, -r, "read %s", path);
        r = cg_write(dir, files[i], parent, err);
        if (r < 0)
            return r;
    }
    return 0;
}

/* v2: enable the controllers we need in every ancestor's subtree_control, from the mount
 * down to the parent of the leaf. Failures on controllers the kernel does not offer are
 * left for the resource writer to report. */
static void v2_enable_controllers(const char *mount, const char *leaf)
{
    _cleanup_free_ char *avail = NULL;
    char path[4096];
    snprintf(path, sizeof(path), "%s/cgroup.controllers", mount);
    if (read_file_at(AT_FDCWD, path, 0, 4096, &avail, NULL) < 0)
        return;
    char req[512] = "";
    char *save = NULL;
    for (char *c = strtok_r(avail, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
        size_t l = strlen(req);
        snprintf(req + l, sizeof(req) - l, "%s+%s", l ? " " : "", c);
    }
    if (!*req)
        return;
    size_t ml = strlen(mount);
    char cur[4096];
    /* Top-down: mount, mount/a, mount/a/b, ... excluding the leaf itself. */
    snprintf(cur, sizeof(cur), "%s", mount);
    const char *rest = leaf + ml;
    for (;;) {
        if (snprintf(path, sizeof(path), "%s/cgroup.subtree_control", cur) >= (int)sizeof(path))
            return;
        if (write_file_at(AT_FDCWD, path, req) < 0) {
            /* one unavailable controller fails the whole write: retry one by one */
            char one[64];
            char *save2 = NULL;
            _cleanup_free_ char *copy = strdup(req);
            for (char *c = copy ? strtok_r(copy, " ", &save2) : NULL; c;
                 c = strtok_r(NULL, " ", &save2)) {
                snprintf(one, sizeof(one), "%s", c);
                (void)write_file_at(AT_FDCWD, path, one);
            }
        }
        while (*rest == '/')
            rest++;
        const char *e = strchr(rest, '/');
        if (!e)
            break;
        size_t cl = strlen(cur);
        snprintf(cur + cl, sizeof(cur) - cl, "/%.*s", (int)(e - rest), rest);
        rest = e;
    }
}

/* Undo cg_create's mkdirs: leaves first, then the parents deepest first (they were
 * recorded top-down), whatever order the array is in at the time of the failure. */
static void remove_created(struct cg *cg)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = cg->n_dirs; i-- > 0;) {
            struct cg_dir *d = &cg->dirs[i];
            if (!d->created || (pass == 0) != (d->mask != 0))
                continue;
            if (rmdir(d->path) < 0 && errno != ENOENT)
                log_warn("remove cgroup %s: %s, ignoring", d->path, strerror(errno));
            d->created = false;
        }
    }
}

/* mkdir -p for one leaf, recording every directory made as its own cg_dir entry (mask 0)
 * inserted before the leaf, so removal goes children first. */
static int mkdir_leaf(struct cg *cg, size_t leaf_idx, const char *mount, struct hk_err *err)
{
    char buf[4096];
    const char *leaf = cg->dirs[leaf_idx].path;
    snprintf(buf, sizeof(buf), "%s", leaf);
    size_t ml = strlen(mount);
    /* find the first missing ancestor */
    for (char *s = buf + ml; (s = strchr(s + 1, '/')) != NULL;) {
        *s = '\0';
        if (mkdir(buf, 0755) == 0) {
            if (push_dir(cg, buf, NULL, 0) < 0)
                return hk_err_set(err, ENOMEM, "out of memory");
            cg->dirs[cg->n_dirs - 1].created = true;
        } else if (errno != EEXIST) {
            return hk_err_sys(err, errno, "create cgroup %s", buf);
        }
        *s = '/';
    }
    if (mkdir(leaf, 0755) == 0) {
        cg->dirs[leaf_idx].created = true;
    } else if (errno == EEXIST) {
        if (dir_has_procs(leaf))
            return hk_err_set(err, EBUSY, "linux.cgroupsPath: cgroup %s is already in use", leaf);
    } else {
        return hk_err_sys(err, errno, "create cgroup %s", leaf);
    }
    return 0;
}

int cg_create(struct cg *cg, const struct spec_resources *res, const struct spec_device *devs,
              size_t n_devs, struct hk_err *err)
{
    size_t n_leaves = cg->n_dirs;
    int r = 0;
    for (size_t i = 0; i < n_leaves; i++) {
        const char *leaf = cg->dirs[i].path;
        const char *mount = cg->dirs[i].mount;
        r = mkdir_leaf(cg, i, mount, err);
        if (r < 0)
            goto fail;
        if (cg->dirs[i].mask & CG_CPUSET) {
            /* fill every created ancestor top-down, then the leaf */
            for (size_t k = n_leaves; k < cg->n_dirs; k++)
                if (strncmp(cg->dirs[k].path, leaf, strlen(cg->dirs[k].path)) == 0 &&
                    (r = cpuset_fill(cg->dirs[k].path, err)) < 0)
                    goto fail;
            if ((r = cpuset_fill(leaf, err)) < 0)
                goto fail;
        }
        if (cg->mode == CG_MODE_V2)
            v2_enable_controllers(mount, leaf);
    }
    /* Claim: lock the last leaf and check, under the lock, that no leaf holds processes.
     * A concurrent create of the same cgroup blocks here until the winner has entered. */
    {
        const char *claim = cg->dirs[n_leaves - 1].path;
        cg->claim_fd = open(claim, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cg->claim_fd < 0) {
            r = hk_err_sys(err, errno, "open cgroup %s", claim);
            goto fail;
        }
        while (flock(cg->claim_fd, LOCK_EX) < 0) {
            if (errno != EINTR) {
                r = hk_err_sys(err, errno, "lock cgroup %s", claim);
                goto fail;
            }
        }
        for (size_t i = 0; i < n_leaves; i++) {
            if (dir_has_procs(cg->dirs[i].path)) {
                r = hk_err_set(err, EBUSY, "linux.cgroupsPath: cgroup %s is already in use",
                               cg->dirs[i].path);
                /* it belongs to whoever is in it now: remove nothing */
                for (size_t k = 0; k < cg->n_dirs; k++)
                    cg->dirs[k].created = false;
                goto fail;
            }
        }
    }
    /* Keep creation order parents-first: move the leaves after the parents they need. */
    if (cg->n_dirs > n_leaves) {
        struct cg_dir *ordered = malloc(cg->n_dirs * sizeof(*ordered));
        if (!ordered) {
            r = hk_err_set(err, ENOMEM, "out of memory");
            goto fail;
        }
        memcpy(ordered, cg->dirs + n_leaves, (cg->n_dirs - n_leaves) * sizeof(*ordered));
        memcpy(ordered + (cg->n_dirs - n_leaves), cg->dirs, n_leaves * sizeof(*ordered));
        free(cg->dirs);
        cg->dirs = ordered;
    }
    if (res) {
        /* Device rules only when the config has some: otherwise access stays as inherited
         * (runc's result is the same: its default list only narrows a deny-all). */
        struct dev_rules rules = {0};
        bool with_devices = res->n_devices > 0;
        if (with_devices && dev_rules_build(res, devs, n_devs, &rules) < 0) {
            r = hk_err_set(err, ENOMEM, "out of memory");
            goto fail;
        }
        r = cg->mode == CG_MODE_V2 ? cg_v2_apply(cg, res, with_devices ? &rules : NULL, err)
                                   : cg_v1_apply(cg, res, with_devices ? &rules : NULL, err);
        dev_rules_clear(&rules);
        if (r < 0)
            goto fail;
    }
    return 0;
fail:
    cg_release_claim(cg);
    remove_created(cg);
    return r;
}

int cg_enter(struct cg *cg, pid_t pid, struct hk_err *err)
{
    char val[32];
    snprintf(val, sizeof(val), "%d", (int)pid);
    for (size_t i = 0; i < cg->n_dirs; i++) {
        if (!cg->dirs[i].mask)
            continue;
        int r = cg_write(cg->dirs[i].path, "cgroup.procs", val, err);
        if (r < 0)
            return r;
    }
    cg_release_claim(cg);
    return 0;
}

/* ------------------------------------------------------------ recorded dirs */

static const char *first_leaf(const struct state_cgroup_dir *dirs, size_t n)
{
    /* Leaves come after their parents and any leaf lists the same processes. */
    for (size_t i = n; i-- > 0;)
        if (dirs[i].leaf)
            return dirs[i].path;
    return n ? dirs[n - 1].path : NULL;
}

static int read_pids(const char *dir, pid_t **ret, size_t *ret_n)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
    _cleanup_free_ char *data = NULL;
    int r = read_file_at(AT_FDCWD, path, 0, 16u << 20, &data, NULL);
    if (r < 0)
        return r;
    size_t n = 0, cap = 16;
    pid_t *pids = malloc(cap * sizeof(*pids));
    if (!pids)
        return -ENOMEM;
    char *save = NULL;
    for (char *t = strtok_r(data, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
        uint32_t v;
        if (parse_u32(t, &v) < 0 || v == 0 || v > 0x7fffffff)
            continue;
        if (n == cap) {
            cap *= 2;
            pid_t *np = realloc(pids, cap * sizeof(*np));
            if (!np) {
                free(pids);
                return -ENOMEM;
            }
            pids = np;
        }
        pids[n++] = (pid_t)v;
    }
    *ret = pids;
    *ret_n = n;
    return 0;
}

int cg_signal_all(const struct state_cgroup_dir *dirs, size_t n, int sig, struct hk_err *err)
{
    const char *leaf = first_leaf(dirs, n);
    if (!leaf)
        return 0;
    _cleanup_free_ pid_t *pids = NULL;
    size_t np = 0;
    int r = read_pids(leaf, &pids, &np);
    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return hk_err_sys(err, -r, "list processes of cgroup %s", leaf);
    int count = 0;
    for (size_t i = 0; i < np; i++)
        if (kill(pids[i], sig) == 0)
            count++;
    return count;
}

bool cg_has_procs(const struct state_cgroup_dir *dirs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (dir_has_procs(dirs[i].path))
            return true;
    return false;
}

/* Remove sub-cgroups the payload made below a leaf, deepest first. */
static void remove_subtree(const char *dir, int depth)
{
    if (depth > 32)
        return;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_type != DT_DIR || de->d_name[0] == '.')
            continue;
        char sub[4096];
        if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= (int)sizeof(sub))
            continue;
        remove_subtree(sub, depth + 1);
        (void)rmdir(sub);
    }
    closedir(d);
}

int cg_destroy(const struct state_cgroup_dir *dirs, size_t n, struct hk_err *err)
{
    int result = 0;
    for (size_t i = n; i-- > 0;) {
        if (!dirs[i].created)
            continue;
        long delay_us = 100;
        bool subtree_done = false;
        /* Processes may still be exiting after SIGKILL: retry for up to ~2 s. */
        for (int attempt = 0;; attempt++) {
            if (rmdir(dirs[i].path) == 0 || errno == ENOENT)
                break;
            int e = errno;
            if (e == EBUSY && !dir_has_procs(dirs[i].path)) {
                /* Busy without processes: child cgroups. Below our leaf they are the
                 * payload's and go too; below a parent they are another container's. */
                if (!dirs[i].leaf)
                    break;
                if (!subtree_done) {
                    remove_subtree(dirs[i].path, 0);
                    subtree_done = true;
                    continue;
                }
            }
            if (e != EBUSY || attempt >= 30) {
                if (result == 0)
                    result = hk_err_sys(err, e, "remove cgroup %s", dirs[i].path);
                break;
            }
            struct state_cgroup_dir one = dirs[i];
            struct hk_err ignored;
            (void)cg_signal_all(&one, 1, SIGKILL, &ignored);
            struct timespec ts = {0, delay_us * 1000};
            nanosleep(&ts, NULL);
            if (delay_us < 100000)
                delay_us *= 2;
        }
    }
    return result;
}

unsigned long long cg_shares_to_weight(unsigned long long shares)
{
    if (shares == 0)
        return 0;
    if (shares <= 2)
        return 1;
    if (shares >= 262144)
        return 10000;
    return 1 + ((shares - 2) * 9999) / 262142;
}

int cg_remove(struct cg *cg, struct hk_err *err)
{
    struct state_cgroup_dir *d = calloc(cg->n_dirs + 1, sizeof(*d));
    if (!d)
        return hk_err_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < cg->n_dirs; i++)
        d[i] = (struct state_cgroup_dir){.path = cg->dirs[i].path,
                                         .created = cg->dirs[i].created,
                                         .leaf = cg->dirs[i].mask != 0};
    int r = cg_destroy(d, cg->n_dirs, err);
    free(d);
    if (r == 0)
        for (size_t i = 0; i < cg->n_dirs; i++)
            cg->dirs[i].created = false;
    return r;
}
