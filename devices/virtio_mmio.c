/* virtio_mmio.c — the virtio-mmio version 2 transport (see virtio_mmio.h). */
#include "devices/virtio_mmio.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmm/state.h"

#define VIRTIO_MMIO_STATE_VERSION 1
#define MAGIC 0x74726976u   /* "virt" */
#define CONFIG_BASE 0x100

enum {
    REG_MAGIC = 0x000, REG_VERSION = 0x004, REG_DEVICE_ID = 0x008, REG_VENDOR_ID = 0x00c,
    REG_DEVICE_FEATURES = 0x010, REG_DEVICE_FEATURES_SEL = 0x014,
    REG_DRIVER_FEATURES = 0x020, REG_DRIVER_FEATURES_SEL = 0x024,
    REG_QUEUE_SEL = 0x030, REG_QUEUE_NUM_MAX = 0x034, REG_QUEUE_NUM = 0x038,
    REG_QUEUE_READY = 0x044, REG_QUEUE_NOTIFY = 0x050,
    REG_INTERRUPT_STATUS = 0x060, REG_INTERRUPT_ACK = 0x064, REG_STATUS = 0x070,
    REG_QUEUE_DESC_LOW = 0x080, REG_QUEUE_DESC_HIGH = 0x084,
    REG_QUEUE_DRIVER_LOW = 0x090, REG_QUEUE_DRIVER_HIGH = 0x094,
    REG_QUEUE_DEVICE_LOW = 0x0a0, REG_QUEUE_DEVICE_HIGH = 0x0a4,
    REG_SHM_SEL = 0x0ac, REG_SHM_LEN_LOW = 0x0b0, REG_SHM_LEN_HIGH = 0x0b4,
    REG_SHM_BASE_LOW = 0x0b8, REG_SHM_BASE_HIGH = 0x0bc,
    REG_CONFIG_GENERATION = 0x0fc,
};

static uint64_t offered_features(const struct virtio_mmio *t)
{
    uint64_t f = t->ops->features ? t->ops->features(t->dev) : 0;
    return f | (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_RING_INDIRECT_DESC) |
           (1ull << VIRTIO_F_RING_EVENT_IDX);
}

static void update_irq(struct virtio_mmio *t)
{
    irq_line_set(&t->irq, t->interrupt_status != 0);
}

void virtio_mmio_reset(struct virtio_mmio *t)
{
    t->status = 0;
    t->device_features_sel = t->driver_features_sel = t->queue_sel = 0;
    t->driver_features = t->features = 0;
    t->interrupt_status = 0;
    for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
        virtq_reset(&t->queues[i]);
    if (t->ops->reset)
        t->ops->reset(t->dev);
    update_irq(t);
}

void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_device_ops *ops, void *dev,
                      struct guest_ram ram)
{
    memset(t, 0, sizeof(*t));
    t->ops = ops;
    t->dev = dev;
    t->ram = ram;
}

bool virtio_mmio_has_feature(const struct virtio_mmio *t, unsigned bit)
{
    return bit < 64 && (t->features >> bit) & 1;
}

struct virtqueue *virtio_mmio_queue(struct virtio_mmio *t, unsigned q)
{
    return q < t->ops->num_queues ? &t->queues[q] : NULL;
}

bool virtio_mmio_queue_live(const struct virtio_mmio *t, unsigned q)
{
    return q < t->ops->num_queues && (t->status & VIRTIO_STATUS_DRIVER_OK) &&
           !(t->status & VIRTIO_STATUS_NEEDS_RESET) && t->queues[q].ready;
}

void virtio_mmio_used(struct virtio_mmio *t, unsigned q)
{
    if (q >= t->ops->num_queues)
        return;
    if (virtq_should_interrupt(&t->queues[q], &t->ram)) {
        t->interrupt_status |= VIRTIO_INT_USED_RING;
        update_irq(t);
    }
}

