/* trace.c — the SQLite trace file (see trace.h and docs/trace-format.md). */
#include "replay-log/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

static const char *const kind_names[TRACE_KIND_COUNT] = {
    [TRACE_CONSOLE_IN] = "console_in",   [TRACE_CONSOLE_EOF] = "console_eof",
    [TRACE_WARP] = "warp",               [TRACE_WALL_CLOCK] = "wall_clock",
    [TRACE_ENTROPY] = "entropy",         [TRACE_HOST_CLOCK] = "host_clock",
    [TRACE_NET_RX] = "net_rx",           [TRACE_RNG] = "rng",
    [TRACE_CONSOLE_OUT] = "console_out",
    [TRACE_INTERRUPT] = "interrupt",     [TRACE_EXIT] = "exit",
    [TRACE_NET_TX] = "net_tx",           [TRACE_DISK_IO] = "disk_io",
};

static const char *const kind_sources[TRACE_KIND_COUNT] = {
    [TRACE_CONSOLE_IN] = "console",      [TRACE_CONSOLE_EOF] = "console",
    [TRACE_WARP] = "clock",              [TRACE_WALL_CLOCK] = "rtc",
    [TRACE_ENTROPY] = "rng-seed",        [TRACE_HOST_CLOCK] = "clock",
    [TRACE_NET_RX] = "virtio-net",       [TRACE_RNG] = "virtio-rng",
    [TRACE_CONSOLE_OUT] = "console",
    [TRACE_INTERRUPT] = "hart",          [TRACE_EXIT] = "machine",
    [TRACE_NET_TX] = "virtio-net",       [TRACE_DISK_IO] = "virtio-blk",
};

const char *trace_kind_name(enum trace_kind k)
{
    return k < TRACE_KIND_COUNT ? kind_names[k] : "?";
}

bool trace_kind_is_input(enum trace_kind k)
{
    return k <= TRACE_RNG;
}

static int kind_from_name(const char *name)
{
    for (int k = 0; k < TRACE_KIND_COUNT; k++)
        if (name && !strcmp(name, kind_names[k]))
            return k;
    return -1;
}

struct trace {
    bool created;    /* written by this process: becomes a single file again at close */
    sqlite3 *db;
    sqlite3_stmt *insert_event;
    sqlite3_stmt *insert_page;
    bool in_transaction;
    uint64_t events;
    char errmsg[256];
};

