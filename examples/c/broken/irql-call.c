/*
 * Broken on purpose: the DPC calls NdisMMapIoSpace, a PASSIVE_LEVEL DDI, at DISPATCH_LEVEL.
 * The harness reports IRQL-CALL. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 17
#include "../e1000-line.c"
