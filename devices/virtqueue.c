/* virtqueue.c — split virtqueues in guest RAM, every guest-written value checked (see
 * virtqueue.h). */
#include "devices/virtqueue.h"

#include <stdio.h>
#include <string.h>

#include "vmm/state.h"

#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define DESC_F_INDIRECT 4
#define AVAIL_F_NO_INTERRUPT 1
#define DESC_SIZE 16

/* ---- guest RAM ---- */

uint8_t *guest_ram_ptr(const struct guest_ram *ram, uint64_t paddr, uint64_t len)
{
    if (paddr < ram->base)
        return NULL;
    uint64_t off = paddr - ram->base;
    if (off > ram->size || len > ram->size - off)
        return NULL;
    return ram->host + off;
}

int guest_ram_read(const struct guest_ram *ram, uint64_t paddr, void *dst, uint64_t len)
{
    const uint8_t *p = guest_ram_ptr(ram, paddr, len);
    if (!p)
        return -1;
    memcpy(dst, p, len);
    return 0;
}

int guest_ram_write(const struct guest_ram *ram, uint64_t paddr, const void *src, uint64_t len)
{
    uint8_t *p = guest_ram_ptr(ram, paddr, len);
    if (!p)
        return -1;
    memcpy(p, src, len);
    if (ram->written && len)
        ram->written(ram->ctx, paddr, len);
    return 0;
}

/* Ring fields at addresses virtq_check_layout accepted: they are inside RAM. */
static uint16_t ring_u16(const struct guest_ram *ram, uint64_t paddr)
{
    uint16_t v = 0;
    guest_ram_read(ram, paddr, &v, 2);
    return v;
}

static void ring_put_u16(const struct guest_ram *ram, uint64_t paddr, uint16_t v)
{
    guest_ram_write(ram, paddr, &v, 2);
}

/* ---- layout ---- */

void virtq_reset(struct virtqueue *q)
{
    memset(q, 0, sizeof(*q));
}

static uint64_t avail_bytes(uint32_t num)
{
    return 6 + 2ull * num;   /* flags, idx, ring[num], used_event */
}

static uint64_t used_bytes(uint32_t num)
{
    return 6 + 8ull * num;   /* flags, idx, ring[num] of {id, len}, avail_event */
}

int virtq_check_layout(const struct virtqueue *q, const struct guest_ram *ram, uint32_t max,
                       char *err, size_t errlen)
{
    if (q->num == 0 || q->num > max || (q->num & (q->num - 1))) {
        snprintf(err, errlen, "queue size %u is not a power of two in 1..%u", q->num, max);
        return -1;
    }
    if ((q->desc & 15) || (q->avail & 1) || (q->used & 3)) {
        snprintf(err, errlen, "queue parts misaligned (desc 0x%llx, avail 0x%llx, used 0x%llx)",
                 (unsigned long long)q->desc, (unsigned long long)q->avail,
                 (unsigned long long)q->used);
        return -1;
    }
    if (!guest_ram_ptr(ram, q->desc, (uint64_t)DESC_SIZE * q->num) ||
        !guest_ram_ptr(ram, q->avail, avail_bytes(q->num)) ||
        !guest_ram_ptr(ram, q->used, used_bytes(q->num))) {
        snprintf(err, errlen, "queue parts outside guest RAM (desc 0x%llx, avail 0x%llx, used "
                 "0x%llx, size %u)", (unsigned long long)q->desc, (unsigned long long)q->avail,
                 (unsigned long long)q->used, q->num);
        return -1;
    }
    return 0;
}

/* ---- taking chains ---- */

int virtq_has_work(const struct virtqueue *q, const struct guest_ram *ram)
{
    if (!q->ready)
        return 0;
    uint16_t avail_idx = ring_u16(ram, q->avail + 2);
    uint16_t waiting = (uint16_t)(avail_idx - q->last_avail);
    if (waiting > q->num)
        return -1;
    return waiting != 0;
}

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

static void read_desc(const struct guest_ram *ram, uint64_t table, uint32_t i, struct desc *d)
{
    uint8_t raw[DESC_SIZE];
    guest_ram_read(ram, table + (uint64_t)i * DESC_SIZE, raw, sizeof(raw));
    memcpy(&d->addr, raw, 8);
    memcpy(&d->len, raw + 8, 4);
    memcpy(&d->flags, raw + 12, 2);
    memcpy(&d->next, raw + 14, 2);
}