static const char *const schema =
    "CREATE TABLE meta (\n"
    "  key   TEXT PRIMARY KEY,\n"
    "  value TEXT\n"
    ");\n"
    "CREATE TABLE events (\n"
    "  seq    INTEGER PRIMARY KEY,\n"
    "  icount INTEGER NOT NULL,\n"
    "  hart   INTEGER NOT NULL,\n"
    "  kind   TEXT NOT NULL,\n"
    "  source TEXT NOT NULL,\n"
    "  pc     INTEGER,\n"
    "  value  INTEGER,\n"
    "  blob   BLOB\n"
    ");\n"
    "CREATE INDEX events_by_icount ON events(icount);\n"
    "CREATE INDEX events_by_kind ON events(kind, seq);\n"
    "CREATE TABLE images (\n"
    "  role TEXT PRIMARY KEY,\n"
    "  path TEXT NOT NULL,\n"
    "  size INTEGER NOT NULL,\n"
    "  hash TEXT NOT NULL,\n"
    "  data BLOB\n"
    ");\n"
    "CREATE TABLE checkpoints (\n"
    "  id         INTEGER PRIMARY KEY,\n"
    "  icount     INTEGER NOT NULL,\n"
    "  state_hash TEXT NOT NULL,\n"
    "  state      BLOB NOT NULL,\n"
    "  pages      INTEGER NOT NULL,\n"
    "  bytes      INTEGER NOT NULL,\n"
    "  events     INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX checkpoints_by_icount ON checkpoints(icount);\n"
    "CREATE TABLE pages (\n"
    "  checkpoint INTEGER NOT NULL,\n"
    "  page       INTEGER NOT NULL,\n"
    "  data       BLOB,\n"
    "  PRIMARY KEY (checkpoint, page)\n"
    ");\n"
    "CREATE TABLE disk_blocks (\n"
    "  checkpoint INTEGER NOT NULL,\n"
    "  disk       INTEGER NOT NULL,\n"
    "  block      INTEGER NOT NULL,\n"
    "  data       BLOB NOT NULL,\n"
    "  PRIMARY KEY (checkpoint, disk, block)\n"
    ");\n"
    "CREATE VIEW inputs AS\n"
    "  SELECT seq, icount, hart, kind, source, value, blob FROM events\n"
    "  WHERE kind IN ('console_in', 'console_eof', 'warp', 'wall_clock', 'entropy', 'host_clock',\n"
    "                 'net_rx', 'rng');\n"
    "CREATE VIEW network AS\n"
    "  SELECT seq, icount, hart, CASE kind WHEN 'net_rx' THEN 'in' ELSE 'out' END AS direction,\n"
    "         value AS nic, length(blob) AS bytes, blob AS frame\n"
    "  FROM events WHERE kind IN ('net_rx', 'net_tx');\n"
    "CREATE VIEW disk_io AS\n"
    "  SELECT seq, icount, hart, printf('0x%x', pc) AS pc, value AS sector,\n"
    "         CAST(blob AS TEXT) AS request FROM events WHERE kind = 'disk_io';\n"
    "CREATE VIEW disk_overlay AS\n"
    "  SELECT disk, block, data, max(checkpoint) AS stored_at FROM disk_blocks\n"
    "  GROUP BY disk, block;\n"
    "CREATE VIEW console AS\n"
    "  SELECT seq, icount, hart, CAST(blob AS TEXT) AS text FROM events WHERE kind = 'console_out';\n"
    "CREATE VIEW console_input AS\n"
    "  SELECT seq, icount, CAST(blob AS TEXT) AS text FROM events WHERE kind = 'console_in';\n"
    "CREATE VIEW interrupts AS\n"
    "  SELECT seq, icount, hart, printf('0x%x', pc) AS pc, value & 63 AS irq,\n"
    "         CASE value & 63 WHEN 1 THEN 'supervisor software' WHEN 3 THEN 'machine software'\n"
    "           WHEN 5 THEN 'supervisor timer' WHEN 7 THEN 'machine timer'\n"
    "           WHEN 9 THEN 'supervisor external' WHEN 11 THEN 'machine external'\n"
    "           ELSE 'other' END AS name\n"
    "  FROM events WHERE kind = 'interrupt';\n";

static void set_err(struct trace *t, const char *what)
{
    snprintf(t->errmsg, sizeof(t->errmsg), "%s: %s", what, sqlite3_errmsg(t->db));
}

const char *trace_errmsg(struct trace *t)
{
    return t->errmsg;
}

