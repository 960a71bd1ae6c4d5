/* spec_free (NULL-safe, frees half-built specs) and lookups on a parsed spec. */
#include "spec/spec.h"

#include <stdlib.h>

#include "core/strv.h"

static void kv_free(struct spec_kv *kv, size_t n)
{
    for (size_t i = 0; kv && i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

static void process_free(struct spec_process *p)
{
    free(p->user.additional_gids);
    strv_free(p->args);
    strv_free(p->env);
    free(p->cwd);
    for (size_t i = 0; p->rlimits && i < p->n_rlimits; i++)
        free(p->rlimits[i].name);
    free(p->rlimits);
    free(p->apparmor_profile);
    free(p->selinux_label);
    free(p->scheduler.policy);
    strv_free(p->scheduler.flags);
    free(p->io_priority.class);
    free(p->exec_cpu_affinity.initial);
    free(p->exec_cpu_affinity.final);
}

static void mounts_free(struct spec_mount *m, size_t n)
{
    for (size_t i = 0; m && i < n; i++) {
        free(m[i].destination);
        free(m[i].type);
        free(m[i].source);
        strv_free(m[i].options);
        free(m[i].opts.data);
        free(m[i].uid_mappings);
        free(m[i].gid_mappings);
    }
    free(m);
}

static void hooks_free(struct spec_hooks *h)
{
    for (int k = 0; k < HOOK_KIND_COUNT; k++) {
        for (size_t i = 0; h->hooks[k] && i < h->n_hooks[k]; i++) {
            free(h->hooks[k][i].path);
            strv_free(h->hooks[k][i].args);
            strv_free(h->hooks[k][i].env);
        }
        free(h->hooks[k]);
    }
}

static void resources_free(struct spec_resources *r)
{
    free(r->devices);
    free(r->cpu.cpus);
    free(r->cpu.mems);
    struct spec_block_io *b = &r->block_io;
    free(b->weight_device);
    free(b->throttle_read_bps);
    free(b->throttle_write_bps);
    free(b->throttle_read_iops);
    free(b->throttle_write_iops);
    for (size_t i = 0; r->hugepage_limits && i < r->n_hugepage_limits; i++)
        free(r->hugepage_limits[i].page_size);
    free(r->hugepage_limits);
    for (size_t i = 0; r->net_priorities && i < r->n_net_priorities; i++)
        free(r->net_priorities[i].name);
    free(r->net_priorities);
    for (size_t i = 0; r->rdma && i < r->n_rdma; i++)
        free(r->rdma[i].device);
    free(r->rdma);
    kv_free(r->unified, r->n_unified);
}

static void seccomp_free(struct spec_seccomp *s)
{
    free(s->default_action);
    strv_free(s->architectures);
    strv_free(s->flags);
    free(s->listener_path);
    free(s->listener_metadata);
    for (size_t i = 0; s->syscalls && i < s->n_syscalls; i++) {
        struct spec_syscall *sc = &s->syscalls[i];
        strv_free(sc->names);
        free(sc->action);
        for (size_t j = 0; sc->args && j < sc->n_args; j++)
            free(sc->args[j].op);
        free(sc->args);
    }
    free(s->syscalls);
}

static void linux_free(struct spec_linux *l)
{
    free(l->uid_mappings);
    free(l->gid_mappings);
    for (size_t i = 0; l->namespaces && i < l->n_namespaces; i++)
        free(l->namespaces[i].path);
    free(l->namespaces);
    for (size_t i = 0; l->devices && i < l->n_devices; i++)
        free(l->devices[i].path);
    free(l->devices);
    free(l->cgroups_path);
    resources_free(&l->resources);
    kv_free(l->sysctl, l->n_sysctl);
    seccomp_free(&l->seccomp);
    free(l->rootfs_propagation);
    strv_free(l->masked_paths);
    strv_free(l->readonly_paths);
    free(l->mount_label);
    free(l->intel_rdt.clos_id);
    free(l->intel_rdt.l3_cache_schema);
    free(l->intel_rdt.mem_bw_schema);
    strv_free(l->intel_rdt.schemata);
    free(l->personality.domain);
    strv_free(l->personality.flags);
    free(l->memory_policy.mode);
    free(l->memory_policy.nodes);
    strv_free(l->memory_policy.flags);
    for (size_t i = 0; l->net_devices && i < l->n_net_devices; i++) {
        free(l->net_devices[i].host_name);
        free(l->net_devices[i].name);
    }
    free(l->net_devices);
}

/* Every member is freed whatever the has_* flags say: a half-built spec may hold data in a
 * section whose flag was never set. */
void spec_free(struct spec *s)
{
    if (!s)
        return;
    free(s->oci_version);
    free(s->root_path);
    process_free(&s->process);
    free(s->hostname);
    free(s->domainname);
    mounts_free(s->mounts, s->n_mounts);
    hooks_free(&s->hooks);
    kv_free(s->annotations, s->n_annotations);
    linux_free(&s->linux);
    strv_free(s->warnings);
    free(s);
}

const struct spec_namespace *spec_find_ns(const struct spec *s, enum spec_ns_type t)
{
    if (!s || !s->has_linux)
        return NULL;
    for (size_t i = 0; i < s->linux.n_namespaces; i++)
        if (s->linux.namespaces[i].type == t)
            return &s->linux.namespaces[i];
    return NULL;
}
