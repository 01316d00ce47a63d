/*
 * unit_akc_decide.c -- what dance-authorized-keys prints and why
 * (sshd/decide.c), offline: authorization files, offered keys and
 * certificates from akc_vectors.h, and DNS answers built by hand for every
 * answer class, record kind and digest-agility rule.
 *
 * Record text may use placeholders, replaced by hex of the SPKI (0) or its
 * SHA-256 (1) / SHA-512 (2): %KEY0-2% the offered ed25519 key (ED_KEY),
 * %OTHER0-2% another key (ECDSA_KEY), %CA0-2% the ed25519 SSH CA (ED_CA),
 * %RSACA0-2% the RSA CA (RSA_CA). Expected output may use %KEYB64% and
 * %CAB64%.
 */
#include "akc.h"
#include "internal.h"

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "akc_vectors.h"

#define NOW_DEFAULT 1700000000L /* 2023-11-14, inside ED_CERT's validity */

struct rr_spec {
	const char *name;
	enum dance_dns_class cls;
	int err;             /* DANCE_OK, or what the lookup returned */
	const char *records; /* "u s m hex" lines; "": an empty RRset (as for
	                        NXDOMAIN); NULL: no RRset at all */
};

struct decide_case {
	const char *name;
	const char *file;     /* the authorization file */
	const char *type;     /* offered key type, NULL: list keys */
	const char *b64;      /* offered key */
	long now;             /* 0: NOW_DEFAULT */
	int no_ca;            /* 1: good.test is not an ssh-ca-domain */
	struct rr_spec rr[3]; /* answers */
	enum akc_verdict verdict;
	const char *out;    /* expected output exactly ("" if NULL) */
	const char *reason; /* a substring of the reason */
};

/* ---- placeholders -------------------------------------------------------- */

