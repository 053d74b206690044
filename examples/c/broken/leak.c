/*
 * Broken on purpose: halt forgets to free the statistics block.
 * The harness reports POOL-LEAK. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 12
#include "../e1000-line.c"
