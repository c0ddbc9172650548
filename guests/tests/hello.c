/* guests/tests/hello.c — the demo guest: greets over HTIF, describes itself, exits 0.
 * Also a smoke test of the runtime: it reads a few CSRs and prints them. */
#include "rt.h"

TEST_NAME("hello");

extern volatile uint64_t tohost;

static void print_isa(uint64_t misa)
{
    rt_printf("  misa      : RV%d", (int)(misa >> 62) == 2 ? 64 : (int)(misa >> 62) == 1 ? 32 : 128);
    for (int i = 0; i < 26; i++)
        if (misa & (1UL << i))
            rt_putc((char)('A' + i));
    rt_putc('\n');
}

int main(void)
{
    rt_puts("Hello from a bare-metal RISC-V guest!\n");
    rt_puts("  I am guests/tests/hello: an ELF linked at 0x80000000, started in M-mode,\n");
    rt_puts("  talking to the host through HTIF (tohost/fromhost), one byte per store.\n");
    print_isa(csr_read(misa));
    rt_printf("  mhartid   : %lu\n", csr_read(mhartid));
    rt_printf("  tohost at : %p\n", (void *)&tohost);
    rt_puts("  Goodbye: exiting with status 0 via tohost = 1.\n");
    return 0;
}
