/* tasks.c — what the demo kernel does.
 *
 *   sensor-a, sensor-b  measure (a random amount of busy work per reading) and
 *                       publish readings to the mail queue; a reading the
 *                       logger has not taken yet is replaced by the newer one
 *   logger              checks the queue, takes messages from its head and
 *                       handles them: readings, ticks, and typed keys
 *                       (commands: + - h q; every key also stirs the sensors'
 *                       randomness)
 *   monitor             prints a progress line every 100 ms of guest time
 *
 * The timer interrupt posts a tick message every 1 ms and the UART interrupt
 * a key message per byte typed: both append to the same queue. */
#include "tasks.h"

#include <stdbool.h>

#include "console.h"
#include "hw.h"
#include "mailq.h"
#include "panic.h"
#include "rng.h"
#include "sched.h"

#define REPORT_TICKS    100             /* a progress line every 100 ticks (100 ms) */

struct sensor {
    const char *name;
    unsigned id;                /* task id: the origin of its messages */
    struct rng rng;
    uint32_t work_min, work_max;        /* rounds of busy work per reading */
    struct msg *pending;        /* the newest reading while still queued; the
                                 * logger clears it when it takes that reading */
    uint64_t readings;          /* readings published */
    uint64_t replaced;          /* readings taken back before the logger saw them */
    uint64_t dropped;           /* readings lost because the pool was empty */
    uint64_t entropy_seen;      /* the last key_entropy stirred in */
};

struct logger {
    struct rng rng;
    uint64_t handled;           /* messages taken and handled */
    uint64_t readings[MAX_TASKS];       /* readings handled, by sensor task id */
    uint64_t last_tick;         /* sequence number of the last tick message */
    uint64_t ticks_missed;      /* tick numbers never seen (pool empty, or lost) */
    uint64_t checksum;          /* of all readings, so the work is not optimised away */
};

static struct sensor sensors[2] = {
    { .name = "sensor-a", .work_min = 300, .work_max = 2300 },
    { .name = "sensor-b", .work_min = 200, .work_max = 3200 },
};
static struct logger logger;

/* Settings changed by keys (the logger writes them, the sensors read them). */
static volatile unsigned work_percent = 100;    /* scales every sensor's work */
static volatile uint64_t key_entropy;           /* stirred into the sensors' streams */

static struct sensor *sensor_by_id(unsigned id)
{
    for (unsigned i = 0; i < sizeof(sensors) / sizeof(sensors[0]); i++)
        if (sensors[i].id == id)
            return &sensors[i];
    return NULL;
}

/* ---- the sensors ---- */

/* "Measure": a random number of rounds of arithmetic; the result is the reading. */
static uint64_t sensor_measure(struct sensor *s)
{
    if (key_entropy != s->entropy_seen) {
        s->entropy_seen = key_entropy;
        rng_mix(&s->rng, s->entropy_seen);
    }
    uint32_t rounds = rng_range(&s->rng, s->work_min, s->work_max) * work_percent / 100;
    uint64_t x = s->rng.state;
    for (uint32_t i = 0; i < rounds; i++)
        x = x * 6364136223846793005ull + (x >> 29) + i;
    return x;
}

/* Publish a reading.  The logger only cares about a sensor's newest reading,
 * so one it has not taken yet is taken back and replaced ("latest value wins"). */
static void sensor_publish(struct sensor *s, uint64_t value)
{
    struct msg *fresh = msg_alloc();
    if (!fresh) {
        s->dropped++;
        return;
    }
    fresh->kind = MSG_READING;
    fresh->origin = (uint16_t)s->id;
    fresh->seq = ++s->readings;
    fresh->value = value;

    struct msg *old = s->pending;
    if (old) {
        /* Still queued, so still ours: the logger clears s->pending before it
         * takes a reading, and nobody else ever removes one. */
        mailq_unlink(&mailq, old);
        msg_free(old);
        s->replaced++;
    }

    bool irqs = irq_save();
    s->pending = fresh;
    mailq_append(&mailq, fresh);
    irq_restore(irqs);
}

static void sensor_task(void *arg)
{
    struct sensor *s = arg;
    for (;;) {
        uint64_t value = sensor_measure(s);
        sensor_publish(s, value);
    }
}

/* ---- the logger ---- */

