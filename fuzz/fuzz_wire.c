/*
 * fuzz_wire.c -- libFuzzer target for the reader of validated DNS answers
 * (lib/wire.c): dance_wire_wildcard() on the raw bytes as a response to a
 * TLSA query, in a buffer of exactly their size.
 *
 * Besides memory errors it checks what dns.c relies on: the outcome is
 * DANCE_OK or DANCE_ERR_PARSE, nothing else; a refusal never says found
 * and always says why; an accepted message says why not at all; what it
 * found is NUL-terminated, names a wildcard ("*" first) as its source and
 * has an RRSIG Labels field below its owner's count unless the owner is
 * the wildcard itself; the same bytes give the same answer; and a message
 * read whole is refused when its last octet is cut (nothing may be left
 * unread, so nothing is ignored).
 *
 * Seeds (corpus/wire/): libunbound's answer packets from the hermetic
 * set-up (tests/rig/fixtures.d/17-wildcard.sh's wild.test and the rig's
 * other zones: plain, CNAME, NSEC3, wildcard-synthesised, denials), and
 * two compression loops by hand.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define T_TLSA 52

#define CHECK(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

static void check_found(const struct dance_wire_wildcard *w)
{
	CHECK(memchr(w->owner, '\0', sizeof w->owner) != NULL);
	CHECK(memchr(w->source, '\0', sizeof w->source) != NULL);
	CHECK(w->source[0] == '*');
	CHECK(w->labels <= w->owner_labels);
	CHECK(w->literal || w->labels < w->owner_labels);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dance_wire_wildcard w, again;
	uint8_t *copy = NULL;
	int r;

	if (size > 0 && (copy = malloc(size)) == NULL)
		return 0;
	if (size > 0)
		memcpy(copy, data, size);
	r = dance_wire_wildcard(copy, size, T_TLSA, &w);
	CHECK(r == DANCE_OK || r == DANCE_ERR_PARSE);
	CHECK(w.why != NULL);
	if (r == DANCE_OK) {
		CHECK(w.why[0] == '\0');
		if (w.found)
			check_found(&w);
		/* an accepted message holds at least one record: cut */
		CHECK(dance_wire_wildcard(copy, size - 1, T_TLSA, &again) ==
		      DANCE_ERR_PARSE);
	} else {
		CHECK(!w.found && w.why[0] != '\0');
	}
	CHECK(dance_wire_wildcard(copy, size, T_TLSA, &again) == r);
	CHECK(again.found == w.found && again.literal == w.literal &&
	      again.type == w.type && again.labels == w.labels &&
	      strcmp(again.owner, w.owner) == 0 &&
	      strcmp(again.source, w.source) == 0);
	CHECK(size == 0 || memcmp(copy, data, size) == 0);
	free(copy);
	return 0;
}
