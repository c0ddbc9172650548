/* virtio_blk.h — virtio block device (device ID 2): one request queue; reads, writes,
 * flush, get-id, discard and write-zeroes on a backend that holds the disk's bytes (the
 * machine's disk image with its overlay, vmm/disk_image.c). Requests complete at once, when
 * the driver notifies the queue: a deterministic point in virtual time, so completions need
 * no log. Each completion is reported to the host as a derived event (type, sector, bytes,
 * status and a hash of the data) that replay checks. */
#ifndef REWIND_VIRTIO_BLK_H
#define REWIND_VIRTIO_BLK_H

#include "devices/virtio_mmio.h"

#define VIRTIO_BLK_CONFIG_SIZE 60
#define VIRTIO_BLK_SECTOR 512

/* request types */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
/* status */
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

struct virtio_blk_backend {
    uint64_t size;                   /* bytes (the capacity is size / 512 sectors) */
    bool readonly;
    int (*read)(void *ctx, uint64_t off, void *buf, uint64_t len);
    int (*write)(void *ctx, uint64_t off, const void *buf, uint64_t len);
    int (*flush)(void *ctx);
    int (*zero)(void *ctx, uint64_t off, uint64_t len);
    /* a request completed: type, first sector, data bytes, status, XXH3-64 of the data */
    void (*completed)(void *ctx, uint32_t type, uint64_t sector, uint64_t bytes, uint8_t status,
                      uint64_t data_hash);
    void *ctx;
};

struct virtio_blk {
    struct virtio_mmio transport;
    struct virtio_blk_backend backend;
    char serial[20];                 /* GET_ID answer */
    uint8_t config[VIRTIO_BLK_CONFIG_SIZE];
    uint64_t reads, writes, bytes_read, bytes_written;
    struct virtq_chain chain;        /* scratch */
    uint8_t bounce[65536];           /* scratch */
};

void virtio_blk_init(struct virtio_blk *b, struct guest_ram ram, struct virtio_blk_backend backend,
                     const char *serial);

#endif