static int add_segment(struct virtq_chain *c, const struct guest_ram *ram, const struct desc *d,
                       char *err, size_t errlen)
{
    bool w = d->flags & DESC_F_WRITE;
    if (!guest_ram_ptr(ram, d->addr, d->len)) {
        snprintf(err, errlen, "descriptor buffer 0x%llx+%u is outside guest RAM",
                 (unsigned long long)d->addr, d->len);
        return -1;
    }
    if (!w && c->first_writable < c->num_segments) {
        snprintf(err, errlen, "a device-readable descriptor follows a device-writable one");
        return -1;
    }
    if (c->num_segments == VIRTQ_MAX_SEGMENTS) {
        snprintf(err, errlen, "descriptor chain longer than %d buffers", VIRTQ_MAX_SEGMENTS);
        return -1;
    }
    if (c->readable_bytes + c->writable_bytes + d->len > VIRTQ_MAX_CHAIN_BYTES) {
        snprintf(err, errlen, "descriptor chain larger than %u bytes", VIRTQ_MAX_CHAIN_BYTES);
        return -1;
    }
    c->seg[c->num_segments++] = (struct virtq_segment){ d->addr, d->len, w };
    if (w)
        c->writable_bytes += d->len;
    else {
        c->readable_bytes += d->len;
        c->first_writable = c->num_segments;
    }
    return 0;
}

int virtq_pop(struct virtqueue *q, const struct guest_ram *ram, struct virtq_chain *c, char *err,
              size_t errlen)
{
    if (!q->ready)
        return 0;
    uint16_t avail_idx = ring_u16(ram, q->avail + 2);
    uint16_t waiting = (uint16_t)(avail_idx - q->last_avail);
    if (waiting > q->num) {
        snprintf(err, errlen, "available index %u is %u entries ahead of the device's %u "
                 "(queue size %u)", avail_idx, waiting, q->last_avail, q->num);
        return -1;
    }
    if (!waiting)
        return 0;
    uint16_t head = ring_u16(ram, q->avail + 4 + 2ull * (q->last_avail % q->num));
    if (head >= q->num) {
        snprintf(err, errlen, "available ring entry %u names descriptor %u (queue size %u)",
                 q->last_avail, head, q->num);
        return -1;
    }
    c->head = head;
    c->num_segments = c->first_writable = 0;
    c->readable_bytes = c->writable_bytes = 0;

    uint64_t table = q->desc;
    uint32_t table_len = q->num, visited = 0, i = head;
    bool in_indirect = false;
    for (;;) {
        if (visited++ >= table_len) {
            snprintf(err, errlen, "descriptor chain from %u loops (more than %u descriptors)",
                     head, table_len);
            return -1;
        }
        struct desc d;
        read_desc(ram, table, i, &d);
        if (d.flags & DESC_F_INDIRECT) {
            if (!q->indirect) {
                snprintf(err, errlen, "indirect descriptor, but VIRTIO_F_INDIRECT_DESC was not "
                         "negotiated");
                return -1;
            }
            if (in_indirect || (d.flags & DESC_F_NEXT)) {
                snprintf(err, errlen, "indirect descriptor %s", in_indirect
                         ? "inside an indirect table" : "with the NEXT flag");
                return -1;
            }
            if (d.len == 0 || d.len % DESC_SIZE || d.len / DESC_SIZE > VIRTQ_MAX_SEGMENTS ||
                (d.addr & 15) || !guest_ram_ptr(ram, d.addr, d.len)) {
                snprintf(err, errlen, "bad indirect table 0x%llx+%u", (unsigned long long)d.addr,
                         d.len);
                return -1;
            }
            table = d.addr;
            table_len = d.len / DESC_SIZE;
            visited = 0;
            i = 0;
            in_indirect = true;
            continue;
        }
        if (add_segment(c, ram, &d, err, errlen))
            return -1;
        if (!(d.flags & DESC_F_NEXT))
            break;
        if (d.next >= table_len) {
            snprintf(err, errlen, "descriptor %u links to %u (table of %u)", i, d.next, table_len);
            return -1;
        }
        i = d.next;
    }
    q->last_avail++;
    if (q->event_idx) /* notify us again as soon as anything new is made available */
        ring_put_u16(ram, q->used + 4 + 8ull * q->num, q->last_avail);
    return 1;
}

/* ---- buffers ---- */

/* Copy between host memory and the chain's readable (to_guest false) or writable segments,
 * starting `offset` bytes into them. */