static char *hex(const uint8_t *p, size_t n)
{
	char *s = malloc(2 * n + 1);

	cr_assert_not_null(s);
	for (size_t i = 0; i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", p[i]);
	return s;
}

/* hex of the SPKI of an OpenSSH key (mtype 0), or of its digest. */
static char *spki_hex(const char *type, const char *b64, int mtype)
{
	uint8_t *spki = NULL, md[EVP_MAX_MD_SIZE];
	size_t len = 0;
	unsigned mdlen = 0;
	char *s;

	cr_assert_eq(dance_sshkey_text_to_spki(type, b64, &spki, &len),
	             DANCE_OK);
	if (mtype == 0) {
		s = hex(spki, len);
	} else {
		cr_assert_eq(
		        EVP_Digest(spki, len, md, &mdlen,
		                   mtype == 1 ? EVP_sha256() : EVP_sha512(),
		                   NULL),
		        1);
		s = hex(md, mdlen);
	}
	free(spki);
	return s;
}

/* Replace every %NAME% of t (malloc'd result). */
static char *expand(const char *t)
{
	static const struct {
		const char *tag, *type, *b64;
	} keys[] = {
	        {"KEY", "ssh-ed25519", ED_KEY},
	        {"OTHER", "ecdsa-sha2-nistp256", ECDSA_KEY},
	        {"CA", "ssh-ed25519", ED_CA},
	        {"RSACA", "ssh-rsa", RSA_CA},
	};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(f);
	while (*t) {
		const char *end;
		int done = 0;
		if (*t != '%' || (end = strchr(t + 1, '%')) == NULL) {
			fputc(*t++, f);
			continue;
		}
		for (size_t k = 0; !done && k < sizeof keys / sizeof keys[0];
		     k++) {
			size_t tl = strlen(keys[k].tag);
			char *h = NULL;
			if ((size_t)(end - t - 1) == tl + 1 &&
			    strncmp(t + 1, keys[k].tag, tl) == 0 &&
			    t[1 + tl] >= '0' && t[1 + tl] <= '2')
				h = spki_hex(keys[k].type, keys[k].b64,
				             t[1 + tl] - '0');
			else if ((size_t)(end - t - 1) == tl + 3 &&
			         strncmp(t + 1, keys[k].tag, tl) == 0 &&
			         strncmp(t + 1 + tl, "B64", 3) == 0)
				h = strdup(keys[k].b64);
			if (h != NULL) {
				fputs(h, f);
				free(h);
				done = 1;
			}
		}
		if (!done) {
			fputc(*t++, f);
			continue;
		}
		t = end + 1;
	}
	fclose(f);
	return out;
}

/* ---- running a case ------------------------------------------------------ */

static struct dance_tlsa_rrset *make_rrset(const struct rr_spec *r)
{
	struct dance_tlsa_rrset *rs = NULL;
	char err[256], *text;

	if (r->records == NULL)
		return NULL;
	if (r->records[0] == '\0') {
		rs = calloc(1, sizeof *rs);
		cr_assert_not_null(rs);
		rs->name = strdup(r->name);
		rs->dns_class = r->cls;
		rs->reason = strdup(dance_dns_class_name(r->cls));
		return rs;
	}
	text = expand(r->records);
	cr_assert_eq(dance_tlsa_rrset_from_text(r->name, text, 300, &rs, err,
	                                        sizeof err),
	             DANCE_OK, "%s: %s", r->name, err);
	free(text);
	rs->dns_class = r->cls;
	free(rs->reason);
	rs->reason = strdup(dance_dns_class_name(r->cls));
	return rs;
}

static void load_file(const char *text, struct akc_file *f)
{
	cr_assert_eq(akc_authfile_parse(text, strlen(text), f, NULL, NULL),
	             DANCE_OK);
	for (size_t i = 0; i < f->n; i++) {
		struct akc_entry *e = &f->entries[i];
		if (e->kind == AKC_IDENT_USER)
			cr_assert_eq(dance_user_owner(NULL, e->uid, e->domain,
			                              DANCE_LABEL_PLAIN,
			                              &e->owner),
			             DANCE_OK);
	}
}

static void run_case(const struct decide_case *c)
{
	static const char *const ca[] = {"good.test"};
	struct dance_tlsa_rrset *rrsets[3] = {NULL, NULL, NULL};
	struct akc_answer answers[3];
	struct akc_offer offer;
	struct akc_file file;
	struct akc_decision d;
	struct akc_input in;
	char why[256];
	size_t n = 0;

	memset(&offer, 0, sizeof offer);
	if (c->type != NULL)
		cr_assert_eq(akc_offer_load(c->type, c->b64, &offer, why,
		                            sizeof why),
		             DANCE_OK, "%s: %s", c->name, why);
	load_file(c->file, &file);
	for (; n < 3 && c->rr[n].name != NULL; n++) {
		rrsets[n] = make_rrset(&c->rr[n]);
		answers[n].name = c->rr[n].name;
		answers[n].rrset = rrsets[n];
		answers[n].err = c->rr[n].err;
	}
	memset(&in, 0, sizeof in);
	in.account = "acct";
	in.file = &file;
	in.offer = &offer;
	in.ca_domains = c->no_ca ? NULL : ca;
	in.nca = c->no_ca ? 0 : 1;
	in.answers = answers;
	in.nanswers = n;
	in.now = c->now ? c->now : NOW_DEFAULT;
	cr_assert_eq(akc_decide(&in, &d), DANCE_OK, "%s", c->name);
	cr_expect_eq(d.verdict, c->verdict, "%s: verdict %d (%s)", c->name,
	             d.verdict, d.reason);
	{
		char *want = expand(c->out ? c->out : "");
		cr_expect_str_eq(d.output, want, "%s", c->name);
		cr_expect_eq(d.outlen, strlen(want), "%s", c->name);
		free(want);
	}
	if (c->reason != NULL)
		cr_expect(strstr(d.reason, c->reason) != NULL,
		          "%s: reason '%s' lacks '%s'", c->name, d.reason,
		          c->reason);
	if (d.verdict == AKC_REFUSED)
		cr_expect_eq(d.outlen, 0, "%s: a refusal printed", c->name);
	akc_decision_clear(&d);
	akc_authfile_clear(&file);
	akc_offer_clear(&offer);
	for (size_t i = 0; i < n; i++)
		dance_tlsa_rrset_free(rrsets[i]);
}

#define ALICE "alice._user.good.test"
#define CAN   "_user.good.test"
#define SEC   DANCE_DNS_SECURE
#define KEY   "ssh-ed25519", ED_KEY

/* ---- plain keys ------------------------------------------------------------ */

static const struct decide_case key_cases[] = {
        {"3 1 1 match",
         "alice@good.test",
         KEY,
         0,
         0,
         {{ALICE, SEC, DANCE_OK, "3 1 1 %KEY1%"}},
         AKC_ACCEPTED,
         "ssh-ed25519 %KEYB64% dance:alice@good.test\n",
         "3 1 1 record at " ALICE},
        {"3 1 2 match with options",
         "no-pty,from=\"10.0.0.0/8\" alice@good.test",
         KEY,
         0,
         0,
         {{ALICE, SEC, DANCE_OK, "3 1 2 %KEY2%"}},
         AKC_ACCEPTED,
         "no-pty,from=\"10.0.0.0/8\" ssh-ed25519 %KEYB64% "
         "dance:alice@good.test\n",
         "3 1 2"},
        {"3 1 0 match",
         "alice@good.test",
         KEY,
         0,
         0,
         {{ALICE, SEC, DANCE_OK, "3 1 0 %KEY0%"}},
         AKC_ACCEPTED,
         "ssh-ed25519 %KEYB64% dance:alice@good.test\n",
         "3 1 0"},
        {"match among others",
         "alice@good.test",
         KEY,
         0,
         0,
         {{ALICE, SEC, DANCE_OK, "3 1 1 %OTHER1%\n3 1 1 %KEY1%"}},
         AKC_ACCEPTED,
         "ssh-ed25519 %KEYB64% dance:alice@good.test\n",
         NULL},
        {"owner name entry",
         "alice._user.good.test.",
         KEY,
         0,
         0,
         {{ALICE, SEC, DANCE_OK, "3 1 1 %KEY1%"}},
         AKC_ACCEPTED,
         "ssh-ed25519 %KEYB64% dance:alice._user.good.test.\n",
         NULL},
        {"second entry matches, its options",
         "bob@good.test\n"
         "restrict alice@good.test",
         KEY,
         0,
         0,
         {{"bob._user.good.test", SEC, DANCE_OK, "3 1 1 %OTHER1%"},
          {ALICE, SEC, DANCE_OK, "3 1 1 %KEY1%"}},
         AKC_ACCEPTED,
         "restrict ssh-ed25519 %KEYB64% dance:alice@good.test\n",
         NULL},
        {"first matching entry wins",
         "no-pty alice@good.test\n"
         "alice._user.good.test.",
         KEY,
         0,
         0,
         {{ALICE, SEC, DANCE_OK, "3 1 1 %KEY1%"}},
         AKC_ACCEPTED,
         "no-pty ssh-ed25519 %KEYB64% dance:alice@good.test\n",
         NULL},
        /* refusals */
        {"digest agility: SHA-256 ignored next to SHA-512",
         "alice@good.test",
         KEY,
         0,
         0,
         {{ALICE, SEC, DANCE_OK, "3 1 1 %KEY1%\n3 1 2 %OTHER2%"}},
         AKC_REFUSED,
         NULL,
         "alice@good.test: no-match"},
        {"other key",
         "alice@good.test",
         KEY,
         0,
         0,
         {{ALICE, SEC, DANCE_OK, "3 1 1 %OTHER1%"}},
         AKC_REFUSED,
         NULL,
         "no-match"},
        {"DANE-TA at a user's name",
         "alice@good.test",
         KEY,
         0,
         0,
         {{ALICE, SEC, DANCE_OK, "2 1 1 %KEY1%"}},
         AKC_REFUSED,
         NULL,
         "alice@good.test: unusable-records"},
        {"selector 0 at a user's name",
         "alice@good.test",
         KEY,
         0,
         0,
         {{ALICE, SEC, DANCE_OK, "3 0 1 %KEY1%"}},
         AKC_REFUSED,
         NULL,
         "unusable-records"},
        {"PKIX-EE",
         "alice@good.test",
         KEY,
         0,
         0,
         {{ALICE, SEC, DANCE_OK, "1 1 1 %KEY1%"}},
         AKC_REFUSED,
         NULL,
         "unusable-records"},
        {"bogus even with matching data",
         "alice@good.test",
         KEY,
         0,
         0,
         {{ALICE, DANCE_DNS_BOGUS, DANCE_OK, "3 1 1 %KEY1%"}},
         AKC_REFUSED,
         NULL,
         "alice@good.test: bogus"},
        {"insecure even with matching data",
         "alice@good.test",
         KEY,
         0,
         0,
         {{ALICE, DANCE_DNS_INSECURE, DANCE_OK, "3 1 1 %KEY1%"}},
         AKC_REFUSED,
         NULL,
         "alice@good.test: insecure"},
        {"secure NXDOMAIN",
         "alice@good.test",
         KEY,
         0,
         0,
         {{ALICE, DANCE_DNS_SECURE_NONE, DANCE_OK, ""}},
         AKC_REFUSED,
         NULL,
         "alice@good.test: no-tlsa"},
        {"secure but empty",
         "alice@good.test",
         KEY,
         0,
         0,
         {{ALICE, SEC, DANCE_OK, ""}},
         AKC_REFUSED,
         NULL,
         "unusable-records"},
        {"timeout",
         "alice@good.test",
         KEY,
         0,
         0,
         {{ALICE, DANCE_DNS_INDETERMINATE, DANCE_ERR_DNS_TIMEOUT, NULL}},
         AKC_REFUSED,
         NULL,
         "alice@good.test: temporary-failure"},
        {"indeterminate with records",
         "alice@good.test",
         KEY,
         0,
         0,
         {{ALICE, DANCE_DNS_INDETERMINATE, DANCE_OK, "3 1 1 %KEY1%"}},
         AKC_REFUSED,
         NULL,
         "temporary-failure"},
        {"not allowed",
         "alice@good.test",
         KEY,
         0,
         0,
         {{ALICE, SEC, DANCE_ERR_NOT_ALLOWED, NULL}},
         AKC_REFUSED,
         NULL,
         "alice@good.test: not-allowed"},
        {"not looked up",
         "alice@good.test",
         KEY,
         0,
         0,
         {{NULL}},
         AKC_REFUSED,
         NULL,
         "not looked up"},
        {"empty file",
         "# nobody\n",
         KEY,
         0,
         0,
         {{NULL}},
         AKC_REFUSED,
         NULL,
         "lists no identity"},
        {"CA record does not admit a plain key",
         "alice@good.test",
         KEY,
         0,
         0,
         {{CAN, SEC, DANCE_OK, "2 1 0 %KEY0%"},
          {ALICE, DANCE_DNS_SECURE_NONE, DANCE_OK, ""}},
         AKC_REFUSED,
         NULL,
         "alice@good.test: no-tlsa"},
};

Test(decide, plain_keys)
{
	for (size_t i = 0; i < sizeof key_cases / sizeof key_cases[0]; i++)
		run_case(&key_cases[i]);
}

/* ---- certificates ----------------------------------------------------------- */

#define CERT ED_CERT_TYPE, ED_CERT
#define CA_LINE(opts)                                                        \
	"cert-authority,principals=\"alice@good.test\"" opts " ssh-ed25519 " \
	"%CAB64% dance-ca:alice@good.test\n"

static const struct decide_case cert_cases[] = {
        {"CA 2 1 0",
         "alice@good.test",
         CERT,
         0,
         0,
         {{CAN, SEC, DANCE_OK, "2 1 0 %CA0%"}},
         AKC_ACCEPTED,
         CA_LINE(""),
         "CA key matches 2 1 0 record at " CAN},
        {"CA 2 1 0 with options",
         "no-pty alice@good.test",
         CERT,
         0,
         0,
         {{CAN, SEC, DANCE_OK, "2 1 0 %CA0%"}},
         AKC_ACCEPTED,
         CA_LINE(",no-pty"),
         "certificate id \"alice-id\""},
        {"CA 2 1 0 next to the X.509 CA's records",
         "alice@good.test",
         CERT,
         0,
         0,
         {{CAN, SEC, DANCE_OK,
           "2 0 1 00112233445566778899aabbccddeeff"
           "00112233445566778899aabbccddeeff\n"
           "2 1 1 %RSACA1%\n"
           "2 1 0 %CA0%"}},
         AKC_ACCEPTED,
         CA_LINE(""),
         NULL},
        {"principal listed second",
         "bob@good.test\nalice@good.test",
         CERT,
         0,
         0,
         {{CAN, SEC, DANCE_OK, "2 1 0 %CA0%"}},
         AKC_ACCEPTED,
         CA_LINE(""),
         NULL},
        /* refusals */
        /* Only 2 1 0 names an SSH CA key: what "dance tlsa ca" publishes
         * for the X.509 user CA (2 0 1, 2 1 1) never signs SSH
         * certificates, even when it is the same key. */
        {"CA key published as 2 1 1 only",
         "alice@good.test",
         CERT,
         0,
         0,
         {{CAN, SEC, DANCE_OK, "2 1 1 %CA1%"}},
         AKC_REFUSED,
         NULL,
         "alice@good.test: unusable-records (no 2 1 0 record (SSH CA key) "
         "at " CAN "; 1 other DANE-TA record(s) ignored"},
        {"CA key published as 2 1 2 only",
         "alice@good.test",
         CERT,
         0,
         0,
         {{CAN, SEC, DANCE_OK, "2 1 2 %CA2%"}},
         AKC_REFUSED,
         NULL,
         "unusable-records"},
        {"CA key as 2 1 1 and 2 1 2",
         "alice@good.test",
         CERT,
         0,
         0,
         {{CAN, SEC, DANCE_OK, "2 1 1 %CA1%\n2 1 2 %CA2%"}},
         AKC_REFUSED,
         NULL,
         "2 other DANE-TA record(s) ignored"},
        {"CA key as 2 0 0 (selector 0)",
         "alice@good.test",
         CERT,
         0,
         0,
         {{CAN, SEC, DANCE_OK, "2 0 0 %CA0%"}},
         AKC_REFUSED,
         NULL,
         "unusable-records"},
        {"CA key as 2 1 1 next to another 2 1 0",
         "alice@good.test",
         CERT,
         0,
         0,
         {{CAN, SEC, DANCE_OK, "2 1 1 %CA1%\n2 1 0 %RSACA0%"}},
         AKC_REFUSED,
         NULL,
         "alice@good.test: no-match (certificate's CA key matches none of "
         "1 2 1 0 record(s) at " CAN " (other DANE-TA records are not SSH "
         "CA keys))"},
        {"CA key with a trailing octet",
         "alice@good.test",
         CERT,
         0,
         0,
         {{CAN, SEC, DANCE_OK, "2 1 0 %CA0%00"}},
         AKC_REFUSED,
         NULL,
         "no-match"},
        {"another CA",
         "alice@good.test",
         CERT,
         0,
         0,
         {{CAN, SEC, DANCE_OK, "2 1 0 %RSACA0%"}},
         AKC_REFUSED,
         NULL,
         "no-match"},
        {"CA key as DANE-EE",
         "alice@good.test",
         CERT,
         0,
         0,
         {{CAN, SEC, DANCE_OK, "3 1 0 %CA0%"}},
         AKC_REFUSED,
         NULL,
         "unusable-records"},
        {"CA bogus",
         "alice@good.test",
         CERT,
         0,
         0,
         {{CAN, DANCE_DNS_BOGUS, DANCE_OK, "2 1 0 %CA0%"}},
         AKC_REFUSED,
         NULL,
         "alice@good.test: bogus"},
        {"CA insecure",
         "alice@good.test",
         CERT,
         0,
         0,
         {{CAN, DANCE_DNS_INSECURE, DANCE_OK, "2 1 0 %CA0%"}},
         AKC_REFUSED,
         NULL,
         "insecure"},
        {"not an ssh-ca-domain",
         "alice@good.test",
         CERT,
         0,
         1,
         {{CAN, SEC, DANCE_OK, "2 1 0 %CA0%"}},
         AKC_REFUSED,
         NULL,
         "not an ssh-ca-domain"},
        {"wrong principal",
         "bob@good.test",
         CERT,
         0,
         0,
         {{CAN, SEC, DANCE_OK, "2 1 0 %CA0%"}},
         AKC_REFUSED,
         NULL,
         "no principal of the certificate (alice@good.test,alice)"},
        {"owner entries never match certificates",
         "alice._user.good.test.",
         CERT,
         0,
         0,
         {{CAN, SEC, DANCE_OK, "2 1 0 %CA0%"}},
         AKC_REFUSED,
         NULL,
         "no principal"},
        {"user's own record does not admit a certificate",
         "alice@good.test",
         CERT,
         0,
         0,
         {{ALICE, SEC, DANCE_OK, "3 1 0 %KEY0%"}},
         AKC_REFUSED,
         NULL,
         "not looked up"},
        {"not yet valid",
         "alice@good.test",
         CERT,
         1500000000L,
         0,
         {{CAN, SEC, DANCE_OK, "2 1 0 %CA0%"}},
         AKC_REFUSED,
         NULL,
         "certificate not yet valid"},
        {"expired",
         "alice@good.test",
         CERT,
         4102358400L,
         0,
         {{CAN, SEC, DANCE_OK, "2 1 0 %CA0%"}},
         AKC_REFUSED,
         NULL,
         "certificate expired"},
        {"host certificate",
         "host.good.test@good.test",
         RSA_CERT_TYPE,
         RSA_HOST_CERT,
         0,
         0,
         {{CAN, SEC, DANCE_OK, "2 1 0 %CA0%"}},
         AKC_REFUSED,
         NULL,
         "not a user certificate"},
};

Test(decide, certificates)
{
	for (size_t i = 0; i < sizeof cert_cases / sizeof cert_cases[0]; i++)
		run_case(&cert_cases[i]);
}

/* akc_ta_match itself: the full key of a 2 1 0 record, octet for octet;
 * nothing else. */
struct ta_case {
	const char *name;
	const char *records;
	int cut;    /* offer the CA's SPKI shortened by this many octets */
	int extend; /* ... or with this many octets appended */
	int matched;
	int index;
};

Test(decide, ta_match)
{
	static const struct ta_case cases[] = {
	        {"2 1 0", "2 1 0 %CA0%", 0, 0, 1, 0},
	        {"2 1 0 second", "2 1 0 %RSACA0%\n2 1 0 %CA0%", 0, 0, 1, 1},
	        {"2 1 1", "2 1 1 %CA1%", 0, 0, 0, -1},
	        {"2 1 2", "2 1 2 %CA2%", 0, 0, 0, -1},
	        {"2 0 0 with the key's octets", "2 0 0 %CA0%", 0, 0, 0, -1},
	        {"3 1 0", "3 1 0 %CA0%", 0, 0, 0, -1},
	        {"0 1 0", "0 1 0 %CA0%", 0, 0, 0, -1},
	        {"1 1 0", "1 1 0 %CA0%", 0, 0, 0, -1},
	        {"another key", "2 1 0 %RSACA0%", 0, 0, 0, -1},
	        {"offer shorter", "2 1 0 %CA0%", 1, 0, 0, -1},
	        {"offer longer", "2 1 0 %CA0%", 0, 1, 0, -1},
	        {"record longer", "2 1 0 %CA0%00", 0, 0, 0, -1},
	};
	uint8_t *spki = NULL, *buf;
	size_t len = 0;

	cr_assert_eq(
	        dance_sshkey_text_to_spki("ssh-ed25519", ED_CA, &spki, &len),
	        DANCE_OK);
	buf = calloc(1, len + 1);
	cr_assert_not_null(buf);
	memcpy(buf, spki, len);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct ta_case *c = &cases[i];
		struct rr_spec rs = {CAN, SEC, DANCE_OK, c->records};
		struct dance_tlsa_rrset *rr = make_rrset(&rs);
		int matched = -1, index = -2;
		cr_expect_eq(
		        akc_ta_match(rr, buf,
		                     len - (size_t)c->cut + (size_t)c->extend,
		                     &matched, &index),
		        DANCE_OK, "%s", c->name);
		cr_expect_eq(matched, c->matched, "%s", c->name);
		cr_expect_eq(index, c->index, "%s", c->name);
		dance_tlsa_rrset_free(rr);
	}
	{
		struct rr_spec rs = {CAN, SEC, DANCE_OK, "2 1 0 %CA0%"};
		struct dance_tlsa_rrset *rr = make_rrset(&rs);
		int matched = -1, index = -2;
		cr_expect_eq(akc_ta_match(rr, buf, 0, &matched, &index),
		             DANCE_ERR_INVALID_ARG);
		cr_expect_eq(matched, 0);
		cr_expect_eq(index, -1);
		dance_tlsa_rrset_free(rr);
	}
	free(buf);
	free(spki);
}

