/* guests/bench/coremark-like.c — a compute-bound bare-metal benchmark in the
 * spirit of CoreMark (its own code, not CoreMark's): each iteration runs
 *   - linked-list work: build from a pseudo-random sequence, insertion-sort by
 *     key, reverse, search, delete, merge-sort by value;
 *   - an integer matrix multiply plus element-wise passes;
 *   - a table-free state machine tokenising a generated text;
 *   - a bitwise CRC-32 over everything produced,
 * and folds the results into one checksum.  The work is fixed (ITERATIONS),
 * so the instruction count is the same on every run and every machine.
 *
 * The file also builds on the host (cc -DHOST_BUILD coremark-like.c) to compute
 * the reference checksum independently of any RISC-V implementation; when
 * EXPECTED_CHECKSUM is defined the guest compares against it and exits 1 on a
 * mismatch. */
#include <stdint.h>

#ifdef HOST_BUILD
#include <stdio.h>
#define report(iters, sum) printf("iterations=%u checksum=0x%08x\n", (unsigned)(iters), (unsigned)(sum))
#else
#include "rt.h"
TEST_NAME("coremark-like");
#endif

#ifndef ITERATIONS
#define ITERATIONS 1500
#endif

/* ------------------------------------------------------------------ PRNG */
static uint32_t rng_state;
static uint32_t rng(void)
{
    /* xorshift32 */
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

/* ------------------------------------------------------------------ CRC-32 */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, uint32_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}
static uint32_t crc32_word(uint32_t crc, uint32_t w)
{
    uint8_t b[4] = { (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16), (uint8_t)(w >> 24) };
    return crc32_update(crc, b, 4);
}

/* ------------------------------------------------------------------ lists */
#define LIST_NODES 200
struct node {
    uint32_t key;
    uint32_t val;
    int32_t next;      /* index, -1 = end */
};
static struct node pool[LIST_NODES];

static int32_t list_build(uint32_t n)
{
    int32_t head = -1;
    for (uint32_t i = 0; i < n; i++) {
        pool[i].key = rng() & 0xffff;
        pool[i].val = rng();
        pool[i].next = head;
        head = (int32_t)i;
    }
    return head;
}

static int32_t list_insertion_sort_by_key(int32_t head)
{
    int32_t sorted = -1;
    while (head >= 0) {
        int32_t n = head;
        head = pool[n].next;
        if (sorted < 0 || pool[n].key < pool[sorted].key) {
            pool[n].next = sorted;
            sorted = n;
        } else {
            int32_t c = sorted;
            while (pool[c].next >= 0 && pool[pool[c].next].key <= pool[n].key)
                c = pool[c].next;
            pool[n].next = pool[c].next;
            pool[c].next = n;
        }
    }
    return sorted;
}

static int32_t list_reverse(int32_t head)
{
    int32_t prev = -1;
    while (head >= 0) {
        int32_t next = pool[head].next;
        pool[head].next = prev;
        prev = head;
        head = next;
    }
    return prev;
}

static int32_t list_find(int32_t head, uint32_t key)
{
    for (int32_t i = 0; head >= 0; head = pool[head].next, i++)
        if (pool[head].key == key)
            return i;
    return -1;
}

/* delete every node whose val has the given low bits; returns new head */
static int32_t list_delete_matching(int32_t head, uint32_t mask, uint32_t bits, uint32_t *removed)
{
    int32_t *link = &head;
    while (*link >= 0) {
        if ((pool[*link].val & mask) == bits) {
            *link = pool[*link].next;
            (*removed)++;
        } else {
            link = &pool[*link].next;
        }
    }
    return head;
}

static int32_t list_merge_by_val(int32_t a, int32_t b)
{
    int32_t head = -1, *tail = &head;
    while (a >= 0 && b >= 0) {
        if (pool[a].val <= pool[b].val) {
            *tail = a;
            a = pool[a].next;
        } else {
            *tail = b;
            b = pool[b].next;
        }
        tail = &pool[*tail].next;
    }
    *tail = a >= 0 ? a : b;
    return head;
}

static int32_t list_mergesort_by_val(int32_t head)
{
    if (head < 0 || pool[head].next < 0)
        return head;
    int32_t slow = head, fast = pool[head].next;
    while (fast >= 0 && pool[fast].next >= 0) {
        slow = pool[slow].next;
        fast = pool[pool[fast].next].next;
    }
    int32_t second = pool[slow].next;
    pool[slow].next = -1;
    return list_merge_by_val(list_mergesort_by_val(head), list_mergesort_by_val(second));
}

static uint32_t bench_list(void)
{
    uint32_t crc = 0, removed = 0;
    int32_t head = list_build(LIST_NODES);
    head = list_insertion_sort_by_key(head);
    for (int32_t n = head; n >= 0 && pool[n].next >= 0; n = pool[n].next)
        if (pool[n].key > pool[pool[n].next].key)
            crc ^= 0xdead;                          /* never, if sorting works */
    head = list_reverse(head);
    for (int i = 0; i < 16; i++) {
        int32_t pos = list_find(head, rng() & 0xffff);
        crc = crc32_word(crc, (uint32_t)pos);
    }
    head = list_delete_matching(head, 7, rng() & 7, &removed);
    head = list_mergesort_by_val(head);
    uint32_t count = 0;
    for (int32_t n = head; n >= 0; n = pool[n].next, count++)
        crc = crc32_word(crc, pool[n].val ^ pool[n].key);
    return crc32_word(crc, count * 65536u + removed);
}

