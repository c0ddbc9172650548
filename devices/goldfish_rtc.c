/* goldfish_rtc.c — goldfish RTC registers, clock offset and alarm (see goldfish_rtc.h). */
#include "devices/goldfish_rtc.h"

#include <string.h>

#include "vmm/state.h"

enum {
    RTC_TIME_LOW = 0x00, RTC_TIME_HIGH = 0x04, RTC_ALARM_LOW = 0x08, RTC_ALARM_HIGH = 0x0c,
    RTC_IRQ_ENABLED = 0x10, RTC_CLEAR_ALARM = 0x14, RTC_ALARM_STATUS = 0x18,
    RTC_CLEAR_INTERRUPT = 0x1c,
};

static uint64_t guest_now(const struct goldfish_rtc *r)
{
    return r->host.now_ns(r->host.ctx) + r->offset_ns;
}

static void drive_output(struct goldfish_rtc *r)
{
    irq_line_set(&r->irq, r->irq_pending && r->irq_enabled);
}

static void check_alarm(struct goldfish_rtc *r)
{
    if (r->alarm_armed && guest_now(r) >= r->alarm_ns) {
        r->alarm_armed = false;
        r->irq_pending = true;
    }
}

void goldfish_rtc_update(struct goldfish_rtc *r)
{
    check_alarm(r);
    drive_output(r);
}

bool goldfish_rtc_next_alarm(const struct goldfish_rtc *r, uint64_t *ns)
{
    if (!r->alarm_armed)
        return false;
    *ns = r->alarm_ns - r->offset_ns;
    return true;
}

/* Replace the 32 bits at shift of the guest time, keeping the rest. */
static void set_time_half(struct goldfish_rtc *r, unsigned shift, uint32_t value)
{
    uint64_t now = guest_now(r);
    uint64_t mask = 0xffffffffull << shift;
    uint64_t wanted = (now & ~mask) | ((uint64_t)value << shift);
    r->offset_ns += wanted - now;
}

static int rtc_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
    struct goldfish_rtc *r = opaque;
    if (size != 4 || (offset & 3))
        return -1;
    check_alarm(r);
    uint32_t v = 0;
    switch (offset) {
    case RTC_TIME_LOW: {
        uint64_t now = guest_now(r);
        r->time_high_latch = (uint32_t)(now >> 32);
        v = (uint32_t)now;
        break;
    }
    case RTC_TIME_HIGH: v = r->time_high_latch; break;
    case RTC_ALARM_LOW: v = (uint32_t)r->alarm_ns; break;
    case RTC_ALARM_HIGH: v = (uint32_t)(r->alarm_ns >> 32); break;
    case RTC_IRQ_ENABLED: v = r->irq_enabled; break;
    case RTC_ALARM_STATUS: v = r->alarm_armed; break;
    default: break;
    }
    drive_output(r);
    *value = v;
    return 0;
}

static int rtc_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct goldfish_rtc *r = opaque;
    if (size != 4 || (offset & 3))
        return -1;
    uint32_t v = (uint32_t)value;
    switch (offset) {
    case RTC_TIME_LOW: set_time_half(r, 0, v); break;
    case RTC_TIME_HIGH: set_time_half(r, 32, v); break;
    case RTC_ALARM_LOW:
        r->alarm_ns = (r->alarm_ns & ~0xffffffffull) | v;
        r->alarm_armed = true;
        break;
    case RTC_ALARM_HIGH:
        r->alarm_ns = (r->alarm_ns & 0xffffffffull) | ((uint64_t)v << 32);
        break;
    case RTC_IRQ_ENABLED: r->irq_enabled = v & 1; break;
    case RTC_CLEAR_ALARM: r->alarm_armed = false; break;
    case RTC_CLEAR_INTERRUPT: r->irq_pending = false; break;
    default: break;
    }
    goldfish_rtc_update(r);
    return 0;
}

static const struct mmio_ops rtc_ops = { .read = rtc_read, .write = rtc_write };

int goldfish_rtc_init(struct goldfish_rtc *r, struct goldfish_rtc_host host)
{
    memset(r, 0, sizeof(*r));
    if (!host.now_ns)
        return -1;
    r->host = host;
    return 0;
}

void goldfish_rtc_reset(struct goldfish_rtc *r)
{
    r->alarm_ns = 0;
    r->time_high_latch = 0;
    r->alarm_armed = false;
    r->irq_enabled = false;
    r->irq_pending = false;
    drive_output(r);
}

int goldfish_rtc_attach(struct goldfish_rtc *r, struct bus *bus, uint64_t base)
{
    return bus_add_mmio(bus, "goldfish-rtc", base, GOLDFISH_RTC_SIZE, &rtc_ops, r);
}

/* ---- state stream ---- */

#define RTC_STATE_VERSION 1

void goldfish_rtc_save(const struct goldfish_rtc *r, struct state_writer *w)
{
    state_begin_section(w, "goldfish-rtc", RTC_STATE_VERSION);
    state_put_u64(w, r->offset_ns);
    state_put_u64(w, r->alarm_ns);
    state_put_u32(w, r->time_high_latch);
    state_put_bool(w, r->alarm_armed);
    state_put_bool(w, r->irq_enabled);
    state_put_bool(w, r->irq_pending);
    state_put_bool(w, r->irq.level);
    state_end_section(w);
}

int goldfish_rtc_load(struct goldfish_rtc *r, struct state_reader *rd)
{
    uint32_t version = RTC_STATE_VERSION;
    if (state_open_section(rd, "goldfish-rtc", &version))
        return -1;
    struct goldfish_rtc n = *r;
    n.offset_ns = state_get_u64(rd);
    n.alarm_ns = state_get_u64(rd);
    n.time_high_latch = state_get_u32(rd);
    n.alarm_armed = state_get_bool(rd);
    n.irq_enabled = state_get_bool(rd);
    n.irq_pending = state_get_bool(rd);
    n.irq.level = state_get_bool(rd);
    if (state_close_section(rd))
        return -1;
    if (n.irq.level != (n.irq_pending && n.irq_enabled))
        return state_fail(rd, "interrupt level %d contradicts pending %d / enabled %d",
                          n.irq.level, n.irq_pending, n.irq_enabled);
    *r = n;
    return 0;
}
