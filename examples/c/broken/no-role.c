/*
 * Broken on purpose: a synchronize function declared with no role is passed to NdisMSynchronizeWithInterruptEx.
 * The harness reports ROLE-TYPE. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 2
#include "../e1000-line.c"
