/*
 * cmd_tlsa.c -- 'dance tlsa': the TLSA records a domain publishes for
 * dance, printed as zone-file lines.
 *
 *   dance tlsa ca --domain DOMAIN [--records LIST] [--ttl N] FILE
 *       a domain's user CA (certificate or public key) at _user.DOMAIN;
 *       default records 2-0-1,2-1-1 (2-1-1 for a bare key)
 *   dance tlsa user --user UID@DOMAIN [--hashed|--plain] [--records LIST]
 *                   [--ttl N] FILE
 *       one user's key (certificate, public key or OpenSSH key) at
 *       LABEL._user.DOMAIN; default 3-1-1
 *   dance tlsa ssh-ca --domain DOMAIN [--ttl N] FILE
 *       a domain's OpenSSH user CA key as 2 1 0 at _user.DOMAIN
 *
 * FILE ("-" for standard input) is a PEM or DER certificate, a PEM or DER
 * SubjectPublicKeyInfo ("PUBLIC KEY"), or an OpenSSH public key line
 * (ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa of 2048 bits or more),
 * converted to its SubjectPublicKeyInfo. Private keys are never read.
 * LIST is comma-separated U-S-M triples such as 2-0-1,2-1-1. Exit status 0,
 * or 2 for any error (usage, unreadable or unsupported input). See dance(1).
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define INPUT_MAX   ((size_t)1024 * 1024) /* largest input file read */
#define MAX_RECORDS 6                     /* distinct selector/mtype pairs */
#define TTL_MAX     2147483647UL          /* RFC 2181 section 8 */

enum kind { KIND_CA, KIND_USER, KIND_SSH_CA };

struct rec {
	unsigned usage, selector, mtype;
};

struct opts {
	enum kind kind;
	const char *domain;  /* --domain */
	const char *user;    /* --user UID@DOMAIN */
	int hashed;          /* --hashed (1) or --plain (0) */
	const char *records; /* --records LIST, or NULL */
	const char *ttl;     /* --ttl N, or NULL */
	const char *file;    /* the key or certificate */
	struct rec recs[MAX_RECORDS];
	size_t nrecs;
};

/* What FILE held. The SPKI is always set; cert only for a certificate. */
struct input {
	X509 *cert;
	uint8_t *spki;
	size_t spkilen;
	int ssh; /* 1 if it was an OpenSSH public key */
};

static void help(FILE *f)
{
	fputs("usage: dance tlsa ca --domain DOMAIN [--records LIST] [--ttl N] "
	      "FILE\n"
	      "       dance tlsa user --user UID@DOMAIN [--hashed|--plain] "
	      "[--records LIST]\n"
	      "                       [--ttl N] FILE\n"
	      "       dance tlsa ssh-ca --domain DOMAIN [--ttl N] FILE\n"
	      "\n"
	      "Print the TLSA records to publish, as zone-file lines.\n"
	      "  ca      a domain's user CA (certificate or public key) at "
	      "_user.DOMAIN;\n"
	      "          default 2-0-1,2-1-1 (2-1-1 for a public key)\n"
	      "  user    one user's certificate, public key or OpenSSH key "
	      "at\n"
	      "          LABEL._user.DOMAIN; default 3-1-1\n"
	      "  ssh-ca  a domain's OpenSSH user CA key as 2 1 0 at "
	      "_user.DOMAIN\n"
	      "\n"
	      "FILE ('-': standard input): PEM or DER certificate, PEM or DER "
	      "public key,\n"
	      "or an OpenSSH .pub line (ssh-ed25519, "
	      "ecdsa-sha2-nistp256/384/521,\n"
	      "ssh-rsa of 2048 bits or more).\n"
	      "  --domain DOMAIN    the domain (ca, ssh-ca)\n"
	      "  --user UID@DOMAIN  the user (user)\n"
	      "  --plain, --hashed  LABEL is the lowercased uid (default) or "
	      "the hex of\n"
	      "                     SHA-256(uid) cut to 28 octets\n"
	      "  --records LIST     U-S-M triples, comma-separated: usage 2 "
	      "(ca) or 3 (user),\n"
	      "                     selector 0 (certificate) or 1 (public "
	      "key), matching\n"
	      "                     type 0 (full), 1 (SHA-256) or 2 "
	      "(SHA-512)\n"
	      "  --ttl N            TTL in seconds written on each line\n"
	      "  -h, --help         this help\n"
	      "Exit status: 0 records printed, 2 error. See dance(1).\n",
	      f);
}

