/* virt_map.h — the "rewind virt" board's physical memory map and interrupt numbers,
 * compatible with QEMU's `virt` machine so unmodified firmware and kernels boot. */
#ifndef REWIND_VIRT_MAP_H
#define REWIND_VIRT_MAP_H

#define VIRT_BOOTROM_BASE   0x00001000ull
#define VIRT_BOOTROM_SIZE   0x00001000ull
#define VIRT_TEST_BASE      0x00100000ull   /* syscon / sifive,test */
#define VIRT_TEST_SIZE      0x00001000ull
#define VIRT_RTC_BASE       0x00101000ull   /* goldfish RTC */
#define VIRT_RTC_SIZE       0x00001000ull
#define VIRT_CLINT_BASE     0x02000000ull
#define VIRT_CLINT_SIZE     0x00010000ull
#define VIRT_PLIC_BASE      0x0c000000ull
#define VIRT_PLIC_SIZE      0x00600000ull
#define VIRT_UART_BASE      0x10000000ull
#define VIRT_UART_SIZE      0x00000100ull
#define VIRT_VIRTIO_BASE    0x10001000ull   /* slot i at base + i * stride */
#define VIRT_VIRTIO_STRIDE  0x00001000ull
#define VIRT_VIRTIO_SLOTS   8
#define VIRT_RAM_BASE       0x80000000ull

#define VIRT_IRQ_VIRTIO0    1               /* virtio slot i uses IRQ 1 + i */
#define VIRT_IRQ_UART       10
#define VIRT_IRQ_RTC        11

#define VIRT_TIMEBASE_HZ    10000000ull     /* mtime ticks per second */
#define VIRT_UART_CLOCK_HZ  3686400u
#define VIRT_MAX_HARTS      8

#endif
