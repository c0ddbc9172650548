/* test_uart.c — unit tests of devices/uart16550.c, driven through the bus. Expected values
 * come from the TI/National PC16550D datasheet: register map and DLAB, reset values (IER 0,
 * IIR 0x01, LCR 0, MCR 0, LSR 0x60), FCR semantics (FCR0 gates the other bits, changing it
 * clears the FIFOs, RX trigger 1/4/8/14), the IIR priority table, THRE interrupt set/clear
 * rules, loopback wiring (CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2), LSR/MSR read-to-clear bits.
 * The character-timeout indication is immediate here by design (see uart16550.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devices/uart16550.h"

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
       LSR = 5, MSR = 6, SCR = 7 };

struct fixture {
    struct bus bus;
    struct uart16550 uart;
    uint8_t tx[256];
    size_t tx_len;
    bool irq;
    unsigned irq_edges;
};

static void host_tx(void *ctx, uint8_t byte)
{
    struct fixture *f = ctx;
    if (f->tx_len < sizeof(f->tx))
        f->tx[f->tx_len++] = byte;
}

static void set_irq(void *ctx, unsigned line, bool level)
{
    struct fixture *f = ctx;
    assert_int_equal(line, UART_IRQ);
    f->irq = level;
    f->irq_edges++;
}

static struct fixture *fixture_new(void)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    bus_init(&f->bus);
    uart_init(&f->uart, (struct uart_host){ .tx = host_tx, .ctx = f });
    irq_line_connect(&f->uart.irq, set_irq, f, UART_IRQ);
    assert_int_equal(uart_attach(&f->uart, &f->bus, UART_BASE), 0);
    return f;
}

static int setup(void **state)
{
    *state = fixture_new();
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static uint8_t rd(struct fixture *f, unsigned reg)
{
    uint64_t v = 0xdead;
    assert_int_equal(bus_read(&f->bus, UART_BASE + reg, 1, &v), 0);
    assert_true(v <= 0xff);
    return (uint8_t)v;
}

static void wr(struct fixture *f, unsigned reg, uint8_t v)
{
    assert_int_equal(bus_write(&f->bus, UART_BASE + reg, 1, v), 0);
}

static void feed(struct fixture *f, const char *s)
{
    size_t n = strlen(s);
    assert_int_equal(uart_receive(&f->uart, (const uint8_t *)s, n), n);
}

static void test_reset_values(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(rd(f, IER), 0x00);
    assert_int_equal(rd(f, IIR), 0x01);
    assert_int_equal(rd(f, LCR), 0x00);
    assert_int_equal(rd(f, MCR), 0x00);
    assert_int_equal(rd(f, LSR), 0x60);     /* THRE | TEMT */
    assert_int_equal(rd(f, MSR), 0xb0);     /* DCD | DSR | CTS, no deltas */
    assert_int_equal(rd(f, SCR), 0x00);
    assert_false(f->irq);
    assert_int_equal(uart_rx_space(&f->uart), 1);
}

static void test_transmit_is_instantaneous(void **state)
{
    struct fixture *f = *state;
    wr(f, THR, 'h');
    wr(f, THR, 'i');
    assert_int_equal(f->tx_len, 2);
    assert_memory_equal(f->tx, "hi", 2);
    assert_int_equal(rd(f, LSR) & 0x60, 0x60);
    assert_int_equal(rd(f, LSR) & 0x01, 0);  /* nothing received */
}

static void test_register_masks_and_scratch(void **state)
{
    struct fixture *f = *state;
    wr(f, IER, 0xff);
    assert_int_equal(rd(f, IER), 0x0f);     /* bits 7..4 are always 0 on the 16550 */
    wr(f, IER, 0);
    wr(f, MCR, 0xff);
    assert_int_equal(rd(f, MCR), 0x1f);     /* bits 7..5 are always 0 */
    wr(f, MCR, 0);
    assert_int_equal(rd(f, MSR), 0xb4);     /* the brief loopback left RI's trailing edge */
    wr(f, LCR, 0x1b);
    assert_int_equal(rd(f, LCR), 0x1b);
    wr(f, SCR, 0xa5);
    assert_int_equal(rd(f, SCR), 0xa5);
    wr(f, LSR, 0x00);                       /* LSR is read-only */
    assert_int_equal(rd(f, LSR), 0x60);
    wr(f, MSR, 0x00);
    assert_int_equal(rd(f, MSR), 0xb0);
}

