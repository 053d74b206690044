/*
 * Broken on purpose: halt frees the adapter first and tears the watchdog timer down last, so the
 * adapter the timer function uses is freed while the timer is still set; on Windows the function
 * could run on freed memory in between. The harness reports TIMER-PENDING (0xC7 TIMER_OR_DPC_INVALID)
 * at the NdisFreeMemory that frees it. The driver is examples/c/e1000-line.c with its watchdog on and
 * one planted bug.
 */
#define CONTOSO_WATCHDOG 1
#define CONTOSO_BUG 23
#include "../e1000-line.c"
