/*
 * Broken on purpose: the DPC counts into a fourth ULONG of a three-ULONG pool block.
 * The harness reports POOL-OVERRUN. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 13
#include "../e1000-line.c"
