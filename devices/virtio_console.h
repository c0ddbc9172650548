/* virtio_console.h — virtio console (device ID 3) with one port, no multiport: Linux's hvc0.
 * What the guest writes on the transmit queue goes to the host's console at once; console
 * input (taken through the gate like the UART's) fills the buffers the driver posts on the
 * receive queue. */
#ifndef REWIND_VIRTIO_CONSOLE_H
#define REWIND_VIRTIO_CONSOLE_H

#include "devices/virtio_mmio.h"

struct virtio_console_host {
    void (*tx)(void *ctx, const uint8_t *bytes, size_t len);   /* the guest printed */
    void *ctx;
};

struct virtio_console {
    struct virtio_mmio transport;
    struct virtio_console_host host;
    uint64_t rx_bytes, tx_bytes;
    struct virtq_chain chain;   /* scratch */
    uint8_t buf[4096];          /* scratch */
};

void virtio_console_init(struct virtio_console *c, struct guest_ram ram,
                         struct virtio_console_host host);
/* Console input: fill the receive buffers the driver has posted with up to n bytes; returns
 * how many were taken (0 while it has none posted). */
size_t virtio_console_receive(struct virtio_console *c, const uint8_t *bytes, size_t n);

#endif
