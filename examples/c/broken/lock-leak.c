/*
 * Broken on purpose: reclaiming transmits returns at the first frame the NIC has not sent yet,
 * holding the TX lock. The DPC returns with it held, and the harness reports LOCK-LEAK, naming the
 * line of the acquire never released. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 25
#include "../e1000-line.c"
