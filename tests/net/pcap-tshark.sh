#!/usr/bin/env bash
# pcap-tshark.sh MAKE_PCAP_SAMPLE — the pcap written by analysis/pcap_export.c read by the real
# tshark: three ARP frames (request, reply, request) with the guest-time stamps of the sample
# trace (icount / 2 harts ns). tshark warns when run as root; that warning is ignored, only its
# exit status and its decoding count.
set -u
tool=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$tool" "$tmp/t.trace" "$tmp/out.pcap" > "$tmp/make.out"; then
  echo "pcap-tshark: make_pcap_sample failed"; echo "0 passed, 1 failed"; exit 1
fi
# a private HOME: no profile of the user's, nothing written to theirs
if ! HOME="$tmp" tshark -n -r "$tmp/out.pcap" -T fields -E separator=' ' \
       -e frame.number -e frame.time_epoch -e frame.protocols -e arp.opcode \
       -e arp.src.proto_ipv4 -e arp.dst.proto_ipv4 > "$tmp/fields" 2> "$tmp/stderr"; then
  echo "pcap-tshark: tshark failed:"; cat "$tmp/stderr"; echo "0 passed, 1 failed"; exit 1
fi
cat > "$tmp/want" <<'WANT'
1 1.500000005 eth:ethertype:arp 1 10.0.2.15 10.0.2.2
2 1.500002000 eth:ethertype:arp 2 10.0.2.2 10.0.2.15
3 2.500000000 eth:ethertype:arp 1 10.0.2.15 10.0.2.3
WANT
if ! diff -u "$tmp/want" "$tmp/fields"; then
  echo "pcap-tshark: tshark decoded something else"; echo "0 passed, 1 failed"; exit 1
fi
# and no complaint about the file itself (the root warning is fine)
if grep -viE 'running as user|could be dangerous|^\s*$' "$tmp/stderr"; then
  echo "pcap-tshark: tshark complained"; echo "0 passed, 1 failed"; exit 1
fi
echo "pcap-tshark: tshark reads 3 ARP frames with guest-time stamps"
echo "1 passed, 0 failed"
