/* virtio_blk.c — the virtio block device (see virtio_blk.h). */
#include "devices/virtio_blk.h"

#include <string.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "vmm/state.h"

#define F_SEG_MAX 2
#define F_RO 5
#define F_BLK_SIZE 6
#define F_FLUSH 9
#define F_DISCARD 13
#define F_WRITE_ZEROES 14
#define HEADER 16
#define MAX_RANGES 64                 /* discard / write-zeroes ranges per request */
#define MAX_ZERO_SECTORS (1u << 22)   /* sectors per discard / write-zeroes range */

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static uint64_t blk_features(void *dev)
{
    struct virtio_blk *b = dev;
    uint64_t f = (1ull << F_SEG_MAX) | (1ull << F_BLK_SIZE) | (1ull << F_FLUSH);
    if (b->backend.readonly)
        f |= 1ull << F_RO;
    else
        f |= (1ull << F_DISCARD) | (1ull << F_WRITE_ZEROES);
    return f;
}

static void blk_config_read(void *dev, uint32_t off, void *buf, uint32_t len)
{
    struct virtio_blk *b = dev;
    memcpy(buf, b->config + off, len);
}

static bool in_range(const struct virtio_blk *b, uint64_t sector, uint64_t bytes)
{
    uint64_t capacity = b->backend.size / VIRTIO_BLK_SECTOR;
    return sector <= capacity && bytes / VIRTIO_BLK_SECTOR <= capacity - sector;
}

/* IN: disk -> guest, through the bounce buffer. Returns a status; *done bytes written. */
static uint8_t do_read(struct virtio_blk *b, uint64_t sector, uint64_t len, XXH3_state_t *h,
                       uint64_t *done)
{
    struct virtio_mmio *t = &b->transport;
    uint64_t off = sector * VIRTIO_BLK_SECTOR;
    *done = 0;
    while (*done < len) {
        uint64_t n = len - *done < sizeof(b->bounce) ? len - *done : sizeof(b->bounce);
        if (b->backend.read(b->backend.ctx, off + *done, b->bounce, n))
            return VIRTIO_BLK_S_IOERR;
        XXH3_64bits_update(h, b->bounce, n);
        virtq_chain_write(&b->chain, &t->ram, *done, b->bounce, n);
        *done += n;
    }
    return VIRTIO_BLK_S_OK;
}

/* OUT: guest -> disk. */
static uint8_t do_write(struct virtio_blk *b, uint64_t sector, uint64_t len, XXH3_state_t *h)
{
    struct virtio_mmio *t = &b->transport;
    uint64_t off = sector * VIRTIO_BLK_SECTOR;
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < sizeof(b->bounce) ? len - done : sizeof(b->bounce);
        virtq_chain_read(&b->chain, &t->ram, HEADER + done, b->bounce, n);
        XXH3_64bits_update(h, b->bounce, n);
        if (b->backend.write(b->backend.ctx, off + done, b->bounce, n))
            return VIRTIO_BLK_S_IOERR;
        done += n;
    }
    return VIRTIO_BLK_S_OK;
}

/* DISCARD / WRITE_ZEROES: a list of {sector u64, num_sectors u32, flags u32}. Both zero
 * the range (a deterministic answer to "unspecified contents"). */
static uint8_t do_zero(struct virtio_blk *b, uint64_t payload, XXH3_state_t *h, uint64_t *bytes)
{
    *bytes = 0;
    if (payload == 0 || payload % 16 || payload / 16 > MAX_RANGES)
        return VIRTIO_BLK_S_IOERR;
    for (uint64_t i = 0; i < payload / 16; i++) {
        uint8_t seg[16];
        virtq_chain_read(&b->chain, &b->transport.ram, HEADER + i * 16, seg, 16);
        XXH3_64bits_update(h, seg, 16);
        uint64_t sector;
        uint32_t count, flags;
        memcpy(&sector, seg, 8);
        memcpy(&count, seg + 8, 4);
        memcpy(&flags, seg + 12, 4);
        uint64_t len = (uint64_t)count * VIRTIO_BLK_SECTOR;
        if (count > MAX_ZERO_SECTORS || (flags & ~1u) || !in_range(b, sector, len))
            return VIRTIO_BLK_S_IOERR;
        if (b->backend.zero(b->backend.ctx, sector * VIRTIO_BLK_SECTOR, len))
            return VIRTIO_BLK_S_IOERR;
        *bytes += len;
    }
    return VIRTIO_BLK_S_OK;
}