void virtio_mmio_serve_queue(struct virtio_mmio *t, unsigned q, struct virtq_chain *scratch,
                             int64_t (*serve)(void *dev, struct virtq_chain *chain), void *dev)
{
    struct virtqueue *vq = virtio_mmio_queue(t, q);
    char err[160];
    bool used = false;
    while (vq && !(t->status & VIRTIO_STATUS_NEEDS_RESET)) {
        int rc = virtq_pop(vq, &t->ram, scratch, err, sizeof(err));
        if (rc < 0)
            virtio_mmio_device_error(t, "queue %u: %s", q, err);
        if (rc <= 0)
            break;
        int64_t written = serve(dev, scratch);
        if (written < 0)
            break;
        if (virtq_push(vq, &t->ram, scratch->head, (uint32_t)written, err, sizeof(err))) {
            virtio_mmio_device_error(t, "queue %u: %s", q, err);
            break;
        }
        used = true;
    }
    if (used)
        virtio_mmio_used(t, q);
}

void virtio_mmio_config_changed(struct virtio_mmio *t)
{
    t->config_generation++;
    t->interrupt_status |= VIRTIO_INT_CONFIG;
    update_irq(t);
}

void virtio_mmio_device_error(struct virtio_mmio *t, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(t->error, sizeof(t->error), "%s: ", t->ops->name);
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof(t->error))
        vsnprintf(t->error + n, sizeof(t->error) - (size_t)n, fmt, ap);
    va_end(ap);
    t->errors++;
    if (!(t->status & VIRTIO_STATUS_NEEDS_RESET)) {
        t->status |= VIRTIO_STATUS_NEEDS_RESET;
        if (t->status & VIRTIO_STATUS_DRIVER_OK)
            virtio_mmio_config_changed(t);
    }
}

const char *virtio_mmio_error(const struct virtio_mmio *t)
{
    return t->error;
}

/* ---- registers ---- */

static uint64_t set_low(uint64_t v, uint32_t low)
{
    return (v & ~0xffffffffull) | low;
}

static uint64_t set_high(uint64_t v, uint32_t high)
{
    return (v & 0xffffffffull) | ((uint64_t)high << 32);
}

static int config_access(struct virtio_mmio *t, uint64_t offset, unsigned size, uint64_t *value,
                         bool write)
{
    uint64_t off = offset - CONFIG_BASE;
    if (off + size > t->ops->config_size) {
        if (!write)
            *value = 0;
        return 0; /* outside the config space: reads 0, writes ignored */
    }
    if (write) {
        uint64_t v = *value;
        if (t->ops->config_write)
            t->ops->config_write(t->dev, (uint32_t)off, &v, size);
    } else {
        uint64_t v = 0;
        if (t->ops->config_read)
            t->ops->config_read(t->dev, (uint32_t)off, &v, size);
        *value = v;
    }
    return 0;
}

static int mmio_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
    struct virtio_mmio *t = opaque;
    if (offset >= CONFIG_BASE)
        return config_access(t, offset, size, value, false);
    *value = 0;
    if (size != 4)
        return 0;
    const struct virtqueue *q = t->queue_sel < t->ops->num_queues ? &t->queues[t->queue_sel] : NULL;
    switch (offset) {
    case REG_MAGIC: *value = MAGIC; break;
    case REG_VERSION: *value = 2; break;
    case REG_DEVICE_ID: *value = t->ops->device_id; break;
    case REG_VENDOR_ID: *value = VIRTIO_VENDOR_REWIND; break;
    case REG_DEVICE_FEATURES:
        *value = t->device_features_sel == 0 ? (uint32_t)offered_features(t)
               : t->device_features_sel == 1 ? (uint32_t)(offered_features(t) >> 32) : 0;
        break;
    case REG_QUEUE_NUM_MAX: *value = q ? t->ops->queue_max : 0; break;
    case REG_QUEUE_READY: *value = q ? q->ready : 0; break;
    case REG_INTERRUPT_STATUS: *value = t->interrupt_status; break;
    case REG_STATUS: *value = t->status; break;
    case REG_SHM_LEN_LOW: case REG_SHM_LEN_HIGH:
    case REG_SHM_BASE_LOW: case REG_SHM_BASE_HIGH:
        *value = 0xffffffffu; /* no shared memory regions */
        break;
    case REG_CONFIG_GENERATION: *value = t->config_generation; break;
    default: break;
    }
    return 0;
}