/* ------------------------------------------------------------------ matrices */
#define MAT_N 24
static int32_t mat_a[MAT_N][MAT_N], mat_b[MAT_N][MAT_N], mat_c[MAT_N][MAT_N];

static uint32_t bench_matrix(void)
{
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            mat_a[i][j] = (int32_t)(rng() % 2001u) - 1000;
            mat_b[i][j] = (int32_t)(rng() % 2001u) - 1000;
        }
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int64_t acc = 0;
            for (int k = 0; k < MAT_N; k++)
                acc += (int64_t)mat_a[i][k] * mat_b[k][j];
            mat_c[i][j] = (int32_t)(acc >> 4);
        }
    /* element-wise: add a constant, extract bit fields, max per row */
    uint32_t sum = 0;
    int32_t addend = (int32_t)(rng() & 0xff);
    for (int i = 0; i < MAT_N; i++) {
        int32_t row_max = INT32_MIN;
        for (int j = 0; j < MAT_N; j++) {
            int32_t v = mat_c[i][j] + addend;
            if (v > row_max)
                row_max = v;
            sum += ((uint32_t)v >> 3) & 0x3ff;
            sum ^= (uint32_t)v / (uint32_t)(j + 3);
        }
        sum = sum * 31u + (uint32_t)row_max;
    }
    return sum;
}

/* ------------------------------------------------------------------ state machine */
#define TEXT_LEN 1024
static char text[TEXT_LEN];

enum state { ST_START, ST_INT, ST_FRAC, ST_EXP_SIGN, ST_EXP, ST_HEX0, ST_HEX, ST_WORD, ST_BAD, ST_COUNT };

static void make_text(void)
{
    static const char alphabet[] = "0123456789..eE+-xXabcf, \n;q";
    for (int i = 0; i < TEXT_LEN; i++)
        text[i] = alphabet[rng() % (sizeof alphabet - 1)];
}

static uint32_t bench_state_machine(void)
{
    uint32_t counts[ST_COUNT] = { 0 };
    uint32_t tokens = 0, value = 0;
    enum state s = ST_START;
    for (int i = 0; i <= TEXT_LEN; i++) {
        char c = i < TEXT_LEN ? text[i] : ' ';
        int sep = c == ' ' || c == ',' || c == '\n' || c == ';';
        int digit = c >= '0' && c <= '9';
        int hexalpha = (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (sep) {
            if (s != ST_START) {
                counts[s]++;
                tokens++;
                value = value * 33u + (uint32_t)s;
            }
            s = ST_START;
            continue;
        }
        switch (s) {
        case ST_START:
            s = c == '0' ? ST_HEX0 : digit ? ST_INT : (c == '+' || c == '-') ? ST_INT : ST_WORD;
            break;
        case ST_INT:
            s = digit ? ST_INT : c == '.' ? ST_FRAC : (c == 'e' || c == 'E') ? ST_EXP_SIGN : ST_BAD;
            break;
        case ST_FRAC:
            s = digit ? ST_FRAC : (c == 'e' || c == 'E') ? ST_EXP_SIGN : ST_BAD;
            break;
        case ST_EXP_SIGN:
            s = (digit || c == '+' || c == '-') ? ST_EXP : ST_BAD;
            break;
        case ST_EXP:
            s = digit ? ST_EXP : ST_BAD;
            break;
        case ST_HEX0:
            s = (c == 'x' || c == 'X') ? ST_HEX : digit ? ST_INT : c == '.' ? ST_FRAC : ST_BAD;
            break;
        case ST_HEX:
            s = (digit || hexalpha) ? ST_HEX : ST_BAD;
            break;
        case ST_WORD:
            s = (digit || sep) ? ST_BAD : ST_WORD;
            break;
        default:
            break;
        }
        value += (uint32_t)(unsigned char)c;
    }
    uint32_t crc = crc32_word(0, tokens);
    for (int i = 0; i < ST_COUNT; i++)
        crc = crc32_word(crc, counts[i]);
    return crc ^ value;
}

/* ------------------------------------------------------------------ driver */
static uint32_t run_benchmark(uint32_t iterations)
{
    uint32_t checksum = 0;
    rng_state = 0x2545f491u;
    for (uint32_t it = 0; it < iterations; it++) {
        uint32_t l = bench_list();
        uint32_t m = bench_matrix();
        make_text();
        uint32_t s = bench_state_machine();
        checksum = crc32_word(checksum, l);
        checksum = crc32_word(checksum, m);
        checksum = crc32_word(checksum, s);
        checksum = crc32_update(checksum, (const uint8_t *)text, 64);
    }
    return checksum;
}

#ifdef HOST_BUILD
int main(void)
{
    uint32_t sum = run_benchmark(ITERATIONS);
    report(ITERATIONS, sum);
    return 0;
}
#else
int main(void)
{
    rt_printf("coremark-like: %u iterations of list/matrix/state-machine/CRC work\n",
              (unsigned)ITERATIONS);
    uint32_t sum = run_benchmark(ITERATIONS);
    rt_printf("coremark-like: checksum 0x%08x\n", (unsigned)sum);
#ifdef EXPECTED_CHECKSUM
    CHECK_EQ(sum, EXPECTED_CHECKSUM, "checksum matches the host-computed reference");
#endif
    return 0;
}
#endif
