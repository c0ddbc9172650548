/* state.h — the versioned machine-state stream: the one format in which the harts, the
 * devices and the VM save and load their state (snapshots, checkpoints, migration and time
 * travel are all built on it).
 *
 * A stream is a sequence of sections, which may nest. A section is
 *     u8  name length (1..STATE_NAME_MAX), the name bytes (no terminator)
 *     u32 version (>= 1)
 *     u64 body length in bytes
 *     body
 * and every number is little-endian of fixed width. The owner of some state writes one
 * section for it; a reader opens the section by name, saying which version it understands,
 * so it can reject (or skip) what it does not know.
 *
 * The writer grows a heap buffer; an allocation failure or unbalanced sections make it fail
 * (sticky), and state_writer_status() reports it at the end.
 *
 * The reader is fully bounds-checked against the buffer and against the end of every open
 * section. Its first error is sticky: later reads return zeros and do nothing, so a loader
 * may read a whole section and check state_reader_error() once. Hostile or truncated input
 * never reads out of bounds; it yields an error message. */
#ifndef REWIND_STATE_H
#define REWIND_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATE_NAME_MAX 63
#define STATE_MAX_DEPTH 8
#define STATE_ERROR_MAX 200

struct state_writer {
    uint8_t *buf;
    size_t len, cap;
    size_t open[STATE_MAX_DEPTH]; /* offsets of the length fields of the open sections */
    int depth;
    bool failed;
};

void state_writer_init(struct state_writer *w);
void state_writer_free(struct state_writer *w);
/* Forget what was written (keeping the buffer) so the writer can be used again. */
void state_writer_reset(struct state_writer *w);
/* 0 if everything was written and every section closed; -1 otherwise. */
int state_writer_status(const struct state_writer *w);
/* The bytes written so far. */
const uint8_t *state_writer_data(const struct state_writer *w, size_t *len);

void state_put_u8(struct state_writer *w, uint8_t v);
void state_put_bool(struct state_writer *w, bool v);
void state_put_u32(struct state_writer *w, uint32_t v);
void state_put_u64(struct state_writer *w, uint64_t v);
void state_put_i64(struct state_writer *w, int64_t v);
void state_put_bytes(struct state_writer *w, const void *bytes, size_t len);
/* Open a section (name: 1..STATE_NAME_MAX bytes; version >= 1); close it with
 * state_end_section, which fills in its length. */
void state_begin_section(struct state_writer *w, const char *name, uint32_t version);
void state_end_section(struct state_writer *w);

struct state_reader {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    size_t limit;                  /* end of the innermost open section (or of the buffer) */
    size_t ends[STATE_MAX_DEPTH];  /* limit of each enclosing level */
    char names[STATE_MAX_DEPTH][STATE_NAME_MAX + 1];
    int depth;
    bool failed;
    char error[STATE_ERROR_MAX];
};

void state_reader_init(struct state_reader *r, const void *buf, size_t len);
/* NULL while all is well; otherwise the first error, as one line. */
const char *state_reader_error(const struct state_reader *r);
/* Record an error (if none is recorded yet), prefixed with the innermost open section's
 * name. Returns -1 so that loaders can `return state_fail(r, ...)`. */
int state_fail(struct state_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* True when the innermost open section (or the stream) has no bytes left. */
bool state_at_end(const struct state_reader *r);

uint8_t state_get_u8(struct state_reader *r);
bool state_get_bool(struct state_reader *r);   /* anything but 0 or 1 is an error */
uint32_t state_get_u32(struct state_reader *r);
uint64_t state_get_u64(struct state_reader *r);
int64_t state_get_i64(struct state_reader *r);
/* Copies len bytes; on error fills dst with zeros. */
void state_get_bytes(struct state_reader *r, void *dst, size_t len);

/* Open the next section, which must be called `name`. *version is in/out: on entry the
 * newest version the caller can read, on return the version found. Returns 0, or -1 (and
 * the reader's error) if the section is missing, has another name, is newer than *version,
 * or its length runs past the enclosing section. */
int state_open_section(struct state_reader *r, const char *name, uint32_t *version);
/* Close the innermost open section; it is an error if part of its body was not read. */
int state_close_section(struct state_reader *r);
/* Skip the next section whatever it is; its name is stored in name (may be NULL). */
int state_skip_section(struct state_reader *r, char name[STATE_NAME_MAX + 1]);

#endif
