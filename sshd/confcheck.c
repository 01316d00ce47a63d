/*
 * confcheck.c -- dance.conf, and every file it makes libdance read, must
 * pass the checks of the authorization files (secfile.c) before the
 * helper trusts them.
 *
 * The helper decides who logs in to every account of the host. Whoever
 * can write its configuration (ssh-authorized-dir, allow-domain,
 * ssh-ca-domain, the resolver), a trust anchor (trust-anchor-file, or the
 * built-in root key), an unbound-config file (which may declare any zone
 * insecure or name other anchors) or the CA bundle of DNS-over-TLS
 * forwarders can log in as anyone. So each must be a regular file owned
 * by root and not writable by group or others, and so must every
 * directory above it, as sshd's StrictModes asks of authorized_keys
 * files. A file that fails is a broken configuration: the helper exits 2
 * with a log line naming the file and the reason.
 *
 * dance.conf is read through the descriptor that was checked; the files
 * it names are checked after it is loaded (the parser only reads the
 * owner names of trust anchors) and before any lookup. Files that an
 * unbound-config file includes or names itself are not checked here.
 */
#include "akc.h"
#include "internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

int akc_config_load(dance_ctx *ctx, const char *path, char *why, size_t whylen)
{
	char *text = NULL;
	size_t len = 0;
	int missing = 0, r;

	if ((r = akc_read_secure(path, &text, &len, &missing, why, whylen)) !=
	    DANCE_OK)
		return r;
	r = dance_config_parse_buffer(ctx, path, text, len, why, whylen);
	free(text);
	return r;
}

/* One file: DANCE_OK, or the reason prefixed with the keyword. */
static int check_one(const char *keyword, const char *path, char *why,
                     size_t whylen)
{
	char reason[PATH_MAX + 256];
	int missing = 0, r;

	r = akc_check_secure(path, &missing, reason, sizeof reason);
	if (r != DANCE_OK)
		dance_fmt(why, whylen, "%s %s: %s", keyword, path, reason);
	return r;
}

/* Every value of a repeatable keyword; def if there is none (or NULL). */
static int check_keyword(const dance_ctx *ctx, const char *keyword,
                         const char *def, char *why, size_t whylen)
{
	const char *v;
	size_t i;
	int r;

	for (i = 0; (v = dance_ctx_get(ctx, keyword, i)) != NULL; i++)
		if ((r = check_one(keyword, v, why, whylen)) != DANCE_OK)
			return r;
	if (i == 0 && def != NULL)
		return check_one(keyword, def, why, whylen);
	return DANCE_OK;
}

int akc_config_check_files(const dance_ctx *ctx, char *why, size_t whylen)
{
	const char *dot = dance_ctx_get(ctx, "dns-over-tls", 0);
	int use_dot = dot != NULL && strcmp(dot, "yes") == 0;
	int r;

	if ((r = check_keyword(ctx, "trust-anchor-file", DANCE_ROOT_KEY_FILE,
	                       why, whylen)) != DANCE_OK ||
	    (r = check_keyword(ctx, "unbound-config", NULL, why, whylen)) !=
	            DANCE_OK ||
	    (r = check_keyword(ctx, "tls-ca-bundle",
	                       use_dot ? DANCE_SYSTEM_CA_BUNDLE : NULL, why,
	                       whylen)) != DANCE_OK)
		return r;
	return DANCE_OK;
}
