/* hostile.c — a bare-metal M-mode guest that drives rewind's virtio devices like a driver,
 * then breaks the rules on purpose, one case at a time, and checks what a guest can see.
 *
 * Owns: the expected machine (tests/virtio/hostile.sh starts it): `rewind run -m 128 --bios
 * hostile.elf --disk A.img --disk B.img,readonly --net user --rng`, so slot 0 is a writable
 * disk, slot 1 a read-only disk, slot 2 a NIC and slot 3 the rng (virtio-mmio at 0x10001000 +
 * 0x1000 * slot, PLIC source 1 + slot). Both disks are 128 sectors; byte j of sector s of disk
 * k is (s * 13 + j * 7 + k * 64 + 1) & 0xff.
 *
 * Every case starts from a device reset and a proper initialisation. A case that breaks a rule
 * the spec calls a device error must leave Status with DEVICE_NEEDS_RESET (0x40), the
 * configuration-change bit (2) in InterruptStatus and the PLIC input high when DRIVER_OK was
 * set, return no buffer, write no byte of guest memory (the device arenas are compared with
 * a copy; canaries sit at the end of RAM and at a scratch area that hostile lengths cover),
 * ignore the queue until a reset, and work again after one. Requests that are merely
 * unanswerable (sector beyond the disk, write to a read-only disk) complete with an IOERR
 * status instead. One line per case goes to the UART (PASS/FAIL); the guest counts the rule
 * violations it provoked and prints the number for the script to compare with rewind's own
 * count, and powers off through the syscon with 0 only if every case passed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define UART_BASE 0x10000000ul
#define SYSCON_BASE 0x100000ul
#define PLIC_PENDING 0x0c001000ul
#define VIRTIO_BASE 0x10001000ul
#define RAM_BASE 0x80000000ul
#define RAM_SIZE (128ul << 20)
#define RAM_END (RAM_BASE + RAM_SIZE)
#define SCRATCH 0x80400000ul          /* hostile lengths start here; canary */
#define SCRATCH_CANARY 8192
#define END_CANARY 64                 /* the last bytes of RAM */

#define NUM 8                         /* queue size used everywhere */
#define DISK_SECTORS 128

/* virtio-mmio registers */
enum {
    R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008, R_VENDOR = 0x00c,
    R_DEV_FEATURES = 0x010, R_DEV_FEATURES_SEL = 0x014, R_DRV_FEATURES = 0x020,
    R_DRV_FEATURES_SEL = 0x024, R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034,
    R_QUEUE_NUM = 0x038, R_QUEUE_READY = 0x044, R_QUEUE_NOTIFY = 0x050, R_ISR = 0x060,
    R_ACK = 0x064, R_STATUS = 0x070, R_DESC_LO = 0x080, R_DESC_HI = 0x084, R_DRIVER_LO = 0x090,
    R_DRIVER_HI = 0x094, R_DEVICE_LO = 0x0a0, R_DEVICE_HI = 0x0a4, R_CONFIG = 0x100,
};
#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 0x40
#define S_UP (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)
#define ISR_USED 1
#define ISR_CONFIG 2

#define F_NEXT 1
#define F_WRITE 2
#define F_INDIRECT 4

#define FEAT(b) (1ull << (b))
#define F_VERSION_1 FEAT(32)
#define F_INDIRECT_DESC FEAT(28)
#define F_EVENT_IDX FEAT(29)
#define F_BLK_RO FEAT(5)

#define ID_NET 1
#define ID_BLK 2
#define ID_RNG 4

#define BLK_IN 0
#define BLK_OUT 1
#define BLK_GET_ID 8
#define BLK_DISCARD 11
#define BLK_OK 0
#define BLK_IOERR 1
#define BLK_UNSUPP 2

/* ------------------------------------------------------------------ runtime */

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

void *memset(void *d, int c, size_t n)
{
    volatile uint8_t *p = d;
    while (n--)
        *p++ = (uint8_t)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    volatile uint8_t *p = d;
    const volatile uint8_t *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

static inline void fence(void) { __asm__ volatile("fence rw, rw" ::: "memory"); }
static inline uint32_t rd32(uintptr_t a)
{
    fence();
    uint32_t v = *(volatile uint32_t *)a;
    fence();
    return v;
}
static inline void wr32(uintptr_t a, uint32_t v)
{
    fence();
    *(volatile uint32_t *)a = v;
    fence();
}
static inline uint8_t rd8(uintptr_t a) { return *(volatile uint8_t *)a; }
static inline void wr8(uintptr_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline uint16_t rd16(uintptr_t a) { fence(); return *(volatile uint16_t *)a; }
static inline void wr16(uintptr_t a, uint16_t v) { *(volatile uint16_t *)a = v; fence(); }
static inline void wr64(uintptr_t a, uint64_t v) { *(volatile uint64_t *)a = v; }
static inline uint64_t rd64(uintptr_t a) { return *(volatile uint64_t *)a; }

static void putch(char c)
{
    while (!(rd8(UART_BASE + 5) & 0x20))
        ;
    wr8(UART_BASE, (uint8_t)c);
}

static void put_num(uint64_t v, unsigned base)
{
    char buf[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    while (n)
        putch(buf[--n]);
}

/* %s, %u and %x (both take uint64_t), %c */
static void pf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            putch(*fmt);
            continue;
        }
        switch (*++fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            while (*s)
                putch(*s++);
            break;
        }
        case 'u': put_num(va_arg(ap, uint64_t), 10); break;
        case 'x': putch('0'); putch('x'); put_num(va_arg(ap, uint64_t), 16); break;
        case 'c': putch((char)va_arg(ap, int)); break;
        default: putch('%'); putch(*fmt); break;
        }
    }
    va_end(ap);
}

static _Noreturn void poweroff(unsigned code)
{
    wr32(SYSCON_BASE, code ? (code << 16) | 0x3333 : 0x5555);
    for (;;)
        ;
}

void unexpected_trap(uint64_t cause, uint64_t epc, uint64_t tval);
void unexpected_trap(uint64_t cause, uint64_t epc, uint64_t tval)
{
    pf("FAIL unexpected trap: mcause %x mepc %x mtval %x\n", cause, epc, tval);
    poweroff(3);
}

/* ------------------------------------------------------------------ checks */

static const char *case_name;
static const char *case_dev;
static int case_failed;
static const char *fail_what;
static uint64_t fail_got, fail_want;
static int fail_has_values;
static unsigned passed, failed, violations;

#define EXPECT(cond, what) do {                                              \
        if (!(cond) && !case_failed) {                                       \
            case_failed = 1;                                                 \
            fail_what = (what);                                              \
            fail_has_values = 0;                                             \
        }                                                                    \
    } while (0)
#define EXPECT_EQ(got, want, what) do {                                      \
        uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                \
        if (g_ != w_ && !case_failed) {                                      \
            case_failed = 1;                                                 \
            fail_what = (what);                                              \
            fail_got = g_;                                                   \
            fail_want = w_;                                                  \
            fail_has_values = 1;                                             \
        }                                                                    \
    } while (0)

static unsigned num_windows;
static int armed;