/* Print a usage error; returns EXIT_USAGE. */
static int usage_error(const char *fmt, ...)
        __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("dance tlsa: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(see 'dance tlsa --help')\n", stderr);
	return EXIT_USAGE;
}

/* Print "dance tlsa: WHAT[: DETAIL]"; returns -1. */
static int error(const char *what, const char *detail)
{
	fprintf(stderr, "dance tlsa: %s%s%s\n", what, detail ? ": " : "",
	        detail ? detail : "");
	return -1;
}

/* ---- options ------------------------------------------------------------ */

/* "U-S-M[,U-S-M...]" into o->recs. */
static int parse_records(struct opts *o)
{
	const char *p = o->records;
	unsigned want = o->kind == KIND_USER ? 3 : 2;

	o->nrecs = 0;
	for (;;) {
		struct rec r;
		if (p[0] < '0' || p[0] > '9' || p[1] != '-' || p[2] < '0' ||
		    p[2] > '9' || p[3] != '-' || p[4] < '0' || p[4] > '9' ||
		    (p[5] != ',' && p[5] != '\0'))
			return usage_error("--records: '%s' is not a list of "
			                   "U-S-M triples such as 2-0-1,2-1-1",
			                   o->records);
		r.usage = (unsigned)(p[0] - '0');
		r.selector = (unsigned)(p[2] - '0');
		r.mtype = (unsigned)(p[4] - '0');
		if (r.usage != want)
			return usage_error(want == 2
			                           ? "--records: '%s': usage "
			                             "must be 2 (DANE-TA) here"
			                           : "--records: '%s': usage "
			                             "must be 3 (DANE-EE) here",
			                   o->records);
		if (r.selector > 1 || r.mtype > 2)
			return usage_error(
			        "--records: '%s': selector must be 0 "
			        "or 1, matching type 0, 1 or 2",
			        o->records);
		for (size_t i = 0; i < o->nrecs; i++)
			if (o->recs[i].selector == r.selector &&
			    o->recs[i].mtype == r.mtype)
				return usage_error("--records: '%s': a record "
				                   "is listed twice",
				                   o->records);
		o->recs[o->nrecs++] = r;
		if (p[5] == '\0')
			return 0;
		p += 6;
	}
}

/* Which options go with which kind. Returns -1 to go on, or EXIT_USAGE. */
static int check_combination(struct opts *o, const char *kind, int label_given)
{
	if (o->kind == KIND_USER && (o->user == NULL || o->domain != NULL))
		return usage_error("%s: give --user UID@DOMAIN (and no "
		                   "--domain)",
		                   kind);
	if (o->kind != KIND_USER &&
	    (o->domain == NULL || o->user != NULL || label_given))
		return usage_error("%s: give --domain DOMAIN (and no --user, "
		                   "--hashed or --plain)",
		                   kind);
	if (o->kind == KIND_SSH_CA && o->records != NULL)
		return usage_error("%s: publishes 2-1-0 only (the key itself, "
		                   "for sshd); --records is not taken",
		                   kind);
	if (o->records != NULL && parse_records(o) != 0)
		return EXIT_USAGE;
	return -1;
}

/* Parse argv (argv[0] is the subcommand). Returns -1 to go on, or an exit
 * status (help printed, or a usage error). */
static int parse_options(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	        {"domain", required_argument, NULL, 'd'},
	        {"user", required_argument, NULL, 'u'},
	        {"hashed", no_argument, NULL, 'H'},
	        {"plain", no_argument, NULL, 'P'},
	        {"records", required_argument, NULL, 'r'},
	        {"ttl", required_argument, NULL, 't'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int c, label_given = 0;

	optind = 0; /* reinitialise getopt for this argv */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->domain = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'H':
		case 'P':
			if (label_given++ && o->hashed != (c == 'H'))
				return usage_error("%s: give --hashed or "
				                   "--plain, not both",
				                   argv[0]);
			o->hashed = c == 'H';
			break;
		case 'r':
			o->records = optarg;
			break;
		case 't':
			o->ttl = optarg;
			break;
		case 'h':
			help(stdout);
			return EXIT_AUTH_OK;
		default:
			return usage_error("unknown or incomplete option '%s'",
			                   optind > 0 && optind <= argc &&
			                                   argv[optind - 1]
			                           ? argv[optind - 1]
			                           : "?");
		}
	}
	if (optind != argc - 1)
		return usage_error(optind >= argc ? "%s: FILE missing"
		                                  : "%s: exactly one FILE",
		                   argv[0]);
	o->file = argv[optind];
	return check_combination(o, argv[0], label_given);
}

