/*
 * fuzz_certmap_dn.c -- libFuzzer target for the slapd module's DN code
 * (sasl/certmap_dn.c). Input: a first octet choosing the mode, then data.
 *   mode even: data is an identity. If it is valid UTF-8 without NUL, its
 *              DN must parse back (libldap's RFC 4514 parser) to exactly
 *              that identity.
 *   mode odd:  data is a DN string; dcm_dn_carries() must not crash, and
 *              may only say yes for the identity "x@y".
 */
#include "certmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void identity_round_trip(const uint8_t *d, size_t n)
{
	char *id, *dn = NULL;

	if (n == 0 || memchr(d, 0, n) != NULL || u8_check(d, n) != NULL)
		return;
	if ((id = malloc(n + 1)) == NULL)
		return;
	memcpy(id, d, n);
	id[n] = '\0';
	if (dcm_identity_dn(id, &dn) == DCM_OK &&
	    dcm_dn_carries(dn, strlen(dn), id) != DCM_OK)
		abort();
	free(dn);
	free(id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if ((data[0] & 1) == 0) {
		identity_round_trip(data + 1, size - 1);
	} else if (dcm_dn_carries((const char *)data + 1, size - 1, "x@y") ==
	           DCM_OK) {
		/* only a DN naming x@y may carry it */
		if (size - 1 < strlen("uid=x@y,cn=dance,cn=auth") - 4)
			abort();
	}
	return 0;
}
