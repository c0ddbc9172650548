/* tasks.h — the demo's workload: two sensors, a logger and a monitor. */
#ifndef DEMO_TASKS_H
#define DEMO_TASKS_H

#include <stdint.h>

/* Create the four tasks, their random streams derived from `seed`. */
void tasks_create(uint64_t seed);

#endif