/* ---- without a key ------------------------------------------------------------ */

static const struct decide_case list_cases[] = {
        {"3 1 0 rebuilt, digests not",
         "no-pty alice@good.test",
         NULL,
         NULL,
         0,
         0,
         {{ALICE, SEC, DANCE_OK, "3 1 1 %OTHER1%\n3 1 0 %KEY0%"}},
         AKC_LISTED,
         "no-pty ssh-ed25519 %KEYB64% dance:alice@good.test\n",
         "alice@good.test: 1 key(s), digest"},
        {"CA lines for users of an ssh-ca-domain",
         "alice@good.test",
         NULL,
         NULL,
         0,
         0,
         {{ALICE, DANCE_DNS_SECURE_NONE, DANCE_OK, ""},
          {CAN, SEC, DANCE_OK, "2 1 0 %CA0%\n2 1 1 %RSACA1%"}},
         AKC_LISTED,
         CA_LINE(""),
         NULL},
        {"no CA lines for other domains",
         "alice@good.test",
         NULL,
         NULL,
         0,
         1,
         {{CAN, SEC, DANCE_OK, "2 1 0 %CA0%"}},
         AKC_LISTED,
         NULL,
         NULL},
        {"nothing from bogus answers",
         "alice@good.test",
         NULL,
         NULL,
         0,
         0,
         {{ALICE, DANCE_DNS_BOGUS, DANCE_OK, "3 1 0 %KEY0%"},
          {CAN, DANCE_DNS_BOGUS, DANCE_OK, "2 1 0 %CA0%"}},
         AKC_LISTED,
         NULL,
         "bogus"},
        {"nothing from insecure answers",
         "alice@good.test",
         NULL,
         NULL,
         0,
         0,
         {{ALICE, DANCE_DNS_INSECURE, DANCE_OK, "3 1 0 %KEY0%"}},
         AKC_LISTED,
         NULL,
         "insecure"},
        {"PKIX records are not keys",
         "alice@good.test",
         NULL,
         NULL,
         0,
         0,
         {{ALICE, SEC, DANCE_OK, "1 1 0 %KEY0%\n0 1 0 %KEY0%"}},
         AKC_LISTED,
         NULL,
         NULL},
};

