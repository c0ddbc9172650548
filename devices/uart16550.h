/* uart16550.h — the `ns16550a` serial port of the `virt` board (reg-shift 0, 1-byte
 * registers; any other access size is an access fault, offsets 8..0xff read 0 and ignore
 * writes).
 *
 *   off  DLAB=0 read / write     DLAB=1
 *   0    RBR / THR               DLL
 *   1    IER                     DLM
 *   2    IIR / FCR
 *   3    LCR (bit 7 = DLAB)
 *   4    MCR (DTR, RTS, OUT1, OUT2, LOOP)
 *   5    LSR (writes ignored)
 *   6    MSR
 *   7    SCR
 *
 * Receive: a 16-byte FIFO when FCR bit 0 is set, a single holding register otherwise. Host
 * input comes in through uart_receive(), which takes only what fits (it never drops input:
 * the rest waits in the host). uart_receive_forced() models a byte arriving at the wire
 * regardless and sets LSR OE when it is lost.
 *
 * Transmit is instantaneous: a THR write hands the byte to the host tx callback and THR is
 * empty again at once (LSR THRE and TEMT stay set). In loopback (MCR bit 4) the byte goes
 * into the receiver instead, the host input is disconnected (uart_rx_space() is 0), and the
 * modem inputs follow the outputs (CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2). Otherwise CTS, DSR
 * and DCD are asserted and RI is not.
 *
 * Interrupts, by priority (IIR bits 3..1; bits 7..6 are set while the FIFOs are enabled):
 *   0x6 receiver line status (ELSI): OE/PE/FE/BI set; cleared by reading LSR
 *   0x4 received data available (ERBFI): FIFO at or above its trigger level (any byte when
 *       the FIFOs are disabled); cleared when the FIFO drops below it
 *   0xC character timeout (ERBFI, FIFO mode): some bytes below the trigger level. Real
 *       hardware waits four character times without activity; here there is no host time,
 *       so the indication is immediate and lasts until the guest drains the FIFO or it
 *       reaches the trigger level.
 *   0x2 THR empty (ETBEI): set when THR becomes empty and when ETBEI goes 0->1 while THR is
 *       empty; cleared by reading IIR while it is the reported source, or by writing THR
 *   0x0 modem status (EDSSI): any MSR delta bit; cleared by reading MSR
 *   0x1 (bit 0) no interrupt pending
 * The output line is high iff IIR bit 0 is clear. */
#ifndef REWIND_UART16550_H
#define REWIND_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/irq.h"
#include "vmm/bus.h"

#define UART_BASE 0x10000000ull
#define UART_SIZE 0x100ull
#define UART_IRQ 10
#define UART_FIFO_SIZE 16

/* What the UART needs from the machine (calls go through the record/replay gate). */
struct uart_host {
    void (*tx)(void *ctx, uint8_t byte);   /* a byte leaves on the wire */
    void *ctx;
};

struct uart16550 {
    struct uart_host host;
    /* registers */
    uint8_t ier, lcr, mcr, scr, dll, dlm;
    uint8_t lsr_errors;          /* LSR bits 4..1 (BI, FE, PE, OE); the rest is computed */
    uint8_t fcr;                 /* FIFO enable, DMA mode and trigger bits as last written */
    uint8_t msr_delta;           /* MSR bits 3..0 (DCTS, DDSR, TERI, DDCD) */
    uint8_t rbr_last;            /* what RBR reads when nothing is waiting */
    bool thre_pending;           /* THR-empty interrupt latch */
    /* receiver FIFO (ring buffer; capacity 1 when the FIFOs are disabled) */
    uint8_t rx_fifo[UART_FIFO_SIZE];
    uint8_t rx_head, rx_count;
    struct irq_line irq;
};

/* Reset state; clears the wiring. */
void uart_init(struct uart16550 *u, struct uart_host host);
/* Back to reset state (master reset), keeping host and wiring; the output follows. */
void uart_reset(struct uart16550 *u);
/* Map the registers at base (UART_SIZE bytes). Returns 0 or -1. */
int uart_attach(struct uart16550 *u, struct bus *bus, uint64_t base);
/* Host input: put up to n bytes into the receiver; returns how many fit. */
size_t uart_receive(struct uart16550 *u, const uint8_t *bytes, size_t n);
/* How many bytes uart_receive() would take now (0 in loopback). */
size_t uart_rx_space(const struct uart16550 *u);
/* A byte arrives whether or not there is room: if the receiver is full it is lost (FIFO
 * mode; without FIFOs it overwrites the holding register) and LSR OE is set. In loopback
 * the receiver does not listen to the wire and the byte is lost without an error. Returns
 * true if the byte was stored without an overrun. */
bool uart_receive_forced(struct uart16550 *u, uint8_t byte);

/* State stream, section "uart16550": every register, the receiver FIFO and the interrupt
 * level. Loading checks the FIFO position and fill against its capacity and the level
 * against the registers, and sets the level without telling the receiver. Returns 0, or -1
 * with the reader's error set and the UART unchanged. */
struct state_writer;
struct state_reader;
void uart_save(const struct uart16550 *u, struct state_writer *w);
int uart_load(struct uart16550 *u, struct state_reader *r);

#endif
