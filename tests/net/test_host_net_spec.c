/* test_host_net_spec.c — host_net_create's parsing of -netdev values and its errors: unknown
 * backends and options, missing or bad ids, malformed hostfwd rules, ports already in use,
 * refused connections; and the accepted spellings. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <stdio.h>
#include <unistd.h>

#include "net_frames.h"
#include "vmm/host_net.h"

/* spec must be refused with an error containing want. */
static void expect_error(const char *spec, const char *want)
{
    char err[256];
    memset(err, 'x', sizeof(err));
    struct host_net *n = host_net_create(spec, err, sizeof(err));
    if (n) {
        host_net_destroy(n);
        fail_msg("'%s' was accepted", spec ? spec : "(null)");
    }
    assert_true(memchr(err, 0, sizeof(err)) != NULL);
    if (!strstr(err, want))
        fail_msg("'%s': error '%s' does not mention '%s'", spec ? spec : "(null)", err, want);
}

static void test_unknown_backend(void **state)
{
    (void)state;
    expect_error("tap,id=n0", "unknown network backend 'tap'");
    expect_error("bridge", "unknown network backend");
    expect_error("usermode,id=n0", "unknown network backend 'usermode'");
    expect_error("", "empty");
    expect_error(NULL, "empty");
}

static void test_missing_or_bad_id(void **state)
{
    (void)state;
    expect_error("user", "missing id=");
    expect_error("user,hostfwd=tcp::2222-:22", "missing id=");
    expect_error("socket,connect=127.0.0.1:1234", "missing id=");
    expect_error("user,id=", "bad id");
    expect_error("user,id=0n", "bad id");
    expect_error("user,id=a b", "bad id");
    expect_error("user,id", "needs a value");
}

static void test_unknown_or_bad_options(void **state)
{
    (void)state;
    expect_error("user,id=n0,bogus=1", "unknown option 'bogus'");
    expect_error("user,id=n0,connect=127.0.0.1:1", "unknown option 'connect'");
    expect_error("socket,id=s0,hostfwd=tcp::1-:2", "unknown option 'hostfwd'");
    expect_error("user,,id=n0", "empty option");
    expect_error("user,id=n0,ipv6=on", "ipv6=off");
    expect_error("user,id=n0,restrict=maybe", "restrict=maybe");
    char longopt[600];
    memset(longopt, 0, sizeof(longopt));
    strcpy(longopt, "user,id=n0,hostname=");
    memset(longopt + strlen(longopt), 'h', 400);
    expect_error(longopt, "too long");
    memset(longopt, 'k', 500);
    memcpy(longopt, "user,id=n0,", 11);
    expect_error(longopt, "too long");
    expect_error("user,id=n0,,x", "bad id 'n0,x'"); /* ",," is an escaped comma */
    expect_error("socket,id=s0", "exactly one of connect");
    expect_error("socket,id=s0,connect=127.0.0.1:1,listen=127.0.0.1:2", "exactly one");
    expect_error("socket,id=s0,connect=nohostport", "HOST:PORT");
    expect_error("socket,id=s0,listen=127.0.0.1:0", "HOST:PORT");
    expect_error("socket,id=s0,connect=127.0.0.1:99999", "HOST:PORT");
}

static void test_bad_hostfwd(void **state)
{
    (void)state;
    expect_error("user,id=n0,hostfwd=tcp::abc-:22", "bad host port 'abc'");
    expect_error("user,id=n0,hostfwd=tcp::70000-:22", "bad host port '70000'");
    expect_error("user,id=n0,hostfwd=tcp::0-:22", "bad host port '0'");
    expect_error("user,id=n0,hostfwd=tcp::2222", "expected");
    expect_error("user,id=n0,hostfwd=tcp::2222-:", "bad guest port");
    expect_error("user,id=n0,hostfwd=tcp::2222-:0", "bad guest port");
    expect_error("user,id=n0,hostfwd=2222-:22", "protocol must be tcp or udp");
    expect_error("user,id=n0,hostfwd=sctp::2222-:22", "protocol must be tcp or udp");
    expect_error("user,id=n0,hostfwd=tcp:1.2.3:2222-:22", "bad host address '1.2.3'");
    expect_error("user,id=n0,hostfwd=tcp::2222-10.0.2.x:22", "bad guest address");
    expect_error("user,id=n0,hostfwd=tcp::2222-192.168.1.5:22", "10.0.2.0/24");
}

static void test_port_in_use(void **state)
{
    (void)state;
    uint16_t port;
    int busy = listen_loopback(&port);
    assert_true(busy >= 0);
    char spec[128], want[64];
    snprintf(spec, sizeof(spec), "user,id=n0,hostfwd=tcp:127.0.0.1:%u-:22", port);
    snprintf(want, sizeof(want), "127.0.0.1:%u: Address already in use", port);
    expect_error(spec, want);
    /* the same port on every address */
    snprintf(spec, sizeof(spec), "user,id=n0,hostfwd=tcp::%u-:22", port);
    expect_error(spec, "Address already in use");
    snprintf(spec, sizeof(spec), "socket,id=s0,listen=127.0.0.1:%u", port);
    expect_error(spec, "Address already in use");
    close(busy);
}

static void test_connection_refused(void **state)
{
    (void)state;
    uint16_t port = free_port();
    char spec[96];
    snprintf(spec, sizeof(spec), "socket,id=s0,connect=127.0.0.1:%u", port);
    expect_error(spec, "Connection refused");
}

static void test_accepted_spellings(void **state)
{
    (void)state;
    uint16_t p1 = free_port(), p2 = free_port();
    char spec[256], err[256];
    snprintf(spec, sizeof(spec),
             "user,id=net.0_a-b,restrict=off,ipv4=on,ipv6=off,hostname=g,"
             "hostfwd=tcp:127.0.0.1:%u-10.0.2.15:22,hostfwd=udp:127.0.0.1:%u-:5353",
             p1, p2);
    struct host_net *n = host_net_create(spec, err, sizeof(err));
    if (!n)
        fail_msg("%s: %s", spec, err);
    assert_string_equal(host_net_id(n), "net.0_a-b");
    assert_string_equal(host_net_last_error(n), "");
    struct host_net_stats s;
    host_net_get_stats(n, &s);
    assert_int_equal(s.tx_frames + s.rx_frames + s.rx_dropped + s.tx_dropped, 0);
    host_net_destroy(n);
    /* the forwarded ports are free again after destroy */
    snprintf(spec, sizeof(spec), "user,id=n1,hostfwd=tcp:127.0.0.1:%u-:22", p1);
    n = host_net_create(spec, err, sizeof(err));
    if (!n)
        fail_msg("%s: %s", spec, err);
    host_net_destroy(n);
    host_net_destroy(NULL);
    /* err may be NULL */
    assert_null(host_net_create("tap,id=x", NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_backend),
        cmocka_unit_test(test_missing_or_bad_id),
        cmocka_unit_test(test_unknown_or_bad_options),
        cmocka_unit_test(test_bad_hostfwd),
        cmocka_unit_test(test_port_in_use),
        cmocka_unit_test(test_connection_refused),
        cmocka_unit_test(test_accepted_spellings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
