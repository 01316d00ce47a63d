/*
 * verify_util.h -- helpers of the verification tests (unit_verify.c,
 * rig_verify.c): fixture files, chains, offline RRsets, and the check of a
 * result against an expected verdict. Failures are Criterion assertions.
 */
#ifndef DANCE_TEST_VERIFY_UTIL_H
#define DANCE_TEST_VERIFY_UTIL_H

#include "dance/dance.h"

#include <openssl/x509.h>
#include <stddef.h>

/* The fixture directory: $DANCE_FIXTURE_DIR, else the build tree's. */
const char *vu_fixdir(void);

/* A whole file (NUL-terminated; *len without the NUL if len is not NULL);
 * asserts that it exists. */
char *vu_slurp(const char *path, size_t *len);

/* The certificates of $FIX/pki/FILE (PEM), leaf first. */
STACK_OF(X509) * vu_chain(const char *file);

/* The records of $FIX/verify/TAG.tlsa as a secure RRset named after the
 * owner of its first line. */
struct dance_tlsa_rrset *vu_rrset(const char *tag);

/* An RRset of class c without records. */
struct dance_tlsa_rrset *vu_empty_rrset(enum dance_dns_class c);

/*
 * Check a result: return value (DANCE_OK, or a temporary error when
 * verdict is temporary-failure), verdict, identity (when authenticated),
 * match depth (-2: any), a reason containing reason_has (unless NULL).
 * With DANCE_TEST_SHOW set, prints one line per call.
 */
void vu_check(const char *name, int r, const struct dance_result *res,
              enum dance_verdict verdict, const char *identity, int depth,
              const char *reason_has);

#endif /* DANCE_TEST_VERIFY_UTIL_H */
