/*
 * Broken on purpose: initialize recurses without bound.
 * The harness reports STACK-OVERFLOW. The driver is examples/c/e1000-line.c with one planted bug.
 */
#define CONTOSO_BUG 6
#include "../e1000-line.c"