/* Check the queue and the pool, then take the oldest message (NULL if none). */
static struct msg *logger_take(void)
{
    bool irqs = irq_save();
    mailq_check(&mailq);
    msg_pool_check();
    struct msg *m = mailq_pop(&mailq);
    if (m && m->kind == MSG_READING) {
        struct sensor *s = sensor_by_id(m->origin);
        if (s && s->pending == m)
            s->pending = NULL;
    }
    irq_restore(irqs);
    return m;
}

static void logger_reading(struct logger *lg, const struct msg *m)
{
    if (m->origin < MAX_TASKS)
        lg->readings[m->origin]++;
    /* "Write it to the log": a random amount of work. */
    uint32_t rounds = rng_range(&lg->rng, 20, 200);
    uint64_t x = m->value;
    for (uint32_t i = 0; i < rounds; i++)
        x = (x ^ (x >> 17)) * 0xff51afd7ed558ccdull;
    lg->checksum ^= x;
}

static void logger_tick(struct logger *lg, const struct msg *m)
{
    if (m->seq > lg->last_tick + 1)
        lg->ticks_missed += m->seq - lg->last_tick - 1;
    lg->last_tick = m->seq;
}

static void print_help(void)
{
    kprintf("keys: '+' sensors work less per reading (faster), '-' more (slower), "
            "'h' this help, 'q' power off; every key also stirs the sensors' randomness\n");
}

static void logger_key(struct logger *lg, const struct msg *m)
{
    char c = (char)m->value;
    (void)lg;
    key_entropy = key_entropy * 31 + (uint64_t)c + (m->stamp << 8);
    switch (c) {
    case '+':
        if (work_percent > 10)
            work_percent = work_percent * 3 / 4;
        kprintf("[logger] key '+': sensor work at %u%%\n", work_percent);
        break;
    case '-':
        if (work_percent < 1000)
            work_percent = work_percent * 4 / 3 + 1;
        kprintf("[logger] key '-': sensor work at %u%%\n", work_percent);
        break;
    case 'h':
    case '?':
        print_help();
        break;
    case 'q':
        kprintf("[logger] key 'q': powering off\n");
        power_off(0);
    default:
        if (c >= 32 && c < 127)
            kprintf("[logger] key '%c' stirred into the sensors' randomness\n", c);
        else
            kprintf("[logger] key 0x%x stirred into the sensors' randomness\n", (unsigned)(uint8_t)c);
        break;
    }
}

static void logger_task(void *arg)
{
    struct logger *lg = arg;
    for (;;) {
        struct msg *m = logger_take();
        if (!m) {
            wait_for_interrupt();
            continue;
        }
        switch (m->kind) {
        case MSG_READING: logger_reading(lg, m); break;
        case MSG_TICK: logger_tick(lg, m); break;
        case MSG_KEY: logger_key(lg, m); break;
        default: panic("logger: message %p of unknown kind %u", (void *)m, m->kind);
        }
        lg->handled++;
        msg_free(m);
    }
}

/* ---- the monitor ---- */

static void monitor_report(void)
{
    bool irqs = irq_save();
    unsigned queued = mailq_length(&mailq);
    unsigned free_msgs = msg_free_count;
    irq_restore(irqs);
    uint64_t now = mtime_now();
    kprintf("[%4lu.%03lu s] insns %10lu | %s %6lu (%lu replaced) | %s %6lu (%lu replaced) | "
            "logger %6lu (ticks missed %lu) | queue %2u free %2u | keys %lu\n",
            now / TIMEBASE_HZ, now % TIMEBASE_HZ / (TIMEBASE_HZ / 1000), instret_now(),
            sensors[0].name, sensors[0].readings, sensors[0].replaced, sensors[1].name,
            sensors[1].readings, sensors[1].replaced, logger.handled, logger.ticks_missed,
            queued, free_msgs, keys_received);
}

static void monitor_task(void *arg)
{
    (void)arg;
    uint64_t next_report = REPORT_TICKS;
    for (;;) {
        while (ticks < next_report)
            wait_for_interrupt();
        monitor_report();
        next_report += REPORT_TICKS;
    }
}

void tasks_create(uint64_t seed)
{
    struct rng boot;
    rng_seed(&boot, seed);
    for (unsigned i = 0; i < sizeof(sensors) / sizeof(sensors[0]); i++) {
        rng_seed(&sensors[i].rng, rng_next(&boot));
        sensors[i].id = task_create(sensors[i].name, sensor_task, &sensors[i]);
    }
    rng_seed(&logger.rng, rng_next(&boot));
    task_create("logger", logger_task, &logger);
    task_create("monitor", monitor_task, NULL);
    print_help();
}
