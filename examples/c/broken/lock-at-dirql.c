/*
 * Broken on purpose: a synchronize function (DIRQL) takes an NDIS spin lock.
 * The harness reports MAY-CALL. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 11
#include "../e1000-line.c"