/* Serve one request chain; returns the bytes written to the guest (data + status). */
static uint32_t serve(struct virtio_blk *b)
{
    struct virtio_mmio *t = &b->transport;
    struct virtq_chain *c = &b->chain;
    uint8_t hdr[HEADER];
    if (c->readable_bytes < HEADER || c->writable_bytes < 1) {
        virtio_mmio_device_error(t, "request without a header or a status byte");
        return 0;
    }
    virtq_chain_read(c, &t->ram, 0, hdr, HEADER);
    uint32_t type;
    uint64_t sector;
    memcpy(&type, hdr, 4);
    memcpy(&sector, hdr + 8, 8);
    uint64_t in_room = c->writable_bytes - 1;          /* before the status byte */
    uint64_t out_len = c->readable_bytes - HEADER;
    uint64_t bytes = 0, written = 0;
    uint8_t status;
    XXH3_state_t h;
    XXH3_64bits_reset(&h);
    switch (type) {
    case VIRTIO_BLK_T_IN:
        bytes = in_room;
        if (bytes % VIRTIO_BLK_SECTOR || !in_range(b, sector, bytes))
            status = VIRTIO_BLK_S_IOERR;
        else {
            status = do_read(b, sector, bytes, &h, &written);
            b->reads++;
            b->bytes_read += written;
        }
        break;
    case VIRTIO_BLK_T_OUT:
        bytes = out_len;
        if (b->backend.readonly || bytes % VIRTIO_BLK_SECTOR || !in_range(b, sector, bytes))
            status = VIRTIO_BLK_S_IOERR;
        else {
            status = do_write(b, sector, bytes, &h);
            b->writes++;
            b->bytes_written += bytes;
        }
        break;
    case VIRTIO_BLK_T_FLUSH:
        status = b->backend.flush(b->backend.ctx) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
        break;
    case VIRTIO_BLK_T_GET_ID:
        written = in_room < sizeof(b->serial) ? in_room : sizeof(b->serial);
        virtq_chain_write(c, &t->ram, 0, b->serial, written);
        XXH3_64bits_update(&h, b->serial, written);
        status = VIRTIO_BLK_S_OK;
        break;
    case VIRTIO_BLK_T_DISCARD:
    case VIRTIO_BLK_T_WRITE_ZEROES:
        status = b->backend.readonly ? VIRTIO_BLK_S_IOERR : do_zero(b, out_len, &h, &bytes);
        break;
    default:
        status = VIRTIO_BLK_S_UNSUPP;
        break;
    }
    virtq_chain_write(c, &t->ram, c->writable_bytes - 1, &status, 1);
    if (b->backend.completed)
        b->backend.completed(b->backend.ctx, type, sector, bytes, status, XXH3_64bits_digest(&h));
    return (uint32_t)(written + 1);
}

static int64_t blk_serve(void *dev, struct virtq_chain *chain)
{
    struct virtio_blk *b = dev;
    (void)chain; /* b->chain */
    uint32_t written = serve(b);
    return (b->transport.status & VIRTIO_STATUS_NEEDS_RESET) ? -1 : (int64_t)written;
}

static void blk_notify(void *dev, struct virtio_mmio *t, unsigned queue)
{
    struct virtio_blk *b = dev;
    virtio_mmio_serve_queue(t, queue, &b->chain, blk_serve, b);
}

static void blk_save(void *dev, struct state_writer *w)
{
    struct virtio_blk *b = dev;
    state_put_u64(w, b->reads);
    state_put_u64(w, b->writes);
    state_put_u64(w, b->bytes_read);
    state_put_u64(w, b->bytes_written);
}

static int blk_load(void *dev, struct state_reader *r)
{
    struct virtio_blk *b = dev;
    uint64_t v[4];
    for (int i = 0; i < 4; i++)
        v[i] = state_get_u64(r);
    if (state_reader_error(r))
        return -1;
    b->reads = v[0];
    b->writes = v[1];
    b->bytes_read = v[2];
    b->bytes_written = v[3];
    return 0;
}

static const struct virtio_device_ops blk_ops = {
    .name = "virtio-blk", .device_id = VIRTIO_ID_BLOCK, .num_queues = 1,
    .queue_max = VIRTQ_MAX_SIZE, .features = blk_features, .config_size = VIRTIO_BLK_CONFIG_SIZE,
    .config_read = blk_config_read, .notify = blk_notify, .save = blk_save, .load = blk_load,
};

void virtio_blk_init(struct virtio_blk *b, struct guest_ram ram, struct virtio_blk_backend backend,
                     const char *serial)
{
    b->backend = backend;
    b->reads = b->writes = b->bytes_read = b->bytes_written = 0;
    memset(b->serial, 0, sizeof(b->serial));
    if (serial) /* 20 bytes, not NUL-terminated when full (as the spec has it) */
        memcpy(b->serial, serial, strnlen(serial, sizeof(b->serial)));
    memset(b->config, 0, sizeof(b->config));
    put64(b->config + 0, backend.size / VIRTIO_BLK_SECTOR);     /* capacity */
    put32(b->config + 12, VIRTQ_MAX_SEGMENTS - 2);             /* seg_max */
    put32(b->config + 20, VIRTIO_BLK_SECTOR);                  /* blk_size */
    put32(b->config + 36, MAX_ZERO_SECTORS);                   /* max_discard_sectors */
    put32(b->config + 40, MAX_RANGES);                         /* max_discard_seg */
    put32(b->config + 44, 8);                                  /* discard_sector_alignment */
    put32(b->config + 48, MAX_ZERO_SECTORS);                   /* max_write_zeroes_sectors */
    put32(b->config + 52, MAX_RANGES);                         /* max_write_zeroes_seg */
    virtio_mmio_init(&b->transport, &blk_ops, b, ram);
}