Test(decide, listing)
{
	for (size_t i = 0; i < sizeof list_cases / sizeof list_cases[0]; i++)
		run_case(&list_cases[i]);
}

Test(decide, more_refusals_than_acceptances)
{
	size_t ok = 0, no = 0;

	for (size_t i = 0; i < sizeof key_cases / sizeof key_cases[0]; i++)
		key_cases[i].verdict == AKC_ACCEPTED ? ok++ : no++;
	for (size_t i = 0; i < sizeof cert_cases / sizeof cert_cases[0]; i++)
		cert_cases[i].verdict == AKC_ACCEPTED ? ok++ : no++;
	cr_expect_geq(no, ok);
}

/* ---- what is looked up ------------------------------------------------------------ */

static void expect_names(const char *file_text, const char *type,
                         const char *b64, const char *want)
{
	static const char *const ca[] = {"good.test"};
	struct akc_file f;
	struct akc_offer o;
	char **names = NULL, got[1024] = "", why[128];
	size_t n = 0, used = 0;

	memset(&o, 0, sizeof o);
	if (type != NULL)
		cr_assert_eq(akc_offer_load(type, b64, &o, why, sizeof why),
		             DANCE_OK, "%s", why);
	load_file(file_text, &f);
	cr_assert_eq(akc_names_needed(&f, &o, ca, 1, &names, &n), DANCE_OK);
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(got + used, sizeof got - used, "%s%s",
		                         i ? " " : "", names[i]);
	cr_expect_str_eq(got, want);
	akc_names_free(names, n);
	akc_authfile_clear(&f);
	akc_offer_clear(&o);
}

