/*
 * Broken on purpose: halt counts into the statistics block after freeing it.
 * The harness reports POOL-USE-AFTER-FREE. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 18
#include "../e1000-line.c"
