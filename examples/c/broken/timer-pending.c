/*
 * Broken on purpose: the driver keeps a watchdog timer, and halt frees it without canceling it first.
 * The harness reports TIMER-PENDING (0xC7 TIMER_OR_DPC_INVALID). The driver is examples/c/e1000-line.c
 * with its watchdog on and one planted bug.
 */
#define CONTOSO_WATCHDOG 1
#define CONTOSO_BUG 21
#include "../e1000-line.c"