static void test_dlab_selects_divisor_latch(void **state)
{
    struct fixture *f = *state;
    wr(f, IER, 0x05);
    wr(f, LCR, 0x83);
    wr(f, DLL, 0x0c);
    wr(f, DLM, 0x01);
    assert_int_equal(f->tx_len, 0);         /* writing DLL does not transmit */
    assert_int_equal(rd(f, DLL), 0x0c);
    assert_int_equal(rd(f, DLM), 0x01);
    feed(f, "x");
    assert_int_equal(rd(f, DLL), 0x0c);     /* reading DLL does not consume RBR */
    wr(f, LCR, 0x03);
    assert_int_equal(rd(f, IER), 0x05);     /* IER untouched by DLM writes */
    assert_int_equal(rd(f, RBR), 'x');
    wr(f, LCR, 0x83);
    assert_int_equal(rd(f, DLL), 0x0c);
    assert_int_equal(rd(f, DLM), 0x01);
    /* IIR/FCR, LSR, MCR stay reachable with DLAB set. */
    assert_int_equal(rd(f, IIR), 0x01);
    assert_int_equal(rd(f, LSR), 0x60);
}

static void test_receive_without_fifo(void **state)
{
    struct fixture *f = *state;
    uint8_t in[3] = { 'a', 'b', 'c' };
    assert_int_equal(uart_receive(&f->uart, in, 3), 1);   /* one holding register */
    assert_int_equal(uart_rx_space(&f->uart), 0);
    assert_int_equal(uart_receive(&f->uart, in + 1, 2), 0);
    assert_int_equal(rd(f, LSR), 0x61);     /* DR */
    assert_false(f->irq);                   /* ERBFI off */
    wr(f, IER, 0x01);
    assert_true(f->irq);
    assert_int_equal(rd(f, IIR), 0x04);     /* no FIFO bits, no timeout in 16450 mode */
    assert_int_equal(rd(f, RBR), 'a');
    assert_false(f->irq);
    assert_int_equal(rd(f, IIR), 0x01);
    assert_int_equal(rd(f, LSR), 0x60);
    assert_int_equal(uart_rx_space(&f->uart), 1);
}

static void test_fifo_holds_sixteen_in_order(void **state)
{
    struct fixture *f = *state;
    wr(f, FCR, 0x01);
    assert_int_equal(rd(f, IIR), 0xc1);
    assert_int_equal(uart_rx_space(&f->uart), 16);
    uint8_t in[20];
    for (int i = 0; i < 20; i++)
        in[i] = (uint8_t)('A' + i);
    assert_int_equal(uart_receive(&f->uart, in, 20), 16);
    assert_int_equal(uart_rx_space(&f->uart), 0);
    assert_int_equal(rd(f, LSR) & 0x02, 0);  /* the rest waited: no overrun */
    for (int i = 0; i < 5; i++)
        assert_int_equal(rd(f, RBR), 'A' + i);
    assert_int_equal(uart_receive(&f->uart, in + 16, 4), 4);  /* wraps the ring */
    for (int i = 5; i < 20; i++)
        assert_int_equal(rd(f, RBR), 'A' + i);
    assert_int_equal(rd(f, LSR), 0x60);
}

/* For each trigger level: below it the timeout indication, at it data available. */
static void test_trigger_levels_and_timeout(void **state)
{
    struct fixture *f = *state;
    static const struct { uint8_t fcr; unsigned level; } cases[] = {
        { 0x01, 1 }, { 0x41, 4 }, { 0x81, 8 }, { 0xc1, 14 },
    };
    wr(f, IER, 0x01);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        wr(f, FCR, cases[c].fcr | 0x02);
        assert_int_equal(rd(f, IIR), 0xc1);
        assert_false(f->irq);
        for (unsigned n = 1; n < cases[c].level; n++) {
            feed(f, "z");
            assert_int_equal(rd(f, IIR), 0xcc);
            assert_true(f->irq);
        }
        feed(f, "z");
        assert_int_equal(rd(f, IIR), 0xc4);
        assert_true(f->irq);
        feed(f, "z");
        assert_int_equal(rd(f, IIR), 0xc4);
        /* Draining below the trigger: timeout again, until empty. */
        rd(f, RBR);
        rd(f, RBR);
        if (cases[c].level > 1) {
            assert_int_equal(rd(f, IIR), 0xcc);
            for (unsigned n = 1; n < cases[c].level; n++)
                rd(f, RBR);
        }
        assert_int_equal(rd(f, IIR), 0xc1);
        assert_false(f->irq);
    }
}

