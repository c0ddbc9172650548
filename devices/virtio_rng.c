/* virtio_rng.c — the virtio entropy device (see virtio_rng.h). */
#include "devices/virtio_rng.h"

#include "vmm/state.h"

static int64_t rng_serve(void *dev, struct virtq_chain *chain)
{
    struct virtio_rng *r = dev;
    uint8_t buf[VIRTIO_RNG_MAX_REQUEST];
    uint64_t n = chain->writable_bytes;
    if (n > sizeof(buf))
        n = sizeof(buf);
    if (n)
        r->host.entropy(r->host.ctx, buf, (size_t)n);
    virtq_chain_write(chain, &r->transport.ram, 0, buf, n);
    r->bytes_served += n;
    return (int64_t)n;
}

static void rng_notify(void *dev, struct virtio_mmio *t, unsigned queue)
{
    struct virtio_rng *r = dev;
    virtio_mmio_serve_queue(t, queue, &r->chain, rng_serve, r);
}

static void rng_save(void *dev, struct state_writer *w)
{
    struct virtio_rng *r = dev;
    state_put_u64(w, r->bytes_served);
}

static int rng_load(void *dev, struct state_reader *rd)
{
    struct virtio_rng *r = dev;
    uint64_t v = state_get_u64(rd);
    if (state_reader_error(rd))
        return -1;
    r->bytes_served = v;
    return 0;
}

static const struct virtio_device_ops rng_ops = {
    .name = "virtio-rng", .device_id = VIRTIO_ID_RNG, .num_queues = 1, .queue_max = 64,
    .config_size = 0, .notify = rng_notify, .save = rng_save, .load = rng_load,
};

void virtio_rng_init(struct virtio_rng *r, struct guest_ram ram, struct virtio_rng_host host)
{
    r->host = host;
    r->bytes_served = 0;
    virtio_mmio_init(&r->transport, &rng_ops, r, ram);
}
