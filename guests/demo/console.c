/* console.c — the 16550A UART at 0x1000_0000: initialisation, polled transmit,
 * receive for the interrupt handler, and a small printf. */
#include "console.h"

#include <stdint.h>

#include "hw.h"

enum {
    UART_RBR_THR = 0, UART_IER = 1, UART_FCR = 2, UART_LCR = 3, UART_MCR = 4, UART_LSR = 5,
};
enum { IER_RX_AVAILABLE = 0x01 };
enum { FCR_FIFOS_OFF = 0x00 };              /* one byte at a time; see console_init */
enum { LCR_8N1 = 0x03 };
enum { MCR_DTR_RTS_OUT2 = 0x0b };           /* OUT2 gates the interrupt line on a real 16550 */
enum { LSR_DATA_READY = 0x01, LSR_THR_EMPTY = 0x20 };

static void uart_write(unsigned reg, uint8_t v)
{
    mmio_write8(UART_BASE + reg, v);
}

static uint8_t uart_read(unsigned reg)
{
    return mmio_read8(UART_BASE + reg);
}

void console_init(void)
{
    uart_write(UART_IER, 0);
    uart_write(UART_LCR, LCR_8N1);
    /* FIFOs stay off: switching them on would clear a byte already received
     * (keys piped in arrive before the kernel starts), and the host side of
     * rewind and QEMU holds further input back until the byte is read. */
    uart_write(UART_FCR, FCR_FIFOS_OFF);
    uart_write(UART_MCR, MCR_DTR_RTS_OUT2);
}

void console_enable_rx_irq(void)
{
    uart_write(UART_IER, IER_RX_AVAILABLE);
}

int console_getc(void)
{
    if (!(uart_read(UART_LSR) & LSR_DATA_READY))
        return -1;
    return uart_read(UART_RBR_THR);
}

static void console_putc(char c)
{
    if (c == '\n')
        console_putc('\r');
    while (!(uart_read(UART_LSR) & LSR_THR_EMPTY))
        ;
    uart_write(UART_RBR_THR, (uint8_t)c);
}

/* Where formatted characters go: the UART, or a string buffer. */
struct sink {
    void (*put)(struct sink *k, char c);
    char *buf;
    size_t len, cap;
};

static void sink_console(struct sink *k, char c)
{
    (void)k;
    console_putc(c);
}

static void sink_buffer(struct sink *k, char c)
{
    if (k->len + 1 < k->cap)
        k->buf[k->len++] = c;
}

/* Put `len` characters of `s` padded to `width` (left-aligned if `left`). */
static void put_padded(struct sink *k, const char *s, int len, int width, bool left, char pad)
{
    if (!left)
        for (int i = len; i < width; i++)
            k->put(k, pad);
    for (int i = 0; i < len; i++)
        k->put(k, s[i]);
    if (left)
        for (int i = len; i < width; i++)
            k->put(k, ' ');
}

static void put_number(struct sink *k, uint64_t v, unsigned base, bool negative, int width,
                       bool left, char pad)
{
    char buf[24];
    int len = 0;
    do {
        unsigned digit = (unsigned)(v % base);
        buf[sizeof(buf) - 1 - len++] = (char)(digit < 10 ? '0' + digit : 'a' + digit - 10);
        v /= base;
    } while (v);
    if (negative) {
        if (pad == '0' && width > 0) {
            k->put(k, '-');
            width--;
        } else {
            buf[sizeof(buf) - 1 - len++] = '-';
        }
    }
    put_padded(k, buf + sizeof(buf) - len, len, width, left, pad);
}

static void vformat(struct sink *k, const char *fmt, va_list ap)
{
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            k->put(k, *p);
            continue;
        }
        p++;
        bool left = false;
        char pad = ' ';
        for (;; p++) {
            if (*p == '-')
                left = true;
            else if (*p == '0')
                pad = '0';
            else
                break;
        }
        int width = 0;
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        int longs = 0;
        while (*p == 'l') {
            longs++;
            p++;
        }
        switch (*p) {
        case 'c': {
            char c = (char)va_arg(ap, int);
            put_padded(k, &c, 1, width, left, ' ');
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int len = 0;
            while (s[len])
                len++;
            put_padded(k, s, len, width, left, ' ');
            break;
        }
        case 'd': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_number(k, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, left, pad);
            break;
        }
        case 'u':
        case 'x': {
            uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            put_number(k, v, *p == 'u' ? 10 : 16, false, width, left, pad);
            break;
        }
        case 'p':
            k->put(k, '0');
            k->put(k, 'x');
            put_number(k, (uintptr_t)va_arg(ap, void *), 16, false, width, left, pad);
            break;
        case '%':
            k->put(k, '%');
            break;
        case '\0':
            return;
        default:
            k->put(k, '%');
            k->put(k, *p);
            break;
        }
    }
}

void kvprintf(const char *fmt, va_list ap)
{
    struct sink k = { .put = sink_console };
    bool irqs = irq_save();
    vformat(&k, fmt, ap);
    irq_restore(irqs);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

char *ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    struct sink k = { .put = sink_buffer, .buf = buf, .cap = size };
    va_list ap;
    va_start(ap, fmt);
    vformat(&k, fmt, ap);
    va_end(ap);
    if (size)
        buf[k.len] = '\0';
    return buf;
}
