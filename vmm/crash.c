/* crash.c — rewind's own crash handler (see crash.h). The state it needs is process-wide by
 * nature (signal handlers are), so it lives in this file only. */
#define UNW_LOCAL_ONLY
#include "vmm/crash.h"

#include <libunwind.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static crash_hook crash_hook_fn;
static void *crash_hook_ctx;
static char alt_stack[64 * 1024];

static void print_backtrace(void)
{
    unw_context_t uc;
    unw_cursor_t cursor;
    if (unw_getcontext(&uc) || unw_init_local(&cursor, &uc))
        return;
    fprintf(stderr, "rewind: backtrace:\n");
    for (int depth = 0; depth < 64 && unw_step(&cursor) > 0; depth++) {
        unw_word_t ip = 0, off = 0;
        char name[256];
        unw_get_reg(&cursor, UNW_REG_IP, &ip);
        if (unw_get_proc_name(&cursor, name, sizeof(name), &off) == 0)
            fprintf(stderr, "rewind:   #%-2d 0x%016lx %s+0x%lx\n", depth, (unsigned long)ip, name,
                    (unsigned long)off);
        else
            fprintf(stderr, "rewind:   #%-2d 0x%016lx ?\n", depth, (unsigned long)ip);
    }
}

static void on_crash(int sig, siginfo_t *info, void *uctx)
{
    (void)uctx;
    static volatile sig_atomic_t in_handler;
    if (in_handler)
        _exit(128 + sig);
    in_handler = 1;
    char reason[128];
    snprintf(reason, sizeof(reason), "host-crash: %s at %p", strsignal(sig),
             info ? info->si_addr : NULL);
    fprintf(stderr, "\nrewind: internal error: %s\n", reason);
    print_backtrace();
    if (crash_hook_fn)
        crash_hook_fn(crash_hook_ctx, reason);
    signal(sig, SIG_DFL);
    raise(sig);
}

void crash_handler_install(crash_hook hook, void *ctx)
{
    crash_hook_fn = hook;
    crash_hook_ctx = ctx;
    stack_t ss = { .ss_sp = alt_stack, .ss_size = sizeof(alt_stack) };
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_crash;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    int sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE };
    for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, NULL);
}
