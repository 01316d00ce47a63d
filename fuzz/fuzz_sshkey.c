/*
 * fuzz_sshkey.c -- libFuzzer target for the OpenSSH public key parsers of
 * lib/sshkey.c: the blob parser, the text form, and the SPKI reverse.
 *
 * The input is used three ways: as a key blob (with no type and with each
 * supported type given), as the text of a .pub line, and as a DER SPKI.
 * Invariants checked (abort on violation): a blob that converts round-trips
 * exactly (SPKI -> "TYPE BASE64" -> the same SPKI), errors leave the
 * out-parameters cleared, and only the documented error codes occur.
 * Seed corpus: fuzz/corpus/sshkey/ (blobs of every key type, refused ones).
 */
#include "dance/dance.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static int known_error(int r)
{
	return r == DANCE_ERR_PARSE || r == DANCE_ERR_UNSUPPORTED ||
	       r == DANCE_ERR_NOMEM;
}

/* SPKI -> line -> SPKI must give the same octets back. */
static void round_trip(const uint8_t *spki, size_t spkilen)
{
	uint8_t *again = NULL;
	size_t againlen = 0;
	char *line = NULL;

	check(dance_spki_to_sshkey(spki, spkilen, &line) == DANCE_OK);
	check(dance_sshkey_text_to_spki(NULL, line, &again, &againlen) ==
	      DANCE_OK);
	check(againlen == spkilen && memcmp(again, spki, spkilen) == 0);
	free(again);
	free(line);
}

static void blob(const char *type, const uint8_t *data, size_t size)
{
	uint8_t *spki = (uint8_t *)&spki;
	size_t spkilen = 1;
	int r = dance_sshkey_to_spki(type, data, size, &spki, &spkilen);

	if (r == DANCE_OK) {
		check(spki != NULL && spkilen > 0);
		round_trip(spki, spkilen);
		free(spki);
	} else {
		check(known_error(r) && spki == NULL && spkilen == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {
	        NULL,
	        "ssh-ed25519",
	        "ecdsa-sha2-nistp256",
	        "ecdsa-sha2-nistp384",
	        "ecdsa-sha2-nistp521",
	        "ssh-rsa",
	};
	uint8_t *copy, *spki = NULL;
	size_t spkilen = 0;
	char *line = NULL;
	int r;

	/* An exact-size heap copy, so any over-read is caught by ASan. */
	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(copy, data, size);
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		blob(types[i], copy, size);

	r = dance_spki_to_sshkey(copy, size, &line);
	check(r == DANCE_OK ? line != NULL : known_error(r) && line == NULL);
	if (r == DANCE_OK) {
		r = dance_sshkey_text_to_spki(NULL, line, &spki, &spkilen);
		check(r == DANCE_OK && spkilen == size &&
		      memcmp(spki, copy, size) == 0);
		free(spki);
		spki = NULL;
	}
	free(line);

	/* The same octets as text (up to the first NUL). */
	copy[size] = '\0';
	r = dance_sshkey_text_to_spki(NULL, (const char *)copy, &spki,
	                              &spkilen);
	check(r == DANCE_OK ? spki != NULL : known_error(r) && spki == NULL);
	free(spki);
	spki = NULL;
	r = dance_sshkey_text_to_spki("ssh-ed25519", (const char *)copy, &spki,
	                              &spkilen);
	check(r == DANCE_OK ? spki != NULL : known_error(r) && spki == NULL);
	free(spki);
	free(copy);
	return 0;
}
