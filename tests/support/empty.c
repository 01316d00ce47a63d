/* empty.c -- keeps the test support library non-empty before support code
 * exists. */
typedef int dance_testsupport_empty_unit;