static void begin(const char *dev, const char *name)
{
    num_windows = 0;
    armed = 0;
    case_dev = dev;
    case_name = name;
    case_failed = 0;
}

static void end(void)
{
    if (case_failed) {
        failed++;
        pf("FAIL %s: %s: %s", case_dev, case_name, fail_what);
        if (fail_has_values)
            pf(" (got %x, expected %x)", fail_got, fail_want);
        pf("\n");
    } else {
        passed++;
        pf("PASS %s: %s\n", case_dev, case_name);
    }
}

/* ------------------------------------------------------------------ memory watch */

#define ARENA_SIZE 0x6000          /* per device */
#define A_DESC(q) ((uintptr_t)(q) * 0x400)
#define A_AVAIL(q) ((uintptr_t)(q) * 0x400 + 0x100)
#define A_USED(q) ((uintptr_t)(q) * 0x400 + 0x200)
#define USED_BYTES (6 + 8 * NUM)
#define A_ITAB 0x800
#define A_ITAB2 0xa00
#define A_HDR 0xc00
#define A_STATUS 0xe00
#define A_BUF 0x1000                  /* up to 0x4000 */
#define A_RX 0x4000                   /* net receive buffers, 4 x 2 KiB */
#define RX_BUF_SIZE 0x800

static uint8_t arenas[4][ARENA_SIZE] __attribute__((aligned(4096)));  /* device memory */
static uint8_t shadow[4][ARENA_SIZE] __attribute__((aligned(4096)));

struct window { uintptr_t start, len; };
static struct window windows[4];

static void allow(uintptr_t start, uintptr_t len)
{
    windows[num_windows++] = (struct window){ start, len };
}

static void fill_canaries(void)
{
    for (uintptr_t i = 0; i < SCRATCH_CANARY; i += 8)
        wr64(SCRATCH + i, 0x3c3c3c3c3c3c3c3cull ^ i);
    for (uintptr_t i = 0; i < END_CANARY; i += 8)
        wr64(RAM_END - END_CANARY + i, 0xc3c3c3c3c3c3c3c3ull ^ i);
}

/* Remember all device memory before a hostile operation; only windows may change. */
static void watch(void)
{
    fence();
    for (unsigned k = 0; k < 4; k++)
        for (uintptr_t i = 0; i < ARENA_SIZE; i += 8)
            wr64((uintptr_t)&shadow[k][i], rd64((uintptr_t)&arenas[k][i]));
}

static int allowed(uintptr_t a)
{
    for (unsigned i = 0; i < num_windows; i++)
        if (a - windows[i].start < windows[i].len)
            return 1;
    return 0;
}

static void check_canaries(void)
{
    for (uintptr_t i = 0; i < SCRATCH_CANARY; i += 8)
        if (rd64(SCRATCH + i) != (0x3c3c3c3c3c3c3c3cull ^ i)) {
            EXPECT_EQ(SCRATCH + i, 0, "the scratch canary was overwritten");
            return;
        }
    for (uintptr_t i = 0; i < END_CANARY; i += 8)
        if (rd64(RAM_END - END_CANARY + i) != (0xc3c3c3c3c3c3c3c3ull ^ i)) {
            EXPECT_EQ(RAM_END - END_CANARY + i, 0, "the canary at the end of RAM was overwritten");
            return;
        }
}

/* Compare with what watch() saw: only the allowed windows may differ. */
static void check_memory(void)
{
    check_canaries();
    fence();
    for (unsigned k = 0; k < 4; k++) {
        for (uintptr_t i = 0; i < ARENA_SIZE; i += 8) {
            uintptr_t a = (uintptr_t)&arenas[k][i];
            if (rd64(a) == rd64((uintptr_t)&shadow[k][i]))
                continue;
            for (uintptr_t b = 0; b < 8; b++)
                if (rd8(a + b) != shadow[k][i + b] && !allowed(a + b)) {
                    EXPECT_EQ(a + b, 0, "the device wrote guest memory it was not given");
                    return;
                }
        }
    }
}

/* ------------------------------------------------------------------ driver */

struct vq {
    uint32_t num;
    uintptr_t desc, avail, used;
    uint16_t avail_idx, used_seen;
};

struct vdev {
    const char *name;
    unsigned slot;
    uint32_t id;
    unsigned nq;                      /* queues */
    unsigned rq;                      /* the queue requests go to (net: transmit) */
    unsigned disk;                    /* blk: which image */
    uintptr_t base;
    uintptr_t arena;
    struct vq q[2];
    uint64_t features;
    uint8_t mac[6];
};

static struct vdev devs[4] = {
    { .name = "blk0", .slot = 0, .id = ID_BLK, .nq = 1, .rq = 0, .disk = 0 },
    { .name = "blk1-ro", .slot = 1, .id = ID_BLK, .nq = 1, .rq = 0, .disk = 1 },
    { .name = "net", .slot = 2, .id = ID_NET, .nq = 2, .rq = 1 },
    { .name = "rng", .slot = 3, .id = ID_RNG, .nq = 1, .rq = 0 },
};

static uint32_t r(struct vdev *d, unsigned off) { return rd32(d->base + off); }
static void w(struct vdev *d, unsigned off, uint32_t v) { wr32(d->base + off, v); }

static int irq_line(struct vdev *d)
{
    return (rd32(PLIC_PENDING) >> (1 + d->slot)) & 1;
}

static uintptr_t desc_addr(uintptr_t table, unsigned i) { return table + 16ul * i; }

static void set_desc_at(uintptr_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                        uint16_t next)
{
    uintptr_t p = desc_addr(table, i);
    wr64(p, addr);
    *(volatile uint32_t *)(p + 8) = len;
    *(volatile uint16_t *)(p + 12) = flags;
    *(volatile uint16_t *)(p + 14) = next;
}

static void set_flags_at(uintptr_t table, unsigned i, uint16_t flags, uint16_t next)
{
    uintptr_t p = desc_addr(table, i);
    *(volatile uint16_t *)(p + 12) = flags;
    *(volatile uint16_t *)(p + 14) = next;
}

static uint16_t used_idx(struct vq *q) { return rd16(q->used + 2); }
static uint32_t used_len(struct vq *q, uint16_t entry)
{
    fence();
    return *(volatile uint32_t *)(q->used + 4 + 8ul * (entry % q->num) + 4);
}
static uint32_t used_id(struct vq *q, uint16_t entry)
{
    fence();
    return *(volatile uint32_t *)(q->used + 4 + 8ul * (entry % q->num));
}

static uint64_t device_features(struct vdev *d)
{
    w(d, R_DEV_FEATURES_SEL, 1);
    uint64_t hi = r(d, R_DEV_FEATURES);
    w(d, R_DEV_FEATURES_SEL, 0);
    return hi << 32 | r(d, R_DEV_FEATURES);
}

static void set_features(struct vdev *d, uint64_t f)
{
    w(d, R_DRV_FEATURES_SEL, 0);
    w(d, R_DRV_FEATURES, (uint32_t)f);
    w(d, R_DRV_FEATURES_SEL, 1);
    w(d, R_DRV_FEATURES, (uint32_t)(f >> 32));
}

