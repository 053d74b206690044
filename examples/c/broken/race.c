/*
 * Broken on purpose: the DPC takes the causes the ISR writes without NdisMSynchronizeWithInterruptEx.
 * The harness reports ISR-SHARED-RACE. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 7
#include "../e1000-line.c"