/* ---- input -------------------------------------------------------------- */

static int read_all(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0;
	int r = -1;

	*out = NULL;
	*len = 0;
	if (f == NULL) {
		error(path, strerror(errno));
		return -1;
	}
	if ((buf = malloc(INPUT_MAX + 1)) == NULL) {
		error("out of memory", NULL);
		goto out;
	}
	n = fread(buf, 1, INPUT_MAX + 1, f);
	if (ferror(f)) {
		error(path, "read error");
		goto out;
	}
	if (n > INPUT_MAX) {
		error(path, "larger than 1 MiB: not a key or certificate");
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
	r = 0;
out:
	free(buf);
	if (f != stdin)
		fclose(f);
	return r;
}

static int set_spki_from_pkey(EVP_PKEY *pkey, struct input *in)
{
	uint8_t *p;
	int n = i2d_PUBKEY(pkey, NULL);

	if (n <= 0 || (in->spki = malloc((size_t)n)) == NULL)
		return -1;
	p = in->spki;
	if (i2d_PUBKEY(pkey, &p) != n)
		return -1;
	in->spkilen = (size_t)n;
	return 0;
}

/* Exactly one PEM object of the given label, nothing else but text. */
static int count_pem(const char *text, const char *label)
{
	char begin[64];
	int n = 0;

	snprintf(begin, sizeof begin, "-----BEGIN %s-----", label);
	for (const char *p = text; (p = strstr(p, begin)) != NULL; p++)
		n++;
	return n;
}

static int load_pem(const char *path, const uint8_t *buf, size_t len,
                    struct input *in)
{
	const char *text = (const char *)buf;
	int ncert = count_pem(text, "CERTIFICATE");
	int nkey = count_pem(text, "PUBLIC KEY");
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	EVP_PKEY *pkey = NULL;
	int r = -1;

	if (bio == NULL)
		return error("out of memory", NULL);
	if (ncert + nkey != 1 || strstr(text, "PRIVATE KEY-----") != NULL) {
		error(path, ncert + nkey > 1
		                    ? "holds several certificates or keys; "
		                      "give one"
		                    : "not a certificate or public key "
		                      "(private keys are not read)");
		goto out;
	}
	if (ncert == 1) {
		if ((in->cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) ==
		    NULL) {
			error(path, "malformed PEM certificate");
			goto out;
		}
		pkey = X509_get_pubkey(in->cert);
	} else {
		pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	}
	if (pkey == NULL || set_spki_from_pkey(pkey, in) != 0) {
		error(path, "malformed or unsupported public key");
		goto out;
	}
	r = 0;
out:
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	return r;
}

/* DER: one certificate or one SubjectPublicKeyInfo, nothing after it. */
static int load_der(const char *path, const uint8_t *buf, size_t len,
                    struct input *in)
{
	const unsigned char *p = buf;
	EVP_PKEY *pkey = NULL;
	int r = -1;

	if ((in->cert = d2i_X509(NULL, &p, (long)len)) != NULL &&
	    p == buf + len) {
		pkey = X509_get_pubkey(in->cert);
	} else {
		X509_free(in->cert);
		in->cert = NULL;
		p = buf;
		pkey = d2i_PUBKEY(NULL, &p, (long)len);
		if (pkey != NULL && p != buf + len) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
	}
	if (pkey == NULL || set_spki_from_pkey(pkey, in) != 0) {
		error(path, "neither a certificate nor a public key (PEM, DER "
		            "or OpenSSH)");
		goto out;
	}
	r = 0;
out:
	EVP_PKEY_free(pkey);
	return r;
}

/* An OpenSSH public key: one "TYPE BASE64 [comment]" line; blank lines and
 * '#' comment lines around it are allowed. */
static int load_ssh(const char *path, const char *text, struct input *in)
{
	const char *line = NULL, *line_end = NULL, *p = text;
	char *copy = NULL;
	int e;

	while (*p != '\0') {
		const char *end = p + strcspn(p, "\n");
		const char *q = p + strspn(p, " \t\r");
		if (q < end && *q != '#') {
			if (line != NULL)
				return error(path, "holds more than one key "
				                   "line; give one");
			line = p;
			line_end = end;
		}
		p = *end ? end + 1 : end;
	}
	if (line == NULL)
		return error(path, "empty: no key or certificate");
	if ((copy = strndup(line, (size_t)(line_end - line))) == NULL)
		return error("out of memory", NULL);
	in->ssh = 1;
	e = dance_sshkey_text_to_spki(NULL, copy, &in->spki, &in->spkilen);
	free(copy);
	if (e == DANCE_ERR_UNSUPPORTED)
		return error(path, "unsupported OpenSSH key (dance takes "
		                   "ssh-ed25519, ecdsa-sha2-nistp256/384/521 "
		                   "and ssh-rsa of 2048 bits or more; no "
		                   "certificates, sk- or DSA keys)");
	if (e != DANCE_OK)
		return error(path, "neither a certificate nor a public key "
		                   "(PEM, DER or OpenSSH)");
	return 0;
}

static int load_input(const char *path, struct input *in)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int r = -1;

	memset(in, 0, sizeof *in);
	if (read_all(path, &buf, &len) != 0)
		return -1;
	if (len == 0)
		error(path, "empty: no key or certificate");
	else if (strstr((const char *)buf, "-----BEGIN ") != NULL)
		r = load_pem(path, buf, len, in);
	else if (buf[0] == 0x30)
		r = load_der(path, buf, len, in);
	else if (memchr(buf, '\0', len) != NULL)
		error(path, "neither a certificate nor a public key (PEM, DER "
		            "or OpenSSH)");
	else
		r = load_ssh(path, (const char *)buf, in);
	free(buf);
	return r;
}