Test(decide, names_needed)
{
	const char *file = "alice@good.test\nbob@other.test\n"
	                   "no-pty alice@good.test\ncarol._user.x.test.\n";

	expect_names(file, "ssh-ed25519", ED_KEY,
	             "alice._user.good.test bob._user.other.test "
	             "carol._user.x.test");
	expect_names(file, ED_CERT_TYPE, ED_CERT, "_user.good.test");
	expect_names("bob@good.test\n", ED_CERT_TYPE, ED_CERT, "");
	expect_names(file, NULL, NULL,
	             "alice._user.good.test _user.good.test "
	             "bob._user.other.test carol._user.x.test");
}

/* ---- the offered key ----------------------------------------------------------------- */

struct offer_case {
	const char *type;
	const char *b64;
	int err;
	const char *desc;
};

Test(decide, offers)
{
	static const struct offer_case cases[] = {
	        {"ssh-ed25519", ED_KEY, DANCE_OK, "ED25519"},
	        {"ecdsa-sha2-nistp256", ECDSA_KEY, DANCE_OK, "ECDSA"},
	        {"ssh-rsa", RSA_CA, DANCE_OK, "RSA"},
	        {ED_CERT_TYPE, ED_CERT, DANCE_OK, "ED25519-CERT"},
	        {ECDSA_CERT_TYPE, ECDSA_CERT, DANCE_OK, "ECDSA-CERT"},
	        {"ssh-rsa", ED_KEY, DANCE_ERR_PARSE, "RSA"},
	        {"ssh-ed25519", "AAAA", DANCE_ERR_PARSE, "ED25519"},
	        {"ssh-ed25519", "not base64", DANCE_ERR_PARSE, "ED25519"},
	        {"ssh-dss", "AAAAB3NzaC1kc3M=", DANCE_ERR_UNSUPPORTED, "DSA"},
	        {ED_CERT_TYPE, ED_KEY, DANCE_ERR_PARSE, "ED25519-CERT"},
	        {RSA_CERT_TYPE, ED_CERT, DANCE_ERR_PARSE, "RSA-CERT"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct akc_offer o;
		char why[256];
		int r = akc_offer_load(cases[i].type, cases[i].b64, &o, why,
		                       sizeof why);
		/* The blob's own errors may come out as PARSE or
		 * UNSUPPORTED; what matters is that it is refused. */
		if (cases[i].err == DANCE_OK)
			cr_expect_eq(r, DANCE_OK, "%zu: %s", i, why);
		else
			cr_expect_neq(r, DANCE_OK, "%zu", i);
		cr_expect_str_eq(o.desc, cases[i].desc, "%zu", i);
		if (r == DANCE_OK)
			cr_expect_eq(strncmp(o.fp, "SHA256:", 7), 0);
		akc_offer_clear(&o);
	}
}
