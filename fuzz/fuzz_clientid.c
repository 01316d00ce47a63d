/*
 * fuzz_clientid.c -- libFuzzer target for the dane_clientid extension
 * parsers (lib/clientid.c): the client's ClientName and the server's
 * CertificateRequest form. Checks that an accepted ClientName is an
 * acceptable name that encodes back to the same octets, lowercased.
 */
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[256];
	size_t n = 0;
	char *name = NULL;
	int alert = 0;

	if (dance_clientid_parse_client(data, size, &name, &alert) ==
	    DANCE_OK) {
		if (alert != 0 || name == NULL ||
		    !dance_clientid_name_ok(name, strlen(name)) ||
		    dance_clientid_encode(name, buf, sizeof buf, &n) !=
		            DANCE_OK ||
		    n != size ||
		    strncasecmp((const char *)buf + 1, (const char *)data + 1,
		                size - 1) != 0)
			abort();
		(void)dance_clientid_domain(name);
	} else if (name != NULL || alert == 0) {
		abort();
	}
	free(name);
	if (dance_clientid_parse_server(data, size, &alert) == DANCE_OK &&
	    size > 1)
		abort();
	return 0;
}
