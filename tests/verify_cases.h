/*
 * verify_cases.h -- the verification cases of issue 4, shared by
 * unit_verify.c (offline: the records come from $FIX/verify/TLSA.tlsa, or
 * an RRset of the given class) and rig_verify.c (the same certificates and
 * records through DNS, from the rig's zones). Certificates and records are
 * made by tests/rig/fixtures.d/20-verify.sh (and the rig's 05-pki.sh for
 * good-ca, other-ca and the alice-* certificates of the bogus, insecure and
 * expired zones).
 */
#ifndef DANCE_TEST_VERIFY_CASES_H
#define DANCE_TEST_VERIFY_CASES_H

#include "dance/dance.h"

enum {
	VC_OFFLINE = 1, /* run by unit_verify.c */
	VC_RIG = 2,     /* run by rig_verify.c */
	VC_BOTH = 3,
};

struct verify_case {
	const char *name;       /* what the case shows */
	const char *chain;      /* PEM file in $FIX/pki: leaf first */
	const char *clientname; /* ClientName, or NULL */
	const char *tlsa;       /* offline records: $FIX/verify/TLSA.tlsa; NULL:
	                           an empty RRset of class offline_class */
	enum dance_dns_class offline_class;
	enum dance_verdict verdict; /* expected */
	const char *identity;       /* expected identity when authenticated */
	int depth;                  /* expected match depth; -2: any */
	const char *reason_has;     /* the reason contains this, or NULL */
	unsigned where;             /* VC_* */
};

#define S  DANCE_DNS_SECURE
#define SN DANCE_DNS_SECURE_NONE
#define OK DANCE_AUTHENTICATED

