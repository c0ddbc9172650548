/* make_pcap_sample.c — for the tshark test: writes the sample trace (sample_trace.c) to
 * argv[1] and exports it with pcap_export to argv[2]. */
#include <stdio.h>

#include "analysis/pcap_export.h"
#include "sample_trace.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: make_pcap_sample TRACE PCAP\n");
        return 2;
    }
    struct sample_frame frames[SAMPLE_FRAMES];
    char err[512];
    uint64_t count = 0;
    if (sample_trace_write(argv[1], "2", frames, err, sizeof(err)) ||
        pcap_export(argv[1], argv[2], &count, err, sizeof(err))) {
        fprintf(stderr, "make_pcap_sample: %s\n", err);
        return 1;
    }
    printf("%llu frames\n", (unsigned long long)count);
    return 0;
}
