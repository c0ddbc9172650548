/* trace.h — the trace file: one SQLite database per recording, readable by the replayer and
 * by people with sqlite3. Owns the schema, the meta table, event rows and image rows.
 * The schema is documented in docs/trace-format.md. */
#ifndef REWIND_TRACE_H
#define REWIND_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_FORMAT_VERSION 2

struct trace;

/* Event kinds, stored as text in events.kind. Inputs are answers of the gate; the others are
 * derived events that replay checks. */
enum trace_kind {
    TRACE_CONSOLE_IN,   /* blob: bytes the guest's console received */
    TRACE_CONSOLE_EOF,  /* console input ended */
    TRACE_WARP,         /* value: ns of guest time an idle machine skipped while waiting */
    TRACE_WALL_CLOCK,   /* value: host wall clock (ns since the epoch) */
    TRACE_ENTROPY,      /* blob: entropy bytes (device tree rng-seed) */
    TRACE_HOST_CLOCK,   /* value: a reading of the host's monotonic clock (--clock host) */
    TRACE_NET_RX,       /* value: network card; blob: the frame it received */
    TRACE_RNG,          /* blob: entropy bytes given to the virtio-rng device */
    TRACE_CONSOLE_OUT,  /* blob: bytes the guest printed */
    TRACE_INTERRUPT,    /* value: cause (bit 63 set), pc: interrupted pc */
    TRACE_EXIT,         /* value: exit code (0x10000: reboot) */
    TRACE_NET_TX,       /* value: network card; blob: the frame the guest sent */
    TRACE_DISK_IO,      /* value: first sector; blob: text "diskN op bytes status S hash H" */
    TRACE_KIND_COUNT
};

const char *trace_kind_name(enum trace_kind k);
bool trace_kind_is_input(enum trace_kind k);

struct trace_event {
    int64_t seq;
    enum trace_kind kind;
    uint64_t icount;
    unsigned hart;
    uint64_t pc;
    uint64_t value;
    uint8_t *blob;      /* owned by the reader until the next read; NULL if none */
    size_t blob_len;
};

/* Create a new trace; fails if path exists (unless overwrite). */
struct trace *trace_create(const char *path, bool overwrite, char *err, size_t errlen);
/* Open an existing trace for reading (and, if writable, for pack). Checks that it is a rewind
 * trace of a format version this build understands. */
struct trace *trace_open(const char *path, bool writable, char *err, size_t errlen);
void trace_close(struct trace *t);

int trace_set_meta(struct trace *t, const char *key, const char *value);
int trace_set_meta_u64(struct trace *t, const char *key, uint64_t value);
/* Copy a meta value into buf; returns 0, or -1 if absent. */
int trace_get_meta(struct trace *t, const char *key, char *buf, size_t len);
int trace_get_meta_u64(struct trace *t, const char *key, uint64_t *value);

/* Append an event (buffered in the open transaction). */
int trace_append(struct trace *t, enum trace_kind kind, uint64_t icount, unsigned hart,
                 uint64_t pc, uint64_t value, const void *blob, size_t blob_len);
/* Commit what was appended so far (the trace is consistent at every commit). */
int trace_commit(struct trace *t);
uint64_t trace_events_written(const struct trace *t);

/* Images the recording used, identified by hash (hex XXH3-128). */
int trace_add_image(struct trace *t, const char *role, const char *path, uint64_t size,
                    const char *hash);
struct trace_image {
    char role[16];
    char path[1024];
    char hash[40];
    uint64_t size;
    bool packed;
};
/* Fill up to max images; returns how many there are. */
int trace_images(struct trace *t, struct trace_image *out, int max);
/* Store a packed (zstd) copy of an image / read it back into a malloc'd buffer. */
int trace_pack_image(struct trace *t, const char *role, const uint8_t *data, uint64_t size,
                     char *err, size_t errlen);
