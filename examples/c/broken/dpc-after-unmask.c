/*
 * Broken on purpose: the DPC counts its batches after it has unmasked the NIC, with no lock. From
 * that moment the next interrupt can come on another processor, and NDIS runs its DPC there, beside
 * this one's last lines: two runs of one DPC add to the count at once. The harness reports
 * DPC-SHARED-RACE. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 24
#include "../e1000-line.c"
