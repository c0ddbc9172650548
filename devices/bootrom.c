/* bootrom.c — the reset vector ROM (see bootrom.h). Layout:
 *   0x00 code (6 instructions)
 *   0x28 u64 start address, 0x30 u64 device tree address
 *   0x40 struct fw_dynamic_info (OpenSBI): magic, version, next_addr, next_mode, options,
 *        boot_hart */
#include "devices/bootrom.h"

#include <string.h>

#include "vmm/state.h"

#define FW_DYNAMIC_MAGIC 0x4942534full /* "OSBI" */
#define FW_DYNAMIC_VERSION 2
#define OFF_START 0x28
#define OFF_FDT 0x30
#define OFF_INFO 0x40

enum { REG_T0 = 5, REG_A0 = 10, REG_A1 = 11, REG_A2 = 12 };

static uint32_t enc_i(uint32_t opcode, unsigned f3, unsigned rd, unsigned rs1, int32_t imm)
{
    return opcode | rd << 7 | f3 << 12 | rs1 << 15 | ((uint32_t)imm & 0xfff) << 20;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void bootrom_build(struct bootrom *rom, uint64_t start, uint64_t fdt, uint64_t next_addr,
                   enum bootrom_next_mode next_mode)
{
    memset(rom->image, 0, sizeof(rom->image));
    const uint32_t code[] = {
        0x00000017u | REG_T0 << 7,                          /* auipc t0, 0 */
        enc_i(0x13, 0, REG_A2, REG_T0, OFF_INFO),           /* addi a2, t0, info */
        enc_i(0x73, 2, REG_A0, 0, 0xf14),                   /* csrr a0, mhartid */
        enc_i(0x03, 3, REG_A1, REG_T0, OFF_FDT),            /* ld a1, fdt(t0) */
        enc_i(0x03, 3, REG_T0, REG_T0, OFF_START),          /* ld t0, start(t0) */
        enc_i(0x67, 0, 0, REG_T0, 0),                       /* jr t0 */
    };
    for (unsigned i = 0; i < sizeof(code) / sizeof(code[0]); i++)
        put32(rom->image + 4 * i, code[i]);
    put64(rom->image + OFF_START, start);
    put64(rom->image + OFF_FDT, fdt);
    uint8_t *info = rom->image + OFF_INFO;
    put64(info + 0, FW_DYNAMIC_MAGIC);
    put64(info + 8, FW_DYNAMIC_VERSION);
    put64(info + 16, next_addr);
    put64(info + 24, (uint64_t)next_mode);
    put64(info + 32, 0);           /* options */
    put64(info + 40, UINT64_MAX);  /* boot_hart: any hart may win the cold-boot lottery */
}

int bootrom_attach(struct bootrom *rom, struct bus *bus, uint64_t base)
{
    return bus_add_rom(bus, "bootrom", base, BOOTROM_BYTES, rom->image);
}

/* ---- state stream ---- */

#define BOOTROM_STATE_VERSION 1

void bootrom_save(const struct bootrom *rom, struct state_writer *w)
{
    state_begin_section(w, "bootrom", BOOTROM_STATE_VERSION);
    state_put_bytes(w, rom->image, BOOTROM_BYTES);
    state_end_section(w);
}

int bootrom_load(struct bootrom *rom, struct state_reader *r)
{
    uint32_t version = BOOTROM_STATE_VERSION;
    if (state_open_section(r, "bootrom", &version))
        return -1;
    uint8_t image[BOOTROM_BYTES];
    state_get_bytes(r, image, BOOTROM_BYTES);
    if (state_close_section(r))
        return -1;
    memcpy(rom->image, image, BOOTROM_BYTES);
    return 0;
}