static const struct verify_case verify_cases[] = {
        /* ---- accepted -------------------------------------------------- */
        {"2 0 1", "v-ta201.chain.pem", NULL, "ta201", S, OK,
         "alice@ta201.good.test", 1, "DANE-TA", VC_BOTH},
        {"2 1 1", "v-ta211.chain.pem", NULL, "ta211", S, OK,
         "alice@ta211.good.test", 1, NULL, VC_BOTH},
        {"2 0 2", "v-ta202.chain.pem", NULL, "ta202", S, OK,
         "alice@ta202.good.test", 1, NULL, VC_BOTH},
        {"2 1 2", "v-ta212.chain.pem", NULL, "ta212", S, OK,
         "alice@ta212.good.test", 1, NULL, VC_BOTH},
        {"2 0 0 with the CA only in DNS", "v-ta200.pem", NULL, "ta200", S, OK,
         "alice@ta200.good.test", 1, NULL, VC_BOTH},
        {"2 1 0 bare key, CA only in DNS", "v-ta210.pem", NULL, "ta210", S, OK,
         "alice@ta210.good.test", 0, NULL, VC_BOTH},
        {"chain through an intermediate, root anchor", "v-inter.chain.pem",
         NULL, "inter", S, OK, "alice@inter.good.test", 2, NULL, VC_BOTH},
        {"chain through an intermediate, intermediate anchor",
         "v-intermid.chain.pem", NULL, "intermid", S, OK,
         "alice@intermid.good.test", 1, NULL, VC_BOTH},
        {"IDN domain: identity in U-labels", "v-idn.chain.pem", NULL, "idn", S,
         OK, "alice@m\xc3\xbcnchen.good.test", 1, NULL, VC_BOTH},
        {"uppercase uid lowercased", "v-uidupper.chain.pem", NULL, "uidupper",
         S, OK, "alice@uidupper.good.test", 1, NULL, VC_BOTH},
        {"non-ASCII uid lowercased", "v-uidutf8.chain.pem", NULL, "uidutf8", S,
         OK, "\xc3\xa9lodie@uidutf8.good.test", 1, NULL, VC_BOTH},
        {"dNSName in another case", "v-dnscase.chain.pem", NULL, "dnscase", S,
         OK, "alice@dnscase.good.test", 1, NULL, VC_BOTH},
        {"several dNSNames, the ClientName names one", "v-multi.chain.pem",
         "_user.multib.good.test", "multi", S, OK, "alice@multib.good.test", 1,
         NULL, VC_BOTH},
        {"ClientName in another case", "v-multi.chain.pem",
         "_USER.MultiB.Good.Test", "multi", S, OK, "alice@multib.good.test", 1,
         NULL, VC_BOTH},
        {"ClientName _user. + the only dNSName", "v-ta201.chain.pem",
         "_user.ta201.good.test", "ta201", S, OK, "alice@ta201.good.test", 1,
         NULL, VC_BOTH},
        {"rfc822Name at the domain", "v-mailbox.chain.pem", NULL, "mailbox", S,
         OK, "alice@mailbox.good.test", 1, NULL, VC_BOTH},
        {"SmtpUTF8Mailbox at the domain", "v-smtputf8.chain.pem", NULL,
         "smtputf8", S, OK, "j\xc3\xbcrgen@smtputf8.good.test", 1, NULL,
         VC_BOTH},
        {"uid and mailbox agree", "v-agree.chain.pem", NULL, "agree", S, OK,
         "alice@agree.good.test", 1, NULL, VC_BOTH},
        {"agility: 2 0 1 mismatch, 2 0 2 match", "v-agilok.chain.pem", NULL,
         "agilok", S, OK, "alice@agilok.good.test", 1, NULL, VC_BOTH},
        {"agility: 2 0 0 match, 2 0 2 mismatch", "v-agilfull.chain.pem", NULL,
         "agilfull", S, OK, "alice@agilfull.good.test", 1, NULL, VC_BOTH},
        {"PKIX records beside DANE-TA", "v-pkixta.chain.pem", NULL, "pkixta", S,
         OK, "alice@pkixta.good.test", 1, NULL, VC_BOTH},
        {"DANE-EE beside DANE-TA", "v-eeta.chain.pem", NULL, "eeta", S, OK,
         "alice@eeta.good.test", 1, NULL, VC_BOTH},
        {"RSA-2048 CA and leaf, SHA-256", "v-rsa2048.chain.pem", NULL,
         "rsa2048", S, OK, "alice@rsa2048.good.test", 1, NULL, VC_BOTH},
        {"CA's own self-signature SHA-1 (an anchor's is not checked)",
         "v-selfsha1.chain.pem", NULL, "selfsha1", S, OK,
         "alice@selfsha1.good.test", 1, NULL, VC_BOTH},
        {"2 1 0 of another CA's key, the CA sent too", "v-ta210chain.chain.pem",
         NULL, "ta210chain", S, OK, "alice@ta210chain.good.test", 1, NULL,
         VC_BOTH},
        {"explicit _user.wild.test beside wildcards", "wild-alice.chain.pem",
         NULL, NULL, S, OK, "alice@wild.test", 1, NULL, VC_RIG},

        /* ---- refused ----------------------------------------------------- */
        {"CA of another domain (namespace constraint)", "v-cross.chain.pem",
         NULL, "cross", S, DANCE_REFUSED_NO_MATCH, NULL, -1, "namespace",
         VC_BOTH},
        {"other.test's CA claims good.test", "v-crossrig.chain.pem", NULL,
         "goodtest", S, DANCE_REFUSED_NO_MATCH, NULL, -1,
         "good.test has no matching record at _user.good.test", VC_BOTH},
        {"records of the issuer's own name", "v-cross.chain.pem", NULL,
         "crossb", S, DANCE_REFUSED_NO_MATCH, NULL, -1, "namespace",
         VC_OFFLINE},
        {"other.test's records for a good.test certificate",
         "v-crossrig.chain.pem", NULL, "othertest", S, DANCE_REFUSED_NO_MATCH,
         NULL, -1, "_user.other.test", VC_OFFLINE},
        {"a record matching only the leaf", "v-leafonly.chain.pem", NULL,
         "leafonly", S, DANCE_REFUSED_NO_MATCH, NULL, -1, NULL, VC_BOTH},
        {"self-signed leaf as its own DANE-TA", "v-leafself.pem", NULL,
         "leafself", S, DANCE_REFUSED_NO_MATCH, NULL, -1, NULL, VC_BOTH},
        {"self-signed leaf, 2 1 0 of its own key", "v-selfkey.pem", NULL,
         "selfkey", S, DANCE_REFUSED_NO_MATCH, NULL, -1, "leaf's own key",
         VC_BOTH},
        {"self-signed leaf, 2 1 1 of its own key", "v-selfkeyh.pem", NULL,
         "selfkeyh", S, DANCE_REFUSED_NO_MATCH, NULL, -1, NULL, VC_BOTH},
        {"CA certificate holding the leaf's own key", "v-cakey.chain.pem", NULL,
         "cakey", S, DANCE_REFUSED_NO_MATCH, NULL, -1, "leaf's own key",
         VC_BOTH},
        {"leaf signed with MD5", "v-weakmd5.chain.pem", NULL, "weakmd5", S,
         DANCE_REFUSED_NO_MATCH, NULL, -1, "digest algorithm too weak",
         VC_BOTH},
        {"leaf signed with SHA-1", "v-weaksha1.chain.pem", NULL, "weaksha1", S,
         DANCE_REFUSED_NO_MATCH, NULL, -1, "digest algorithm too weak",
         VC_BOTH},
        {"intermediate signed with SHA-1", "v-weakmidsha1.chain.pem", NULL,
         "weakmidsha1", S, DANCE_REFUSED_NO_MATCH, NULL, -1,
         "digest algorithm too weak", VC_BOTH},
        {"RSA-1024 CA", "v-weakca1024.chain.pem", NULL, "weakca1024", S,
         DANCE_REFUSED_NO_MATCH, NULL, -1, "CA certificate key too weak",
         VC_BOTH},
        {"P-192 CA", "v-weakcap192.chain.pem", NULL, "weakcap192", S,
         DANCE_REFUSED_NO_MATCH, NULL, -1, "CA certificate key too weak",
         VC_BOTH},
        {"RSA-1024 leaf", "v-weakleaf1024.chain.pem", NULL, "weakleaf1024", S,
         DANCE_REFUSED_NO_MATCH, NULL, -1, "EE certificate key too weak",
         VC_BOTH},
        {"P-192 leaf", "v-weakleafp192.chain.pem", NULL, "weakleafp192", S,
         DANCE_REFUSED_NO_MATCH, NULL, -1, "EE certificate key too weak",
         VC_BOTH},
        {"RSA-1024 CA self-signed with SHA-1, leaf signed with SHA-1",
         "v-weakreview.chain.pem", NULL, "weakreview", S,
         DANCE_REFUSED_NO_MATCH, NULL, -1, "security level 2", VC_BOTH},
        {"2 1 0 of an RSA-1024 key, leaf alone", "v-weakbare1024.pem", NULL,
         "weakbare1024", S, DANCE_REFUSED_NO_MATCH, NULL, -1,
         "CA certificate key too weak", VC_BOTH},
        {"2 1 0 anchor, leaf alone signed with SHA-1", "v-weakbaresha1.pem",
         NULL, "weakbaresha1", S, DANCE_REFUSED_NO_MATCH, NULL, -1,
         "digest algorithm too weak", VC_BOTH},
        {"expired leaf", "v-expired.chain.pem", NULL, "expired", S,
         DANCE_REFUSED_NO_MATCH, NULL, -1, "expired", VC_BOTH},
        {"leaf not yet valid", "v-future.chain.pem", NULL, "future", S,
         DANCE_REFUSED_NO_MATCH, NULL, -1, "not yet valid", VC_BOTH},
        {"expired CA", "v-caexpired.chain.pem", NULL, "caexpired", S,
         DANCE_REFUSED_NO_MATCH, NULL, -1, "expired", VC_BOTH},
        {"CA not yet valid", "v-cafuture.chain.pem", NULL, "cafuture", S,
         DANCE_REFUSED_NO_MATCH, NULL, -1, "not yet valid", VC_BOTH},
        {"bad signature", "v-badsig-flipped.chain.pem", NULL, "badsig", S,
         DANCE_REFUSED_NO_MATCH, NULL, -1, "signature", VC_BOTH},
        {"issuer not a CA", "v-notca.chain.pem", NULL, "notca", S,
         DANCE_REFUSED_NO_MATCH, NULL, -1, "CA", VC_BOTH},
        {"issuing CA without keyCertSign", "v-nokcs.chain.pem", NULL, "nokcs",
         S, DANCE_REFUSED_NO_MATCH, NULL, -1, NULL, VC_BOTH},
        {"rfc822Name not ASCII", "v-mboxutf8.chain.pem", NULL, "mboxutf8", S,
         DANCE_REFUSED_BAD_UID, NULL, -1, "ASCII", VC_BOTH},
        {"leaf with CA:TRUE", "v-leafca.chain.pem", NULL, "leafca", S,
         DANCE_REFUSED_BAD_CERT, NULL, -1, "CA:TRUE", VC_BOTH},
        {"EKU serverAuth only", "v-ekuserver.chain.pem", NULL, "ekuserver", S,
         DANCE_REFUSED_NO_MATCH, NULL, -1, "purpose", VC_BOTH},
        {"dNSName _user.<domain>", "v-dnsuser.chain.pem", NULL, NULL, S,
         DANCE_REFUSED_NO_DOMAIN, NULL, -1, "_user", VC_BOTH},
        {"wildcard dNSName", "v-wildcard.chain.pem", NULL, "wildcard", S,
         DANCE_REFUSED_NO_DOMAIN, NULL, -1, "wildcard", VC_BOTH},
        {"subject CN only", "v-cnonly.chain.pem", NULL, "cnonly", S,
         DANCE_REFUSED_NO_DOMAIN, NULL, -1, "CN", VC_BOTH},
        {"several dNSNames, no ClientName", "v-multi.chain.pem", NULL, "multi",
         S, DANCE_REFUSED_AMBIGUOUS_DOMAIN, NULL, -1, NULL, VC_BOTH},
        {"ClientName names no dNSName", "v-multi.chain.pem",
         "_user.other.good.test", "multi", S, DANCE_REFUSED_CLIENTID, NULL, -1,
         NULL, VC_BOTH},
        {"ClientName without _user.", "v-ta201.chain.pem", "ta201.good.test",
         "ta201", S, DANCE_REFUSED_CLIENTID, NULL, -1, NULL, VC_BOTH},
        {"no uid", "v-nouid.chain.pem", NULL, "nouid", S, DANCE_REFUSED_NO_UID,
         NULL, -1, NULL, VC_BOTH},
        {"two uids", "v-twouids.chain.pem", NULL, "twouids", S,
         DANCE_REFUSED_AMBIGUOUS_UID, NULL, -1, NULL, VC_BOTH},
        {"uid and mailbox disagree", "v-disagree.chain.pem", NULL, "disagree",
         S, DANCE_REFUSED_AMBIGUOUS_UID, NULL, -1, NULL, VC_BOTH},
        {"mailbox at another domain", "v-mboxother.chain.pem", NULL,
         "mboxother", S, DANCE_REFUSED_AMBIGUOUS_UID, NULL, -1,
         "another domain", VC_BOTH},
        {"uid with @", "v-uidat.chain.pem", NULL, "uidat", S,
         DANCE_REFUSED_BAD_UID, NULL, -1, NULL, VC_BOTH},
        {"uid with NUL", "v-uidnul.chain.pem", NULL, "uidnul", S,
         DANCE_REFUSED_BAD_UID, NULL, -1, NULL, VC_BOTH},
        {"uid with a control character", "v-uidctrl.chain.pem", NULL, "uidctrl",
         S, DANCE_REFUSED_BAD_UID, NULL, -1, NULL, VC_BOTH},
        {"uid not UTF-8", "v-uidutf8bad.chain.pem", NULL, "uidutf8bad", S,
         DANCE_REFUSED_BAD_UID, NULL, -1, NULL, VC_BOTH},
        {"empty uid", "v-uidempty.chain.pem", NULL, "uidempty", S,
         DANCE_REFUSED_BAD_UID, NULL, -1, NULL, VC_BOTH},
        {"uid not a UTF8String", "v-uidia5.chain.pem", NULL, "uidia5", S,
         DANCE_REFUSED_BAD_UID, NULL, -1, "UTF8String", VC_BOTH},
        {"uid with a leading space", "v-uidlead.chain.pem", NULL, "uidlead", S,
         DANCE_REFUSED_BAD_UID, NULL, -1, NULL, VC_BOTH},
        {"uid with a trailing space", "v-uidtrail.chain.pem", NULL, "uidtrail",
         S, DANCE_REFUSED_BAD_UID, NULL, -1, NULL, VC_BOTH},
        {"uid with a space inside", "v-uidinner.chain.pem", NULL, "uidinner", S,
         DANCE_REFUSED_BAD_UID, NULL, -1, NULL, VC_BOTH},
        {"uid with a no-break space", "v-uidnbsp.chain.pem", NULL, "uidnbsp", S,
         DANCE_REFUSED_BAD_UID, NULL, -1, NULL, VC_BOTH},
        {"uid with an ideographic space", "v-uidideo.chain.pem", NULL,
         "uidideo", S, DANCE_REFUSED_BAD_UID, NULL, -1, NULL, VC_BOTH},
        {"PKIX-only records at _user", "v-pkixonly.chain.pem", NULL, "pkixonly",
         S, DANCE_REFUSED_UNUSABLE, NULL, -1, NULL, VC_BOTH},
        {"DANE-EE at _user itself", "v-eeonly.chain.pem", NULL, "eeonly", S,
         DANCE_REFUSED_UNUSABLE, NULL, -1, "DANE-EE", VC_BOTH},
        {"only unusable records", "v-unusable.chain.pem", NULL, "unusable", S,
         DANCE_REFUSED_UNUSABLE, NULL, -1, NULL, VC_BOTH},
        /* zone wild.test (17-wildcard.sh): the CA's record is there, but
         * synthesised from a wildcard, so every record is unusable */
        {"_user.sub.wild.test from *.wild.test", "wild-sub-alice.chain.pem",
         NULL, NULL, S, DANCE_REFUSED_UNUSABLE, NULL, -1,
         "are synthesised from a wildcard owner name (or not proven "
         "otherwise): secure TLSA records, but synthesised from the "
         "wildcard *.wild.test (",
         VC_RIG},
        {"CNAME synthesised from *.alias.wild.test",
         "wild-alias-alice.chain.pem", NULL, NULL, S, DANCE_REFUSED_UNUSABLE,
         NULL, -1, "synthesised from the wildcard *.alias.wild.test (", VC_RIG},
        {"explicit CNAME to a synthesised RRset", "wild-cname-alice.chain.pem",
         NULL, NULL, S, DANCE_REFUSED_UNUSABLE, NULL, -1,
         "synthesised from the wildcard *.wild.test (", VC_RIG},
        {"agility: 2 0 1 match, 2 0 2 mismatch", "v-agilbad.chain.pem", NULL,
         "agilbad", S, DANCE_REFUSED_NO_MATCH, NULL, -1, NULL, VC_BOTH},
        {"NXDOMAIN", "v-nxdomain.chain.pem", NULL, NULL, SN,
         DANCE_REFUSED_NO_TLSA, NULL, -1, NULL, VC_BOTH},
        {"NODATA", "v-nodata.chain.pem", NULL, NULL, SN, DANCE_REFUSED_NO_TLSA,
         NULL, -1, NULL, VC_BOTH},
        {"bogus", "alice-bogus.chain.pem", NULL, NULL, DANCE_DNS_BOGUS,
         DANCE_REFUSED_BOGUS, NULL, -1, NULL, VC_BOTH},
        {"insecure", "alice-insecure.chain.pem", NULL, NULL, DANCE_DNS_INSECURE,
         DANCE_REFUSED_INSECURE, NULL, -1, NULL, VC_BOTH},
        {"expired signatures", "alice-expired.chain.pem", NULL, NULL,
         DANCE_DNS_BOGUS, DANCE_REFUSED_BOGUS, NULL, -1, NULL, VC_BOTH},
};