static int exec_sql(struct trace *t, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(t->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(t->errmsg, sizeof(t->errmsg), "%s", msg ? msg : "sqlite error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* Step a statement that returns no rows, then finalize it. */
static int step_once(struct trace *t, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        set_err(t, what);
        return -1;
    }
    return 0;
}

static int begin_if_needed(struct trace *t)
{
    if (t->in_transaction)
        return 0;
    if (exec_sql(t, "BEGIN"))
        return -1;
    t->in_transaction = true;
    return 0;
}

struct trace *trace_create(const char *path, bool overwrite, char *err, size_t errlen)
{
    struct stat st;
    if (!overwrite && stat(path, &st) == 0) {
        snprintf(err, errlen, "%s already exists (use --force to replace it)", path);
        return NULL;
    }
    if (overwrite) {
        unlink(path);
        char side[4096];
        snprintf(side, sizeof(side), "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof(side), "%s-shm", path);
        unlink(side);
    }
    struct trace *t = calloc(1, sizeof(*t));
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(path, &t->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, t->db ? sqlite3_errmsg(t->db) : "cannot open");
        trace_close(t);
        return NULL;
    }
    /* WAL and no fsync: a killed recorder (even kill -9) loses nothing the OS has, and the
     * recording never waits on the disk. Only a host power loss could cost the last seconds. */
    if (exec_sql(t, "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;") ||
        exec_sql(t, schema) ||
        sqlite3_prepare_v2(t->db,
                           "INSERT INTO events (icount, hart, kind, source, pc, value, blob) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)",
                           -1, &t->insert_event, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot create the trace: %s", path,
                 t->errmsg[0] ? t->errmsg : sqlite3_errmsg(t->db));
        trace_close(t);
        return NULL;
    }
    t->created = true;
    char v[16];
    snprintf(v, sizeof(v), "%d", TRACE_FORMAT_VERSION);
    if (trace_set_meta(t, "format_version", v) || trace_set_meta(t, "complete", "0") ||
        trace_commit(t)) {
        snprintf(err, errlen, "%s: %s", path, t->errmsg);
        trace_close(t);
        return NULL;
    }
    return t;
}

struct trace *trace_open(const char *path, bool writable, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || st.st_size == 0) {
        snprintf(err, errlen, "%s: not a rewind trace (%s)", path,
                 S_ISREG(st.st_mode) ? "empty file" : "not a regular file");
        return NULL;
    }
    struct trace *t = calloc(1, sizeof(*t));
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* Read-only opens still need the -shm file of a WAL database; open read-write when the
     * directory allows so that a trace cut off mid-recording can be read. */
    int flags = writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path, &t->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, t->db ? sqlite3_errmsg(t->db) : "cannot open");
        trace_close(t);
        return NULL;
    }
    char version[32];
    sqlite3_stmt *st2 = NULL;
    int rc = sqlite3_prepare_v2(t->db, "SELECT value FROM meta WHERE key = 'format_version'",
                                -1, &st2, NULL);
    if (rc != SQLITE_OK) {
        const char *why = sqlite3_errmsg(t->db);
        if (rc == SQLITE_NOTADB || strstr(why, "not a database"))
            snprintf(err, errlen, "%s: not a rewind trace (not an SQLite database)", path);
        else if (strstr(why, "no such table"))
            snprintf(err, errlen, "%s: not a rewind trace (an SQLite database without a meta "
                     "table)", path);
        else
            snprintf(err, errlen, "%s: cannot read the trace: %s", path, why);
        sqlite3_finalize(st2);
        trace_close(t);
        return NULL;
    }
    if (sqlite3_step(st2) != SQLITE_ROW || !sqlite3_column_text(st2, 0)) {
        snprintf(err, errlen, "%s: not a rewind trace (no format_version in meta)", path);
        sqlite3_finalize(st2);
        trace_close(t);
        return NULL;
    }
    snprintf(version, sizeof(version), "%s", (const char *)sqlite3_column_text(st2, 0));
    sqlite3_finalize(st2);
    long v = strtol(version, NULL, 10);
    if (v > TRACE_FORMAT_VERSION) {
        snprintf(err, errlen, "%s: trace format version %ld is newer than this rewind "
                 "understands (%d); use a newer rewind", path, v, TRACE_FORMAT_VERSION);
        trace_close(t);
        return NULL;
    }
    if (v < 1) {
        snprintf(err, errlen, "%s: not a rewind trace (format_version '%s')", path, version);
        trace_close(t);
        return NULL;
    }
    return t;
}

void trace_close(struct trace *t)
{
    if (!t)
        return;
    if (t->in_transaction)
        trace_commit(t);
    sqlite3_finalize(t->insert_event);
    sqlite3_finalize(t->insert_page);
    t->insert_event = NULL;
    t->insert_page = NULL;
    if (t->created && t->db) /* fold the write-ahead log back: one self-contained file */
        sqlite3_exec(t->db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
    if (t->db)
        sqlite3_close(t->db);
    free(t);
}

int trace_set_meta(struct trace *t, const char *key, const char *value)
{
    sqlite3_stmt *st;
    if (begin_if_needed(t))
        return -1;
    if (sqlite3_prepare_v2(t->db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", -1,
                           &st, NULL) != SQLITE_OK) {
        set_err(t, "meta");
        return -1;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
    return step_once(t, st, "meta");
}

int trace_set_meta_u64(struct trace *t, const char *key, uint64_t value)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)value);
    return trace_set_meta(t, key, buf);
}

int trace_get_meta(struct trace *t, const char *key, char *buf, size_t len)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(t->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    int rc = -1;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
        snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

int trace_get_meta_u64(struct trace *t, const char *key, uint64_t *value)
{
    char buf[64];
    if (trace_get_meta(t, key, buf, sizeof(buf)))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 10);
    if (errno || end == buf)
        return -1;
    *value = v;
    return 0;
}

