/*
 * Broken on purpose: the DPC releases a spin lock it never acquired.
 * The harness reports LOCK-RELEASE-UNHELD. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 8
#include "../e1000-line.c"