/* Program queue qi at the given addresses; returns QueueReady as read back. */
static uint32_t queue_setup_at(struct vdev *d, unsigned qi, uint32_t num, uint64_t desc,
                               uint64_t avail, uint64_t used)
{
    w(d, R_QUEUE_SEL, qi);
    EXPECT_EQ(r(d, R_QUEUE_READY), 0, "QueueReady before setup");
    w(d, R_QUEUE_NUM, num);
    w(d, R_DESC_LO, (uint32_t)desc);
    w(d, R_DESC_HI, (uint32_t)(desc >> 32));
    w(d, R_DRIVER_LO, (uint32_t)avail);
    w(d, R_DRIVER_HI, (uint32_t)(avail >> 32));
    w(d, R_DEVICE_LO, (uint32_t)used);
    w(d, R_DEVICE_HI, (uint32_t)(used >> 32));
    w(d, R_QUEUE_READY, 1);
    return r(d, R_QUEUE_READY);
}

static void queue_setup(struct vdev *d, unsigned qi)
{
    struct vq *q = &d->q[qi];
    q->num = NUM;
    q->desc = d->arena + A_DESC(qi);
    q->avail = d->arena + A_AVAIL(qi);
    q->used = d->arena + A_USED(qi);
    q->avail_idx = q->used_seen = 0;
    memset((void *)q->desc, 0, 16 * NUM);
    memset((void *)q->avail, 0, 6 + 2 * NUM);
    memset((void *)q->used, 0, 6 + 8 * NUM);
    EXPECT_EQ(r(d, R_QUEUE_NUM_MAX) >= NUM, 1, "QueueNumMax too small");
    EXPECT_EQ(queue_setup_at(d, qi, NUM, q->desc, q->avail, q->used), 1, "QueueReady");
}

static void reset(struct vdev *d)
{
    w(d, R_STATUS, 0);
    EXPECT_EQ(r(d, R_STATUS), 0, "Status after reset");
    EXPECT_EQ(r(d, R_ISR), 0, "InterruptStatus after reset");
    EXPECT_EQ(irq_line(d), 0, "interrupt line after reset");
    for (unsigned qi = 0; qi < d->nq; qi++) {
        w(d, R_QUEUE_SEL, qi);
        EXPECT_EQ(r(d, R_QUEUE_READY), 0, "QueueReady after reset");
    }
}

/* Reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK. */
static void negotiate(struct vdev *d, uint64_t want)
{
    reset(d);
    w(d, R_STATUS, S_ACK);
    w(d, R_STATUS, S_ACK | S_DRIVER);
    EXPECT_EQ(device_features(d) & want, want, "features offered");
    set_features(d, want);
    w(d, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    EXPECT_EQ(r(d, R_STATUS), S_ACK | S_DRIVER | S_FEATURES_OK, "FEATURES_OK accepted");
    d->features = want;
}

/* The whole driver initialisation (virtio 1.x section 3.1.1). */
static void init(struct vdev *d, uint64_t want)
{
    negotiate(d, want);
    for (unsigned qi = 0; qi < d->nq; qi++)
        queue_setup(d, qi);
    w(d, R_STATUS, S_UP);
    EXPECT_EQ(r(d, R_STATUS), S_UP, "Status after DRIVER_OK");
}

/* Make chain `head` available on queue qi. */
static void publish(struct vdev *d, unsigned qi, uint16_t head)
{
    struct vq *q = &d->q[qi];
    wr16(q->avail + 4 + 2ul * (q->avail_idx % q->num), head);
    q->avail_idx++;
    wr16(q->avail + 2, q->avail_idx);
}

/* Publish and notify; when armed, memory is watched from just before the notify (after
 * the driver's own writes). */
static void submit(struct vdev *d, unsigned qi, uint16_t head)
{
    publish(d, qi, head);
    if (armed) {
        armed = 0;
        watch();
    }
    w(d, R_QUEUE_NOTIFY, qi);
}

/* One used buffer expected on qi: returns its length. */
static uint32_t expect_used(struct vdev *d, unsigned qi, uint16_t head)
{
    struct vq *q = &d->q[qi];
    EXPECT_EQ(used_idx(q), (uint16_t)(q->used_seen + 1), "used index after the request");
    EXPECT_EQ(used_id(q, q->used_seen), head, "used id");
    uint32_t len = used_len(q, q->used_seen);
    q->used_seen++;
    return len;
}

static uint8_t disk_byte(unsigned disk, uint64_t sector, unsigned j)
{
    return (uint8_t)(sector * 13 + j * 7 + disk * 64 + 1);
}

/* ---- blk ---- */

static void blk_header(struct vdev *d, uint32_t type, uint64_t sector)
{
    *(volatile uint32_t *)(d->arena + A_HDR) = type;
    *(volatile uint32_t *)(d->arena + A_HDR + 4) = 0;
    wr64(d->arena + A_HDR + 8, sector);
    wr8(d->arena + A_STATUS, 0xee);
}

/* A request with `len` data bytes at `data` (device-writable for IN/GET_ID); returns the
 * status byte; *ulen = the used length. */
static uint8_t blk_request(struct vdev *d, uint32_t type, uint64_t sector, uintptr_t data,
                           uint32_t len, int device_writes, uint32_t *ulen)
{
    struct vq *q = &d->q[0];
    blk_header(d, type, sector);
    unsigned n = 0;
    set_desc_at(q->desc, n, d->arena + A_HDR, 16, F_NEXT, (uint16_t)(n + 1));
    n++;
    if (len) {
        set_desc_at(q->desc, n, data, len, F_NEXT | (device_writes ? F_WRITE : 0),
                    (uint16_t)(n + 1));
        n++;
    }
    set_desc_at(q->desc, n, d->arena + A_STATUS, 1, F_WRITE, 0);
    submit(d, 0, 0);
    uint32_t l = expect_used(d, 0, 0);
    if (ulen)
        *ulen = l;
    return rd8(d->arena + A_STATUS);
}

static void blk_good(struct vdev *d)
{
    uintptr_t buf = d->arena + A_BUF;
    memset((void *)buf, 0xa5, 1024);
    uint32_t ulen = 0;
    EXPECT_EQ(blk_request(d, BLK_IN, 0, buf, 512, 1, &ulen), BLK_OK, "read sector 0: status");
    EXPECT_EQ(ulen, 513, "read sector 0: used length");
    for (unsigned j = 0; j < 512; j++)
        if (rd8(buf + j) != disk_byte(d->disk, 0, j)) {
            EXPECT_EQ(rd8(buf + j), disk_byte(d->disk, 0, j), "sector 0 content");
            break;
        }
    EXPECT_EQ(rd8(buf + 512), 0xa5, "byte after the sector");
}

/* ---- net ---- */

static void net_read_mac(struct vdev *d)
{
    for (unsigned i = 0; i < 6; i++)
        d->mac[i] = rd8(d->base + R_CONFIG + i);
}

/* An ARP request for the slirp gateway 10.0.2.2 from 10.0.2.15, after a zero virtio header. */
static uintptr_t net_arp_frame(struct vdev *d)
{
    uintptr_t hdr = d->arena + A_HDR, f = d->arena + A_BUF;
    memset((void *)hdr, 0, 12);
    memset((void *)f, 0, 60);
    static const uint8_t head[14 + 8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0,
                                          0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1 };
    for (unsigned i = 0; i < sizeof(head); i++)
        wr8(f + i, head[i]);
    for (unsigned i = 0; i < 6; i++) {
        wr8(f + 6 + i, d->mac[i]);
        wr8(f + 22 + i, d->mac[i]);
    }
    static const uint8_t ips[] = { 10, 0, 2, 15, 0, 0, 0, 0, 0, 0, 10, 0, 2, 2 };
    for (unsigned i = 0; i < sizeof(ips); i++)
        wr8(f + 28 + i, ips[i]);
    return f;
}

static void net_transmit_arp(struct vdev *d)
{
    struct vq *q = &d->q[1];
    uintptr_t f = net_arp_frame(d);
    set_desc_at(q->desc, 0, d->arena + A_HDR, 12, F_NEXT, 1);
    set_desc_at(q->desc, 1, f, 60, 0, 0);
    submit(d, 1, 0);
}

static void net_good(struct vdev *d)
{
    net_transmit_arp(d);
    EXPECT_EQ(expect_used(d, 1, 0), 0, "transmit: used length");
}

/* ---- rng ---- */

static void rng_good(struct vdev *d)
{
    struct vq *q = &d->q[0];
    uintptr_t buf = d->arena + A_BUF;
    memset((void *)buf, 0xa5, 128);
    set_desc_at(q->desc, 0, buf, 64, F_WRITE, 0);
    submit(d, 0, 0);
    EXPECT_EQ(expect_used(d, 0, 0), 64, "entropy: used length");
    unsigned same = 0;
    for (unsigned j = 0; j < 64; j++)
        same += rd8(buf + j) == 0xa5;
    EXPECT(same < 64, "entropy: buffer unchanged");
    EXPECT_EQ(rd8(buf + 64), 0xa5, "entropy: byte after the buffer");
}

static void good(struct vdev *d)
{
    switch (d->id) {
    case ID_BLK: blk_good(d); break;
    case ID_NET: net_good(d); break;
    case ID_RNG: rng_good(d); break;
    }
}

/* After a rule violation: what the guest must see, then a reset and a working device. */
static void expect_violation(struct vdev *d, int driver_ok)
{
    violations++;
    uint32_t st = r(d, R_STATUS);
    EXPECT_EQ(st & S_NEEDS_RESET, S_NEEDS_RESET, "Status has DEVICE_NEEDS_RESET");
    uint32_t isr = r(d, R_ISR);
    if (driver_ok) {
        EXPECT_EQ(isr & ISR_CONFIG, ISR_CONFIG, "configuration-change interrupt");
        EXPECT_EQ(irq_line(d), 1, "interrupt line high");
    } else {
        EXPECT_EQ(isr, 0, "no interrupt before DRIVER_OK");
        EXPECT_EQ(irq_line(d), 0, "interrupt line low before DRIVER_OK");
    }
    for (unsigned qi = 0; qi < d->nq; qi++)
        EXPECT_EQ(used_idx(&d->q[qi]), d->q[qi].used_seen, "no buffer returned");
    check_memory();
    /* the device ignores its queues now */
    for (unsigned qi = 0; qi < d->nq; qi++)
        w(d, R_QUEUE_NOTIFY, qi);
    for (unsigned qi = 0; qi < d->nq; qi++)
        EXPECT_EQ(used_idx(&d->q[qi]), d->q[qi].used_seen, "queue ignored after NEEDS_RESET");
    check_memory();
    /* only a reset clears it */
    w(d, R_STATUS, (st & ~(uint32_t)S_NEEDS_RESET) | S_ACK);
    EXPECT_EQ(r(d, R_STATUS) & S_NEEDS_RESET, S_NEEDS_RESET, "NEEDS_RESET kept until reset");
    w(d, R_STATUS, S_UP);
    EXPECT_EQ(r(d, R_STATUS) & S_NEEDS_RESET, S_NEEDS_RESET, "NEEDS_RESET kept after DRIVER_OK");
    w(d, R_ACK, isr);
    EXPECT_EQ(r(d, R_ISR), 0, "InterruptStatus after ack");
    EXPECT_EQ(irq_line(d), 0, "interrupt line after ack");
    /* and after a reset it works again */
    init(d, F_VERSION_1);
    good(d);
}

/* ------------------------------------------------------------------ hostile chains */

struct ent { uint64_t addr; uint32_t len; uint16_t flags; };

/* A valid request for d on its request queue; *data = index of the data buffer. */
static unsigned valid_chain(struct vdev *d, struct ent *e, unsigned *data)
{
    uintptr_t a = d->arena;
    switch (d->id) {
    case ID_BLK:
        blk_header(d, BLK_IN, 0);
        e[0] = (struct ent){ a + A_HDR, 16, 0 };
        e[1] = (struct ent){ a + A_BUF, 512, F_WRITE };
        e[2] = (struct ent){ a + A_STATUS, 1, F_WRITE };
        *data = 1;
        return 3;
    case ID_NET:
        net_arp_frame(d);
        e[0] = (struct ent){ a + A_HDR, 12, 0 };
        e[1] = (struct ent){ a + A_BUF, 60, 0 };
        *data = 1;
        return 2;
    default:
        e[0] = (struct ent){ a + A_BUF, 64, F_WRITE };
        *data = 0;
        return 1;
    }
}

static void place(uintptr_t table, const struct ent *e, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        set_desc_at(table, i, e[i].addr, e[i].len,
                    (uint16_t)(e[i].flags | (i + 1 < n ? F_NEXT : 0)), (uint16_t)(i + 1));
}

enum hostile {
    H_LOOP, H_SELF_LOOP, H_NEXT_RANGE, H_ADDR_ZERO, H_ADDR_HIGH, H_ADDR_END, H_ADDR_STRADDLE,
    H_ADDR_BELOW, H_ADDR_WRAP, H_HUGE_LEN, H_HUGE_TOTAL, H_AVAIL_IDX, H_AVAIL_BACK, H_HEAD,
    H_HEAD_FFFF, H_R_AFTER_W, H_IND_UNNEG, H_IND_LOOP, H_IND_NEXT_RANGE, H_IND_NESTED,
    H_IND_WITH_NEXT, H_IND_MISALIGNED, H_IND_ODD_LEN, H_IND_EMPTY, H_IND_OUTSIDE,
    H_IND_BUF_OUTSIDE, H_COUNT
};

static const char *const hostile_name[H_COUNT] = {
    [H_LOOP] = "descriptor loop (last links back to the head)",
    [H_SELF_LOOP] = "descriptor linking to itself",
    [H_NEXT_RANGE] = "next index >= queue size",
    [H_ADDR_ZERO] = "buffer at address 0",
    [H_ADDR_HIGH] = "buffer at 0xffffffffffff0000",
    [H_ADDR_END] = "buffer just past the end of RAM",
    [H_ADDR_STRADDLE] = "buffer straddling the end of RAM",
    [H_ADDR_BELOW] = "buffer straddling the start of RAM",
    [H_ADDR_WRAP] = "buffer 0xffffffff80001000 + 0xffffffff (wraps 2^64)",
    [H_HUGE_LEN] = "buffer length 0xffffffff",
    [H_HUGE_TOTAL] = "chain of 3 x 100 MiB (inside RAM, over 256 MiB)",
    [H_AVAIL_IDX] = "available index queue size + 1 ahead",
    [H_AVAIL_BACK] = "available index going backwards",
    [H_HEAD] = "available ring names descriptor >= queue size",
    [H_HEAD_FFFF] = "available ring names descriptor 0xffff",
    [H_R_AFTER_W] = "device-readable buffer after a writable one",
    [H_IND_UNNEG] = "indirect descriptor without INDIRECT_DESC",
    [H_IND_LOOP] = "loop inside an indirect table",
    [H_IND_NEXT_RANGE] = "next index outside an indirect table",
    [H_IND_NESTED] = "indirect descriptor inside an indirect table",
    [H_IND_WITH_NEXT] = "indirect descriptor with NEXT",
    [H_IND_MISALIGNED] = "indirect table misaligned",
    [H_IND_ODD_LEN] = "indirect table length not a multiple of 16",
    [H_IND_EMPTY] = "indirect table of length 0",
    [H_IND_OUTSIDE] = "indirect table past the end of RAM",
    [H_IND_BUF_OUTSIDE] = "buffer outside RAM in an indirect table",
};

static void hostile_chain(struct vdev *d, enum hostile k)
{
    begin(d->name, hostile_name[k]);
    int indirect = k >= H_IND_UNNEG;
    init(d, F_VERSION_1 | (indirect && k != H_IND_UNNEG ? F_INDIRECT_DESC : 0));
    struct vq *q = &d->q[d->rq];
    struct ent e[8];
    unsigned data, n = valid_chain(d, e, &data);
    uintptr_t table = indirect ? d->arena + A_ITAB : q->desc;
    uint16_t head = 0;
    int raw_avail = 0;
    switch (k) {
    case H_ADDR_ZERO: e[data].addr = 0; break;
    case H_ADDR_HIGH: e[data].addr = 0xffffffffffff0000ull; break;
    case H_ADDR_END: e[data].addr = RAM_END; break;
    case H_ADDR_STRADDLE: e[data].addr = RAM_END - 8; e[data].len = 16; break;
    case H_ADDR_BELOW: e[data].addr = RAM_BASE - 8; e[data].len = 16; break;
    case H_ADDR_WRAP: /* offset from the RAM base + length wraps to a small number */
        e[data].addr = 0xffffffff80001000ull;
        e[data].len = 0xffffffffu;
        break;
    case H_HUGE_LEN: e[data].addr = SCRATCH; e[data].len = 0xffffffffu; break;
    case H_HUGE_TOTAL:
        for (unsigned i = n - 1; i > data; i--)
            e[i + 2] = e[i];
        for (unsigned i = 0; i < 3; i++)
            e[data + i] = (struct ent){ SCRATCH, 100u << 20, e[data].flags };
        n += 2;
        break;
    case H_R_AFTER_W:
        e[data].flags = F_WRITE;
        e[n++] = (struct ent){ d->arena + A_BUF + 0x1000, 16, 0 };
        break;
    case H_IND_BUF_OUTSIDE: e[data].addr = RAM_END - 8; e[data].len = 16; break;
    default: break;
    }
    place(table, e, n);
    switch (k) {
    case H_LOOP: case H_IND_LOOP: set_flags_at(table, n - 1, (uint16_t)(e[n - 1].flags | F_NEXT), 0); break;
    case H_SELF_LOOP: set_flags_at(table, 0, (uint16_t)(e[0].flags | F_NEXT), 0); break;
    case H_NEXT_RANGE: set_flags_at(table, n - 1, (uint16_t)(e[n - 1].flags | F_NEXT), NUM); break;
    case H_IND_NEXT_RANGE:
        set_flags_at(table, n - 1, (uint16_t)(e[n - 1].flags | F_NEXT), (uint16_t)n);
        break;
    case H_IND_NESTED:
        set_desc_at(d->arena + A_ITAB2, 0, e[data].addr, e[data].len, e[data].flags, 0);
        set_desc_at(table, data, d->arena + A_ITAB2, 16,
                    (uint16_t)(F_INDIRECT | (data + 1 < n ? F_NEXT : 0)), (uint16_t)(data + 1));
        break;
    case H_AVAIL_IDX: raw_avail = NUM + 1; break;
    case H_AVAIL_BACK: raw_avail = -1; break;
    case H_HEAD: head = NUM; break;
    case H_HEAD_FFFF: head = 0xffff; break;
    default: break;
    }
    if (indirect) {
        uint64_t taddr = d->arena + A_ITAB;
        uint32_t tlen = 16 * n;
        uint16_t flags = F_INDIRECT;
        if (k == H_IND_MISALIGNED) {
            /* a copy of the table 8 bytes further on */
            for (unsigned i = 0; i < 16 * n; i += 8)
                wr64(d->arena + A_ITAB2 + 8 + i, rd64(d->arena + A_ITAB + i));
            taddr = d->arena + A_ITAB2 + 8;
        }
        if (k == H_IND_ODD_LEN)
            tlen = 16 * n - 8;
        if (k == H_IND_EMPTY)
            tlen = 0;
        if (k == H_IND_OUTSIDE)
            taddr = RAM_END - 16;
        set_desc_at(q->desc, 0, taddr, tlen, flags, 0);
        if (k == H_IND_WITH_NEXT) {
            set_flags_at(q->desc, 0, F_INDIRECT | F_NEXT, 1);
            set_desc_at(q->desc, 1, d->arena + A_BUF + 0x1000, 16, F_WRITE, 0);
        }
    }
    if (raw_avail) {
        wr16(q->avail + 4, 0);
        wr16(q->avail + 2, (uint16_t)(q->avail_idx + raw_avail));
    } else {
        publish(d, d->rq, head);
    }
    watch();
    w(d, R_QUEUE_NOTIFY, d->rq);
    expect_violation(d, 1);
    end();
}

/* ------------------------------------------------------------------ hostile layouts */

enum layout { L_DESC_ZERO, L_AVAIL_END, L_USED_PAST_END, L_USED_HIGH, L_DESC_HIGH_HALF,
              L_MISALIGNED, L_NUM3, L_NUM_ZERO, L_NUM_BIG, L_LATE, L_COUNT };

static const char *const layout_name[L_COUNT] = {
    [L_DESC_ZERO] = "QueueReady with the descriptor table at 0",
    [L_AVAIL_END] = "QueueReady with the available ring past the end of RAM",
    [L_USED_PAST_END] = "QueueReady with the used ring running past the end of RAM",
    [L_USED_HIGH] = "QueueReady with the used ring at 0xfffffffffffff000",
    [L_DESC_HIGH_HALF] = "QueueReady with QueueDescHigh = 1",
    [L_MISALIGNED] = "QueueReady with a misaligned descriptor table",
    [L_NUM3] = "QueueReady with queue size 3",
    [L_NUM_ZERO] = "QueueReady with queue size 0",
    [L_NUM_BIG] = "QueueReady with queue size 2 x QueueNumMax",
    [L_LATE] = "QueueReady after DRIVER_OK with the used ring outside RAM",
};

static void hostile_layout(struct vdev *d, enum layout k)
{
    begin(d->name, layout_name[k]);
    unsigned qi = d->rq;
    struct vq *q = &d->q[qi];
    if (k == L_LATE) {
        init(d, F_VERSION_1);
        w(d, R_QUEUE_SEL, qi);
        w(d, R_QUEUE_READY, 0);
        EXPECT_EQ(r(d, R_QUEUE_READY), 0, "QueueReady cleared");
        w(d, R_DEVICE_LO, (uint32_t)(RAM_END - 4));
        watch();
        w(d, R_QUEUE_READY, 1);
        EXPECT_EQ(r(d, R_QUEUE_READY), 0, "QueueReady refused");
        expect_violation(d, 1);
        end();
        return;
    }
    negotiate(d, F_VERSION_1);
    for (unsigned i = 0; i < d->nq; i++)
        if (i != qi)
            queue_setup(d, i);
    w(d, R_QUEUE_SEL, qi);
    uint32_t max = r(d, R_QUEUE_NUM_MAX);
    uint32_t num = NUM;
    uint64_t desc = d->arena + A_DESC(qi), avail = d->arena + A_AVAIL(qi),
             used = d->arena + A_USED(qi);
    q->num = NUM;
    q->desc = desc;
    q->avail = avail;
    q->used = used;
    q->avail_idx = q->used_seen = 0;
    memset((void *)used, 0, 6 + 8 * NUM);
    switch (k) {
    case L_DESC_ZERO: desc = 0; break;
    case L_AVAIL_END: avail = RAM_END; break;
    case L_USED_PAST_END: used = RAM_END - 32; break;
    case L_USED_HIGH: used = 0xfffffffffffff000ull; break;
    case L_DESC_HIGH_HALF: desc |= 1ull << 32; break;
    case L_MISALIGNED: desc += 8; break;
    case L_NUM3: num = 3; break;
    case L_NUM_ZERO: num = 0; break;
    case L_NUM_BIG: num = 2 * max; break;
    default: break;
    }
    watch();
    EXPECT_EQ(queue_setup_at(d, qi, num, desc, avail, used), 0, "QueueReady refused");
    /* the driver goes on regardless */
    w(d, R_STATUS, S_UP);
    expect_violation(d, 0);
    end();
}

/* ------------------------------------------------------------------ device-specific cases */

static void blk_cases(struct vdev *d)
{
    uintptr_t buf = d->arena + A_BUF;
    struct vq *q = &d->q[0];
    int ro = d->disk == 1;

    begin(d->name, ro ? "offers VIRTIO_BLK_F_RO" : "does not offer VIRTIO_BLK_F_RO");
    EXPECT_EQ((device_features(d) & F_BLK_RO) != 0, ro, "RO feature");
    uint64_t cap = r(d, R_CONFIG) | (uint64_t)r(d, R_CONFIG + 4) << 32;
    EXPECT_EQ(cap, DISK_SECTORS, "capacity");
    end();

    begin(d->name, "read all sectors");
    init(d, F_VERSION_1);
    for (uint64_t s = 0; s < DISK_SECTORS && !case_failed; s += 16) {
        EXPECT_EQ(blk_request(d, BLK_IN, s, buf, 16 * 512, 1, NULL), BLK_OK, "status");
        for (unsigned j = 0; j < 16 * 512; j++)
            if (rd8(buf + j) != disk_byte(d->disk, s + j / 512, j % 512)) {
                EXPECT_EQ(rd8(buf + j), disk_byte(d->disk, s + j / 512, j % 512), "content");
                break;
            }
    }
    end();

    /* unanswerable requests: IOERR, not a device error */
    static const struct { const char *name; uint64_t sector; uint32_t len; } bad_reads[] = {
        { "read at sector == capacity (IOERR)", DISK_SECTORS, 512 },
        { "read of the last sector and one more (IOERR)", DISK_SECTORS - 1, 1024 },
        { "read at sector 2^64-1 (IOERR)", 0xffffffffffffffffull, 512 },
        { "read at sector 2^55 (IOERR)", 1ull << 55, 512 },
        { "read of 100 bytes (IOERR)", 0, 100 },
    };
    for (unsigned i = 0; i < sizeof(bad_reads) / sizeof(bad_reads[0]); i++) {
        begin(d->name, bad_reads[i].name);
        init(d, F_VERSION_1);
        memset((void *)buf, 0xa5, 2048);
        armed = 1;
        allow(d->arena + A_STATUS, 1);
        allow(q->used, USED_BYTES);
        uint32_t ulen = 0;
        EXPECT_EQ(blk_request(d, BLK_IN, bad_reads[i].sector, buf, bad_reads[i].len, 1, &ulen),
                  BLK_IOERR, "status");
        EXPECT_EQ(ulen, 1, "used length (the status byte)");
        EXPECT_EQ(r(d, R_STATUS), S_UP, "Status (no NEEDS_RESET)");
        EXPECT_EQ(r(d, R_ISR), ISR_USED, "InterruptStatus");
        EXPECT_EQ(irq_line(d), 1, "interrupt line");
        check_memory();
        w(d, R_ACK, ISR_USED);
        EXPECT_EQ(irq_line(d), 0, "interrupt line after ack");
        blk_good(d);
        end();
    }

    begin(d->name, ro ? "write to the read-only disk (IOERR)" : "write sector 2, read it back");
    init(d, F_VERSION_1);
    for (unsigned j = 0; j < 512; j++)
        wr8(buf + j, (uint8_t)(j ^ 0x5a));
    EXPECT_EQ(blk_request(d, BLK_OUT, 2, buf, 512, 0, NULL), ro ? BLK_IOERR : BLK_OK,
              "write status");
    memset((void *)buf, 0, 512);
    EXPECT_EQ(blk_request(d, BLK_IN, 2, buf, 512, 1, NULL), BLK_OK, "read status");
    for (unsigned j = 0; j < 512; j++) {
        uint8_t want = ro ? disk_byte(d->disk, 2, j) : (uint8_t)(j ^ 0x5a);
        if (rd8(buf + j) != want) {
            EXPECT_EQ(rd8(buf + j), want, "sector 2 after the write");
            break;
        }
    }
    EXPECT_EQ(r(d, R_STATUS), S_UP, "Status");
    end();

    begin(d->name, "write past the end (IOERR)");
    init(d, F_VERSION_1);
    EXPECT_EQ(blk_request(d, BLK_OUT, DISK_SECTORS - 1, buf, 1024, 0, NULL), BLK_IOERR, "status");
    EXPECT_EQ(blk_request(d, BLK_IN, DISK_SECTORS - 1, buf, 512, 1, NULL), BLK_OK, "read back");
    EXPECT_EQ(rd8(buf), ro ? disk_byte(1, DISK_SECTORS - 1, 0) : disk_byte(0, DISK_SECTORS - 1, 0),
              "last sector unchanged");
    end();

    begin(d->name, "discard beyond the disk (IOERR)");
    init(d, F_VERSION_1);
    wr64(buf, DISK_SECTORS - 1);
    *(volatile uint32_t *)(buf + 8) = 8;
    *(volatile uint32_t *)(buf + 12) = 0;
    EXPECT_EQ(blk_request(d, BLK_DISCARD, 0, buf, 16, 0, NULL), BLK_IOERR, "status");
    blk_good(d);
    end();

    begin(d->name, "unknown request type (UNSUPP)");
    init(d, F_VERSION_1);
    EXPECT_EQ(blk_request(d, 0x77, 0, buf, 512, 1, NULL), BLK_UNSUPP, "status");
    end();

    begin(d->name, "get id");
    init(d, F_VERSION_1);
    memset((void *)buf, 0xa5, 64);
    uint32_t ulen = 0;
    EXPECT_EQ(blk_request(d, BLK_GET_ID, 0, buf, 64, 1, &ulen), BLK_OK, "status");
    const char *want = ro ? "rewind-disk1" : "rewind-disk0";
    for (unsigned j = 0; want[j]; j++)
        EXPECT_EQ(rd8(buf + j), (uint8_t)want[j], "serial");
    EXPECT_EQ(rd8(buf + 20), 0xa5, "byte after the 20-byte serial");
    EXPECT_EQ(ulen, 21, "used length");
    end();

    /* malformed requests: device errors */
    static const char *const malformed[] = {
        "status byte descriptor read-only (after a writable buffer)",
        "status byte descriptor read-only (no writable buffer)",
        "header of 8 bytes",
        "no header (writable only)",
    };
    for (unsigned m = 0; m < 4; m++) {
        begin(d->name, malformed[m]);
        init(d, F_VERSION_1);
        blk_header(d, BLK_IN, 0);
        switch (m) {
        case 0:
            set_desc_at(q->desc, 0, d->arena + A_HDR, 16, F_NEXT, 1);
            set_desc_at(q->desc, 1, buf, 512, F_NEXT | F_WRITE, 2);
            set_desc_at(q->desc, 2, d->arena + A_STATUS, 1, 0, 0);
            break;
        case 1:
            set_desc_at(q->desc, 0, d->arena + A_HDR, 16, F_NEXT, 1);
            set_desc_at(q->desc, 1, d->arena + A_STATUS, 1, 0, 0);
            break;
        case 2:
            set_desc_at(q->desc, 0, d->arena + A_HDR, 8, F_NEXT, 1);
            set_desc_at(q->desc, 1, d->arena + A_STATUS, 1, F_WRITE, 0);
            break;
        case 3:
            set_desc_at(q->desc, 0, buf, 512, F_NEXT | F_WRITE, 1);
            set_desc_at(q->desc, 1, d->arena + A_STATUS, 1, F_WRITE, 0);
            break;
        }
        armed = 1;
        submit(d, 0, 0);
        EXPECT_EQ(rd8(d->arena + A_STATUS), 0xee, "status byte untouched");
        expect_violation(d, 1);
        end();
    }
}

/* Spin until Status shows NEEDS_RESET (errors found while the machine polls the NIC). */
static int wait_needs_reset(struct vdev *d)
{
    for (unsigned i = 0; i < 4000000; i++)
        if (r(d, R_STATUS) & S_NEEDS_RESET)
            return 1;
    return 0;
}

static void net_cases(struct vdev *d)
{
    struct vq *rx = &d->q[0], *tx = &d->q[1];

    begin(d->name, "MAC address and link up");
    net_read_mac(d);
    EXPECT_EQ(d->mac[0], 0x52, "MAC[0]");
    EXPECT_EQ(rd8(d->base + R_CONFIG + 6) & 1, 1, "link up");
    end();

    begin(d->name, "transmit, receive slirp's ARP reply");
    init(d, F_VERSION_1);
    for (unsigned i = 0; i < 4; i++) {
        memset((void *)(d->arena + A_RX + RX_BUF_SIZE * i), 0xa5, RX_BUF_SIZE);
        set_desc_at(rx->desc, i, d->arena + A_RX + RX_BUF_SIZE * i, RX_BUF_SIZE, F_WRITE, 0);
        wr16(rx->avail + 4 + 2 * i, (uint16_t)i);
    }
    rx->avail_idx = 4;
    wr16(rx->avail + 2, 4);
    w(d, R_QUEUE_NOTIFY, 0);
    net_good(d);
    unsigned spins = 0;
    while (used_idx(rx) == 0 && spins < 4000000)
        spins++;
    EXPECT(used_idx(rx) != 0, "no frame received");
    if (used_idx(rx)) {
        uint32_t id = used_id(rx, 0), len = used_len(rx, 0);
        uintptr_t f = d->arena + A_RX + RX_BUF_SIZE * (id & 3) + 12;
        EXPECT(len >= 12 + 42 && len <= RX_BUF_SIZE, "received length");
        EXPECT_EQ(rd8(f + 12) << 8 | rd8(f + 13), 0x0806, "ethertype ARP");
        EXPECT_EQ(rd8(f + 20) << 8 | rd8(f + 21), 2, "ARP reply");
        EXPECT_EQ(rd8(f + 28) << 24 | rd8(f + 29) << 16 | rd8(f + 30) << 8 | rd8(f + 31),
                  0x0a000202, "sender 10.0.2.2");
        EXPECT_EQ(rd8(d->arena + A_RX + RX_BUF_SIZE * (id & 3) + len), 0xa5,
                  "byte after the frame");
    }
    end();

    begin(d->name, "transmit a header without a frame (dropped, returned)");
    init(d, F_VERSION_1);
    memset((void *)(d->arena + A_HDR), 0, 12);
    set_desc_at(tx->desc, 0, d->arena + A_HDR, 12, 0, 0);
    submit(d, 1, 0);
    EXPECT_EQ(expect_used(d, 1, 0), 0, "used length");
    set_desc_at(tx->desc, 1, d->arena + A_BUF, 64, F_WRITE, 0);  /* nothing to send */
    armed = 1;
    allow(tx->used, USED_BYTES);
    submit(d, 1, 1);
    EXPECT_EQ(expect_used(d, 1, 1), 0, "used length (writable only)");
    check_memory();
    EXPECT_EQ(r(d, R_STATUS), S_UP, "Status");
    end();

    begin(d->name, "receive ring with an impossible available index");
    init(d, F_VERSION_1);
    wr16(rx->avail + 2, 1000);
    watch();   /* (the device may already have noticed: it writes nothing either way) */
    EXPECT(wait_needs_reset(d), "NEEDS_RESET never came");
    expect_violation(d, 1);
    end();

    begin(d->name, "receive buffer past the end of RAM");
    init(d, F_VERSION_1);
    set_desc_at(rx->desc, 0, RAM_END - 8, RX_BUF_SIZE, F_WRITE, 0);
    publish(d, 0, 0);
    /* a frame to provoke a reply (one may be waiting already) */
    uintptr_t f = net_arp_frame(d);
    set_desc_at(tx->desc, 0, d->arena + A_HDR, 12, F_NEXT, 1);
    set_desc_at(tx->desc, 1, f, 60, 0, 0);
    publish(d, 1, 0);
    watch();
    allow(tx->used, USED_BYTES);
    w(d, R_QUEUE_NOTIFY, 0);
    w(d, R_QUEUE_NOTIFY, 1);
    if (used_idx(tx) == (uint16_t)(tx->used_seen + 1))
        tx->used_seen++;  /* sent (unless the device had already stopped) */
    EXPECT(wait_needs_reset(d), "NEEDS_RESET never came");
    expect_violation(d, 1);
    end();
}

static void rng_cases(struct vdev *d)
{
    struct vq *q = &d->q[0];
    uintptr_t buf = d->arena + A_BUF;

    begin(d->name, "8 KiB buffer gets 4 KiB, the rest untouched");
    init(d, F_VERSION_1);
    memset((void *)buf, 0xa5, 0x3000);
    set_desc_at(q->desc, 0, buf, 5000, F_WRITE | F_NEXT, 1);
    set_desc_at(q->desc, 1, buf + 5000, 8192 - 5000, F_WRITE, 0);
    armed = 1;
    allow(buf, 4096);
    allow(q->used, USED_BYTES);
    submit(d, 0, 0);
    EXPECT_EQ(expect_used(d, 0, 0), 4096, "used length");
    check_memory();
    end();

    begin(d->name, "buffer the device may not write gets nothing");
    init(d, F_VERSION_1);
    set_desc_at(q->desc, 0, buf, 64, 0, 0);
    armed = 1;
    allow(q->used, USED_BYTES);
    submit(d, 0, 0);
    EXPECT_EQ(expect_used(d, 0, 0), 0, "used length");
    check_memory();
    end();

    begin(d->name, "NO_INTERRUPT flag: used, no interrupt");
    init(d, F_VERSION_1);
    wr16(q->avail, 1);
    rng_good(d);
    EXPECT_EQ(r(d, R_ISR), 0, "InterruptStatus");
    EXPECT_EQ(irq_line(d), 0, "interrupt line");
    wr16(q->avail, 0);
    rng_good(d);
    EXPECT_EQ(r(d, R_ISR), ISR_USED, "InterruptStatus without the flag");
    EXPECT_EQ(irq_line(d), 1, "interrupt line without the flag");
    end();

    begin(d->name, "EVENT_IDX: interrupt only when used_event is passed");
    init(d, F_VERSION_1 | F_EVENT_IDX);
    rng_good(d);
    EXPECT_EQ(r(d, R_ISR), ISR_USED, "first interrupt");
    EXPECT_EQ(rd16(q->used + 4 + 8 * NUM), 1, "avail_event");
    w(d, R_ACK, ISR_USED);
    wr16(q->avail + 4 + 2 * NUM, 3);   /* used_event: after entry 3 */
    for (unsigned i = 1; i <= 4; i++) {
        rng_good(d);
        EXPECT_EQ(r(d, R_ISR), i == 3 ? ISR_USED : 0, "interrupt at the right entry");
        EXPECT_EQ(irq_line(d), i == 3, "line at the right entry");
        w(d, R_ACK, ISR_USED);
    }
    end();

    /* transport rules, exercised on the rng */
    begin(d->name, "FEATURES_OK refused for an unoffered feature");
    reset(d);
    w(d, R_STATUS, S_ACK | S_DRIVER);
    set_features(d, F_VERSION_1 | FEAT(50));
    w(d, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    EXPECT_EQ(r(d, R_STATUS), S_ACK | S_DRIVER, "Status");
    end();

    begin(d->name, "FEATURES_OK refused without VERSION_1");
    reset(d);
    w(d, R_STATUS, S_ACK | S_DRIVER);
    set_features(d, 0);
    w(d, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    EXPECT_EQ(r(d, R_STATUS), S_ACK | S_DRIVER, "Status");
    init(d, F_VERSION_1);
    rng_good(d);
    end();

    begin(d->name, "notify of an absent queue, odd register accesses");
    init(d, F_VERSION_1);
    w(d, R_QUEUE_NOTIFY, 1);
    w(d, R_QUEUE_NOTIFY, 0xffffffffu);
    w(d, R_QUEUE_SEL, 7);
    EXPECT_EQ(r(d, R_QUEUE_NUM_MAX), 0, "QueueNumMax of an absent queue");
    w(d, R_QUEUE_READY, 1);
    *(volatile uint8_t *)(d->base + R_STATUS) = 0;   /* byte write: ignored */
    EXPECT_EQ(r(d, R_STATUS), S_UP, "Status");
    EXPECT_EQ(rd8(d->base + R_CONFIG), 0, "config space (none)");
    rng_good(d);
    end();
}

/* ------------------------------------------------------------------ main */

int main(void);
int main(void)
{
    pf("hostile: virtio devices against a guest that breaks the rules\n");
    fill_canaries();
    for (unsigned i = 0; i < 4; i++) {
        devs[i].base = VIRTIO_BASE + 0x1000ul * devs[i].slot;
        devs[i].arena = (uintptr_t)arenas[i];
    }

    for (unsigned i = 0; i < 4; i++) {
        struct vdev *d = &devs[i];
        begin(d->name, "probe, initialise, one good request");
        EXPECT_EQ(r(d, R_MAGIC), 0x74726976, "MagicValue");
        EXPECT_EQ(r(d, R_VERSION), 2, "Version");
        EXPECT_EQ(r(d, R_DEVICE_ID), d->id, "DeviceID");
        EXPECT_EQ(r(d, R_VENDOR), 0x64776572, "VendorID");
        EXPECT_EQ(device_features(d) & (F_VERSION_1 | F_INDIRECT_DESC | F_EVENT_IDX),
                  F_VERSION_1 | F_INDIRECT_DESC | F_EVENT_IDX, "transport features");
        if (d->id == ID_NET)
            net_read_mac(d);
        init(d, F_VERSION_1);
        good(d);
        EXPECT_EQ(r(d, R_ISR) & ISR_USED, ISR_USED, "used-buffer interrupt");
        EXPECT_EQ(irq_line(d), 1, "interrupt line");
        w(d, R_ACK, ISR_USED);
        EXPECT_EQ(irq_line(d), 0, "interrupt line after ack");
        end();
    }

    for (unsigned i = 0; i < 4; i++) {
        struct vdev *d = &devs[i];
        for (unsigned k = 0; k < H_COUNT; k++)
            hostile_chain(d, (enum hostile)k);
        for (unsigned k = 0; k < L_COUNT; k++)
            hostile_layout(d, (enum layout)k);
        switch (d->id) {
        case ID_BLK: blk_cases(d); break;
        case ID_NET: net_cases(d); break;
        case ID_RNG: rng_cases(d); break;
        }
    }

    begin("all", "every device still works");
    for (unsigned i = 0; i < 4; i++) {
        init(&devs[i], F_VERSION_1 | F_INDIRECT_DESC | F_EVENT_IDX);
        good(&devs[i]);
    }
    check_canaries();
    end();

    pf("hostile: %u passed, %u failed; rule violations provoked: %u\n", (uint64_t)passed,
       (uint64_t)failed, (uint64_t)violations);
    pf(failed ? "hostile: SOME FAILED\n" : "hostile: ALL PASS\n");
    poweroff(failed ? 1 : 0);
}
