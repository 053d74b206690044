/*
 * Broken on purpose: halt frees the statistics block twice.
 * The harness reports POOL-BAD-FREE. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 16
#include "../e1000-line.c"