static void test_fcr_bits_need_fcr0(void **state)
{
    struct fixture *f = *state;
    wr(f, IER, 0x01);
    wr(f, FCR, 0xc0);                       /* trigger 14 without FCR0: not programmed */
    assert_int_equal(rd(f, IIR), 0x01);
    feed(f, "q");
    assert_int_equal(rd(f, IIR), 0x04);     /* still 16450 mode */
    wr(f, FCR, 0x81);                       /* enable: trigger 8; FIFO cleared by FCR0 change */
    assert_int_equal(rd(f, LSR), 0x60);
    feed(f, "1234567");
    assert_int_equal(rd(f, IIR), 0xcc);
    feed(f, "8");
    assert_int_equal(rd(f, IIR), 0xc4);
}

static void test_fifo_reset_and_disable_clear_receiver(void **state)
{
    struct fixture *f = *state;
    wr(f, FCR, 0x01);
    feed(f, "abc");
    wr(f, FCR, 0x03);                       /* RX FIFO reset */
    assert_int_equal(rd(f, LSR), 0x60);
    assert_int_equal(uart_rx_space(&f->uart), 16);
    feed(f, "de");
    wr(f, FCR, 0x05);                       /* TX reset alone leaves the receiver */
    assert_int_equal(rd(f, LSR), 0x61);
    wr(f, FCR, 0x01);                       /* rewriting FCR0=1 keeps the contents */
    assert_int_equal(rd(f, RBR), 'd');
    wr(f, FCR, 0x00);                       /* turning the FIFOs off clears them */
    assert_int_equal(rd(f, LSR), 0x60);
    assert_int_equal(rd(f, IIR), 0x01);
    assert_int_equal(uart_rx_space(&f->uart), 1);
    feed(f, "f");
    wr(f, FCR, 0x01);                       /* and turning them on clears too */
    assert_int_equal(rd(f, LSR), 0x60);
}

static void test_thre_interrupt_rules(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(rd(f, IIR), 0x01);
    wr(f, IER, 0x02);                       /* enabling ETBEI while THR is empty */
    assert_true(f->irq);
    assert_int_equal(rd(f, IIR), 0x02);
    assert_false(f->irq);                   /* reading IIR cleared it */
    assert_int_equal(rd(f, IIR), 0x01);
    wr(f, IER, 0x02);                       /* no 0->1 transition: stays clear */
    assert_int_equal(rd(f, IIR), 0x01);
    wr(f, THR, 'x');                        /* THR empties again after the byte */
    assert_true(f->irq);
    assert_int_equal(rd(f, LSR), 0x60);     /* reading LSR does not clear THRE int */
    assert_true(f->irq);
    wr(f, THR, 'y');
    assert_int_equal(rd(f, IIR), 0x02);
    assert_int_equal(rd(f, IIR), 0x01);
    wr(f, IER, 0x00);
    wr(f, IER, 0x02);                       /* toggling ETBEI re-arms */
    assert_int_equal(rd(f, IIR), 0x02);
    wr(f, IER, 0x00);
    wr(f, THR, 'z');                        /* while disabled, nothing shows */
    assert_int_equal(rd(f, IIR), 0x01);
    assert_false(f->irq);
    assert_int_equal(f->tx_len, 3);
}

static void test_thre_not_cleared_by_iir_read_of_higher_source(void **state)
{
    struct fixture *f = *state;
    wr(f, IER, 0x03);                       /* ERBFI | ETBEI */
    feed(f, "r");
    assert_int_equal(rd(f, IIR), 0x04);     /* data available outranks THRE */
    assert_int_equal(rd(f, RBR), 'r');
    assert_int_equal(rd(f, IIR), 0x02);     /* THRE was not cleared by the first read */
    assert_int_equal(rd(f, IIR), 0x01);
}

