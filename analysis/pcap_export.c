/* pcap_export.c — reads a trace's net_rx/net_tx events straight from SQLite (read-only) and
 * writes them as a nanosecond pcap file; owns the pcap encoding and the guest-time stamps
 * (see pcap_export.h). */
#define _GNU_SOURCE
#include "analysis/pcap_export.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_SNAPLEN 65535u
#define PCAP_LINKTYPE_ETHERNET 1u

__attribute__((format(printf, 3, 4)))
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* 1 if the table exists, 0 if not, -1 on error (err set). */
static int has_table(sqlite3 *db, const char *path, const char *name, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                    "name = ?", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    int found = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        if (rc == SQLITE_NOTADB)
            set_err(err, errlen, "%s is not a rewind trace (not an SQLite database)", path);
        else
            set_err(err, errlen, "%s: cannot read: %s", path, sqlite3_errmsg(db));
        found = -1;
    }
    sqlite3_finalize(st);
    return found;
}

/* meta 'harts' as a positive number; 1 when absent. */
static int read_harts(sqlite3 *db, const char *path, uint64_t *harts, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    *harts = 1;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'harts'", -1, &st, NULL) !=
        SQLITE_OK) {
        set_err(err, errlen, "%s: cannot read meta: %s", path, sqlite3_errmsg(db));
        return -1;
    }
    int rc = sqlite3_step(st);
    int ret = 0;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        char *end = NULL;
        errno = 0;
        unsigned long long v = text ? strtoull(text, &end, 10) : 0;
        if (!text || end == text || *end || errno || v == 0 || v > 1024 || text[0] == '-') {
            set_err(err, errlen, "%s: meta harts = '%s' is not a hart count", path,
                    text ? text : "");
            ret = -1;
        } else {
            *harts = v;
        }
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        set_err(err, errlen, "%s: cannot read meta: %s", path, sqlite3_errmsg(db));
        ret = -1;
    }
    sqlite3_finalize(st);
    return ret;
}

static bool write_all(FILE *f, const void *p, size_t len)
{
    return fwrite(p, 1, len, f) == len;
}

static bool write_file_header(FILE *f)
{
    uint8_t h[24];
    put_le32(h, PCAP_MAGIC_NS);
    put_le16(h + 4, 2);  /* version 2.4 */
    put_le16(h + 6, 4);
    put_le32(h + 8, 0);  /* thiszone */
    put_le32(h + 12, 0); /* sigfigs */
    put_le32(h + 16, PCAP_SNAPLEN);
    put_le32(h + 20, PCAP_LINKTYPE_ETHERNET);
    return write_all(f, h, sizeof(h));
}

int pcap_export_nic(const char *trace_path, const char *out_path, int nic, uint64_t *frames,
                    char *err, size_t errlen)
{
    if (frames)
        *frames = 0;
    if (err && errlen)
        err[0] = 0;
    if (!trace_path || !out_path) {
        set_err(err, errlen, "pcap export: no trace or output path");
        return -1;
    }
    struct stat sb;
    if (stat(trace_path, &sb) != 0) {
        set_err(err, errlen, "%s: %s", trace_path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        set_err(err, errlen, "%s is not a rewind trace (not a regular file)", trace_path);
        return -1;
    }
    if (access(trace_path, R_OK) != 0) {
        set_err(err, errlen, "%s: %s", trace_path, strerror(errno));
        return -1;
    }

    sqlite3 *db = NULL;
    if (sqlite3_open_v2(trace_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        set_err(err, errlen, "%s: cannot open: %s", trace_path,
                db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 2000); /* a recording still being written */

    int ret = -1;
    FILE *out = NULL;
    sqlite3_stmt *st = NULL;
    uint64_t harts = 1, count = 0;

    int ev = has_table(db, trace_path, "events", err, errlen);
    if (ev < 0)
        goto done;
    int meta = has_table(db, trace_path, "meta", err, errlen);
    if (meta < 0)
        goto done;
    if (!ev || !meta) {
        set_err(err, errlen, "%s is not a rewind trace (no %s table)", trace_path,
                !ev && !meta ? "events or meta" : !ev ? "events" : "meta");
        goto done;
    }
    if (read_harts(db, trace_path, &harts, err, errlen))
        goto done;

    const char *sql = nic < 0
        ? "SELECT seq, icount, blob FROM events WHERE kind IN ('net_rx', 'net_tx') ORDER BY seq"
        : "SELECT seq, icount, blob FROM events WHERE kind IN ('net_rx', 'net_tx') "
          "AND value = ?1 ORDER BY seq";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        set_err(err, errlen, "%s is not a rewind trace (events table: %s)", trace_path,
                sqlite3_errmsg(db));
        goto done;
    }
    if (nic >= 0)
        sqlite3_bind_int(st, 1, nic);

    out = fopen(out_path, "wb");
    if (!out) {
        set_err(err, errlen, "%s: %s", out_path, strerror(errno));
        goto done;
    }
    if (!write_file_header(out)) {
        set_err(err, errlen, "%s: write: %s", out_path, strerror(errno));
        goto done;
    }

    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        int64_t icount = sqlite3_column_int64(st, 1);
        const void *blob = sqlite3_column_blob(st, 2);
        int blen = sqlite3_column_bytes(st, 2);
        if (!blob || blen <= 0)
            continue; /* not a frame */
        if (icount < 0) {
            set_err(err, errlen, "%s: event %lld has a negative icount", trace_path,
                    (long long)seq);
            goto done;
        }
        uint64_t ns = (uint64_t)icount / harts;
        uint64_t sec = ns / 1000000000u;
        if (sec > UINT32_MAX) {
            set_err(err, errlen, "%s: event %lld: icount %lld is beyond pcap's time range",
                    trace_path, (long long)seq, (long long)icount);
            goto done;
        }
        uint32_t incl = (uint32_t)blen > PCAP_SNAPLEN ? PCAP_SNAPLEN : (uint32_t)blen;
        uint8_t rec[16];
        put_le32(rec, (uint32_t)sec);
        put_le32(rec + 4, (uint32_t)(ns % 1000000000u));
        put_le32(rec + 8, incl);
        put_le32(rec + 12, (uint32_t)blen);
        if (!write_all(out, rec, sizeof(rec)) || !write_all(out, blob, incl)) {
            set_err(err, errlen, "%s: write: %s", out_path, strerror(errno));
            goto done;
        }
        count++;
    }
    if (rc != SQLITE_DONE) {
        set_err(err, errlen, "%s: reading events: %s", trace_path, sqlite3_errmsg(db));
        goto done;
    }
    if (fflush(out) != 0 || ferror(out)) {
        set_err(err, errlen, "%s: write: %s", out_path, strerror(errno));
        goto done;
    }
    ret = 0;

done:
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (out) {
        if (fclose(out) != 0 && ret == 0) {
            set_err(err, errlen, "%s: write: %s", out_path, strerror(errno));
            ret = -1;
        }
        if (ret != 0)
            unlink(out_path); /* no half-written capture left behind */
    }
    if (ret == 0 && frames)
        *frames = count;
    return ret;
}

int pcap_export(const char *trace_path, const char *out_path, uint64_t *frames, char *err,
                size_t errlen)
{
    return pcap_export_nic(trace_path, out_path, -1, frames, err, errlen);
}
