/* htif.c — HTIF tohost/fromhost device (see htif.h). */
#include "devices/htif.h"

#include <string.h>

#include "vmm/state.h"

enum { HTIF_DEV_SYSCALL = 0, HTIF_DEV_CONSOLE = 1 };
enum { HTIF_CONSOLE_GETC = 0, HTIF_CONSOLE_PUTC = 1 };
enum { SYS_WRITE = 64, SYS_EXIT = 93 };
#define ENOSYS_RESULT ((uint64_t)-38)
#define MAX_WRITE (1u << 20)

static void do_exit(struct htif *h, uint64_t code)
{
    h->exited = true;
    h->exit_code = code;
    if (h->host.exit)
        h->host.exit(h->host.ctx, code);
}

/* The proxied system call whose 8-word request block is at guest physical address addr. */
static void do_syscall(struct htif *h, uint64_t addr)
{
    uint64_t req[8];
    for (int i = 0; i < 8; i++)
        if (bus_read(h->bus, addr + 8 * (uint64_t)i, 8, &req[i]))
            return; /* bad request address: ignored, the guest gets no answer */
    uint64_t result = ENOSYS_RESULT;
    if (req[0] == SYS_EXIT) {
        do_exit(h, req[1]);
        return;
    }
    if (req[0] == SYS_WRITE && (req[1] == 1 || req[1] == 2)) {
        uint64_t buf = req[2], len = req[3] > MAX_WRITE ? MAX_WRITE : req[3];
        uint8_t chunk[256];
        uint64_t done = 0;
        while (done < len) {
            size_t n = len - done > sizeof(chunk) ? sizeof(chunk) : (size_t)(len - done);
            size_t got = 0;
            for (; got < n; got++) {
                uint64_t b;
                if (bus_read(h->bus, buf + done + got, 1, &b))
                    break;
                chunk[got] = (uint8_t)b;
            }
            if (got && h->host.console_write)
                h->host.console_write(h->host.ctx, chunk, got);
            done += got;
            if (got < n)
                break;
        }
        result = done;
    }
    bus_write(h->bus, addr, 8, result);
    h->fromhost = 1;
}

static void command(struct htif *h, uint64_t v)
{
    unsigned dev = (unsigned)(v >> 56), cmd = (unsigned)(v >> 48) & 0xff;
    uint64_t payload = v & ((1ull << 48) - 1);
    h->tohost = 0;
    if (dev == HTIF_DEV_SYSCALL && cmd == 0) {
        if (payload & 1)
            do_exit(h, payload >> 1);
        else
            do_syscall(h, payload);
    } else if (dev == HTIF_DEV_CONSOLE && cmd == HTIF_CONSOLE_PUTC) {
        uint8_t c = (uint8_t)payload;
        if (h->host.console_write)
            h->host.console_write(h->host.ctx, &c, 1);
        h->fromhost = ((uint64_t)dev << 56) | ((uint64_t)cmd << 48) | 0x100 | c;
    }
    /* Console input (getc) has no source in this mode: the request stays unanswered. */
}

static int tohost_read(void *opaque, uint64_t off, unsigned size, uint64_t *value)
{
    struct htif *h = opaque;
    *value = (h->tohost >> (8 * off)) & (size == 8 ? ~0ull : ((1ull << (8 * size)) - 1));
    return 0;
}

static int tohost_write(void *opaque, uint64_t off, unsigned size, uint64_t value)
{
    struct htif *h = opaque;
    if (size == 8 && off == 0) {
        h->tohost = value;
    } else if (size == 4 && (off == 0 || off == 4)) {
        uint64_t mask = 0xffffffffull << (8 * off);
        h->tohost = (h->tohost & ~mask) | ((value & 0xffffffffull) << (8 * off));
        if (off == 0)
            return 0; /* 32-bit guests write the low half first, then the high half */
    } else {
        return -1;
    }
    if (h->tohost)
        command(h, h->tohost);
    return 0;
}

static int fromhost_read(void *opaque, uint64_t off, unsigned size, uint64_t *value)
{
    struct htif *h = opaque;
    *value = (h->fromhost >> (8 * off)) & (size == 8 ? ~0ull : ((1ull << (8 * size)) - 1));
    return 0;
}

static int fromhost_write(void *opaque, uint64_t off, unsigned size, uint64_t value)
{
    struct htif *h = opaque;
    if (size == 8 && off == 0)
        h->fromhost = value;
    else if (size == 4 && (off == 0 || off == 4)) {
        uint64_t mask = 0xffffffffull << (8 * off);
        h->fromhost = (h->fromhost & ~mask) | ((value & 0xffffffffull) << (8 * off));
    } else
        return -1;
    return 0;
}

static const struct mmio_ops tohost_ops = { tohost_read, tohost_write };
static const struct mmio_ops fromhost_ops = { fromhost_read, fromhost_write };

int htif_attach(struct htif *h, struct bus *bus, uint64_t tohost, bool has_fromhost,
                uint64_t fromhost, struct htif_host host)
{
    memset(h, 0, sizeof(*h));
    h->bus = bus;
    h->host = host;
    h->tohost_addr = tohost;
    h->fromhost_addr = fromhost;
    if (tohost & 7 || (has_fromhost && (fromhost & 7)))
        return -1;
    if (bus_add_mmio(bus, "htif-tohost", tohost, 8, &tohost_ops, h))
        return -1;
    if (has_fromhost && bus_add_mmio(bus, "htif-fromhost", fromhost, 8, &fromhost_ops, h))
        return -1;
    return 0;
}

/* ---- state stream ---- */

#define HTIF_STATE_VERSION 1

void htif_save(const struct htif *h, struct state_writer *w)
{
    state_begin_section(w, "htif", HTIF_STATE_VERSION);
    state_put_u64(w, h->tohost_addr);
    state_put_u64(w, h->fromhost_addr);
    state_put_u64(w, h->tohost);
    state_put_u64(w, h->fromhost);
    state_put_bool(w, h->exited);
    state_put_u64(w, h->exit_code);
    state_end_section(w);
}

int htif_load(struct htif *h, struct state_reader *r)
{
    uint32_t version = HTIF_STATE_VERSION;
    if (state_open_section(r, "htif", &version))
        return -1;
    uint64_t tohost_addr = state_get_u64(r);
    uint64_t fromhost_addr = state_get_u64(r);
    uint64_t tohost = state_get_u64(r);
    uint64_t fromhost = state_get_u64(r);
    bool exited = state_get_bool(r);
    uint64_t exit_code = state_get_u64(r);
    if (state_close_section(r))
        return -1;
    if (tohost_addr != h->tohost_addr || fromhost_addr != h->fromhost_addr)
        return state_fail(r, "state of a program with tohost at 0x%llx (this one: 0x%llx)",
                          (unsigned long long)tohost_addr, (unsigned long long)h->tohost_addr);
    h->tohost = tohost;
    h->fromhost = fromhost;
    h->exited = exited;
    h->exit_code = exit_code;
    return 0;
}