static uint64_t chain_copy(const struct virtq_chain *c, const struct guest_ram *ram,
                           uint64_t offset, uint8_t *host, uint64_t len, bool to_guest)
{
    unsigned first = to_guest ? c->first_writable : 0;
    unsigned last = to_guest ? c->num_segments : c->first_writable;
    uint64_t done = 0;
    for (unsigned s = first; s < last && done < len; s++) {
        const struct virtq_segment *g = &c->seg[s];
        if (offset >= g->len) {
            offset -= g->len;
            continue;
        }
        uint64_t n = g->len - offset;
        if (n > len - done)
            n = len - done;
        if (to_guest)
            guest_ram_write(ram, g->addr + offset, host + done, n);
        else
            guest_ram_read(ram, g->addr + offset, host + done, n);
        done += n;
        offset = 0;
    }
    return done;
}

uint64_t virtq_chain_read(const struct virtq_chain *c, const struct guest_ram *ram,
                          uint64_t offset, void *dst, uint64_t len)
{
    return chain_copy(c, ram, offset, dst, len, false);
}

uint64_t virtq_chain_write(const struct virtq_chain *c, const struct guest_ram *ram,
                           uint64_t offset, const void *src, uint64_t len)
{
    return chain_copy(c, ram, offset, (uint8_t *)(uintptr_t)src, len, true);
}

/* ---- returning chains ---- */

int virtq_push(struct virtqueue *q, const struct guest_ram *ram, uint16_t head, uint32_t written,
               char *err, size_t errlen)
{
    if (!q->ready || head >= q->num) {
        snprintf(err, errlen, "cannot return descriptor %u on this queue", head);
        return -1;
    }
    uint8_t elem[8];
    uint32_t id = head;
    memcpy(elem, &id, 4);
    memcpy(elem + 4, &written, 4);
    guest_ram_write(ram, q->used + 4 + 8ull * (q->used_idx % q->num), elem, sizeof(elem));
    q->used_idx++;
    ring_put_u16(ram, q->used + 2, q->used_idx);
    return 0;
}

bool virtq_should_interrupt(struct virtqueue *q, const struct guest_ram *ram)
{
    if (!q->ready)
        return false;
    if (!q->event_idx)
        return !(ring_u16(ram, q->avail) & AVAIL_F_NO_INTERRUPT);
    uint16_t used_event = ring_u16(ram, q->avail + 4 + 2ull * q->num);
    uint16_t now = q->used_idx, old = q->signalled_used;
    bool valid = q->signalled_valid;
    q->signalled_used = now;
    q->signalled_valid = true;
    if (!valid)
        return true;
    /* Interrupt if used_event lies in (old, now]: the driver asked to hear about it. */
    return (uint16_t)(now - used_event - 1) < (uint16_t)(now - old);
}

/* ---- state ---- */

void virtq_save(const struct virtqueue *q, struct state_writer *w)
{
    state_put_u32(w, q->num);
    state_put_bool(w, q->ready);
    state_put_u64(w, q->desc);
    state_put_u64(w, q->avail);
    state_put_u64(w, q->used);
    state_put_u32(w, q->last_avail);
    state_put_u32(w, q->used_idx);
    state_put_u32(w, q->signalled_used);
    state_put_bool(w, q->signalled_valid);
    state_put_bool(w, q->event_idx);
    state_put_bool(w, q->indirect);
}

int virtq_load(struct virtqueue *q, struct state_reader *r)
{
    struct virtqueue v;
    v.num = state_get_u32(r);
    v.ready = state_get_bool(r);
    v.desc = state_get_u64(r);
    v.avail = state_get_u64(r);
    v.used = state_get_u64(r);
    uint32_t last_avail = state_get_u32(r), used_idx = state_get_u32(r);
    uint32_t signalled = state_get_u32(r);
    v.signalled_valid = state_get_bool(r);
    v.event_idx = state_get_bool(r);
    v.indirect = state_get_bool(r);
    if (state_reader_error(r))
        return -1;
    if (v.num > VIRTQ_MAX_SIZE || last_avail > 0xffff || used_idx > 0xffff || signalled > 0xffff)
        return state_fail(r, "virtqueue: bad size or index");
    v.last_avail = (uint16_t)last_avail;
    v.used_idx = (uint16_t)used_idx;
    v.signalled_used = (uint16_t)signalled;
    *q = v;
    return 0;
}
