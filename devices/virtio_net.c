/* virtio_net.c — the virtio network device (see virtio_net.h). */
#include "devices/virtio_net.h"

#include <string.h>

#include "vmm/state.h"

#define F_MAC 5
#define F_STATUS 16
#define NET_S_LINK_UP 1
#define CONFIG_SIZE 8                  /* mac[6], status u16 */
#define RXQ 0
#define TXQ 1

static uint64_t net_features(void *dev)
{
    (void)dev;
    return (1ull << F_MAC) | (1ull << F_STATUS);
}

static void net_config_read(void *dev, uint32_t off, void *buf, uint32_t len)
{
    struct virtio_net *n = dev;
    uint8_t cfg[CONFIG_SIZE];
    memcpy(cfg, n->mac, 6);
    cfg[6] = NET_S_LINK_UP;
    cfg[7] = 0;
    memcpy(buf, cfg + off, len);
}

/* One frame the guest sends: header, then the frame. Malformed ones are dropped. */
static int64_t transmit_one(void *dev, struct virtq_chain *chain)
{
    struct virtio_net *n = dev;
    uint64_t total = chain->readable_bytes;
    if (total <= VIRTIO_NET_HDR_SIZE || total - VIRTIO_NET_HDR_SIZE > VIRTIO_NET_MAX_FRAME) {
        n->tx_dropped++;
        return 0;
    }
    uint64_t len = total - VIRTIO_NET_HDR_SIZE;
    virtq_chain_read(chain, &n->transport.ram, VIRTIO_NET_HDR_SIZE, n->frame, len);
    n->tx_frames++;
    n->tx_bytes += len;
    if (n->host.transmit)
        n->host.transmit(n->host.ctx, n->frame, (size_t)len);
    return 0;
}

static void net_notify(void *dev, struct virtio_mmio *t, unsigned queue)
{
    /* Receive buffers are used when frames arrive; only transmit has work to do now. */
    struct virtio_net *n = dev;
    if (queue == TXQ)
        virtio_mmio_serve_queue(t, TXQ, &n->chain, transmit_one, n);
}

bool virtio_net_can_receive(struct virtio_net *n)
{
    struct virtio_mmio *t = &n->transport;
    if (!virtio_mmio_queue_live(t, RXQ))
        return false;
    int rc = virtq_has_work(virtio_mmio_queue(t, RXQ), &t->ram);
    if (rc < 0) {
        virtio_mmio_device_error(t, "receive queue: the available index is impossible");
        return false;
    }
    return rc == 1;
}

int virtio_net_receive(struct virtio_net *n, const uint8_t *frame, size_t len)
{
    struct virtio_mmio *t = &n->transport;
    struct virtqueue *q = virtio_mmio_queue(t, RXQ);
    char err[160];
    if (!virtio_mmio_queue_live(t, RXQ)) {
        n->rx_dropped++;
        return -1;
    }
    int rc = virtq_pop(q, &t->ram, &n->chain, err, sizeof(err));
    if (rc < 0)
        virtio_mmio_device_error(t, "receive queue: %s", err);
    if (rc <= 0) {
        n->rx_dropped++;
        return -1;
    }
    uint32_t written = 0;
    if (n->chain.writable_bytes < VIRTIO_NET_HDR_SIZE + (uint64_t)len) {
        n->rx_dropped++;   /* the buffer goes back empty */
    } else {
        uint8_t hdr[VIRTIO_NET_HDR_SIZE] = { 0 };
        hdr[10] = 1;       /* num_buffers */
        virtq_chain_write(&n->chain, &t->ram, 0, hdr, sizeof(hdr));
        virtq_chain_write(&n->chain, &t->ram, VIRTIO_NET_HDR_SIZE, frame, len);
        written = (uint32_t)(VIRTIO_NET_HDR_SIZE + len);
        n->rx_frames++;
        n->rx_bytes += len;
    }
    if (virtq_push(q, &t->ram, n->chain.head, written, err, sizeof(err))) {
        virtio_mmio_device_error(t, "receive queue: %s", err);
        return -1;
    }
    virtio_mmio_used(t, RXQ);
    return written ? 0 : -1;
}

static void net_save(void *dev, struct state_writer *w)
{
    struct virtio_net *n = dev;
    state_put_bytes(w, n->mac, 6);
    state_put_u64(w, n->rx_frames);
    state_put_u64(w, n->rx_bytes);
    state_put_u64(w, n->rx_dropped);
    state_put_u64(w, n->tx_frames);
    state_put_u64(w, n->tx_bytes);
    state_put_u64(w, n->tx_dropped);
}

static int net_load(void *dev, struct state_reader *r)
{
    struct virtio_net *n = dev;
    uint8_t mac[6];
    state_get_bytes(r, mac, 6);
    uint64_t v[6];
    for (int i = 0; i < 6; i++)
        v[i] = state_get_u64(r);
    if (state_reader_error(r))
        return -1;
    if (memcmp(mac, n->mac, 6))
        return state_fail(r, "virtio-net: the state has another MAC address");
    n->rx_frames = v[0];
    n->rx_bytes = v[1];
    n->rx_dropped = v[2];
    n->tx_frames = v[3];
    n->tx_bytes = v[4];
    n->tx_dropped = v[5];
    return 0;
}

static const struct virtio_device_ops net_ops = {
    .name = "virtio-net", .device_id = VIRTIO_ID_NET, .num_queues = 2, .queue_max = 256,
    .features = net_features, .config_size = CONFIG_SIZE, .config_read = net_config_read,
    .notify = net_notify, .save = net_save, .load = net_load,
};

void virtio_net_init(struct virtio_net *n, struct guest_ram ram, const uint8_t mac[6],
                     struct virtio_net_host host)
{
    n->host = host;
    memcpy(n->mac, mac, 6);
    n->rx_frames = n->rx_bytes = n->rx_dropped = 0;
    n->tx_frames = n->tx_bytes = n->tx_dropped = 0;
    virtio_mmio_init(&n->transport, &net_ops, n, ram);
}
