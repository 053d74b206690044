/*
 * Broken on purpose: the TX message's DPC reclaims the TX ring without the TX lock, while the RX
 * message's DPC posts echoes on it under that lock, on another processor. The harness reports
 * DPC-SHARED-RACE between the two messages' DPCs. The driver is examples/c/msix-queues.c with one
 * planted bug.
 */
#define CONTOSO_BUG 1
#include "../msix-queues.c"
