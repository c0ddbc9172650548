/* uart16550.c — 16550A registers, receiver FIFO, interrupt identification and loopback
 * (see uart16550.h). */
#include "devices/uart16550.h"

#include <string.h>

#include "vmm/state.h"

enum {
    REG_RBR_THR_DLL = 0, REG_IER_DLM = 1, REG_IIR_FCR = 2, REG_LCR = 3,
    REG_MCR = 4, REG_LSR = 5, REG_MSR = 6, REG_SCR = 7, NUM_REGS = 8,
};

enum {
    IER_ERBFI = 0x01, IER_ETBEI = 0x02, IER_ELSI = 0x04, IER_EDSSI = 0x08, IER_MASK = 0x0f,
};
enum {
    IIR_NONE = 0x01, IIR_LINE_STATUS = 0x06, IIR_RX_DATA = 0x04, IIR_RX_TIMEOUT = 0x0c,
    IIR_THR_EMPTY = 0x02, IIR_MODEM_STATUS = 0x00, IIR_ID_MASK = 0x0f, IIR_FIFOS_ON = 0xc0,
};
enum {
    FCR_ENABLE = 0x01, FCR_RX_RESET = 0x02, FCR_TX_RESET = 0x04, FCR_DMA_MODE = 0x08,
    FCR_TRIGGER = 0xc0,
};
enum { LCR_DLAB = 0x80 };
enum { MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10,
       MCR_MASK = 0x1f };
enum {
    LSR_DR = 0x01, LSR_OE = 0x02, LSR_PE = 0x04, LSR_FE = 0x08, LSR_BI = 0x10,
    LSR_THRE = 0x20, LSR_TEMT = 0x40, LSR_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI,
};
enum {
    MSR_DCTS = 0x01, MSR_DDSR = 0x02, MSR_TERI = 0x04, MSR_DDCD = 0x08,
    MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80,
};

static bool fifos_enabled(const struct uart16550 *u)
{
    return u->fcr & FCR_ENABLE;
}

static bool loopback(const struct uart16550 *u)
{
    return u->mcr & MCR_LOOP;
}

static unsigned rx_capacity(const struct uart16550 *u)
{
    return fifos_enabled(u) ? UART_FIFO_SIZE : 1;
}

static unsigned rx_trigger(const struct uart16550 *u)
{
    static const unsigned levels[4] = { 1, 4, 8, 14 };
    return fifos_enabled(u) ? levels[(u->fcr & FCR_TRIGGER) >> 6] : 1;
}

/* The modem-status inputs (MSR bits 7..4). */
static uint8_t modem_inputs(const struct uart16550 *u)
{
    if (!loopback(u))
        return MSR_CTS | MSR_DSR | MSR_DCD;
    uint8_t in = 0;
    if (u->mcr & MCR_RTS)
        in |= MSR_CTS;
    if (u->mcr & MCR_DTR)
        in |= MSR_DSR;
    if (u->mcr & MCR_OUT1)
        in |= MSR_RI;
    if (u->mcr & MCR_OUT2)
        in |= MSR_DCD;
    return in;
}

static uint8_t interrupt_id(const struct uart16550 *u)
{
    uint8_t fifo_bits = fifos_enabled(u) ? IIR_FIFOS_ON : 0;
    if ((u->ier & IER_ELSI) && (u->lsr_errors & LSR_ERRORS))
        return fifo_bits | IIR_LINE_STATUS;
    if ((u->ier & IER_ERBFI) && u->rx_count >= rx_trigger(u))
        return fifo_bits | IIR_RX_DATA;
    if ((u->ier & IER_ERBFI) && fifos_enabled(u) && u->rx_count > 0)
        return fifo_bits | IIR_RX_TIMEOUT;
    if ((u->ier & IER_ETBEI) && u->thre_pending)
        return fifo_bits | IIR_THR_EMPTY;
    if ((u->ier & IER_EDSSI) && u->msr_delta)
        return fifo_bits | IIR_MODEM_STATUS;
    return fifo_bits | IIR_NONE;
}

static void update_irq(struct uart16550 *u)
{
    irq_line_set(&u->irq, !(interrupt_id(u) & IIR_NONE));
}

static void rx_clear(struct uart16550 *u)
{
    u->rx_head = 0;
    u->rx_count = 0;
}

