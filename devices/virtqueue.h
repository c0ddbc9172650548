/* virtqueue.h — split virtqueues (virtio 1.x, section 2.7) as a device sees them in guest
 * RAM: taking descriptor chains from the available ring (direct and indirect descriptors),
 * copying to and from their buffers, returning them on the used ring, and deciding whether
 * the driver wants an interrupt (VIRTIO_F_EVENT_IDX or the NO_INTERRUPT flag).
 *
 * Everything the guest wrote is untrusted: ring addresses, sizes, indexes, descriptor
 * addresses, lengths, flags and next links are checked before use, and any violation is
 * reported as an error (the transport then sets DEVICE_NEEDS_RESET). Nothing outside guest
 * RAM is ever read or written, chains cannot loop, and a chain's total length is bounded. */
#ifndef REWIND_VIRTQUEUE_H
#define REWIND_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guest RAM as devices may touch it (DMA). `written` is told about every range a device
 * writes, so decoded code is invalidated and checkpoints see the page as changed. */
struct guest_ram {
    uint8_t *host;
    uint64_t base, size;
    void (*written)(void *ctx, uint64_t paddr, uint64_t len);
    void *ctx;
};

/* Host pointer to [paddr, paddr+len) if all of it is guest RAM, else NULL. */
uint8_t *guest_ram_ptr(const struct guest_ram *ram, uint64_t paddr, uint64_t len);
/* Copies that check the range; 0 or -1. */
int guest_ram_read(const struct guest_ram *ram, uint64_t paddr, void *dst, uint64_t len);
int guest_ram_write(const struct guest_ram *ram, uint64_t paddr, const void *src, uint64_t len);

#define VIRTQ_MAX_SIZE 1024          /* the largest queue a device offers */
#define VIRTQ_MAX_SEGMENTS 1024      /* buffers in one chain */
#define VIRTQ_MAX_CHAIN_BYTES (256u << 20)

struct virtqueue {
    /* set by the driver through the transport */
    uint32_t num;                    /* queue size */
    bool ready;
    uint64_t desc, avail, used;      /* guest physical addresses of the three parts */
    /* the device's position */
    uint16_t last_avail;             /* next available-ring entry to take */
    uint16_t used_idx;               /* our copy of used->idx */
    uint16_t signalled_used;         /* used_idx when the driver was last interrupted */
    bool signalled_valid;
    /* negotiated features that change the layout or the protocol */
    bool event_idx, indirect;
};

struct virtq_segment {
    uint64_t addr;
    uint32_t len;
    bool device_writes;              /* device-writable (VIRTQ_DESC_F_WRITE) */
};

/* One descriptor chain taken from the available ring. The device-readable segments come
 * first, then the device-writable ones (the spec requires that order; others are an error). */
struct virtq_chain {
    uint16_t head;
    unsigned num_segments;
    unsigned first_writable;         /* index of the first writable segment */
    uint64_t readable_bytes, writable_bytes;
    struct virtq_segment seg[VIRTQ_MAX_SEGMENTS];
};

/* Reset to the state after device reset (not ready, nothing set). */
void virtq_reset(struct virtqueue *q);
/* Check the driver's layout when it sets QueueReady: size a power of two in 1..max, parts
 * aligned and inside RAM. Returns 0, or -1 with a message. */
int virtq_check_layout(const struct virtqueue *q, const struct guest_ram *ram, uint32_t max,
                       char *err, size_t errlen);
/* Take the next chain: 1 and *chain filled, 0 if the ring is empty, -1 with a message when
 * the guest broke the rules (bad index, head out of range, loop, bad address, ...). */
int virtq_pop(struct virtqueue *q, const struct guest_ram *ram, struct virtq_chain *chain,
              char *err, size_t errlen);
/* Is a chain waiting? (-1: the available index is impossible) */
int virtq_has_work(const struct virtqueue *q, const struct guest_ram *ram);
/* Copy from the chain's readable bytes starting at `offset`; returns bytes copied. */
uint64_t virtq_chain_read(const struct virtq_chain *c, const struct guest_ram *ram,
                          uint64_t offset, void *dst, uint64_t len);
/* Copy into the chain's writable bytes starting at `offset`; returns bytes copied. */
uint64_t virtq_chain_write(const struct virtq_chain *c, const struct guest_ram *ram,
                           uint64_t offset, const void *src, uint64_t len);
/* Return a chain on the used ring with the number of bytes written. 0 or -1 (message). */
int virtq_push(struct virtqueue *q, const struct guest_ram *ram, uint16_t head, uint32_t written,
               char *err, size_t errlen);
/* After pushing: does the driver want an interrupt for what was used since the last one? */
bool virtq_should_interrupt(struct virtqueue *q, const struct guest_ram *ram);

/* State stream helpers (section owned by the transport). */
struct state_writer;
struct state_reader;
void virtq_save(const struct virtqueue *q, struct state_writer *w);
int virtq_load(struct virtqueue *q, struct state_reader *r);

#endif