static void test_line_status_overrun(void **state)
{
    struct fixture *f = *state;
    wr(f, FCR, 0x01);
    uint8_t in[16];
    memset(in, 'o', sizeof(in));
    assert_int_equal(uart_receive(&f->uart, in, 16), 16);
    assert_true(uart_receive_forced(&f->uart, 'X') == false);  /* FIFO full: lost */
    wr(f, IER, 0x05);                       /* ELSI | ERBFI */
    assert_int_equal(rd(f, IIR), 0xc6);     /* line status outranks data available */
    assert_true(f->irq);
    assert_int_equal(rd(f, LSR), 0x63);     /* OE | DR | THRE | TEMT; OE not in bit 7 */
    assert_int_equal(rd(f, LSR), 0x61);     /* OE cleared by the read */
    assert_int_equal(rd(f, IIR), 0xc4);
    for (int i = 0; i < 16; i++)
        assert_int_equal(rd(f, RBR), 'o');  /* the overrunning byte never got in */
    assert_int_equal(rd(f, IIR), 0xc1);
    assert_false(f->irq);
    assert_true(uart_receive_forced(&f->uart, 'k'));
    assert_int_equal(rd(f, LSR), 0x61);
}

static void test_overrun_without_fifo_overwrites(void **state)
{
    struct fixture *f = *state;
    feed(f, "1");
    assert_false(uart_receive_forced(&f->uart, '2'));
    assert_int_equal(rd(f, LSR), 0x63);
    assert_int_equal(rd(f, RBR), '2');      /* the previous character was destroyed */
    assert_int_equal(rd(f, LSR), 0x60);
}

static void test_loopback(void **state)
{
    struct fixture *f = *state;
    wr(f, FCR, 0x01);
    wr(f, MCR, 0x10);
    assert_int_equal(uart_rx_space(&f->uart), 0);   /* the wire is disconnected */
    assert_int_equal(uart_receive(&f->uart, (const uint8_t *)"w", 1), 0);
    assert_false(uart_receive_forced(&f->uart, 'w'));
    wr(f, THR, 'L');
    wr(f, THR, 'B');
    assert_int_equal(f->tx_len, 0);                 /* nothing on the wire */
    assert_int_equal(rd(f, LSR), 0x61);
    assert_int_equal(rd(f, RBR), 'L');
    assert_int_equal(rd(f, RBR), 'B');
    assert_int_equal(rd(f, LSR), 0x60);
    /* Modem inputs follow the outputs (Linux's 8250 autoconfig check: MCR 0x1a -> 0x90). */
    wr(f, MCR, 0x1a);
    assert_int_equal(rd(f, MSR) & 0xf0, 0x90);
    wr(f, MCR, 0x15);
    assert_int_equal(rd(f, MSR) & 0xf0, 0x60);      /* DSR (DTR), RI (OUT1) */
    wr(f, MCR, 0x00);                               /* back to the asserted lines: */
    assert_int_equal(rd(f, MSR), 0xbd);             /* CTS, DCD rose, RI fell (TERI) */
    assert_int_equal(rd(f, MSR), 0xb0);
    wr(f, THR, '!');
    assert_int_equal(f->tx_len, 1);
    assert_int_equal(uart_rx_space(&f->uart), 16);
}

static void test_loopback_overrun(void **state)
{
    struct fixture *f = *state;
    wr(f, MCR, 0x10);                       /* 16450 mode: one holding register */
    wr(f, THR, 'a');
    wr(f, THR, 'b');
    assert_int_equal(rd(f, LSR), 0x63);
    assert_int_equal(rd(f, RBR), 'b');
}

static void test_modem_status_deltas(void **state)
{
    struct fixture *f = *state;
    wr(f, MCR, 0x10);                       /* loopback: CTS/DSR/DCD fall -> deltas */
    wr(f, IER, 0x08);
    assert_true(f->irq);
    assert_int_equal(rd(f, IIR), 0x00);
    assert_int_equal(rd(f, MSR), 0x0b);     /* DDCD | DDSR | DCTS, lines low */
    assert_false(f->irq);                   /* reading MSR clears the deltas */
    assert_int_equal(rd(f, IIR), 0x01);
    wr(f, MCR, 0x12);                       /* RTS -> CTS rises */
    assert_int_equal(rd(f, MSR), 0x11);
    wr(f, MCR, 0x14);                       /* OUT1 -> RI rises: no TERI on a rise */
    assert_int_equal(rd(f, MSR), 0x41);     /* RI up, CTS fell (DCTS) */
    wr(f, MCR, 0x10);                       /* RI falls: trailing edge */
    assert_int_equal(rd(f, MSR), 0x04);
    assert_int_equal(rd(f, MSR), 0x00);
    assert_int_equal(rd(f, IIR), 0x01);
}

