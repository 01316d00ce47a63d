/*
 * secfile.c -- read an authorization file (or dance.conf, or check a file
 * it names) only if nobody but root could have written it.
 *
 * The checks follow sshd's StrictModes (safe_path() in OpenSSH's misc.c),
 * with root as the only acceptable owner: after resolving symbolic links,
 * the file must be a regular file owned by root and not writable by group
 * or others, and so must every directory above it, up to "/". The file is
 * opened first and checked through its descriptor, so what is read is
 * what was checked.
 */
#include "akc.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int akc_user_name_ok(const char *user)
{
	size_t n = strlen(user);

	if (n == 0 || n > 255 || user[0] == '.' || user[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)user[i];
		if (c == '/' || c < 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

/* Owned by root and not writable by group or others. */
static int mode_ok(const struct stat *st)
{
	return st->st_uid == 0 && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

static int check_dirs(const char *resolved, char *why, size_t whylen)
{
	char dir[PATH_MAX];
	struct stat st;
	char *slash;

	dance_fmt(dir, sizeof dir, "%s", resolved);
	for (;;) {
		if ((slash = strrchr(dir, '/')) == NULL)
			break;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			dance_fmt(why, whylen, "cannot check directory %s",
			          dir);
			return DANCE_ERR_NOT_ALLOWED;
		}
		if (!mode_ok(&st)) {
			dance_fmt(why, whylen,
			          "directory %s is not owned by root or is "
			          "writable by group or others",
			          dir);
			return DANCE_ERR_NOT_ALLOWED;
		}
		if (strcmp(dir, "/") == 0)
			break;
	}
	return DANCE_OK;
}

static int read_all(int fd, char **text, size_t *len, char *why, size_t whylen)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t k;
	int r = DANCE_ERR_IO;

	if (buf == NULL)
		return DANCE_ERR_NOMEM;
	for (;;) {
		if (n == cap) {
			char *nb;
			if (cap > AKC_FILE_MAX) {
				dance_fmt(why, whylen,
				          "file larger than %zu "
				          "octets",
				          AKC_FILE_MAX);
				r = DANCE_ERR_PARSE;
				goto out;
			}
			cap *= 2;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				r = DANCE_ERR_NOMEM;
				goto out;
			}
			buf = nb;
		}
		k = read(fd, buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			dance_fmt(why, whylen, "read: %s", strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	if (n > AKC_FILE_MAX) {
		dance_fmt(why, whylen, "file larger than %zu octets",
		          AKC_FILE_MAX);
		r = DANCE_ERR_PARSE;
		goto out;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	buf = NULL;
	r = DANCE_OK;
out:
	free(buf);
	return r;
}

/* Open path and check it and its directories; *fd open on DANCE_OK. */
static int open_checked(const char *path, int *fd, int *missing, char *why,
                        size_t whylen)
{
	char resolved[PATH_MAX];
	struct stat st;
	int r = DANCE_ERR_IO;

	*fd = -1;
	*missing = 0;
	if (realpath(path, resolved) == NULL) {
		*missing = errno == ENOENT;
		dance_fmt(why, whylen, "%s: %s", path, strerror(errno));
		goto out;
	}
	*fd = open(resolved,
	           O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (*fd < 0) {
		*missing = errno == ENOENT;
		dance_fmt(why, whylen, "%s: %s", resolved, strerror(errno));
		goto out;
	}
	if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		dance_fmt(why, whylen, "%s is not a regular file", resolved);
		r = DANCE_ERR_NOT_ALLOWED;
		goto out;
	}
	if (!mode_ok(&st)) {
		dance_fmt(why, whylen,
		          "%s is not owned by root or is writable by group or "
		          "others",
		          resolved);
		r = DANCE_ERR_NOT_ALLOWED;
		goto out;
	}
	r = check_dirs(resolved, why, whylen);
out:
	if (r != DANCE_OK && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	return r;
}

int akc_read_secure(const char *path, char **text, size_t *len, int *missing,
                    char *why, size_t whylen)
{
	int fd = -1, r;

	*text = NULL;
	*len = 0;
	if ((r = open_checked(path, &fd, missing, why, whylen)) != DANCE_OK)
		return r;
	r = read_all(fd, text, len, why, whylen);
	close(fd);
	return r;
}

int akc_check_secure(const char *path, int *missing, char *why, size_t whylen)
{
	int fd = -1, r;

	if ((r = open_checked(path, &fd, missing, why, whylen)) == DANCE_OK)
		close(fd);
	return r;
}