/* The driver set FEATURES_OK: accept its features if they are a subset of ours and modern. */
static bool accept_features(struct virtio_mmio *t)
{
    uint64_t f = t->driver_features;
    if ((f & ~offered_features(t)) || !((f >> VIRTIO_F_VERSION_1) & 1))
        return false;
    t->features = f;
    for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
        t->queues[i].event_idx = (f >> VIRTIO_F_RING_EVENT_IDX) & 1;
        t->queues[i].indirect = (f >> VIRTIO_F_RING_INDIRECT_DESC) & 1;
    }
    return true;
}

static void write_status(struct virtio_mmio *t, uint32_t v)
{
    if (v == 0) {
        virtio_mmio_reset(t);
        return;
    }
    uint32_t old = t->status;
    v &= 0xff;
    if ((v & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK) &&
        !accept_features(t))
        v &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK;  /* the driver reads it back and gives up */
    if (old & VIRTIO_STATUS_NEEDS_RESET)
        v |= VIRTIO_STATUS_NEEDS_RESET;             /* only a reset clears it */
    t->status = v;
    if ((v & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK) &&
        !(v & VIRTIO_STATUS_NEEDS_RESET) && t->ops->driver_ok)
        t->ops->driver_ok(t->dev, t);
}

static void set_queue_ready(struct virtio_mmio *t, struct virtqueue *q, uint32_t v)
{
    if (!(v & 1)) {
        q->ready = false;
        return;
    }
    if (q->ready)
        return; /* already running: nothing changes */
    char err[128];
    if (virtq_check_layout(q, &t->ram, t->ops->queue_max, err, sizeof(err))) {
        virtio_mmio_device_error(t, "queue %u: %s", t->queue_sel, err);
        return;
    }
    q->last_avail = q->used_idx = 0;
    q->signalled_valid = false;
    q->ready = true;
}

static int mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct virtio_mmio *t = opaque;
    if (offset >= CONFIG_BASE)
        return config_access(t, offset, size, &value, true);
    if (size != 4)
        return 0;
    uint32_t v = (uint32_t)value;
    struct virtqueue *q = t->queue_sel < t->ops->num_queues ? &t->queues[t->queue_sel] : NULL;
    /* Queue layout may change only while the queue is not ready. */
    bool q_writable = q && !q->ready;
    switch (offset) {
    case REG_DEVICE_FEATURES_SEL: t->device_features_sel = v; break;
    case REG_DRIVER_FEATURES_SEL: t->driver_features_sel = v; break;
    case REG_DRIVER_FEATURES:
        if (!(t->status & VIRTIO_STATUS_FEATURES_OK)) {
            if (t->driver_features_sel == 0)
                t->driver_features = set_low(t->driver_features, v);
            else if (t->driver_features_sel == 1)
                t->driver_features = set_high(t->driver_features, v);
        }
        break;
    case REG_QUEUE_SEL: t->queue_sel = v; break;
    case REG_QUEUE_NUM: if (q_writable) q->num = v; break;
    case REG_QUEUE_READY: if (q) set_queue_ready(t, q, v); break;
    case REG_QUEUE_DESC_LOW: if (q_writable) q->desc = set_low(q->desc, v); break;
    case REG_QUEUE_DESC_HIGH: if (q_writable) q->desc = set_high(q->desc, v); break;
    case REG_QUEUE_DRIVER_LOW: if (q_writable) q->avail = set_low(q->avail, v); break;
    case REG_QUEUE_DRIVER_HIGH: if (q_writable) q->avail = set_high(q->avail, v); break;
    case REG_QUEUE_DEVICE_LOW: if (q_writable) q->used = set_low(q->used, v); break;
    case REG_QUEUE_DEVICE_HIGH: if (q_writable) q->used = set_high(q->used, v); break;
    case REG_QUEUE_NOTIFY:
        if (v < t->ops->num_queues && virtio_mmio_queue_live(t, v) && t->ops->notify)
            t->ops->notify(t->dev, t, v);
        break;
    case REG_INTERRUPT_ACK:
        t->interrupt_status &= ~v;
        update_irq(t);
        break;
    case REG_STATUS: write_status(t, v); break;
    default: break;
    }
    return 0;
}

