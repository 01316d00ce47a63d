/*
 * err.c -- texts of error codes, DNS answer classes, TLSA problems and
 * verdicts.
 *
 * Every switch here lists each enum value and has no default: case, so that
 * the compiler (-Wswitch-enum, -Werror) refuses a new value without text.
 */
#include "internal.h"

const char *dance_strerror(int err)
{
	switch ((enum dance_err)err) {
	case DANCE_OK:
		return "success";
	case DANCE_ERR_NOMEM:
		return "out of memory";
	case DANCE_ERR_INVALID_ARG:
		return "invalid argument";
	case DANCE_ERR_FROZEN:
		return "context already in use: configure it before the first "
		       "lookup";
	case DANCE_ERR_CONFIG:
		return "configuration error";
	case DANCE_ERR_IO:
		return "file could not be read";
	case DANCE_ERR_RESOLVER:
		return "DNS resolver could not be set up";
	case DANCE_ERR_DNS_TEMPFAIL:
		return "DNS lookup failed temporarily (SERVFAIL, REFUSED or "
		       "network error)";
	case DANCE_ERR_DNS_TIMEOUT:
		return "DNS lookup timed out";
	case DANCE_ERR_BUSY:
		return "too many DNS lookups in flight";
	case DANCE_ERR_NOT_ALLOWED:
		return "domain not on the allow-list";
	case DANCE_ERR_BAD_NAME:
		return "invalid DNS name";
	case DANCE_ERR_PARSE:
		return "malformed input";
	case DANCE_ERR_CRYPTO:
		return "cryptographic operation failed";
	case DANCE_ERR_UNSUPPORTED:
		return "unsupported algorithm or key type";
	}
	return "unrecognised error code";
}

int dance_err_is_temporary(int err)
{
	return err == DANCE_ERR_DNS_TEMPFAIL || err == DANCE_ERR_DNS_TIMEOUT ||
	       err == DANCE_ERR_BUSY;
}

const char *dance_dns_class_name(enum dance_dns_class c)
{
	switch (c) {
	case DANCE_DNS_SECURE:
		return "secure";
	case DANCE_DNS_SECURE_NONE:
		return "secure-none";
	case DANCE_DNS_BOGUS:
		return "bogus";
	case DANCE_DNS_INDETERMINATE:
		return "indeterminate";
	case DANCE_DNS_INSECURE:
		return "insecure";
	}
	return "?";
}

const char *dance_tlsa_problem_text(enum dance_tlsa_problem p)
{
	switch (p) {
	case DANCE_TLSA_USABLE:
		return "usable";
	case DANCE_TLSA_SHORT:
		return "RDATA shorter than 4 octets";
	case DANCE_TLSA_BAD_USAGE:
		return "unknown certificate usage";
	case DANCE_TLSA_BAD_SELECTOR:
		return "unknown selector";
	case DANCE_TLSA_BAD_MTYPE:
		return "unknown matching type";
	case DANCE_TLSA_BAD_DIGEST_LEN:
		return "digest length does not match its matching type";
	case DANCE_TLSA_EMPTY_DATA:
		return "no certificate association data";
	case DANCE_TLSA_NOT_FOR_USERS:
		return "usage not accepted for users at this name";
	case DANCE_TLSA_WILDCARD:
		return "synthesised from a wildcard owner name (or not proven "
		       "otherwise)";
	}
	return "?";
}

const char *dance_verdict_name(enum dance_verdict v)
{
	switch (v) {
	case DANCE_AUTHENTICATED:
		return "authenticated";
	case DANCE_REFUSED_NOT_ALLOWED:
		return "not-allowed";
	case DANCE_REFUSED_NO_TLSA:
		return "no-tlsa";
	case DANCE_REFUSED_BOGUS:
		return "bogus";
	case DANCE_REFUSED_INSECURE:
		return "insecure";
	case DANCE_REFUSED_UNUSABLE:
		return "unusable-records";
	case DANCE_REFUSED_NO_MATCH:
		return "no-match";
	case DANCE_REFUSED_BAD_CERT:
		return "bad-certificate";
	case DANCE_REFUSED_NO_DOMAIN:
		return "no-domain";
	case DANCE_REFUSED_AMBIGUOUS_DOMAIN:
		return "ambiguous-domain";
	case DANCE_REFUSED_CLIENTID:
		return "clientid-mismatch";
	case DANCE_REFUSED_NO_UID:
		return "no-uid";
	case DANCE_REFUSED_AMBIGUOUS_UID:
		return "ambiguous-uid";
	case DANCE_REFUSED_BAD_UID:
		return "bad-uid";
	case DANCE_REFUSED_WRONG_USER:
		return "wrong-user";
	case DANCE_REFUSED_TEMPFAIL:
		return "temporary-failure";
	}
	return "?";
}
