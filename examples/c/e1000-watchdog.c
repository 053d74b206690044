/*
 * examples/c/e1000-line.c with its watchdog timer on: every millisecond, at DISPATCH_LEVEL, a
 * NDIS_TIMER_FUNCTION notes how far the receiver got, under the RX lock. Initialize allocates and
 * sets the timer; halt cancels it, then frees it.
 */
#define CONTOSO_WATCHDOG 1
#include "e1000-line.c"