int trace_append(struct trace *t, enum trace_kind kind, uint64_t icount, unsigned hart,
                 uint64_t pc, uint64_t value, const void *blob, size_t blob_len)
{
    if (kind >= TRACE_KIND_COUNT || begin_if_needed(t))
        return -1;
    sqlite3_stmt *st = t->insert_event;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)icount);
    sqlite3_bind_int(st, 2, (int)hart);
    sqlite3_bind_text(st, 3, kind_names[kind], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, kind_sources[kind], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)pc);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)value);
    if (blob)
        sqlite3_bind_blob(st, 7, blob, (int)blob_len, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 7);
    if (sqlite3_step(st) != SQLITE_DONE) {
        set_err(t, "event");
        return -1;
    }
    t->events++;
    return 0;
}

int trace_commit(struct trace *t)
{
    if (!t->in_transaction)
        return 0;
    if (exec_sql(t, "COMMIT"))
        return -1;
    t->in_transaction = false;
    return 0;
}

uint64_t trace_events_written(const struct trace *t)
{
    return t->events;
}

int trace_add_image(struct trace *t, const char *role, const char *path, uint64_t size,
                    const char *hash)
{
    sqlite3_stmt *st;
    if (begin_if_needed(t) ||
        sqlite3_prepare_v2(t->db, "INSERT OR REPLACE INTO images (role, path, size, hash) "
                           "VALUES (?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) {
        set_err(t, "image");
        return -1;
    }
    sqlite3_bind_text(st, 1, role, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)size);
    sqlite3_bind_text(st, 4, hash, -1, SQLITE_TRANSIENT);
    return step_once(t, st, "image");
}

int trace_images(struct trace *t, struct trace_image *out, int max)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(t->db, "SELECT role, path, size, hash, data IS NOT NULL FROM images "
                           "ORDER BY role", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n < max) {
            struct trace_image *im = &out[n];
            const char *role = (const char *)sqlite3_column_text(st, 0);
            const char *path = (const char *)sqlite3_column_text(st, 1);
            const char *hash = (const char *)sqlite3_column_text(st, 3);
            snprintf(im->role, sizeof(im->role), "%s", role ? role : "");
            snprintf(im->path, sizeof(im->path), "%s", path ? path : "");
            snprintf(im->hash, sizeof(im->hash), "%s", hash ? hash : "");
            im->size = (uint64_t)sqlite3_column_int64(st, 2);
            im->packed = sqlite3_column_int(st, 4) != 0;
        }
        n++;
    }
    sqlite3_finalize(st);
    return n;
}

int trace_pack_image(struct trace *t, const char *role, const uint8_t *data, uint64_t size,
                     char *err, size_t errlen)
{
    size_t bound = ZSTD_compressBound((size_t)size);
    uint8_t *z = malloc(bound ? bound : 1);
    if (!z) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t zn = ZSTD_compress(z, bound, data, (size_t)size, 9);
    if (ZSTD_isError(zn)) {
        snprintf(err, errlen, "zstd: %s", ZSTD_getErrorName(zn));
        free(z);
        return -1;
    }
    sqlite3_stmt *st;
    int rc = -1;
    if (begin_if_needed(t) == 0 &&
        sqlite3_prepare_v2(t->db, "UPDATE images SET data = ? WHERE role = ?", -1, &st, NULL) ==
            SQLITE_OK) {
        sqlite3_bind_blob64(st, 1, z, zn, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, role, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        sqlite3_finalize(st);
    }
    free(z);
    if (rc || trace_commit(t)) {
        snprintf(err, errlen, "cannot store image %s: %s", role, sqlite3_errmsg(t->db));
        return -1;
    }
    return 0;
}

int trace_unpack_image(struct trace *t, const char *role, uint8_t **data, uint64_t *size,
                       char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(t->db, "SELECT data, size, hash FROM images WHERE role = ?", -1, &st,
                           NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot read image %s: %s", role, sqlite3_errmsg(t->db));
        return -1;
    }
    sqlite3_bind_text(st, 1, role, -1, SQLITE_TRANSIENT);
    int rc = -1;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_BLOB) {
        const void *z = sqlite3_column_blob(st, 0);
        size_t zn = (size_t)sqlite3_column_bytes(st, 0);
        uint64_t want = (uint64_t)sqlite3_column_int64(st, 1);
        const char *hash = (const char *)sqlite3_column_text(st, 2);
        unsigned long long content = ZSTD_getFrameContentSize(z, zn);
        uint8_t *buf = NULL;
        if (content == want && want < (1ull << 34) && (buf = malloc(want ? want : 1))) {
            size_t got = ZSTD_decompress(buf, want, z, zn);
            char h[40];
            if (!ZSTD_isError(got) && got == want) {
                trace_hash_bytes(buf, want, h);
                if (hash && !strcmp(h, hash)) {
                    *data = buf;
                    *size = want;
                    rc = 0;
                }
            }
            if (rc)
                free(buf);
        }
        if (rc)
            snprintf(err, errlen, "packed image %s is corrupt (size or hash mismatch)", role);
    } else {
        snprintf(err, errlen, "image %s is not packed in the trace", role);
    }
    sqlite3_finalize(st);
    return rc;
}

