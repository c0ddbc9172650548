/* virtio_net.h — virtio network device (device ID 1): a receive and a transmit queue, a MAC
 * address and link status in the config space, no offloads (the guest computes checksums and
 * sends whole frames). Transmitted frames go to the host at once, when the driver notifies
 * the transmit queue. Received frames come from the machine, which takes them through the
 * gate between instruction slices while the driver has receive buffers posted
 * (virtio_net_can_receive / virtio_net_receive). */
#ifndef REWIND_VIRTIO_NET_H
#define REWIND_VIRTIO_NET_H

#include "devices/virtio_mmio.h"

#define VIRTIO_NET_HDR_SIZE 12        /* struct virtio_net_hdr with num_buffers (VERSION_1) */
#define VIRTIO_NET_MAX_FRAME 65550    /* the largest frame either way (without the header) */

struct virtio_net_host {
    /* the guest sent a frame (Ethernet, without the virtio header) */
    void (*transmit)(void *ctx, const uint8_t *frame, size_t len);
    void *ctx;
};

struct virtio_net {
    struct virtio_mmio transport;
    struct virtio_net_host host;
    uint8_t mac[6];
    uint64_t rx_frames, rx_bytes, rx_dropped, tx_frames, tx_bytes, tx_dropped;
    struct virtq_chain chain;         /* scratch */
    uint8_t frame[VIRTIO_NET_HDR_SIZE + VIRTIO_NET_MAX_FRAME];  /* scratch */
};

void virtio_net_init(struct virtio_net *n, struct guest_ram ram, const uint8_t mac[6],
                     struct virtio_net_host host);
/* Has the driver posted a receive buffer (and is the device live)? */
bool virtio_net_can_receive(struct virtio_net *n);
/* Deliver a received frame into the next receive buffer. Returns 0, or -1 if there was no
 * buffer or the frame did not fit (it is dropped and counted). */
int virtio_net_receive(struct virtio_net *n, const uint8_t *frame, size_t len);

#endif
