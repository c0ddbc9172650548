/* virtio_mmio.h — the virtio-mmio transport, version 2 ("modern"; virtio 1.x section 4.2):
 * the register window a driver sees (magic, version, IDs, feature negotiation, status,
 * queue setup by physical address, notify, interrupt status/ack, config generation, device
 * config space) and the interrupt line. The device model behind it (blk, net, rng) is a
 * separate element with its own ops, as kvmtool separates virtio_ops from transports; the
 * transport owns the queues and the negotiated features.
 *
 * Guest mistakes never reach the host: a bad queue layout or a chain that breaks the rules
 * sets DEVICE_NEEDS_RESET, raises the configuration-change interrupt and makes the device
 * ignore its queues until the driver resets it. The reason is kept for the host to read.
 *
 *   off    register                 off    register
 *   0x000  MagicValue "virt"         0x050  QueueNotify (w)
 *   0x004  Version = 2               0x060  InterruptStatus (r)
 *   0x008  DeviceID                  0x064  InterruptACK (w)
 *   0x00c  VendorID                  0x070  Status
 *   0x010  DeviceFeatures (r)        0x080  QueueDescLow/High
 *   0x014  DeviceFeaturesSel (w)     0x090  QueueDriverLow/High (available ring)
 *   0x020  DriverFeatures (w)        0x0a0  QueueDeviceLow/High (used ring)
 *   0x024  DriverFeaturesSel (w)     0x0fc  ConfigGeneration (r)
 *   0x030  QueueSel (w)              0x100+ device configuration space
 *   0x034  QueueNumMax (r)
 *   0x038  QueueNum (w)
 *   0x044  QueueReady
 * Registers are 32-bit; other sizes read 0 and are ignored. The config space takes 1, 2, 4
 * and 8-byte accesses. */
#ifndef REWIND_VIRTIO_MMIO_H
#define REWIND_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/irq.h"
#include "devices/virtqueue.h"
#include "vmm/bus.h"

#define VIRTIO_MMIO_SIZE 0x1000
#define VIRTIO_MMIO_MAX_QUEUES 4
#define VIRTIO_VENDOR_REWIND 0x64776572u   /* "rewd" */

/* feature bits the transport itself handles */
#define VIRTIO_F_RING_INDIRECT_DESC 28
#define VIRTIO_F_RING_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

/* device status bits */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

/* interrupt status bits */
#define VIRTIO_INT_USED_RING 1
#define VIRTIO_INT_CONFIG 2

/* virtio device IDs */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4

struct virtio_mmio;
struct state_writer;
struct state_reader;

/* What a device model provides. */
struct virtio_device_ops {
    const char *name;                 /* for messages and the state stream ("virtio-blk") */
    uint32_t device_id;
    unsigned num_queues;
    uint32_t queue_max;               /* largest queue size offered */
    /* device-specific feature bits offered (the transport adds VERSION_1, INDIRECT_DESC and
     * EVENT_IDX) */
    uint64_t (*features)(void *dev);
    uint32_t config_size;
    /* read/write config bytes [off, off+len) (within config_size) */
    void (*config_read)(void *dev, uint32_t off, void *buf, uint32_t len);
    void (*config_write)(void *dev, uint32_t off, const void *buf, uint32_t len);
    /* the driver made buffers available on `queue` (QueueNotify) */
    void (*notify)(void *dev, struct virtio_mmio *t, unsigned queue);
    /* the driver reset the device (status 0) */
    void (*reset)(void *dev);
    /* the driver set DRIVER_OK: the device is live (may be NULL) */
    void (*driver_ok)(void *dev, struct virtio_mmio *t);
    /* the device's own state (may be NULL) */
    void (*save)(void *dev, struct state_writer *w);
    int (*load)(void *dev, struct state_reader *r);
};

struct virtio_mmio {
    const struct virtio_device_ops *ops;
    void *dev;
    struct guest_ram ram;
    struct irq_line irq;
    /* registers */
    uint32_t status;
    uint32_t device_features_sel, driver_features_sel, queue_sel;
    uint64_t driver_features;          /* what the driver wrote */
    uint64_t features;                 /* accepted at FEATURES_OK */
    uint32_t interrupt_status;
    uint32_t config_generation;
    struct virtqueue queues[VIRTIO_MMIO_MAX_QUEUES];
    /* why the device stopped (NEEDS_RESET), for the host */
    char error[160];
    uint64_t errors;                   /* how many times the guest broke the rules */
};

void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_device_ops *ops, void *dev,
                      struct guest_ram ram);
int virtio_mmio_attach(struct virtio_mmio *t, struct bus *bus, uint64_t base);
/* Device reset (as by the driver writing 0 to Status); the line goes low. */
void virtio_mmio_reset(struct virtio_mmio *t);

/* For device models. */
/* Is the device live (DRIVER_OK set, no NEEDS_RESET) and is queue q ready? */
bool virtio_mmio_queue_live(const struct virtio_mmio *t, unsigned q);
struct virtqueue *virtio_mmio_queue(struct virtio_mmio *t, unsigned q);
bool virtio_mmio_has_feature(const struct virtio_mmio *t, unsigned bit);
/* Serve every chain the driver made available on queue q: serve() handles one chain and
 * returns how many bytes it wrote into it, or -1 after reporting a device error (serving
 * stops). Each chain goes back on the used ring; the driver is interrupted if it wants. */
void virtio_mmio_serve_queue(struct virtio_mmio *t, unsigned q, struct virtq_chain *scratch,
                             int64_t (*serve)(void *dev, struct virtq_chain *chain), void *dev);
/* After pushing used buffers on queue q: interrupt the driver if it wants one. */
void virtio_mmio_used(struct virtio_mmio *t, unsigned q);
/* The device configuration changed: bump the generation and interrupt. */
void virtio_mmio_config_changed(struct virtio_mmio *t);
/* The guest broke the rules: NEEDS_RESET, configuration interrupt, queues ignored. */
void virtio_mmio_device_error(struct virtio_mmio *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The last such error ("" if none). */
const char *virtio_mmio_error(const struct virtio_mmio *t);

/* State stream, section "virtio-mmio" holding the registers, the queues and the device's
 * own section. Loading checks queue layouts again and sets the line without telling the
 * receiver. 0, or -1 with the reader's error. */
void virtio_mmio_save(const struct virtio_mmio *t, struct state_writer *w);
int virtio_mmio_load(struct virtio_mmio *t, struct state_reader *r);

#endif
