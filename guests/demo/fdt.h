/* fdt.h — a minimal, bounds-checked reader of the flattened device tree the
 * board passes in a1: enough to find properties of /chosen. */
#ifndef DEMO_FDT_H
#define DEMO_FDT_H

#include <stdbool.h>
#include <stdint.h>

/* Check the header of the blob at `fdt`; false if it is not a sane FDT. */
bool fdt_valid(const void *fdt);

/* Find property `name` of the node /chosen.  On success *value points into the
 * blob and *len is the property's length in bytes. */
bool fdt_chosen_property(const void *fdt, const char *name, const void **value, uint32_t *len);

#endif