int trace_unpack_image(struct trace *t, const char *role, uint8_t **data, uint64_t *size,
                       char *err, size_t errlen);

/* Reading events in order: one cursor over inputs, one over derived events. */
struct trace_cursor;
struct trace_cursor *trace_cursor_open(struct trace *t, bool inputs, int64_t after_seq);
/* 1 and *ev filled; 0 at the end; -1 on error. */
int trace_cursor_next(struct trace_cursor *c, struct trace_event *ev);
void trace_cursor_close(struct trace_cursor *c);

/* Checkpoints: the machine state (a zstd-compressed state stream) and the RAM pages that
 * changed since the previous checkpoint (NULL data: the page is all zero). */
int trace_add_checkpoint(struct trace *t, uint64_t icount, uint64_t hash, const uint8_t *state,
                         size_t state_len, uint64_t pages, uint64_t bytes, int64_t *id);
int trace_add_page(struct trace *t, int64_t checkpoint, uint64_t page, const uint8_t *zdata,
                   size_t zlen);
int trace_update_checkpoint(struct trace *t, int64_t id, uint64_t hash, uint64_t pages,
                            uint64_t bytes);
/* Disk overlay blocks written since the previous checkpoint (zstd-compressed 4 KiB);
 * checkpoint TRACE_END for those written after the last checkpoint, at the end of the
 * recording. */
#define TRACE_END INT64_MAX
int trace_add_disk_block(struct trace *t, int64_t checkpoint, unsigned disk, uint64_t block,
                         const uint8_t *zdata, size_t zlen);
/* Every disk's overlay as of checkpoint id (TRACE_END: as the recording left it): fn gets, for each block ever written up to it,
 * its latest contents. Returns how many blocks, or -1 (message in err). */
int64_t trace_load_disk_blocks(struct trace *t, int64_t checkpoint,
                               int (*fn)(void *ctx, unsigned disk, uint64_t block,
                                         const uint8_t *data, size_t len),
                               void *ctx, char *err, size_t errlen);
struct trace_checkpoint {
    int64_t id;
    uint64_t icount;
    uint64_t hash;
    uint64_t events;   /* events written before it (their seq is at most this) */
};
/* Put checkpoint id's RAM pages into ram (over the images as loaded) and return its state
 * stream (malloc'd). Returns 0, or -1 with a message. */
int trace_load_checkpoint(struct trace *t, int64_t id, uint8_t *ram, uint64_t ram_pages,
                          uint8_t **state, size_t *state_len, char *err, size_t errlen);
/* The same, handing each page to fn (data NULL: a page of zeros) instead of writing RAM. */
int trace_load_checkpoint_pages(struct trace *t, int64_t id, uint64_t ram_pages,
                                void (*fn)(void *ctx, uint64_t page, const uint8_t *data),
                                void *ctx, uint8_t **state, size_t *state_len, char *err,
                                size_t errlen);
/* Checkpoints in icount order: fills up to max; returns how many there are (-1: error). */
int trace_checkpoints(struct trace *t, struct trace_checkpoint *out, int max);

/* Describe events with icount in [from, to], at most max rows (the newest first if
 * newest_first), one line each, to out. Returns how many. */
int trace_describe_events(struct trace *t, uint64_t from, uint64_t to, int max, bool newest_first,
                          void (*out)(void *ctx, const char *line), void *ctx);

/* Counts by kind (for info). */
int trace_count_kind(struct trace *t, enum trace_kind k, uint64_t *count);
/* The largest icount of any event (for incomplete traces). */
int trace_last_icount(struct trace *t, uint64_t *icount);

/* Hash of a file's bytes as 32 hex digits; returns 0 or -1 (errno set). */
int trace_hash_file(const char *path, char hash[40], uint64_t *size);
void trace_hash_bytes(const uint8_t *data, uint64_t size, char hash[40]);

const char *trace_errmsg(struct trace *t);

#endif
