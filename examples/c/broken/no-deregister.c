/*
 * Broken on purpose: halt leaves the interrupt registered.
 * The harness reports INT-DEREGISTER. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 15
#include "../e1000-line.c"
