/* virtio_rng.h — virtio entropy device (device ID 4): one request queue; every buffer the
 * driver makes available is filled with entropy from the host, which the machine takes
 * through the gate (recorded, and replayed from the trace). */
#ifndef REWIND_VIRTIO_RNG_H
#define REWIND_VIRTIO_RNG_H

#include "devices/virtio_mmio.h"

#define VIRTIO_RNG_MAX_REQUEST 4096   /* bytes given per buffer at most */

struct virtio_rng_host {
    void (*entropy)(void *ctx, uint8_t *buf, size_t len);
    void *ctx;
};

struct virtio_rng {
    struct virtio_mmio transport;
    struct virtio_rng_host host;
    uint64_t bytes_served;
    struct virtq_chain chain;   /* scratch */
};

void virtio_rng_init(struct virtio_rng *r, struct guest_ram ram, struct virtio_rng_host host);

#endif
