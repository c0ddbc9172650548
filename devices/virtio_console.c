/* virtio_console.c — the virtio console, one port (see virtio_console.h). */
#include "devices/virtio_console.h"

#include <string.h>

#include "vmm/state.h"

#define RXQ 0
#define TXQ 1
#define CONFIG_SIZE 12   /* cols, rows, max_nr_ports, emerg_wr: all unused without features */

static int64_t transmit_one(void *dev, struct virtq_chain *chain)
{
    struct virtio_console *c = dev;
    for (uint64_t off = 0; off < chain->readable_bytes;) {
        uint64_t n = chain->readable_bytes - off;
        if (n > sizeof(c->buf))
            n = sizeof(c->buf);
        virtq_chain_read(chain, &c->transport.ram, off, c->buf, n);
        if (c->host.tx)
            c->host.tx(c->host.ctx, c->buf, (size_t)n);
        c->tx_bytes += n;
        off += n;
    }
    return 0;
}

static void console_notify(void *dev, struct virtio_mmio *t, unsigned queue)
{
    struct virtio_console *c = dev;
    if (queue == TXQ)
        virtio_mmio_serve_queue(t, TXQ, &c->chain, transmit_one, c);
    /* receive buffers are used when input arrives */
}

size_t virtio_console_receive(struct virtio_console *c, const uint8_t *bytes, size_t n)
{
    struct virtio_mmio *t = &c->transport;
    struct virtqueue *q = virtio_mmio_queue(t, RXQ);
    char err[160];
    size_t taken = 0;
    bool used = false;
    while (taken < n && virtio_mmio_queue_live(t, RXQ)) {
        int rc = virtq_pop(q, &t->ram, &c->chain, err, sizeof(err));
        if (rc < 0)
            virtio_mmio_device_error(t, "receive queue: %s", err);
        if (rc <= 0)
            break;
        uint64_t room = c->chain.writable_bytes;
        uint64_t k = n - taken < room ? n - taken : room;
        virtq_chain_write(&c->chain, &t->ram, 0, bytes + taken, k);
        if (virtq_push(q, &t->ram, c->chain.head, (uint32_t)k, err, sizeof(err))) {
            virtio_mmio_device_error(t, "receive queue: %s", err);
            break;
        }
        used = true;
        taken += k;
        c->rx_bytes += k;
    }
    if (used)
        virtio_mmio_used(t, RXQ);
    return taken;
}

static void console_config_read(void *dev, uint32_t off, void *buf, uint32_t len)
{
    (void)dev;
    (void)off;
    memset(buf, 0, len);
}

static void console_save(void *dev, struct state_writer *w)
{
    struct virtio_console *c = dev;
    state_put_u64(w, c->rx_bytes);
    state_put_u64(w, c->tx_bytes);
}

static int console_load(void *dev, struct state_reader *r)
{
    struct virtio_console *c = dev;
    uint64_t rx = state_get_u64(r), tx = state_get_u64(r);
    if (state_reader_error(r))
        return -1;
    c->rx_bytes = rx;
    c->tx_bytes = tx;
    return 0;
}

static const struct virtio_device_ops console_ops = {
    .name = "virtio-console", .device_id = VIRTIO_ID_CONSOLE, .num_queues = 2, .queue_max = 128,
    .config_size = CONFIG_SIZE, .config_read = console_config_read, .notify = console_notify,
    .save = console_save, .load = console_load,
};

void virtio_console_init(struct virtio_console *c, struct guest_ram ram,
                         struct virtio_console_host host)
{
    c->host = host;
    c->rx_bytes = c->tx_bytes = 0;
    virtio_mmio_init(&c->transport, &console_ops, c, ram);
}
