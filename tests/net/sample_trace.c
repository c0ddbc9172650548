/* sample_trace.c — test helper of tests/net: a hand-made rewind trace with ARP frames (see
 * sample_trace.h). */
#define _GNU_SOURCE
#include "sample_trace.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net_frames.h"

static const char schema[] =
    "PRAGMA synchronous = OFF;"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE events(seq INTEGER PRIMARY KEY, icount INTEGER NOT NULL, hart INTEGER NOT "
    "NULL, kind TEXT NOT NULL, source TEXT NOT NULL, pc INTEGER, value INTEGER, blob BLOB);"
    "INSERT INTO meta VALUES('format_version', '1');"
    "INSERT INTO events(seq, icount, hart, kind, source, value, blob) "
    "  VALUES(1, 100, 0, 'console_out', 'console', 5, CAST('hello' AS BLOB));"
    "INSERT INTO events(seq, icount, hart, kind, source, value, blob) "
    "  VALUES(4, 4000000000, 0, 'net_rx', 'net', 0, NULL);";

int sample_trace_write(const char *path, const char *harts_text,
                       struct sample_frame frames[SAMPLE_FRAMES], char *err, size_t errlen)
{
    static const uint8_t zero[6] = { 0 };
    static const uint8_t slirp_mac[6] = { 0x52, 0x55, 10, 0, 2, 2 };
    memset(frames, 0, sizeof(*frames) * SAMPLE_FRAMES);
    /* the guest asks for the gateway; slirp answers; then the guest (NIC 1) asks for DNS */
    frames[0] = (struct sample_frame){ .seq = 2, .icount = 3000000010, .nic = 0,
                                       .kind = "net_tx" };
    frames[0].len = build_arp(frames[0].data, 1, guest_mac, GUEST_IP, zero, SLIRP_HOST_IP);
    frames[1] = (struct sample_frame){ .seq = 3, .icount = 3000004000, .nic = 0,
                                       .kind = "net_rx" };
    frames[1].len = build_arp(frames[1].data, 2, slirp_mac, SLIRP_HOST_IP, guest_mac, GUEST_IP);
    frames[1].len = 64; /* slirp pads its ARP replies to 64 bytes */
    frames[2] = (struct sample_frame){ .seq = 5, .icount = 5000000000, .nic = 1,
                                       .kind = "net_tx" };
    frames[2].len = build_arp(frames[2].data, 1, guest_mac, GUEST_IP, zero, 0x0a000203);

    unlink(path);
    sqlite3 *db = NULL;
    char *msg = NULL;
    int ret = -1;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK)
        goto fail;
    if (harts_text) {
        if (sqlite3_prepare_v2(db, "INSERT INTO meta VALUES('harts', ?)", -1, &st, NULL) !=
            SQLITE_OK)
            goto fail;
        sqlite3_bind_text(st, 1, harts_text, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
        sqlite3_finalize(st);
        st = NULL;
    }
    if (sqlite3_prepare_v2(db, "INSERT INTO events(seq, icount, hart, kind, source, value, blob)"
                               " VALUES(?, ?, 0, ?, 'net', ?, ?)", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    /* inserted newest first: the export must order by seq, not by insertion */
    for (int i = SAMPLE_FRAMES - 1; i >= 0; i--) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, frames[i].seq);
        sqlite3_bind_int64(st, 2, frames[i].icount);
        sqlite3_bind_text(st, 3, frames[i].kind, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, frames[i].nic);
        sqlite3_bind_blob(st, 5, frames[i].data, (int)frames[i].len, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
    }
    ret = 0;
fail:
    if (ret)
        snprintf(err, errlen, "%s: %s", path, msg ? msg : db ? sqlite3_errmsg(db) : "open");
    sqlite3_free(msg);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ret;
}
