/*
 * akclog.c -- logging for dance-authorized-keys.
 *
 * sshd discards the helper's stderr, so decisions go to syslog
 * (LOG_AUTHPRIV, with the PID), where sshd's own lines are. For tests and
 * debugging, every line can also be appended to a file (-l FILE) or copied
 * to stderr (-d). One line per message, written with a single write() so
 * that concurrent helpers do not interleave.
 *
 * The helper is single-threaded; the log state lives in this file.
 */
#include "akc.h"
#include "internal.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_LOG 4096

static struct {
	int fd;
	int to_stderr;
	int debug;
	int open;
} lg = {-1, 0, 0, 0};

static const char *const prio_names[] = {"error", "warning", "info", "debug"};
static const int prio_syslog[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

int akc_log_open(const char *file, int to_stderr, int debug)
{
	openlog("dance-authorized-keys", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	lg.open = 1;
	lg.to_stderr = to_stderr;
	lg.debug = debug;
	if (file == NULL)
		return DANCE_OK;
	lg.fd = open(file,
	             O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
	                     O_NOCTTY,
	             0600);
	return lg.fd >= 0 ? DANCE_OK : DANCE_ERR_IO;
}

void akc_log_set_debug(int on)
{
	lg.debug = on;
}

void akc_log_close(void)
{
	if (lg.fd >= 0)
		close(lg.fd);
	lg.fd = -1;
	if (lg.open)
		closelog();
	lg.open = 0;
}

void akc_log_clean(const char *s, char *out, size_t outlen)
{
	size_t n = 0;

	if (outlen == 0)
		return;
	for (; s != NULL && *s != '\0' && n + 1 < outlen; s++) {
		char c = *s;
		if ((unsigned char)c < 0x20 || c == 0x7f || c == '"')
			c = '?';
		out[n++] = c;
	}
	out[n] = '\0';
	if (s != NULL && *s != '\0' && outlen > 4)
		memcpy(out + outlen - 4, "...", 4);
}

static void write_line(int fd, enum akc_log_prio prio, const char *msg)
{
	char line[LINE_MAX_LOG + 128], ts[32] = "";
	struct tm tm;
	time_t now = time(NULL);
	size_t n;

	if (gmtime_r(&now, &tm) != NULL)
		(void)strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	dance_fmt(line, sizeof line, "%s dance-authorized-keys[%ld]: %s: %s\n",
	          ts, (long)getpid(), prio_names[prio], msg);
	n = strlen(line);
	if (n > 0 && line[n - 1] != '\n')
		line[n - 1] = '\n';
	(void)!write(fd, line, n);
}

void akc_log(enum akc_log_prio prio, const char *fmt, ...)
{
	char raw[LINE_MAX_LOG], msg[LINE_MAX_LOG];
	va_list ap;

	if ((unsigned)prio > AKC_LOG_DEBUG)
		prio = AKC_LOG_DEBUG;
	if (prio == AKC_LOG_DEBUG && !lg.debug)
		return;
	va_start(ap, fmt);
	if (vsnprintf(raw, sizeof raw, fmt, ap) < 0)
		raw[0] = '\0';
	va_end(ap);
	/* Keep quotes: they delimit values written by the callers. */
	for (size_t i = 0; raw[i] != '\0'; i++)
		if ((unsigned char)raw[i] < 0x20 || raw[i] == 0x7f)
			raw[i] = '?';
	dance_fmt(msg, sizeof msg, "%s", raw);
	if (lg.open)
		syslog(prio_syslog[prio], "%s", msg);
	if (lg.fd >= 0)
		write_line(lg.fd, prio, msg);
	if (lg.to_stderr)
		write_line(STDERR_FILENO, prio, msg);
}
