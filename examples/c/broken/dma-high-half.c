/*
 * Broken on purpose: initialize programs only the low half of each ring's physical base (RDBAL, not
 * RDBAH), as code written where all memory sits below 4 GiB often does. Shared memory sits above
 * 4 GiB, so the NIC fetches its descriptors from memory no allocation covers.
 * The harness reports DMA-UNMAPPED. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 20
#include "../e1000-line.c"