struct trace_cursor {
    sqlite3_stmt *st;
    uint8_t *blob;
};

struct trace_cursor *trace_cursor_open(struct trace *t, bool inputs, int64_t after_seq)
{
    struct trace_cursor *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    const char *sql = inputs
        ? "SELECT seq, kind, icount, hart, pc, value, blob FROM events WHERE kind IN "
          "('console_in', 'console_eof', 'warp', 'wall_clock', 'entropy', 'host_clock', 'net_rx', "
          "'rng') AND seq > ? ORDER BY seq"
        : "SELECT seq, kind, icount, hart, pc, value, blob FROM events WHERE kind IN "
          "('console_out', 'interrupt', 'exit', 'net_tx', 'disk_io') AND seq > ? ORDER BY seq";
    if (sqlite3_prepare_v2(t->db, sql, -1, &c->st, NULL) != SQLITE_OK) {
        snprintf(t->errmsg, sizeof(t->errmsg), "events: %s", sqlite3_errmsg(t->db));
        free(c);
        return NULL;
    }
    sqlite3_bind_int64(c->st, 1, after_seq);
    return c;
}

struct ram_target {
    uint8_t *ram;
};

static void page_into_ram(void *ctx, uint64_t page, const uint8_t *data)
{
    struct ram_target *r = ctx;
    if (data)
        memcpy(r->ram + page * 4096, data, 4096);
    else
        memset(r->ram + page * 4096, 0, 4096);
}

int trace_load_checkpoint(struct trace *t, int64_t id, uint8_t *ram, uint64_t ram_pages,
                          uint8_t **state, size_t *state_len, char *err, size_t errlen)
{
    struct ram_target r = { ram };
    return trace_load_checkpoint_pages(t, id, ram_pages, page_into_ram, &r, state, state_len, err,
                                       errlen);
}

