/*
 * fuzz_mime.c — libFuzzer harness for the e-mail builder
 * (notification.h: mime_build), which puts rendered, customer-influenced
 * text (names, subjects, addresses) into message headers.
 *
 * The input is split at NUL bytes into recipient, subject, sender name,
 * text part and HTML part.  mime_build must either refuse (400) or build
 * a message whose header block holds exactly the seven headers it writes
 * (a header can only be continued by a folding space, never added), with
 * no CR or LF that is not part of a CRLF, and no line over 998 bytes.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notification/notification.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const headers[] = {
	"From: ", "To: ", "Subject: ", "Date: ", "Message-ID: ", "MIME-Version: ",
	"Content-Type: ",
};

static void
check_message(const buf *b)
{
	const char *s = b->data, *end = b->data + b->len, *body;
	size_t line = 0;
	int seen = 0;

	for (const char *p = s; p < end; p++) {
		if (*p == '\r') {
			assert(p + 1 < end && p[1] == '\n');
			line = 0;
			p++;
			continue;
		}
		assert(*p != '\n');
		assert(++line <= 998);
	}
	body = strstr(s, "\r\n\r\n");
	assert(body != NULL);
	for (const char *l = s; l < body + 2; l = strstr(l, "\r\n") + 2) {
		size_t i;

		if (*l == ' ')
			continue;	/* a folded continuation */
		for (i = 0; i < sizeof headers / sizeof *headers; i++)
			if (strncmp(l, headers[i], strlen(headers[i])) == 0)
				break;
		assert(i < sizeof headers / sizeof *headers);
		assert((seen & 1 << i) == 0);
		seen |= 1 << i;
	}
	assert(seen == (1 << (sizeof headers / sizeof *headers)) - 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *f[5], *p;
	mime_parts m;
	buf b = BUF_INIT;
	error e;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	p = copy;
	for (int i = 0; i < 5; i++) {
		f[i] = p;
		p += strlen(p);
		if (p < copy + size)
			p++;
	}
	m = (mime_parts){ f[2], "no-reply@shop.example", f[0], f[1], f[3], f[4],
	    "0b7c3a52-1f7e-4a7e-9a55-5b1c0e6d9c11@shop.example", 1795000000 };
	err_clear(&e);
	if (mime_build(&m, &b, &e) == E_OK) {
		buf_putc(&b, '\0');
		b.len--;
		check_message(&b);
	} else {
		assert(e.code == E_INVALID_INPUT || e.code == E_INTERNAL);
	}
	buf_free(&b);
	free(copy);
	return 0;
}
