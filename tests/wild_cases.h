/*
 * wild_cases.h -- the names of zone wild.test (tests/rig/fixtures.d/
 * 17-wildcard.sh) and what a TLSA lookup of each must give: secure, with
 * every record usable for the explicit names, and every record marked
 * DANCE_TLSA_WILDCARD for answers synthesised from a wildcard (or a CNAME
 * chain through one). Shared by unit_dns.c (hermetic set-up) and
 * rig_dns.c (through nsd); wild_check() asserts one answer.
 */
#ifndef DANCE_TEST_WILD_CASES_H
#define DANCE_TEST_WILD_CASES_H

#include "dance/dance.h"

#include <criterion/criterion.h>
#include <string.h>

struct wild_case {
	const char *name;   /* asked */
	const char *canon;  /* rs->name (canonical form) */
	int wildcard;       /* 1: every record DANCE_TLSA_WILDCARD */
	size_t count;       /* records in the RRset */
	const char *reason; /* part of rs->reason */
};

static const struct wild_case wild_cases[] = {
        {"_user.wild.test", "_user.wild.test", 0, 1,
         "secure TLSA records (DNSSEC validated)"},
        {"carol._user.wild.test", "carol._user.wild.test", 0, 3,
         "secure TLSA records (DNSSEC validated)"},
        {"alice._user.wild.test", "alice._user.wild.test", 1, 3,
         "synthesised from the wildcard *._user.wild.test (RRSIG labels 3 "
         "at alice._user.wild.test): wildcard owner names never "
         "authenticate users, every record unusable"},
        {"BOB._user.wild.test.", "bob._user.wild.test", 1, 3,
         "synthesised from the wildcard *._user.wild.test (RRSIG labels 3 "
         "at bob._user.wild.test)"},
        {"_user.sub.wild.test", "_user.sub.wild.test", 1, 1,
         "synthesised from the wildcard *.wild.test (RRSIG labels 2 at "
         "_user.sub.wild.test)"},
        {"_user.x.alias.wild.test", "_user.x.alias.wild.test", 1, 1,
         "reached through a CNAME at _user.x.alias.wild.test synthesised "
         "from the wildcard *.alias.wild.test (RRSIG labels 3)"},
        {"_user.cname.wild.test", "_user.cname.wild.test", 1, 1,
         "synthesised from the wildcard *.wild.test (RRSIG labels 2 at "
         "_user.sub.wild.test)"},
        {"*._user.wild.test", "\\042._user.wild.test", 1, 3,
         "the TLSA RRset at *._user.wild.test is the wildcard itself"},
};
#define N_WILD_CASES (sizeof wild_cases / sizeof wild_cases[0])

/* Assert what dance_lookup_tlsa() gave for c (how: "fresh", "cached"). */
static void wild_check(const struct wild_case *c, const char *how, int r,
                       const struct dance_tlsa_rrset *rs)
{
	cr_expect_eq(r, DANCE_OK, "%s (%s): %s", c->name, how,
	             dance_strerror(r));
	cr_assert_not_null(rs, "%s (%s)", c->name, how);
	cr_expect_str_eq(rs->name, c->canon, "%s", c->name);
	cr_expect_eq(rs->dns_class, DANCE_DNS_SECURE, "%s (%s): %s: %s",
	             c->name, how, dance_dns_class_name(rs->dns_class),
	             rs->reason);
	cr_expect_not_null(strstr(rs->reason, c->reason),
	                   "%s (%s): reason '%s'", c->name, how, rs->reason);
	cr_expect_eq(rs->count, c->count, "%s (%s): %zu records", c->name, how,
	             rs->count);
	for (size_t i = 0; i < rs->count; i++)
		cr_expect_eq(rs->records[i].problem,
		             c->wildcard ? DANCE_TLSA_WILDCARD
		                         : DANCE_TLSA_USABLE,
		             "%s (%s): record %zu: %s", c->name, how, i,
		             dance_tlsa_problem_text(rs->records[i].problem));
	cr_expect(rs->ttl > 0 && rs->ttl <= 300, "%s: ttl %u", c->name,
	          rs->ttl);
}

#endif /* DANCE_TEST_WILD_CASES_H */
