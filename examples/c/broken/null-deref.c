/*
 * Broken on purpose: the statistics block is never allocated, and the DPC counts into it through NULL.
 * The harness reports MEM-NULL. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 3
#include "../e1000-line.c"
