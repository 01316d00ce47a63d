/*
 * certmap_cache.c -- the slapd module's cache of verified certificate
 * chains: chain (by SHA-256 of its certificates) -> DN, for the time
 * libdance gave the decision (the least of the TLSA RRset's TTL, capped by
 * max-ttl, and the certificates' notAfter), counted from a moment before
 * the decision was made.
 *
 * The expiry is kept on the wall clock and on CLOCK_MONOTONIC, and an
 * entry is gone as soon as either says so (as in lib/cache.c): setting
 * the clock back cannot keep a DN beyond max-ttl.
 *
 * Why: parsing a certificate costs OpenSSL 3 about 0.3 ms, so a client
 * that reconnects would pay a millisecond per handshake for an answer
 * libdance may reuse anyway. Only authenticated decisions are kept, never
 * beyond their expiry, so revocation through DNS takes no longer than it
 * does through the DNS cache. A fixed table of DCM_CACHE_SLOTS entries,
 * direct-mapped by the key; a collision replaces the older entry. One
 * mutex; entries hold copies.
 */
#include "certmap.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void dcm_time_now(struct dcm_time *t)
{
	struct timespec ts;

	t->wall = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t->mono_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct dcm_slot {
	uint8_t key[DCM_KEY_LEN];
	int used;            /* 0: empty */
	time_t wall_expiry;  /* expired when time() >= this */
	int64_t mono_expiry; /* expired when CLOCK_MONOTONIC ms >= this */
	char *dn;
	char *identity;
};

struct dcm_cache {
	pthread_mutex_t lk;
	size_t n; /* slots, a power of two */
	struct dcm_slot *slots;
};

int dcm_cache_new(size_t slots, struct dcm_cache **out)
{
	struct dcm_cache *c = NULL;
	size_t n = 1;
	int r = DCM_ERR_INVALID;

	*out = NULL;
	if (slots == 0 || slots > (1u << 20))
		goto out;
	while (n < slots)
		n <<= 1;
	r = DCM_ERR_NOMEM;
	if ((c = calloc(1, sizeof *c)) == NULL ||
	    (c->slots = calloc(n, sizeof *c->slots)) == NULL)
		goto out;
	if (pthread_mutex_init(&c->lk, NULL) != 0) {
		free(c->slots);
		c->slots = NULL;
		goto out;
	}
	c->n = n;
	*out = c;
	c = NULL;
	r = DCM_OK;
out:
	if (c != NULL)
		free(c->slots);
	free(c);
	return r;
}

static void dcm_slot_clear(struct dcm_slot *s)
{
	free(s->dn);
	free(s->identity);
	memset(s, 0, sizeof *s);
}

void dcm_cache_free(struct dcm_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		dcm_slot_clear(&c->slots[i]);
	pthread_mutex_destroy(&c->lk);
	free(c->slots);
	free(c);
}

int dcm_chain_key(const struct dcm_chain *chain, uint8_t key[DCM_KEY_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int len = 0;
	int ok;

	ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	for (size_t i = 0; ok && i < chain->n; i++) {
		uint8_t l[4] = {(uint8_t)(chain->len[i] >> 24),
		                (uint8_t)(chain->len[i] >> 16),
		                (uint8_t)(chain->len[i] >> 8),
		                (uint8_t)chain->len[i]};

		/* each certificate with its length: no two chains alike */
		ok = EVP_DigestUpdate(md, l, sizeof l) &&
		     EVP_DigestUpdate(md, chain->der[i], chain->len[i]);
	}
	ok = ok && EVP_DigestFinal_ex(md, key, &len) && len == DCM_KEY_LEN;
	EVP_MD_CTX_free(md);
	return ok ? DCM_OK : DCM_ERR_TLS;
}

static struct dcm_slot *dcm_slot_of(struct dcm_cache *c,
                                    const uint8_t key[DCM_KEY_LEN])
{
	size_t h = (size_t)key[0] | (size_t)key[1] << 8 | (size_t)key[2] << 16 |
	           (size_t)key[3] << 24;

	return &c->slots[h & (c->n - 1)];
}

static int dcm_slot_expired(const struct dcm_slot *s,
                            const struct dcm_time *now)
{
	return now->wall >= s->wall_expiry || now->mono_ms >= s->mono_expiry;
}

int dcm_cache_get(struct dcm_cache *c, const uint8_t key[DCM_KEY_LEN],
                  const struct dcm_time *now, char **dn, char **identity)
{
	struct dcm_slot *s;
	int hit = 0;

	*dn = NULL;
	*identity = NULL;
	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->lk);
	s = dcm_slot_of(c, key);
	if (s->used && memcmp(s->key, key, DCM_KEY_LEN) == 0) {
		if (dcm_slot_expired(s, now)) {
			dcm_slot_clear(s);
		} else {
			*dn = strdup(s->dn);
			*identity = strdup(s->identity);
			hit = *dn != NULL && *identity != NULL;
		}
	}
	pthread_mutex_unlock(&c->lk);
	if (!hit) {
		free(*dn);
		free(*identity);
		*dn = NULL;
		*identity = NULL;
	}
	return hit;
}

void dcm_cache_put(struct dcm_cache *c, const uint8_t key[DCM_KEY_LEN],
                   const char *dn, const char *identity,
                   const struct dcm_time *since, uint32_t ttl)
{
	struct dcm_slot *s, fresh;

	if (c == NULL || ttl == 0)
		return;
	memset(&fresh, 0, sizeof fresh);
	if ((fresh.dn = strdup(dn)) == NULL ||
	    (fresh.identity = strdup(identity)) == NULL) {
		dcm_slot_clear(&fresh);
		return;
	}
	memcpy(fresh.key, key, DCM_KEY_LEN);
	fresh.used = 1;
	fresh.wall_expiry = since->wall + (time_t)ttl;
	fresh.mono_expiry = since->mono_ms + (int64_t)ttl * 1000;
	pthread_mutex_lock(&c->lk);
	s = dcm_slot_of(c, key);
	dcm_slot_clear(s);
	*s = fresh;
	pthread_mutex_unlock(&c->lk);
}
