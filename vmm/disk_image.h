/* disk_image.h — the bytes behind a virtual disk: a raw image file mapped read-only (its
 * content is identified by hash, so it is part of the machine's initial state) plus an
 * overlay of 4 KiB blocks holding everything the guest wrote. The base file is never
 * modified, so a recording replays from the same bytes; the overlay is machine state (it is
 * saved in snapshots and checkpoints and kept with the trace). With `persist` (plain runs
 * only) there is no overlay: writes go to the file itself, shared-mapped, and flush syncs. */
#ifndef REWIND_DISK_IMAGE_H
#define REWIND_DISK_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISK_BLOCK 4096

struct disk_image;
struct state_writer;
struct state_reader;

/* Open path. Returns NULL with a message (missing, not a regular file, empty, unmappable). */
struct disk_image *disk_image_open(const char *path, bool readonly, bool persist, char *err,
                                   size_t errlen);
void disk_image_close(struct disk_image *d);
uint64_t disk_image_size(const struct disk_image *d);
bool disk_image_readonly(const struct disk_image *d);

/* Byte ranges inside the image (callers check the range); 0 or -1. */
int disk_image_read(struct disk_image *d, uint64_t off, void *buf, uint64_t len);
int disk_image_write(struct disk_image *d, uint64_t off, const void *buf, uint64_t len);
int disk_image_zero(struct disk_image *d, uint64_t off, uint64_t len);
int disk_image_flush(struct disk_image *d);

/* The overlay: blocks written so far, and a hash of (block number, contents) in block order
 * (0 when empty). */
uint64_t disk_image_overlay_blocks(const struct disk_image *d);
uint64_t disk_image_overlay_hash(struct disk_image *d);
/* Call fn for every overlay block in order; stops at the first nonzero return. */
int disk_image_foreach_block(const struct disk_image *d,
                             int (*fn)(void *ctx, uint64_t block, const uint8_t *data), void *ctx);
/* Put a block into the overlay (restoring it from a trace); 0 or -1. */
int disk_image_set_block(struct disk_image *d, uint64_t block, const uint8_t *data);
/* Write base + overlay to a new file; 0 or -1 with a message. */
int disk_image_export(const struct disk_image *d, const char *path, char *err, size_t errlen);

/* Blocks written since the last call (all overlay blocks the first time), lowest number
 * first, and start tracking afresh: checkpoints store only these, as they store RAM pages.
 * data is NULL for a block put back to the base image (disk_image_drop_block). */
int disk_image_take_dirty(struct disk_image *d,
                          int (*fn)(void *ctx, uint64_t block, const uint8_t *data), void *ctx);
/* The overlay's copy of a block (NULL: the block is the base image's). */
const uint8_t *disk_image_overlay_block(const struct disk_image *d, uint64_t block);
/* Put a block back to the base image's contents (leave the overlay). 0 or -1. */
int disk_image_drop_block(struct disk_image *d, uint64_t block);
/* How many blocks the disk has (the last may be partial). */
uint64_t disk_image_blocks(const struct disk_image *d);
/* Drop the overlay (back to the base image), before restoring blocks from a checkpoint. */
void disk_image_clear_overlay(struct disk_image *d);

/* State stream, section "disk": the size, the number of overlay blocks and their hash. Like
 * RAM, the blocks themselves are not in the stream: restore them first (disk_image_set_block);
 * loading then checks that the overlay is the one the state describes. */
void disk_image_save(struct disk_image *d, struct state_writer *w);
int disk_image_load(struct disk_image *d, struct state_reader *r);

#endif