/* A byte reaches the receiver. Returns false (and flags an overrun) if there is no room. */
static bool rx_push(struct uart16550 *u, uint8_t byte)
{
    unsigned cap = rx_capacity(u);
    if (u->rx_count < cap) {
        u->rx_fifo[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
        u->rx_count++;
        return true;
    }
    u->lsr_errors |= LSR_OE;
    if (!fifos_enabled(u))
        u->rx_fifo[u->rx_head] = byte; /* 16450 mode: the unread character is destroyed */
    return false;
}

static uint8_t rx_pop(struct uart16550 *u)
{
    if (u->rx_count > 0) {
        u->rbr_last = u->rx_fifo[u->rx_head];
        u->rx_head = (uint8_t)((u->rx_head + 1) % UART_FIFO_SIZE);
        u->rx_count--;
    }
    return u->rbr_last;
}

static void transmit(struct uart16550 *u, uint8_t byte)
{
    if (loopback(u))
        rx_push(u, byte);
    else if (u->host.tx)
        u->host.tx(u->host.ctx, byte);
    /* THR is empty again at once: the THRE interrupt is set anew. */
    u->thre_pending = (u->ier & IER_ETBEI) != 0;
}

static void write_ier(struct uart16550 *u, uint8_t value)
{
    uint8_t old = u->ier;
    u->ier = value & IER_MASK;
    /* THR is always empty, so enabling ETBEI raises the THRE interrupt and disabling it
     * forgets the latch. */
    if ((old ^ u->ier) & IER_ETBEI)
        u->thre_pending = (u->ier & IER_ETBEI) != 0;
}

static void write_fcr(struct uart16550 *u, uint8_t value)
{
    bool was_enabled = fifos_enabled(u);
    bool enable = value & FCR_ENABLE;
    if (enable != was_enabled)
        rx_clear(u); /* changing FCR0 clears both FIFOs */
    if (!enable) {
        u->fcr = 0; /* the other bits are programmed only together with FCR0 */
        return;
    }
    u->fcr = value & (FCR_ENABLE | FCR_DMA_MODE | FCR_TRIGGER);
    if (value & FCR_RX_RESET)
        rx_clear(u);
    /* FCR_TX_RESET: the transmitter never holds anything. */
}

static void write_mcr(struct uart16550 *u, uint8_t value)
{
    uint8_t before = modem_inputs(u);
    u->mcr = value & MCR_MASK;
    uint8_t after = modem_inputs(u);
    uint8_t changed = before ^ after;
    if (changed & MSR_CTS)
        u->msr_delta |= MSR_DCTS;
    if (changed & MSR_DSR)
        u->msr_delta |= MSR_DDSR;
    if ((before & MSR_RI) && !(after & MSR_RI))
        u->msr_delta |= MSR_TERI; /* trailing edge of RI */
    if (changed & MSR_DCD)
        u->msr_delta |= MSR_DDCD;
}

static uint8_t read_lsr(struct uart16550 *u)
{
    uint8_t lsr = u->lsr_errors | LSR_THRE | LSR_TEMT;
    if (u->rx_count > 0)
        lsr |= LSR_DR;
    /* Bit 7 (error in the RX FIFO) needs a parity/framing/break error held with a byte;
     * this UART never receives one, so it stays 0. */
    u->lsr_errors = 0;
    return lsr;
}

static int uart_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
    struct uart16550 *u = opaque;
    if (size != 1)
        return -1;
    bool dlab = u->lcr & LCR_DLAB;
    uint8_t v = 0;
    switch (offset) {
    case REG_RBR_THR_DLL: v = dlab ? u->dll : rx_pop(u); break;
    case REG_IER_DLM: v = dlab ? u->dlm : u->ier; break;
    case REG_IIR_FCR:
        v = interrupt_id(u);
        if ((v & IIR_ID_MASK) == IIR_THR_EMPTY)
            u->thre_pending = false;
        break;
    case REG_LCR: v = u->lcr; break;
    case REG_MCR: v = u->mcr; break;
    case REG_LSR: v = read_lsr(u); break;
    case REG_MSR:
        v = modem_inputs(u) | u->msr_delta;
        u->msr_delta = 0;
        break;
    case REG_SCR: v = u->scr; break;
    default: break; /* beyond the eight registers: reads 0 */
    }
    update_irq(u);
    *value = v;
    return 0;
}

static int uart_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct uart16550 *u = opaque;
    if (size != 1)
        return -1;
    bool dlab = u->lcr & LCR_DLAB;
    uint8_t v = (uint8_t)value;
    switch (offset) {
    case REG_RBR_THR_DLL:
        if (dlab)
            u->dll = v;
        else
            transmit(u, v);
        break;
    case REG_IER_DLM:
        if (dlab)
            u->dlm = v;
        else
            write_ier(u, v);
        break;
    case REG_IIR_FCR: write_fcr(u, v); break;
    case REG_LCR: u->lcr = v; break;
    case REG_MCR: write_mcr(u, v); break;
    case REG_SCR: u->scr = v; break;
    default: break; /* LSR and MSR are read-only; beyond the registers: ignored */
    }
    update_irq(u);
    return 0;
}

