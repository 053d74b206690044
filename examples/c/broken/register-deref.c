/*
 * Broken on purpose: the ISR reads ICR through the mapped address instead of NdisReadRegisterUlong.
 * The harness reports MEM-REGISTER-DEREF. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 4
#include "../e1000-line.c"
