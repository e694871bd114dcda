/*
 * router.c — match a method and path against a route table (app.h).
 *
 * Patterns are literal segments and {name} placeholders, each placeholder
 * matching one non-empty segment.  A trailing slash on the request is
 * tolerated ("/api/v1/products/" finds "/api/v1/products").  When a pattern
 * matches the path but no row has the method, the answer is 405 rather
 * than 404, so clients learn the path exists.
 */
#include <string.h>

#include "app.h"

/* Match one pattern; fills params on success. */
static int
match(const char *pat, const char *path, request *req, kv *params, size_t *np)
{
	size_t n = 0;

	while (*pat != '\0' && *path != '\0') {
		if (*pat != '/' || *path != '/')
			return 0;
		pat++;
		path++;
		const char *pe = strchr(pat, '/'), *se = strchr(path, '/');
		size_t plen = pe != NULL ? (size_t)(pe - pat) : strlen(pat);
		size_t slen = se != NULL ? (size_t)(se - path) : strlen(path);

		if (plen > 2 && pat[0] == '{' && pat[plen - 1] == '}') {
			if (slen == 0 || n == HTTP_MAX_PATH_PARAMS)
				return 0;
			if (req != NULL) {
				params[n].key = arena_strndup(req->a, pat + 1, plen - 2);
				params[n].val = arena_strndup(req->a, path, slen);
				if (params[n].key == NULL || params[n].val == NULL)
					return 0;
			}
			n++;
		} else if (plen != slen || memcmp(pat, path, plen) != 0) {
			return 0;
		}
		pat += plen;
		path += slen;
	}
	if (*pat != '\0')
		return 0;
	if (*path != '\0' && strcmp(path, "/") != 0)
		return 0;
	*np = n;
	return 1;
}

const route *
router_match(const route *routes, size_t n, request *req, const char *method,
    const char *path, int *status)
{
	int path_seen = 0;
	kv params[HTTP_MAX_PATH_PARAMS];
	size_t np = 0;

	for (size_t i = 0; i < n; i++) {
		const route *r = &routes[i];
		int same_method = strcmp(r->method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0);

		if (!match(r->pattern, path, same_method ? req : NULL, params, &np))
			continue;
		if (!same_method) {
			path_seen = 1;
			continue;
		}
		if (req != NULL) {
			memcpy(req->params, params, np * sizeof params[0]);
			req->nparams = np;
		}
		*status = 200;
		return r;
	}
	*status = path_seen ? 405 : 404;
	return NULL;
}