int trace_load_checkpoint_pages(struct trace *t, int64_t id, uint64_t ram_pages,
                                void (*fn)(void *ctx, uint64_t page, const uint8_t *data),
                                void *ctx, uint8_t **state, size_t *state_len, char *err,
                                size_t errlen)
{
    sqlite3_stmt *st;
    *state = NULL;
    if (sqlite3_prepare_v2(t->db, "SELECT state FROM checkpoints WHERE id = ?", -1, &st, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "checkpoints: %s", sqlite3_errmsg(t->db));
        return -1;
    }
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) != SQLITE_BLOB) {
        sqlite3_finalize(st);
        snprintf(err, errlen, "the trace has no checkpoint %lld", (long long)id);
        return -1;
    }
    const void *z = sqlite3_column_blob(st, 0);
    size_t zn = (size_t)sqlite3_column_bytes(st, 0);
    unsigned long long n = ZSTD_getFrameContentSize(z, zn);
    uint8_t *buf = n < (64ull << 20) ? malloc(n ? (size_t)n : 1) : NULL;
    size_t got = buf ? ZSTD_decompress(buf, (size_t)n, z, zn) : 0;
    sqlite3_finalize(st);
    if (!buf || ZSTD_isError(got) || got != n) {
        free(buf);
        snprintf(err, errlen, "checkpoint %lld: the state is corrupt", (long long)id);
        return -1;
    }
    /* Each page's newest version stored at or before this checkpoint. SQLite takes the bare
     * column `data` from the row that holds max(checkpoint) of its group; one pass over the
     * pages instead of a correlated subquery per page (which grew quadratically). */
    if (sqlite3_prepare_v2(t->db,
                           "SELECT page, data, max(checkpoint) FROM pages WHERE checkpoint <= ?1 "
                           "GROUP BY page", -1, &st, NULL) != SQLITE_OK) {
        free(buf);
        snprintf(err, errlen, "pages: %s", sqlite3_errmsg(t->db));
        return -1;
    }
    sqlite3_bind_int64(st, 1, id);
    /* One decompression context for all the pages: ZSTD_decompress would set one up per
     * page, which cost more than the decompression itself. */
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    int rc = dctx ? 0 : -1;
    if (!dctx)
        snprintf(err, errlen, "out of memory");
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        uint64_t page = (uint64_t)sqlite3_column_int64(st, 0);
        if (page >= ram_pages) {
            snprintf(err, errlen, "checkpoint %lld: page %llu is outside RAM", (long long)id,
                     (unsigned long long)page);
            rc = -1;
            break;
        }
        if (sqlite3_column_type(st, 1) != SQLITE_BLOB) {
            fn(ctx, page, NULL);
            continue;
        }
        uint8_t dst[4096];
        size_t pz = (size_t)sqlite3_column_bytes(st, 1);
        size_t out = ZSTD_decompressDCtx(dctx, dst, 4096, sqlite3_column_blob(st, 1), pz);
        if (ZSTD_isError(out) || out != 4096) {
            snprintf(err, errlen, "checkpoint %lld: page %llu is corrupt", (long long)id,
                     (unsigned long long)page);
            rc = -1;
        } else {
            fn(ctx, page, dst);
        }
    }
    sqlite3_finalize(st);
    ZSTD_freeDCtx(dctx);
    if (rc) {
        free(buf);
        return -1;
    }
    *state = buf;
    *state_len = (size_t)n;
    return 0;
}

int trace_cursor_next(struct trace_cursor *c, struct trace_event *ev)
{
    free(c->blob);
    c->blob = NULL;
    int rc = sqlite3_step(c->st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return -1;
    int kind = kind_from_name((const char *)sqlite3_column_text(c->st, 1));
    if (kind < 0)
        return -1;
    memset(ev, 0, sizeof(*ev));
    ev->seq = sqlite3_column_int64(c->st, 0);
    ev->kind = (enum trace_kind)kind;
    ev->icount = (uint64_t)sqlite3_column_int64(c->st, 2);
    ev->hart = (unsigned)sqlite3_column_int(c->st, 3);
    ev->pc = (uint64_t)sqlite3_column_int64(c->st, 4);
    ev->value = (uint64_t)sqlite3_column_int64(c->st, 5);
    if (sqlite3_column_type(c->st, 6) == SQLITE_BLOB) {
        int n = sqlite3_column_bytes(c->st, 6);
        c->blob = malloc(n > 0 ? (size_t)n : 1);
        if (!c->blob)
            return -1;
        if (n > 0)
            memcpy(c->blob, sqlite3_column_blob(c->st, 6), (size_t)n);
        ev->blob = c->blob;
        ev->blob_len = (size_t)n;
    }
    return 1;
}

void trace_cursor_close(struct trace_cursor *c)
{
    if (!c)
        return;
    sqlite3_finalize(c->st);
    free(c->blob);
    free(c);
}

int trace_add_checkpoint(struct trace *t, uint64_t icount, uint64_t hash, const uint8_t *state,
                         size_t state_len, uint64_t pages, uint64_t bytes, int64_t *id)
{
    sqlite3_stmt *st;
    if (begin_if_needed(t) ||
        sqlite3_prepare_v2(t->db, "INSERT INTO checkpoints (icount, state_hash, state, pages, "
                           "bytes, events) VALUES (?, ?, ?, ?, ?, "
                           "(SELECT coalesce(max(seq), 0) FROM events))", -1, &st,
                           NULL) != SQLITE_OK) {
        set_err(t, "checkpoint");
        return -1;
    }
    char hex[24];
    snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)hash);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)icount);
    sqlite3_bind_text(st, 2, hex, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob64(st, 3, state, state_len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)pages);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)bytes);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        set_err(t, "checkpoint");
        return -1;
    }
    *id = sqlite3_last_insert_rowid(t->db);
    return 0;
}