static const struct mmio_ops virtio_mmio_ops = { .read = mmio_read, .write = mmio_write };

int virtio_mmio_attach(struct virtio_mmio *t, struct bus *bus, uint64_t base)
{
    return bus_add_mmio(bus, t->ops->name, base, VIRTIO_MMIO_SIZE, &virtio_mmio_ops, t);
}

/* ---- state ---- */

void virtio_mmio_save(const struct virtio_mmio *t, struct state_writer *w)
{
    state_begin_section(w, "virtio-mmio", VIRTIO_MMIO_STATE_VERSION);
    state_put_u32(w, t->ops->device_id);
    state_put_u32(w, t->status);
    state_put_u32(w, t->device_features_sel);
    state_put_u32(w, t->driver_features_sel);
    state_put_u32(w, t->queue_sel);
    state_put_u64(w, t->driver_features);
    state_put_u64(w, t->features);
    state_put_u32(w, t->interrupt_status);
    state_put_u32(w, t->config_generation);
    state_put_u64(w, t->errors);
    state_put_bool(w, t->irq.level);
    for (unsigned i = 0; i < t->ops->num_queues; i++)
        virtq_save(&t->queues[i], w);
    if (t->ops->save)
        t->ops->save(t->dev, w);
    state_end_section(w);
}

int virtio_mmio_load(struct virtio_mmio *t, struct state_reader *r)
{
    uint32_t version = VIRTIO_MMIO_STATE_VERSION;
    if (state_open_section(r, "virtio-mmio", &version))
        return -1;
    uint32_t id = state_get_u32(r);
    if (!state_reader_error(r) && id != t->ops->device_id)
        return state_fail(r, "device id %u in the state, this slot holds %s", id, t->ops->name);
    struct virtio_mmio n = *t;
    n.status = state_get_u32(r);
    n.device_features_sel = state_get_u32(r);
    n.driver_features_sel = state_get_u32(r);
    n.queue_sel = state_get_u32(r);
    n.driver_features = state_get_u64(r);
    n.features = state_get_u64(r);
    n.interrupt_status = state_get_u32(r);
    n.config_generation = state_get_u32(r);
    n.errors = state_get_u64(r);
    bool level = state_get_bool(r);
    for (unsigned i = 0; i < t->ops->num_queues; i++)
        if (virtq_load(&n.queues[i], r))
            return -1;
    if (state_reader_error(r))
        return -1;
    if (n.features & ~offered_features(t))
        return state_fail(r, "%s: features 0x%llx were never offered", t->ops->name,
                          (unsigned long long)n.features);
    if (level != (n.interrupt_status != 0) || n.interrupt_status > 3)
        return state_fail(r, "%s: interrupt level contradicts its status", t->ops->name);
    for (unsigned i = 0; i < t->ops->num_queues; i++) {
        char err[128];
        if (n.queues[i].ready &&
            virtq_check_layout(&n.queues[i], &t->ram, t->ops->queue_max, err, sizeof(err)))
            return state_fail(r, "%s queue %u: %s", t->ops->name, i, err);
    }
    if (t->ops->load && t->ops->load(t->dev, r))
        return -1;
    if (state_close_section(r))
        return -1;
    n.irq.level = level;
    *t = n;
    return 0;
}