static void test_iir_priority_order(void **state)
{
    struct fixture *f = *state;
    wr(f, FCR, 0x01);
    wr(f, MCR, 0x10);                       /* entering loopback: modem status deltas */
    wr(f, MCR, 0x00);
    uint8_t fill[16] = { 0 };
    assert_int_equal(uart_receive(&f->uart, fill, 16), 16);
    assert_false(uart_receive_forced(&f->uart, 1));     /* overrun: line status */
    wr(f, IER, 0x0f);                       /* ETBEI 0->1 with THR empty: THRE */
    assert_int_equal(rd(f, IIR), 0xc6);
    rd(f, LSR);
    assert_int_equal(rd(f, IIR), 0xc4);
    for (int i = 0; i < 16; i++)
        rd(f, RBR);
    assert_int_equal(rd(f, IIR), 0xc2);
    assert_int_equal(rd(f, IIR), 0xc0);     /* modem status, lowest */
    assert_true(f->irq);
    rd(f, MSR);
    assert_int_equal(rd(f, IIR), 0xc1);
    assert_false(f->irq);
}

static void test_timeout_outranks_thre(void **state)
{
    struct fixture *f = *state;
    wr(f, FCR, 0xc1);
    wr(f, IER, 0x03);
    feed(f, "ab");
    assert_int_equal(rd(f, IIR), 0xcc);
    assert_int_equal(rd(f, IIR), 0xcc);     /* still there: the guest has not drained it */
    rd(f, RBR);
    assert_int_equal(rd(f, IIR), 0xcc);
    rd(f, RBR);
    assert_int_equal(rd(f, IIR), 0xc2);
}

static void test_access_sizes_and_offsets(void **state)
{
    struct fixture *f = *state;
    uint64_t v;
    assert_int_not_equal(bus_read(&f->bus, UART_BASE + LSR, 2, &v), 0);
    assert_int_not_equal(bus_read(&f->bus, UART_BASE, 4, &v), 0);
    assert_int_not_equal(bus_write(&f->bus, UART_BASE, 4, 'x'), 0);
    assert_int_not_equal(bus_write(&f->bus, UART_BASE, 8, 'x'), 0);
    assert_int_equal(f->tx_len, 0);
    feed(f, "k");
    assert_int_not_equal(bus_read(&f->bus, UART_BASE, 2, &v), 0);
    assert_int_equal(rd(f, LSR), 0x61);     /* the faulting read did not consume */
    assert_int_equal(rd(f, 8), 0);
    assert_int_equal(rd(f, 0xff), 0);
    wr(f, 0x10, 'x');
    assert_int_equal(f->tx_len, 0);
}

static void test_reset(void **state)
{
    struct fixture *f = *state;
    wr(f, FCR, 0x01);
    wr(f, IER, 0x0f);
    wr(f, LCR, 0x03);
    feed(f, "abc");
    assert_true(f->irq);
    uart_reset(&f->uart);
    assert_false(f->irq);
    assert_int_equal(rd(f, IER), 0);
    assert_int_equal(rd(f, IIR), 0x01);
    assert_int_equal(rd(f, LSR), 0x60);
    assert_int_equal(rd(f, LCR), 0);
}

static void test_two_instances_are_independent(void **state)
{
    struct fixture *a = *state;
    struct fixture *b = fixture_new();
    feed(a, "1");
    wr(b, THR, '2');
    assert_int_equal(rd(b, LSR), 0x60);
    assert_int_equal(a->tx_len, 0);
    assert_int_equal(b->tx_len, 1);
    assert_int_equal(rd(a, RBR), '1');
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_reset_values),
        T(test_transmit_is_instantaneous),
        T(test_register_masks_and_scratch),
        T(test_dlab_selects_divisor_latch),
        T(test_receive_without_fifo),
        T(test_fifo_holds_sixteen_in_order),
        T(test_trigger_levels_and_timeout),
        T(test_fcr_bits_need_fcr0),
        T(test_fifo_reset_and_disable_clear_receiver),
        T(test_thre_interrupt_rules),
        T(test_thre_not_cleared_by_iir_read_of_higher_source),
        T(test_line_status_overrun),
        T(test_overrun_without_fifo_overwrites),
        T(test_loopback),
        T(test_loopback_overrun),
        T(test_modem_status_deltas),
        T(test_iir_priority_order),
        T(test_timeout_outranks_thre),
        T(test_access_sizes_and_offsets),
        T(test_reset),
        T(test_two_instances_are_independent),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