int trace_add_page(struct trace *t, int64_t checkpoint, uint64_t page, const uint8_t *zdata,
                   size_t zlen)
{
    if (begin_if_needed(t))
        return -1;
    if (!t->insert_page &&
        sqlite3_prepare_v2(t->db, "INSERT OR REPLACE INTO pages (checkpoint, page, data) "
                           "VALUES (?, ?, ?)", -1, &t->insert_page, NULL) != SQLITE_OK) {
        set_err(t, "page");
        return -1;
    }
    sqlite3_stmt *st = t->insert_page;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, checkpoint);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)page);
    if (zdata)
        sqlite3_bind_blob(st, 3, zdata, (int)zlen, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 3);
    if (sqlite3_step(st) != SQLITE_DONE) {
        set_err(t, "page");
        return -1;
    }
    return 0;
}

int trace_update_checkpoint(struct trace *t, int64_t id, uint64_t hash, uint64_t pages,
                            uint64_t bytes)
{
    sqlite3_stmt *st;
    if (begin_if_needed(t) ||
        sqlite3_prepare_v2(t->db, "UPDATE checkpoints SET state_hash = ?, pages = ?, bytes = ? "
                           "WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
        set_err(t, "checkpoint");
        return -1;
    }
    char hex[24];
    snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)hash);
    sqlite3_bind_text(st, 1, hex, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)pages);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)bytes);
    sqlite3_bind_int64(st, 4, id);
    return step_once(t, st, "checkpoint");
}

int trace_checkpoints(struct trace *t, struct trace_checkpoint *out, int max)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(t->db, "SELECT id, icount, state_hash, events FROM checkpoints "
                           "ORDER BY icount, id", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n < max) {
            const char *hex = (const char *)sqlite3_column_text(st, 2);
            out[n].id = sqlite3_column_int64(st, 0);
            out[n].icount = (uint64_t)sqlite3_column_int64(st, 1);
            out[n].hash = hex ? strtoull(hex, NULL, 16) : 0;
            out[n].events = (uint64_t)sqlite3_column_int64(st, 3);
        }
        n++;
    }
    sqlite3_finalize(st);
    return n;
}

int trace_describe_events(struct trace *t, uint64_t from, uint64_t to, int max, bool newest_first,
                          void (*out)(void *ctx, const char *line), void *ctx)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(t->db, newest_first
                               ? "SELECT seq, icount, hart, kind, pc, value, CAST(blob AS TEXT) "
                                 "FROM events WHERE icount BETWEEN ? AND ? ORDER BY seq DESC LIMIT ?"
                               : "SELECT seq, icount, hart, kind, pc, value, CAST(blob AS TEXT) "
                                 "FROM events WHERE icount BETWEEN ? AND ? ORDER BY seq LIMIT ?",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
    sqlite3_bind_int(st, 3, max);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char line[256], text[72] = "";
        const unsigned char *b = sqlite3_column_text(st, 6);
        const char *kind = (const char *)sqlite3_column_text(st, 3);
        if (b) { /* printable preview of the bytes */
            size_t k = 0;
            for (size_t i = 0; b[i] && k + 1 < sizeof(text) && i < 60; i++)
                text[k++] = (b[i] >= 0x20 && b[i] < 0x7f) ? (char)b[i] : '.';
            text[k] = 0;
        }
        snprintf(line, sizeof(line), "%8lld  icount %-12lld hart %d  %-11s pc 0x%llx value 0x%llx%s%s%s\n",
                 (long long)sqlite3_column_int64(st, 0), (long long)sqlite3_column_int64(st, 1),
                 sqlite3_column_int(st, 2), kind ? kind : "?",
                 (unsigned long long)sqlite3_column_int64(st, 4),
                 (unsigned long long)sqlite3_column_int64(st, 5), b ? " \"" : "", text,
                 b ? "\"" : "");
        out(ctx, line);
        n++;
    }
    sqlite3_finalize(st);
    return n;
}

