/* pcap_export.h — writes the network frames of a rewind trace as a classic pcap file that
 * Wireshark, tshark and tcpdump open.
 *
 * The frames are the trace's `events` rows of kind `net_rx` (received by the guest, an input)
 * and `net_tx` (sent by the guest), in `seq` order: `blob` is the Ethernet frame, `value` the
 * NIC index, `icount` when it happened. The file uses the nanosecond-resolution pcap format
 * (magic 0xa1b23c4d, version 2.4, link type 1 = Ethernet, snaplen 65535; fields written
 * little-endian, which readers detect from the magic).
 *
 * Timestamps are guest virtual time, not host time: icount / harts nanoseconds (meta `harts`,
 * 1 if absent), i.e. one instruction per nanosecond per hart, counted from the start of the
 * recording (so the capture starts at 1970-01-01 00:00:00 in a viewer). Idle time skipped by
 * `warp` inputs is not added; the order and spacing of frames follow the instructions the
 * guest executed between them. Classic pcap has no direction field: tell `net_rx` from `net_tx`
 * by the addresses (or export one NIC with pcap_export_nic). Frames longer than the snaplen are
 * truncated in the file with their original length kept. */
#ifndef REWIND_PCAP_EXPORT_H
#define REWIND_PCAP_EXPORT_H

#include <stddef.h>
#include <stdint.h>

/* Export every NIC's frames of trace_path into out_path (created or replaced). Returns 0 and
 * the number of frames written in *frames (if not NULL), or -1 with a one-line reason in err
 * (unreadable file, not a rewind trace, bad meta, cannot write out_path). */
int pcap_export(const char *trace_path, const char *out_path, uint64_t *frames, char *err,
                size_t errlen);
/* The same for one NIC (events.value = nic); nic < 0 means every NIC. */
int pcap_export_nic(const char *trace_path, const char *out_path, int nic, uint64_t *frames,
                    char *err, size_t errlen);

#endif