#undef S
#undef SN
#undef OK

#define N_VERIFY_CASES (sizeof verify_cases / sizeof verify_cases[0])

/* Per-user records (dance_verify_user_chain). */
struct user_case {
	const char *name;
	const char *chain; /* PEM file in $FIX/pki */
	const char *uid;   /* expected uid */
	const char *tlsa;  /* offline records: $FIX/verify/TLSA.tlsa */
	enum dance_verdict verdict;
	const char *identity;
	unsigned where;
};

static const struct user_case user_cases[] = {
        {"own key, 3 1 1", "v-carol.pem", "carol", "carol", DANCE_AUTHENTICATED,
         "carol@good.test", VC_BOTH},
        {"own certificate, 3 0 1", "v-dave.pem", "dave", "dave",
         DANCE_AUTHENTICATED, "dave@good.test", VC_BOTH},
        {"expected uid in another case", "v-carol.pem", "Carol", "carol",
         DANCE_AUTHENTICATED, "carol@good.test", VC_BOTH},
        {"another user's key", "v-erin.pem", "carol", "carol",
         DANCE_REFUSED_NO_MATCH, NULL, VC_BOTH},
        {"DANE-TA at a user's name", "v-erin.pem", "erin", "erin",
         DANCE_REFUSED_UNUSABLE, NULL, VC_BOTH},
        {"records of another user", "v-carol.pem", "dave", "carol",
         DANCE_REFUSED_WRONG_USER, NULL, VC_OFFLINE},
        {"another user's records in DNS", "v-carol.pem", "dave", "dave",
         DANCE_REFUSED_NO_MATCH, NULL, VC_BOTH},
        {"uid with @", "v-carol.pem", "carol@good.test", "carol",
         DANCE_REFUSED_BAD_UID, NULL, VC_BOTH},
        {"uid with a leading space", "v-carol.pem", " carol", "carol",
         DANCE_REFUSED_BAD_UID, NULL, VC_BOTH},
        {"uid with a trailing space", "v-carol.pem", "carol ", "carol",
         DANCE_REFUSED_BAD_UID, NULL, VC_BOTH},
        {"own RSA-1024 key (security level 2)", "v-frank.pem", "frank", "frank",
         DANCE_REFUSED_NO_MATCH, NULL, VC_BOTH},
        {"uid no DNS label can hold", "v-carol.pem",
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         "carol", DANCE_REFUSED_BAD_UID, NULL, VC_BOTH},
};

#define N_USER_CASES (sizeof user_cases / sizeof user_cases[0])

#endif /* DANCE_TEST_VERIFY_CASES_H */
