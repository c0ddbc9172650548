/* goldfish_rtc.c — goldfish RTC registers, clock offset and alarm (see goldfish_rtc.h). */
#include "devices/goldfish_rtc.h"

#include <string.h>

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