static void reset_registers(struct uart16550 *u)
{
    u->ier = 0;
    u->lcr = 0;
    u->mcr = 0;
    u->scr = 0;
    u->dll = 0;
    u->dlm = 0;
    u->lsr_errors = 0;
    u->fcr = 0;
    u->msr_delta = 0;
    u->rbr_last = 0;
    u->thre_pending = false;
    memset(u->rx_fifo, 0, sizeof(u->rx_fifo));
    rx_clear(u);
}

void uart_init(struct uart16550 *u, struct uart_host host)
{
    memset(u, 0, sizeof(*u));
    u->host = host;
    reset_registers(u);
}

void uart_reset(struct uart16550 *u)
{
    reset_registers(u);
    update_irq(u);
}

size_t uart_rx_space(const struct uart16550 *u)
{
    if (loopback(u))
        return 0;
    return rx_capacity(u) - u->rx_count;
}

size_t uart_receive(struct uart16550 *u, const uint8_t *bytes, size_t n)
{
    size_t space = uart_rx_space(u);
    size_t take = n < space ? n : space;
    for (size_t i = 0; i < take; i++)
        rx_push(u, bytes[i]);
    if (take)
        update_irq(u);
    return take;
}

bool uart_receive_forced(struct uart16550 *u, uint8_t byte)
{
    if (loopback(u))
        return false;
    bool stored = rx_push(u, byte);
    update_irq(u);
    return stored;
}

static const struct mmio_ops uart_ops = { .read = uart_read, .write = uart_write };

int uart_attach(struct uart16550 *u, struct bus *bus, uint64_t base)
{
    return bus_add_mmio(bus, "uart", base, UART_SIZE, &uart_ops, u);
}

/* ---- state stream ---- */

#define UART_STATE_VERSION 1

void uart_save(const struct uart16550 *u, struct state_writer *w)
{
    state_begin_section(w, "uart16550", UART_STATE_VERSION);
    state_put_u8(w, u->ier);
    state_put_u8(w, u->lcr);
    state_put_u8(w, u->mcr);
    state_put_u8(w, u->scr);
    state_put_u8(w, u->dll);
    state_put_u8(w, u->dlm);
    state_put_u8(w, u->lsr_errors);
    state_put_u8(w, u->fcr);
    state_put_u8(w, u->msr_delta);
    state_put_u8(w, u->rbr_last);
    state_put_bool(w, u->thre_pending);
    state_put_bytes(w, u->rx_fifo, UART_FIFO_SIZE);
    state_put_u8(w, u->rx_head);
    state_put_u8(w, u->rx_count);
    state_put_bool(w, u->irq.level);
    state_end_section(w);
}

int uart_load(struct uart16550 *u, struct state_reader *r)
{
    uint32_t version = UART_STATE_VERSION;
    if (state_open_section(r, "uart16550", &version))
        return -1;
    struct uart16550 n = *u;
    n.ier = state_get_u8(r);
    n.lcr = state_get_u8(r);
    n.mcr = state_get_u8(r);
    n.scr = state_get_u8(r);
    n.dll = state_get_u8(r);
    n.dlm = state_get_u8(r);
    n.lsr_errors = state_get_u8(r);
    n.fcr = state_get_u8(r);
    n.msr_delta = state_get_u8(r);
    n.rbr_last = state_get_u8(r);
    n.thre_pending = state_get_bool(r);
    state_get_bytes(r, n.rx_fifo, UART_FIFO_SIZE);
    n.rx_head = state_get_u8(r);
    n.rx_count = state_get_u8(r);
    n.irq.level = state_get_bool(r);
    if (state_close_section(r))
        return -1;
    if ((n.ier & ~IER_MASK) || (n.mcr & ~MCR_MASK) || (n.lsr_errors & ~LSR_ERRORS) ||
        (n.msr_delta & ~0x0f) || (n.fcr & ~(FCR_ENABLE | FCR_DMA_MODE | FCR_TRIGGER)) ||
        (!(n.fcr & FCR_ENABLE) && n.fcr))
        return state_fail(r, "register values out of range (ier 0x%x mcr 0x%x lsr 0x%x "
                          "msr 0x%x fcr 0x%x)", n.ier, n.mcr, n.lsr_errors, n.msr_delta, n.fcr);
    if (n.rx_head >= UART_FIFO_SIZE || n.rx_count > rx_capacity(&n))
        return state_fail(r, "receiver FIFO at %u holding %u bytes (capacity %u)", n.rx_head,
                          n.rx_count, rx_capacity(&n));
    if (n.irq.level != !(interrupt_id(&n) & IIR_NONE))
        return state_fail(r, "interrupt level %d contradicts the registers", n.irq.level);
    *u = n;
    return 0;
}
