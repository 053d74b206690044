/*
 * Broken on purpose: the watchdog timer function reads the RX ring's next descriptor without the RX
 * lock, while the DPC advances it under that lock on another processor. The harness reports
 * DPC-SHARED-RACE. The driver is examples/c/e1000-line.c with its watchdog on and one planted bug.
 */
#define CONTOSO_WATCHDOG 1
#define CONTOSO_BUG 22
#include "../e1000-line.c"
