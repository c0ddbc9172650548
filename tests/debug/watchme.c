/* watchme.c — a small bare-metal guest for the gdb integration tests: a function to break
 * in, a global to watch change, and a register the debugger changes. */
#include "rt.h"

const char test_name[] = "watchme";
volatile long counter;

__attribute__((noinline)) static void bump(long by)
{
    counter += by;
}

__attribute__((noinline)) long answer(long x)
{
    return x + 1; /* the debugger sets a0 before this runs */
}

int main(void)
{
    for (int i = 0; i < 5; i++)
        bump(i + 1);
    long a = answer(1);
    rt_printf("counter %d answer %d\n", (int)counter, (int)a);
    return counter == 15 ? 0 : 1;
}
