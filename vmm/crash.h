/* crash.h — what rewind does when it crashes itself (SIGSEGV, SIGBUS, SIGABRT, SIGILL,
 * SIGFPE): restore the terminal, print a symbolised backtrace (libunwind), let the recorder
 * write the reason into the trace and commit, then die with the same signal. */
#ifndef REWIND_CRASH_H
#define REWIND_CRASH_H

/* Called from the crash handler (best effort: the process is already broken). */
typedef void (*crash_hook)(void *ctx, const char *reason);

void crash_handler_install(crash_hook hook, void *ctx);

#endif
