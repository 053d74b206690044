/*
 * Broken on purpose: the DPC leaves the NIC masked after reclaiming transmits.
 * The harness reports INT-LOST. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 14
#include "../e1000-line.c"
