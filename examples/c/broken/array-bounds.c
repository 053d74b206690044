/*
 * Broken on purpose: the receive path writes one element past a fixed-size array.
 * The harness reports UB-BOUNDS. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 10
#include "../e1000-line.c"