static void input_clear(struct input *in)
{
	X509_free(in->cert);
	free(in->spki);
	memset(in, 0, sizeof *in);
}

/* ---- output ------------------------------------------------------------- */

/* "_user.<domain in A-labels>". The public API names owners of users'
 * records only, so one is made for a placeholder uid and its label cut. */
static int ca_owner(const char *domain, char **out)
{
	char *o = NULL;
	int r = dance_user_owner(NULL, "x", domain, DANCE_LABEL_PLAIN, &o);

	*out = NULL;
	if (r != DANCE_OK)
		return r;
	memmove(o, o + 2, strlen(o + 2) + 1);
	*out = o;
	return DANCE_OK;
}

static int user_owner(const struct opts *o, char **out)
{
	const char *at = strchr(o->user, '@');
	char *uid = NULL;
	int r = DANCE_ERR_BAD_NAME;

	*out = NULL;
	if (at == NULL || at == o->user || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL)
		return r;
	if ((uid = strndup(o->user, (size_t)(at - o->user))) == NULL)
		return DANCE_ERR_NOMEM;
	r = dance_user_owner(NULL, uid, at + 1,
	                     o->hashed ? DANCE_LABEL_HASHED : DANCE_LABEL_PLAIN,
	                     out);
	free(uid);
	return r;
}

/* Print "OWNER. [TTL] IN TLSA U S M HEX". */
static int print_record(const char *owner, const char *ttl,
                        const struct rec *rec, const struct input *in)
{
	uint8_t *der = NULL, md[EVP_MAX_MD_SIZE];
	struct dance_tlsa t = {.usage = (uint8_t)rec->usage,
	                       .selector = (uint8_t)rec->selector,
	                       .mtype = (uint8_t)rec->mtype};
	unsigned int mdlen = 0;
	char *text = NULL;
	int n, r = -1;

	if (rec->selector == 0) {
		if ((n = i2d_X509(in->cert, &der)) <= 0)
			return error("certificate could not be encoded", NULL);
		t.data = der;
		t.len = (size_t)n;
	} else {
		t.data = in->spki;
		t.len = in->spkilen;
	}
	if (rec->mtype != 0) {
		if (EVP_Digest(t.data, t.len, md, &mdlen,
		               rec->mtype == 1 ? EVP_sha256() : EVP_sha512(),
		               NULL) != 1) {
			error("digest failed", NULL);
			goto out;
		}
		t.data = md;
		t.len = mdlen;
	}
	if ((n = dance_tlsa_format(&t, NULL, 0)) < 0 ||
	    (text = malloc((size_t)n + 1)) == NULL ||
	    dance_tlsa_format(&t, text, (size_t)n + 1) != n) {
		error("record could not be formatted", NULL);
		goto out;
	}
	printf("%s.%s%s IN TLSA %s\n", owner, ttl ? " " : "", ttl ? ttl : "",
	       text);
	r = 0;
out:
	free(text);
	OPENSSL_free(der);
	return r;
}

static int check_ttl(const char *ttl)
{
	char *end;
	unsigned long v;

	if (ttl == NULL)
		return 0;
	errno = 0;
	v = strtoul(ttl, &end, 10);
	if (ttl[0] < '0' || ttl[0] > '9' || *end != '\0' || errno != 0 ||
	    v > TTL_MAX)
		return usage_error("--ttl: '%s' is not a number of seconds "
		                   "(0 to 2147483647)",
		                   ttl);
	return 0;
}

