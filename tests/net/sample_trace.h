/* sample_trace.h — test helper of tests/net: writes a small SQLite file with the schema of a
 * rewind trace (meta, events) holding real ARP frames as net_tx/net_rx events. */
#ifndef REWIND_TESTS_NET_SAMPLE_TRACE_H
#define REWIND_TESTS_NET_SAMPLE_TRACE_H

#include <stddef.h>
#include <stdint.h>

/* What sample_trace_write puts in: 2 harts; frames in seq order (plus a console event and a
 * net_rx row without a blob, which the export skips). */
#define SAMPLE_FRAMES 3
struct sample_frame {
    int64_t seq, icount;
    int nic;
    const char *kind;
    uint8_t data[64];
    size_t len;
};
/* Fills frames[SAMPLE_FRAMES] (seq order) and writes the trace; harts_text is meta's harts
 * value (NULL: no harts row). Returns 0, or -1 with a message in err. */
int sample_trace_write(const char *path, const char *harts_text,
                       struct sample_frame frames[SAMPLE_FRAMES], char *err, size_t errlen);

#endif
