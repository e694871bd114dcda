/*
 * fuzz_tmpl.c — libFuzzer harness for the template engine.
 *
 * Input: template text, a NUL byte, then a JSON context.  Partials resolve
 * to the template itself (so recursion bounds are exercised).  Any crash,
 * leak or sanitizer report is a finding; render errors are expected.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/tmpl.h"

static const char *self_text;
static size_t self_len;

static char *
self_loader(void *ud, const char *name, size_t *len)
{
	char *p;

	(void)ud;
	if (strcmp(name, "self") != 0 && strcmp(name, "p") != 0)
		return NULL;
	if ((p = malloc(self_len + 1)) == NULL)
		return NULL;
	memcpy(p, self_text, self_len);
	p[self_len] = '\0';
	*len = self_len;
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nul = memchr(s, '\0', size);
	size_t tlen = nul != NULL ? (size_t)(nul - s) : size;
	json_object *ctx = NULL;
	tmpl_set *set;
	buf out = BUF_INIT;
	char err[256];

	if (nul != NULL && (size_t)(nul - s) + 1 < size) {
		char *js = strndup(nul + 1, size - tlen - 1);
		if (js != NULL)
			ctx = json_tokener_parse(js);
		free(js);
	}
	if (ctx == NULL)
		ctx = json_object_new_object();
	self_text = s;
	self_len = tlen;
	set = tmpl_set_new_loader(self_loader, NULL);
	if (set != NULL)
		tmpl_render_string(set, s, tlen, ctx, buf_sink, &out, err, sizeof err);
	tmpl_set_free(set);
	buf_free(&out);
	json_object_put(ctx);
	return 0;
}