/* Default records, and checks of the records against the input. */
static int settle_records(struct opts *o, const struct input *in)
{
	if (o->records == NULL) {
		o->nrecs = 0;
		if (o->kind == KIND_SSH_CA)
			o->recs[o->nrecs++] = (struct rec){2, 1, 0};
		else if (o->kind == KIND_USER)
			o->recs[o->nrecs++] = (struct rec){3, 1, 1};
		else {
			if (in->cert != NULL)
				o->recs[o->nrecs++] = (struct rec){2, 0, 1};
			o->recs[o->nrecs++] = (struct rec){2, 1, 1};
		}
	}
	for (size_t i = 0; i < o->nrecs; i++)
		if (o->recs[i].selector == 0 && in->cert == NULL)
			return usage_error(
			        "%s: selector 0 needs a certificate; "
			        "this is a bare public key",
			        o->file);
	return 0;
}

static int check_input(const struct opts *o, const struct input *in)
{
	char *line = NULL;
	int r;

	if (o->kind == KIND_SSH_CA) {
		if (in->cert != NULL)
			return error(o->file, "ssh-ca takes an OpenSSH public "
			                      "key, not a certificate");
		/* sshd must be able to rebuild the key from 2 1 0. */
		r = dance_spki_to_sshkey(in->spki, in->spkilen, &line);
		free(line);
		if (r != DANCE_OK)
			return error(o->file, "not a key type OpenSSH takes "
			                      "from dance (ssh-ed25519, "
			                      "ecdsa-sha2-nistp256/384/521, "
			                      "ssh-rsa >= 2048 bits)");
	}
	if (o->kind == KIND_CA && in->ssh)
		return error(o->file, "an OpenSSH key: use 'dance tlsa ssh-ca' "
		                      "for a domain's SSH CA");
	if (o->kind == KIND_CA && in->cert != NULL && !X509_check_ca(in->cert))
		fprintf(stderr,
		        "dance tlsa: warning: %s is not a CA "
		        "certificate (no basicConstraints CA:TRUE)\n",
		        o->file);
	if (in->cert != NULL &&
	    X509_cmp_current_time(X509_get0_notAfter(in->cert)) < 0)
		fprintf(stderr, "dance tlsa: warning: %s has expired\n",
		        o->file);
	return 0;
}

static int run(struct opts *o)
{
	struct input in;
	char *owner = NULL;
	int r, status = EXIT_USAGE;

	if (o->file == NULL ||
	    (o->kind == KIND_USER ? o->user == NULL : o->domain == NULL) ||
	    check_ttl(o->ttl) != 0)
		return EXIT_USAGE;
	r = o->kind == KIND_USER ? user_owner(o, &owner)
	                         : ca_owner(o->domain, &owner);
	if (r != DANCE_OK)
		return usage_error(o->kind == KIND_USER
		                           ? "--user: '%s' is not UID@DOMAIN "
		                             "with a valid uid and domain"
		                           : "--domain: '%s' is not a valid "
		                             "domain name",
		                   o->kind == KIND_USER ? o->user : o->domain);
	if (load_input(o->file, &in) != 0)
		goto out;
	if (settle_records(o, &in) != 0 || check_input(o, &in) != 0)
		goto out;
	for (size_t i = 0; i < o->nrecs; i++)
		if (print_record(owner, o->ttl, &o->recs[i], &in) != 0)
			goto out;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		error("standard output", strerror(errno));
		goto out;
	}
	status = EXIT_AUTH_OK;
out:
	input_clear(&in);
	free(owner);
	return status;
}

int cmd_tlsa(struct cli *cli, int argc, char **argv)
{
	static const struct {
		const char *name;
		enum kind kind;
	} subs[] = {
	        {"ca", KIND_CA},
	        {"user", KIND_USER},
	        {"ssh-ca", KIND_SSH_CA},
	};
	struct opts o;
	int status;

	(void)cli;
	if (argc < 2) {
		help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		help(stdout);
		return EXIT_AUTH_OK;
	}
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		if (strcmp(argv[1], subs[i].name) != 0)
			continue;
		memset(&o, 0, sizeof o);
		o.kind = subs[i].kind;
		if ((status = parse_options(argc - 1, argv + 1, &o)) >= 0)
			return status;
		return run(&o);
	}
	return usage_error("unknown kind '%s' (ca, user or ssh-ca)", argv[1]);
}