int trace_count_kind(struct trace *t, enum trace_kind k, uint64_t *count)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(t->db, "SELECT count(*) FROM events WHERE kind = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, trace_kind_name(k), -1, SQLITE_STATIC);
    int rc = -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *count = (uint64_t)sqlite3_column_int64(st, 0);
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

int trace_last_icount(struct trace *t, uint64_t *icount)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(t->db, "SELECT coalesce(max(icount), 0) FROM events", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    int rc = -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *icount = (uint64_t)sqlite3_column_int64(st, 0);
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

void trace_hash_bytes(const uint8_t *data, uint64_t size, char hash[40])
{
    XXH128_hash_t h = XXH3_128bits(data, (size_t)size);
    snprintf(hash, 40, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
}

int trace_hash_file(const char *path, char hash[40], uint64_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    XXH3_state_t *s = XXH3_createState();
    if (!s) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    XXH3_128bits_reset(s);
    uint8_t buf[1 << 16];
    uint64_t total = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        XXH3_128bits_update(s, buf, (size_t)n);
        total += (uint64_t)n;
    }
    int saved = errno;
    close(fd);
    if (n < 0) {
        XXH3_freeState(s);
        errno = saved;
        return -1;
    }
    XXH128_hash_t h = XXH3_128bits_digest(s);
    XXH3_freeState(s);
    snprintf(hash, 40, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
    *size = total;
    return 0;
}

int trace_add_disk_block(struct trace *t, int64_t checkpoint, unsigned disk, uint64_t block,
                         const uint8_t *zdata, size_t zlen)
{
    sqlite3_stmt *st;
    if (begin_if_needed(t) ||
        sqlite3_prepare_v2(t->db, "INSERT OR REPLACE INTO disk_blocks (checkpoint, disk, block, "
                           "data) VALUES (?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) {
        set_err(t, "disk_blocks");
        return -1;
    }
    sqlite3_bind_int64(st, 1, checkpoint);
    sqlite3_bind_int(st, 2, (int)disk);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)block);
    sqlite3_bind_blob(st, 4, zdata, (int)zlen, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    if (rc)
        set_err(t, "disk_blocks");
    sqlite3_finalize(st);
    return rc;
}

int64_t trace_load_disk_blocks(struct trace *t, int64_t checkpoint,
                               int (*fn)(void *ctx, unsigned disk, uint64_t block,
                                         const uint8_t *data, size_t len),
                               void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(t->db, "SELECT disk, block, data, max(checkpoint) FROM disk_blocks "
                           "WHERE checkpoint <= ? GROUP BY disk, block", -1, &st, NULL) !=
        SQLITE_OK)
        return 0; /* format 1: no disks */
    sqlite3_bind_int64(st, 1, checkpoint);
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    uint8_t out[4096];
    int64_t n = 0;
    int rc;
    while (dctx && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int disk = sqlite3_column_int(st, 0);
        sqlite3_int64 block = sqlite3_column_int64(st, 1);
        const void *z = sqlite3_column_blob(st, 2);
        size_t zn = (size_t)sqlite3_column_bytes(st, 2);
        size_t len = z ? ZSTD_decompressDCtx(dctx, out, sizeof(out), z, zn) : 0;
        if (disk < 0 || block < 0 || !z || ZSTD_isError(len) ||
            fn(ctx, (unsigned)disk, (uint64_t)block, out, len)) {
            snprintf(err, errlen, "checkpoint %lld: disk %d block %lld is damaged or does not "
                     "fit the disk", (long long)checkpoint, disk, (long long)block);
            sqlite3_finalize(st);
            ZSTD_freeDCtx(dctx);
            return -1;
        }
        n++;
    }
    sqlite3_finalize(st);
    ZSTD_freeDCtx(dctx);
    if (!dctx || rc != SQLITE_DONE) {
        snprintf(err, errlen, "disk_blocks: %s", dctx ? sqlite3_errmsg(t->db) : "out of memory");
        return -1;
    }
    return n;
}
