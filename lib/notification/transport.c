/*
 * transport.c — how a built message leaves: SMTP through libcurl when
 * ECOM_SMTP_URL is set, else a .eml file in ECOM_MAIL_DIR; and the
 * providers of the other channels (SMS, push), today one that only logs.
 *
 * SMTP (RFC 5321): smtp://host:port with STARTTLS as ECOM_SMTP_STARTTLS
 * says — required (CURLUSESSL_ALL: a server without STARTTLS is a failure,
 * never a plaintext send), optional (CURLUSESSL_TRY) or off — or smtps://
 * for TLS from the start; AUTH with ECOM_SMTP_USER/PASSWORD when set.
 * libcurl dot-stuffs the DATA (a line starting with "." goes out as
 * ".."), which t/integration/check_notifications proves.  A 5xx reply is
 * permanent (the message fails at once), anything else is retried.
 *
 * Files: <UTC timestamp>-<uuid>.eml, written under a temporary name in the
 * same directory and renamed, so a reader never sees half a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <curl/curl.h>

#include "core/config.h"
#include "core/site.h"
#include "core/log.h"
#include "core/util.h"
#include "notification/internal.h"

#define SMTP_TIMEOUT_S		60
#define SMTP_CONNECT_TIMEOUT_S	10

bool
notification_file_transport(void)
{
	return cfg->smtp_url == NULL || cfg->smtp_url[0] == '\0';
}

const char *
transport_host(arena *a)
{
	const char *s = strstr(cfg->base_url, "://"), *end;
	size_t len;

	s = s != NULL ? s + 3 : cfg->base_url;
	if (*s == '[') {	/* an IPv6 literal keeps its brackets */
		end = strchr(s, ']');
		end = end != NULL ? end + 1 : s + strlen(s);
	} else {
		end = s + strcspn(s, ":/?#@");
	}
	len = (size_t)(end - s);
	if (len == 0 || len > 253)
		return "localhost";
	return arena_strndup(a, s, len);
}

const char *
transport_from(arena *a)
{
	/* the sender an admin set (validated as an address by lib/settings) */
	if (*site_mail_from() != '\0')
		return site_mail_from();
	return arena_printf(a, "no-reply@%s", transport_host(a));
}

/* ------------------------------------------------------------ files */

/* mkdir -p for the mail directory (0750). */
static int
make_dirs(const char *dir)
{
	char path[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof path)
		return -1;
	memcpy(path, dir, n + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0750) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0750) != 0 && errno != EEXIST ? -1 : 0;
}

/* Write b to dir/name through a temporary file and rename(2). */
static int
write_atomic(const char *dir, const char *name, const buf *b)
{
	char tmp[4096], final[4096];
	int fd;
	size_t off = 0;

	if (snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name) >= (int)sizeof tmp ||
	    snprintf(final, sizeof final, "%s/%s", dir, name) >= (int)sizeof final)
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0)
		return -1;
	while (off < b->len) {
		ssize_t w = write(fd, b->data + off, b->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off != b->len || fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, final) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static ecode
file_send(const buf *msg, error *e)
{
	char id[37], stamp[32], name[96];
	time_t now = time(NULL);
	struct tm tm;

	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for a file name");
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(name, sizeof name, "%s-%s.eml", stamp, id);
	if (make_dirs(cfg->mail_dir) != 0 || write_atomic(cfg->mail_dir, name, msg) != 0)
		return err_set(e, E_UNAVAILABLE, "cannot write %s/%s: %s", cfg->mail_dir, name,
		    strerror(errno));
	return E_OK;
}

/* ------------------------------------------------------------ SMTP */

typedef struct upload {
	const buf *msg;
	size_t     off;
} upload;

static size_t
read_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	upload *u = ud;
	size_t room = size * nmemb, left = u->msg->len - u->off;
	size_t n = left < room ? left : room;

	memcpy(ptr, u->msg->data + u->off, n);
	u->off += n;
	return n;
}

static long
use_ssl(void)
{
	if (strcmp(cfg->smtp_starttls, "required") == 0)
		return (long)CURLUSESSL_ALL;
	if (strcmp(cfg->smtp_starttls, "off") == 0)
		return (long)CURLUSESSL_NONE;
	return (long)CURLUSESSL_TRY;
}

static ecode
smtp_send(arena *a, const char *from, const char *to, const buf *msg, bool *permanent,
    error *e)
{
	static bool curl_ready;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *rcpt = NULL;
	upload u = { msg, 0 };
	long code = 0;
	CURLcode rc;
	CURL *h;

	*permanent = false;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			return err_set(e, E_UNAVAILABLE, "libcurl could not start");
		curl_ready = true;
	}
	if (!(h = curl_easy_init()) ||
	    !(rcpt = curl_slist_append(NULL, arena_printf(a, "<%s>", to)))) {
		curl_easy_cleanup(h);
		return err_set(e, E_UNAVAILABLE, "libcurl: out of memory");
	}
	curl_easy_setopt(h, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, arena_printf(a, "<%s>", from));
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_USE_SSL, use_ssl());
	if (cfg->smtp_user[0] != '\0') {
		curl_easy_setopt(h, CURLOPT_USERNAME, cfg->smtp_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->smtp_password);
	}
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg->len);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)SMTP_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)SMTP_CONNECT_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	if (rc == CURLE_OK)
		return E_OK;
	*permanent = code >= 500 && code <= 599 && rc != CURLE_USE_SSL_FAILED;
	if (code > 0)
		return err_set(e, E_UNAVAILABLE, "SMTP: %s (server said %ld)",
		    errbuf[0] ? errbuf : curl_easy_strerror(rc), code);
	return err_set(e, E_UNAVAILABLE, "SMTP: %s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
}

ecode
transport_send_mail(arena *a, const char *from, const char *to, const buf *msg,
    bool *permanent, error *e)
{
	*permanent = false;
	if (notification_file_transport())
		return file_send(msg, e);
	return smtp_send(a, from, to, msg, permanent, e);
}

/* ------------------------------------------------------------ providers */

/* Logs the message instead of sending it: the default until a real SMS
 * gateway or push service is configured behind the same interface. */
static ecode
log_send(arena *a, const char *to, const char *text, error *e)
{
	(void)a;
	(void)e;
	log_msg(LOG_INFO, "notification (log-only provider) to %s: %s", to, text);
	return E_OK;
}

static const notify_provider log_provider = { "log", log_send };

const notify_provider *
notification_provider(const char *channel)
{
	if (channel != NULL && (strcmp(channel, "sms") == 0 || strcmp(channel, "push") == 0))
		return &log_provider;
	return NULL;
}
