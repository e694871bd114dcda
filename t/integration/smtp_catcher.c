/*
 * smtp_catcher.c — the tests' SMTP server (smtp_catcher.h).  Test code:
 * one connection at a time, lines of at most 4 KiB, everything kept in
 * memory until the process ends.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtp_catcher.h"

/* The newest MAX_MSGS messages are kept: a suite that drains the shop's
 * whole backlog of queued mail must still find its own last messages. */
#define MAX_MSGS 1024

static int listen_fd = -1;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static smtp_msg msgs[MAX_MSGS];
static int nmsgs, fail_code, fail_times, mail_cmds, starttls_cmds;
static bool offer_starttls;

int
smtp_catcher_listen(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((listen_fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(listen_fd, 8) != 0 ||
	    getsockname(listen_fd, (struct sockaddr *)&sa, &len) != 0)
		return -1;
	return ntohs(sa.sin_port);
}

int
smtp_catcher_use(void)
{
	int port = smtp_catcher_listen();
	char url[64];

	if (port < 0)
		return -1;
	snprintf(url, sizeof url, "smtp://127.0.0.1:%d", port);
	setenv("ECOM_SMTP_URL", url, 1);
	setenv("ECOM_SMTP_STARTTLS", "optional", 1);
	setenv("ECOM_MAIL_FROM", "", 1);
	return 0;
}

void
smtp_catcher_fail(int code, int times)
{
	pthread_mutex_lock(&mu);
	fail_code = code;
	fail_times = times;
	pthread_mutex_unlock(&mu);
}

void
smtp_catcher_offer_starttls(bool on)
{
	pthread_mutex_lock(&mu);
	offer_starttls = on;
	pthread_mutex_unlock(&mu);
}

int
smtp_catcher_mail_commands(void)
{
	int n;

	pthread_mutex_lock(&mu);
	n = mail_cmds;
	pthread_mutex_unlock(&mu);
	return n;
}

int
smtp_catcher_starttls_commands(void)
{
	int n;

	pthread_mutex_lock(&mu);
	n = starttls_cmds;
	pthread_mutex_unlock(&mu);
	return n;
}

const smtp_msg *
smtp_catcher_find(const char *rcpt)
{
	const smtp_msg *m = NULL;
	char want[512];

	snprintf(want, sizeof want, "<%s>", rcpt);
	pthread_mutex_lock(&mu);
	for (int i = nmsgs > MAX_MSGS ? nmsgs - MAX_MSGS : 0; i < nmsgs; i++)
		if (msgs[i % MAX_MSGS].rcpt != NULL && strcasecmp(msgs[i % MAX_MSGS].rcpt, want) == 0)
			m = &msgs[i % MAX_MSGS];
	pthread_mutex_unlock(&mu);
	return m;
}

int
smtp_catcher_count(const char *rcpt)
{
	char want[512];
	int n = 0;

	snprintf(want, sizeof want, "<%s>", rcpt);
	pthread_mutex_lock(&mu);
	for (int i = nmsgs > MAX_MSGS ? nmsgs - MAX_MSGS : 0; i < nmsgs; i++)
		if (msgs[i % MAX_MSGS].rcpt != NULL && strcasecmp(msgs[i % MAX_MSGS].rcpt, want) == 0)
			n++;
	pthread_mutex_unlock(&mu);
	return n;
}

static void
say(int fd, const char *s)
{
	size_t n = strlen(s), off = 0;

	while (off < n) {
		ssize_t w = write(fd, s + off, n - off);

		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

/* base64 decode (AUTH PLAIN); NUL separators become ':'. */
static char *
b64_plain(const char *s)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = calloc(1, strlen(s) + 1);
	unsigned v = 0;
	int bits = 0;
	size_t o = 0;

	for (; out != NULL && *s; s++) {
		const char *p = strchr(tab, *s);

		if (*s == '=' || *s == '\r' || *s == '\n' || p == NULL)
			continue;
		v = v << 6 | (unsigned)(p - tab);
		bits += 6;
		if (bits >= 8) {
			char c;

			bits -= 8;
			c = (char)(v >> bits & 0xff);
			out[o++] = c == '\0' ? ':' : c;
		}
	}
	return out;
}

/* The DATA section up to the lone ".", dot-stuffing undone. */
static char *
read_data(FILE *in)
{
	size_t cap = 65536, len = 0;
	char *d = malloc(cap), line[4096];

	while (d != NULL && fgets(line, sizeof line, in) != NULL) {
		const char *l = line;
		size_t n;

		if (strcmp(line, ".\r\n") == 0)
			break;
		if (line[0] == '.')
			l++;	/* RFC 5321 §4.5.2 */
		n = strlen(l);
		if (len + n + 1 > cap) {
			char *g = realloc(d, cap * 2 + n);

			if (g == NULL) {
				free(d);
				return NULL;
			}
			d = g;
			cap = cap * 2 + n;
		}
		memcpy(d + len, l, n);
		len += n;
	}
	if (d != NULL)
		d[len] = '\0';
	return d;
}

static void
session(int fd)
{
	FILE *in = fdopen(dup(fd), "r");
	char line[4096], *from = NULL, *rcpt = NULL, *auth = NULL;

	if (in == NULL)
		return;
	say(fd, "220 catcher.test ESMTP\r\n");
	while (fgets(line, sizeof line, in) != NULL) {
		if (strncasecmp(line, "EHLO", 4) == 0) {
			pthread_mutex_lock(&mu);
			say(fd, offer_starttls ? "250-catcher.test\r\n250-STARTTLS\r\n" : "250-catcher.test\r\n");
			pthread_mutex_unlock(&mu);
			say(fd, "250-AUTH PLAIN\r\n250 8BITMIME\r\n");
		} else if (strncasecmp(line, "HELO", 4) == 0) {
			say(fd, "250 catcher.test\r\n");
		} else if (strncasecmp(line, "STARTTLS", 8) == 0) {
			pthread_mutex_lock(&mu);
			starttls_cmds++;
			pthread_mutex_unlock(&mu);
			say(fd, "454 4.7.0 TLS not available\r\n");
		} else if (strncasecmp(line, "AUTH PLAIN", 10) == 0) {
			const char *arg = line + 10;

			while (*arg == ' ')
				arg++;
			if (*arg == '\r' || *arg == '\0') {
				say(fd, "334 \r\n");
				if (fgets(line, sizeof line, in) == NULL)
					break;
				arg = line;
			}
			free(auth);
			auth = b64_plain(arg);
			say(fd, "235 2.7.0 Authentication successful\r\n");
		} else if (strncasecmp(line, "MAIL FROM:", 10) == 0) {
			int code;

			pthread_mutex_lock(&mu);
			mail_cmds++;
			code = fail_times != 0 ? fail_code : 0;
			if (code != 0 && fail_times > 0)
				fail_times--;
			pthread_mutex_unlock(&mu);
			if (code != 0) {
				snprintf(line, sizeof line, "%d %s\r\n", code, code < 500 ?
				    "4.3.0 Try again later" : "5.7.1 Refused");
				say(fd, line);
				continue;
			}
			free(from);
			from = strndup(line + 10, strcspn(line + 10, " \r\n"));
			say(fd, "250 2.1.0 Ok\r\n");
		} else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
			free(rcpt);
			rcpt = strndup(line + 8, strcspn(line + 8, " \r\n"));
			say(fd, "250 2.1.5 Ok\r\n");
		} else if (strncasecmp(line, "DATA", 4) == 0) {
			char *d;

			if (from == NULL || rcpt == NULL) {
				say(fd, "503 5.5.1 MAIL and RCPT first\r\n");
				continue;
			}
			say(fd, "354 End data with <CR><LF>.<CR><LF>\r\n");
			d = read_data(in);
			pthread_mutex_lock(&mu);
			if (d != NULL) {
				smtp_msg *m = &msgs[nmsgs % MAX_MSGS];

				free(m->mail_from);
				free(m->rcpt);
				free(m->auth);
				free(m->data);
				m->mail_from = from;
				m->rcpt = rcpt;
				m->auth = auth != NULL ? strdup(auth) : NULL;
				m->data = d;
				nmsgs++;
				from = rcpt = NULL;
			}
			pthread_mutex_unlock(&mu);
			say(fd, "250 2.0.0 Ok: queued\r\n");
		} else if (strncasecmp(line, "RSET", 4) == 0 || strncasecmp(line, "NOOP", 4) == 0) {
			say(fd, "250 2.0.0 Ok\r\n");
		} else if (strncasecmp(line, "QUIT", 4) == 0) {
			say(fd, "221 2.0.0 Bye\r\n");
			break;
		} else {
			say(fd, "502 5.5.2 Command not recognized\r\n");
		}
	}
	free(from);
	free(rcpt);
	free(auth);
	fclose(in);
}

static void *
serve(void *ud)
{
	(void)ud;
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);

		if (fd < 0)
			continue;
		session(fd);
		close(fd);
	}
	return NULL;
}

void
smtp_catcher_start(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, serve, NULL) == 0)
		pthread_detach(t);
}
