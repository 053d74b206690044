/*
 * Broken on purpose: the enable-interrupt function is stored in DisableInterruptHandler (same C signature, other role).
 * The harness reports ROLE-TYPE. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 1
#include "../e1000-line.c"
