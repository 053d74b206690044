/*
 * Broken on purpose: initialize reads through the NDIS miniport handle, which is opaque.
 * The harness reports MEM-HANDLE-DEREF. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 19
#include "../e1000-line.c"
