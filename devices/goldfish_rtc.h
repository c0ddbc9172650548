/* goldfish_rtc.h — the `google,goldfish-rtc` wall clock of the `virt` board (IRQ 11 on the
 * PLIC). The time is nanoseconds since the Unix epoch: the host's now_ns() plus an offset
 * the guest sets by writing TIME_LOW/TIME_HIGH. The wall clock is an input of the machine:
 * now_ns() is answered through the record/replay gate.
 *
 * Registers (32 bits; other sizes or misaligned offsets are access faults, other offsets
 * read 0 and ignore writes):
 *   0x00 TIME_LOW        read: low half of the time, latching the high half for TIME_HIGH;
 *                        write: replace the low half of the time
 *   0x04 TIME_HIGH       read: the half latched by the last TIME_LOW read;
 *                        write: replace the high half of the time
 *   0x08 ALARM_LOW       write: low half of the alarm time, and arm the alarm (if the time
 *                        has already come, it fires at once)
 *   0x0c ALARM_HIGH      write: high half of the alarm time (write it first)
 *   0x10 IRQ_ENABLED     bit 0 enables the interrupt output
 *   0x14 CLEAR_ALARM     write: disarm the alarm
 *   0x18 ALARM_STATUS    read: 1 while an alarm is armed and has not fired
 *   0x1c CLEAR_INTERRUPT write: clear the interrupt
 * An alarm that fires sets the interrupt flag; the output line is flag AND IRQ_ENABLED.
 * Firing is evaluated on register accesses and on goldfish_rtc_update(), which the VM calls
 * when the host clock reaches goldfish_rtc_next_alarm(). */
#ifndef REWIND_GOLDFISH_RTC_H
#define REWIND_GOLDFISH_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/irq.h"
#include "vmm/bus.h"

#define GOLDFISH_RTC_BASE 0x00101000ull
#define GOLDFISH_RTC_SIZE 0x1000ull
#define GOLDFISH_RTC_IRQ 11

/* What the RTC needs from the machine (answered through the record/replay gate). */
struct goldfish_rtc_host {
    uint64_t (*now_ns)(void *ctx);     /* host wall clock, ns since the Unix epoch */
    void *ctx;
};

struct goldfish_rtc {
    struct goldfish_rtc_host host;
    uint64_t offset_ns;         /* guest time = now_ns() + offset_ns (mod 2^64) */
    uint64_t alarm_ns;          /* alarm time, guest timebase */
    uint32_t time_high_latch;
    bool alarm_armed;
    bool irq_enabled;
    bool irq_pending;
    struct irq_line irq;
};

/* Reset state; clears the wiring. Returns 0, or -1 if the host lacks now_ns. */
int goldfish_rtc_init(struct goldfish_rtc *r, struct goldfish_rtc_host host);
/* Back to reset state, keeping the host, the wiring and the guest's clock offset (a wall
 * clock survives a reboot); the output follows. */
void goldfish_rtc_reset(struct goldfish_rtc *r);
/* Map the registers at base (GOLDFISH_RTC_SIZE bytes). Returns 0 or -1. */
int goldfish_rtc_attach(struct goldfish_rtc *r, struct bus *bus, uint64_t base);
/* Fire the alarm if it is armed and its time has come; drive the output. */
void goldfish_rtc_update(struct goldfish_rtc *r);
/* If an alarm is armed, store in *ns the host now_ns() value at which it fires and return
 * true; otherwise return false. */
bool goldfish_rtc_next_alarm(const struct goldfish_rtc *r, uint64_t *ns);

/* State stream, section "goldfish-rtc": clock offset, alarm, latch, flags and the
 * interrupt level (set without telling the receiver). Returns 0, or -1 with the reader's
 * error set and the RTC unchanged. */
struct state_writer;
struct state_reader;
void goldfish_rtc_save(const struct goldfish_rtc *r, struct state_writer *w);
int goldfish_rtc_load(struct goldfish_rtc *r, struct state_reader *rd);

#endif
