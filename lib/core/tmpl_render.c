/*
 * tmpl_render.c — rendering compiled Mustache templates over json-c values,
 * and the per-process cache of compiled templates (tmpl.h).
 *
 * A render keeps a context stack of json-c values (never copied), a stack
 * of block-override layers for template inheritance, and an output that is
 * either the caller's sink or, while an overriding block is re-indented, a
 * scratch buffer.  Escaping is the default; {{{x}}} and {{&x}} are the only
 * raw paths, and they are grep-able in every template.
 */
#include <stdlib.h>
#include <string.h>

#include "tmpl_internal.h"

#define CACHE_BUCKETS 256
#define MAX_STACK     128
#define MAX_LAYERS    32
#define NAME_MAX_LEN  200

struct tmpl_set {
	char        *dir;
	tmpl_load_fn load;
	void        *ud;
	int          strict;	/* missing partials are errors (dir sets) */
	unsigned     cached;	/* templates in the cache, at most TMPL_MAX_CACHED */
	struct tmpl *cache[CACHE_BUCKETS];
};

struct scratch {
	char  *p;
	size_t len, cap;
};

struct rs {
	tmpl_set               *set;
	tmpl_write_fn           w;
	void                   *sink;
	size_t                  total;
	json_object            *stack[MAX_STACK];
	int                     depth;
	const struct tmpl_node *layers[MAX_LAYERS];	/* parent bodies: block overrides */
	size_t                  nlayer[MAX_LAYERS];
	int                     nlayers, base;
	int                     calls;
	unsigned                steps;
	unsigned                includes;
	size_t                  compile_left;	/* source bytes this render may still compile */
	char                   *err;
	size_t                  errlen;
};

static int
rfail(struct rs *r, const char *msg, const char *name, size_t len)
{
	if (r->err != NULL && r->errlen > 0 && r->err[0] == '\0')
		snprintf(r->err, r->errlen, "%s%s%.*s", msg, name != NULL ? ": " : "",
		    name != NULL ? (int)len : 0, name != NULL ? name : "");
	return -1;
}

static int
emit(struct rs *r, const char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (n > TMPL_MAX_OUTPUT - r->total)
		return rfail(r, "output larger than 16 MiB", NULL, 0);
	r->total += n;
	if (r->w(r->sink, s, n) != 0)
		return rfail(r, "cannot write output", NULL, 0);
	return 0;
}

int
html_escape_to(tmpl_write_fn w, void *sink, const char *s, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		const char *rep;
		switch (s[i]) {
		case '&':  rep = "&amp;"; break;
		case '<':  rep = "&lt;"; break;
		case '>':  rep = "&gt;"; break;
		case '"':  rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:   continue;
		}
		if ((i > start && w(sink, s + start, i - start) != 0) || w(sink, rep, strlen(rep)) != 0)
			return -1;
		start = i + 1;
	}
	return len > start ? w(sink, s + start, len - start) : 0;
}

/* ------------------------------------------------------------ lookup */

/* Resolve a (dotted) name; *found is 0 for a missing name. */
static json_object *
lookup(struct rs *r, const char *name, size_t len, int *found)
{
	char key[NAME_MAX_LEN + 1];
	json_object *v = NULL;
	size_t k;

	*found = 0;
	if (len == 1 && name[0] == '.') {
		*found = r->depth > 0;
		return r->depth > 0 ? r->stack[r->depth - 1] : NULL;
	}
	k = strcspn(name, ".");
	if (k > len)
		k = len;
	if (k == 0 || k > NAME_MAX_LEN)
		return NULL;
	memcpy(key, name, k);
	key[k] = '\0';
	for (int i = r->depth - 1; i >= 0; i--) {
		if (json_object_is_type(r->stack[i], json_type_object) &&
		    json_object_object_get_ex(r->stack[i], key, &v)) {
			*found = 1;
			break;
		}
	}
	if (!*found)
		return NULL;
	/* the rest of a dotted name resolves only inside what the first part found */
	while (k < len) {
		size_t start = k + 1, n;
		name += start;
		len -= start;
		n = strcspn(name, ".");
		if (n > len)
			n = len;
		if (n == 0 || n > NAME_MAX_LEN) {
			*found = 0;
			return NULL;
		}
		memcpy(key, name, n);
		key[n] = '\0';
		/* an extension of the spec: "list.0" is the first element, so a
		 * template can test for a non-empty list before opening a wrapper */
		if (json_object_is_type(v, json_type_array) && strspn(key, "0123456789") == n && n < 10) {
			size_t idx = 0;
			for (size_t d = 0; d < n; d++)
				idx = idx * 10 + (size_t)(key[d] - '0');
			v = idx < json_object_array_length(v) ? json_object_array_get_idx(v, idx) : NULL;
			if (v == NULL) {
				*found = 0;
				return NULL;
			}
		} else if (!json_object_is_type(v, json_type_object) ||
		    !json_object_object_get_ex(v, key, &v)) {
			*found = 0;
			return NULL;
		}
		k = n;
	}
	return v;
}

static int
truthy(json_object *v, int found)
{
	if (!found || v == NULL)
		return 0;
	switch (json_object_get_type(v)) {
	case json_type_boolean: return json_object_get_boolean(v);
	case json_type_array:   return json_object_array_length(v) > 0;
	case json_type_string:  return json_object_get_string_len(v) > 0;
	default:                return 1;
	}
}

static int
interpolate(struct rs *r, const struct tmpl_node *nd, int escape)
{
	int found;
	json_object *v = lookup(r, nd->s, nd->len, &found);
	const char *s;
	size_t n;

	if (!found || v == NULL)
		return 0;
	switch (json_object_get_type(v)) {
	case json_type_string:
		s = json_object_get_string(v);
		n = (size_t)json_object_get_string_len(v);
		break;
	case json_type_boolean:
		s = json_object_get_boolean(v) ? "true" : "false";
		n = strlen(s);
		break;
	default:
		s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		n = s != NULL ? strlen(s) : 0;
		break;
	}
	if (s == NULL)
		return 0;
	if (!escape)
		return emit(r, s, n);
	if (n > TMPL_MAX_OUTPUT - r->total)
		return rfail(r, "output larger than 16 MiB", NULL, 0);
	r->total += n;	/* escaping may grow it; the cap is a guard, not an exact count */
	return html_escape_to(r->w, r->sink, s, n) == 0 ? 0 : rfail(r, "cannot write output", NULL, 0);
}

/* ------------------------------------------------------------ cache */

static unsigned
hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % CACHE_BUCKETS;
}

static int
name_ok(const char *name, size_t n)
{
	if (n == 0 || n > NAME_MAX_LEN || name[0] == '/' || memmem(name, n, "..", 2) != NULL)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '/' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

static char *
load_dir(void *ud, const char *name, size_t *len)
{
	const tmpl_set *set = ud;
	char path[4096];
	FILE *f;
	char *p = NULL;
	size_t n;

	if (!name_ok(name, strlen(name)))
		return NULL;
	if ((size_t)snprintf(path, sizeof path, "%s/%s.mustache", set->dir, name) >= sizeof path)
		return NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	p = malloc(TMPL_MAX_SIZE + 2);
	n = p != NULL ? fread(p, 1, TMPL_MAX_SIZE + 1, f) : 0;
	fclose(f);
	if (p == NULL || n > TMPL_MAX_SIZE) {
		free(p);
		return NULL;
	}
	p[n] = '\0';
	*len = n;
	return p;
}

/* Indent every line of src (not after a final newline) — standalone partials. */
static char *
indent_source(const char *src, size_t len, const char *indent, size_t *outlen)
{
	size_t il = strlen(indent), lines = 1, o = 0;
	char *out;

	for (size_t i = 0; i < len; i++)
		lines += src[i] == '\n';
	if (len + 1 > TMPL_MAX_SIZE || lines > TMPL_MAX_SIZE / (il + 1))
		return NULL;
	out = malloc(len + lines * il + 1);
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (i == 0 || (src[i - 1] == '\n')) {
			memcpy(out + o, indent, il);
			o += il;
		}
		out[o++] = src[i];
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/*
 * The compiled template `name` (with indentation, for standalone partials).
 * *budget, when given, is what is left of the source bytes the caller may
 * still compile; a missing template leaves err empty, a refused one says why.
 */
static struct tmpl *
get(tmpl_set *set, const char *name, size_t nlen, const char *indent, size_t *budget,
    char *err, size_t errlen)
{
	char key[NAME_MAX_LEN + 256], nm[NAME_MAX_LEN + 1];
	struct tmpl *tp;
	unsigned h;
	char *src, *isrc;
	size_t len = 0;

	if (nlen > NAME_MAX_LEN || (indent != NULL && strlen(indent) > 200))
		return NULL;
	memcpy(nm, name, nlen);
	nm[nlen] = '\0';
	snprintf(key, sizeof key, "%s%s%s", nm, indent != NULL && *indent ? "\x1f" : "",
	    indent != NULL ? indent : "");
	h = hash(key);
	for (tp = set->cache[h]; tp != NULL; tp = tp->next)
		if (strcmp(tp->name, key) == 0)
			return tp;
	if (set->cached >= TMPL_MAX_CACHED) {
		snprintf(err, errlen, "too many templates and partial indentations (over %u)",
		    TMPL_MAX_CACHED);
		return NULL;
	}
	src = set->load(set->ud, nm, &len);
	if (src == NULL)
		return NULL;
	if (indent != NULL && *indent != '\0') {
		isrc = indent_source(src, len, indent, &len);
		free(src);
		if ((src = isrc) == NULL)
			return NULL;
	}
	if (budget != NULL) {
		if (len > *budget) {
			free(src);
			snprintf(err, errlen, "template too expensive to render (partials compiled)");
			return NULL;
		}
		*budget -= len;
	}
	tp = tmpl_compile(src, len, err, errlen);
	free(src);
	if (tp == NULL)
		return NULL;
	if ((tp->name = strdup(key)) == NULL) {
		tmpl_free(tp);
		return NULL;
	}
	tp->next = set->cache[h];
	set->cache[h] = tp;
	set->cached++;
	return tp;
}

tmpl_set *
tmpl_set_new_loader(tmpl_load_fn load, void *ud)
{
	tmpl_set *set = calloc(1, sizeof *set);

	if (set != NULL) {
		set->load = load;
		set->ud = ud;
	}
	return set;
}

tmpl_set *
tmpl_set_new_dir(const char *dir)
{
	tmpl_set *set = tmpl_set_new_loader(load_dir, NULL);

	if (set == NULL)
		return NULL;
	set->ud = set;
	set->strict = 1;
	if ((set->dir = strdup(dir)) == NULL) {
		free(set);
		return NULL;
	}
	return set;
}

void
tmpl_set_free(tmpl_set *set)
{
	if (set == NULL)
		return;
	for (int i = 0; i < CACHE_BUCKETS; i++) {
		while (set->cache[i] != NULL) {
			struct tmpl *next = set->cache[i]->next;
			tmpl_free(set->cache[i]);
			set->cache[i] = next;
		}
	}
	free(set->dir);
	free(set);
}

/* ------------------------------------------------------------ render */

static int render(struct rs *r, const struct tmpl_node *v, size_t n);

static int
scratch_write(void *sink, const char *data, size_t len)
{
	struct scratch *s = sink;

	if (len > TMPL_MAX_OUTPUT || s->len + len + 1 > TMPL_MAX_OUTPUT + 1)
		return -1;
	if (s->len + len + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 256;
		char *p;
		while (cap < s->len + len + 1)
			cap *= 2;
		if ((p = realloc(s->p, cap)) == NULL)
			return -1;
		s->p = p;
		s->cap = cap;
	}
	memcpy(s->p + s->len, data, len);
	s->len += len;
	s->p[s->len] = '\0';
	return 0;
}

static int
section(struct rs *r, const struct tmpl_node *nd)
{
	int found, rc = 0;
	json_object *v = lookup(r, nd->s, nd->len, &found);

	if (nd->type == N_INVERTED)
		return truthy(v, found) ? 0 : render(r, nd->kids, nd->nkids);
	if (!truthy(v, found))
		return 0;
	if (r->depth + 1 >= MAX_STACK)
		return rfail(r, "context nested too deeply", nd->s, nd->len);
	if (json_object_is_type(v, json_type_array)) {
		size_t len = json_object_array_length(v);
		for (size_t i = 0; i < len && rc == 0; i++) {
			r->stack[r->depth++] = json_object_array_get_idx(v, i);
			rc = render(r, nd->kids, nd->nkids);
			r->depth--;
		}
		return rc;
	}
	r->stack[r->depth++] = v;
	rc = render(r, nd->kids, nd->nkids);
	r->depth--;
	return rc;
}

static int
include(struct rs *r, const struct tmpl_node *nd)
{
	struct tmpl *tp;
	int rc, base = r->base;

	if (r->calls >= TMPL_MAX_CALLS)
		return rfail(r, "partials nested too deeply", nd->s, nd->len);
	if (++r->includes > TMPL_MAX_INCLUDES)
		return rfail(r, "template too expensive to render (partials)", nd->s, nd->len);
	tp = get(r->set, nd->s, nd->len, nd->standalone ? nd->indent : NULL, &r->compile_left,
	    r->err, r->errlen);
	if (tp == NULL) {
		if (r->set->strict || (r->err != NULL && r->err[0] != '\0'))
			return rfail(r, "template not found", nd->s, nd->len);
		return 0;	/* the spec: a missing partial renders nothing */
	}
	r->calls++;
	if (nd->type == N_PARTIAL) {
		/* a partial starts without the overrides of its caller */
		r->base = r->nlayers;
		rc = render(r, tp->nodes, tp->n);
		r->base = base;
	} else {
		if (r->nlayers == MAX_LAYERS) {
			r->calls--;
			return rfail(r, "inheritance nested too deeply", nd->s, nd->len);
		}
		r->layers[r->nlayers] = nd->kids;
		r->nlayer[r->nlayers] = nd->nkids;
		r->nlayers++;
		rc = render(r, tp->nodes, tp->n);
		r->nlayers--;
	}
	r->calls--;
	return rc;
}

static size_t
leading_ws(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* Write an overriding block's output re-indented for where it lands. */
static int
reindent(struct rs *r, const struct tmpl_node *nd, const char *text, size_t len)
{
	const char *target = nd->indent != NULL ? nd->indent : "";
	size_t base = leading_ws(text, len), tl;
	int first = 1;

	if (nd->standalone && nd->nkids > 0 && nd->kids[0].type == N_TEXT)
		target = NULL;	/* the default's own indentation wins */
	if (target == NULL) {
		tl = leading_ws(nd->kids[0].s, nd->kids[0].len);
		target = nd->kids[0].s;
	} else {
		tl = strlen(target);
	}
	while (len > 0) {
		const char *nl = memchr(text, '\n', len);
		size_t n = nl != NULL ? (size_t)(nl - text) + 1 : len, skip;

		skip = leading_ws(text, n < base ? n : base);
		if ((nd->standalone || !first) && n > 1 && emit(r, target, tl) != 0)
			return -1;
		if (emit(r, text + skip, n - skip) != 0)
			return -1;
		first = 0;
		text += n;
		len -= n;
	}
	return 0;
}

static int
block(struct rs *r, const struct tmpl_node *nd)
{
	for (int l = r->base; l < r->nlayers; l++) {
		for (size_t i = 0; i < r->nlayer[l]; i++) {
			const struct tmpl_node *o = &r->layers[l][i];
			struct scratch s = { NULL, 0, 0 };
			tmpl_write_fn w = r->w;
			void *sink = r->sink;
			int rc;

			if (o->type != N_BLOCK || o->len != nd->len || memcmp(o->s, nd->s, nd->len) != 0)
				continue;
			r->w = scratch_write;
			r->sink = &s;
			rc = render(r, o->kids, o->nkids);
			r->w = w;
			r->sink = sink;
			if (rc == 0)
				rc = reindent(r, nd, s.p != NULL ? s.p : "", s.len);
			free(s.p);
			return rc;
		}
	}
	return render(r, nd->kids, nd->nkids);
}

static int
render(struct rs *r, const struct tmpl_node *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct tmpl_node *nd = &v[i];
		int rc = 0;

		if (++r->steps > TMPL_MAX_STEPS)
			return rfail(r, "template too expensive to render", NULL, 0);

		switch (nd->type) {
		case N_TEXT:     rc = emit(r, nd->s, nd->len); break;
		case N_VAR:      rc = interpolate(r, nd, 1); break;
		case N_RAW:      rc = interpolate(r, nd, 0); break;
		case N_SECTION:
		case N_INVERTED: rc = section(r, nd); break;
		case N_PARTIAL:
		case N_PARENT:   rc = include(r, nd); break;
		case N_BLOCK:    rc = block(r, nd); break;
		}
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int
run(tmpl_set *set, const struct tmpl *tp, json_object *ctx, tmpl_write_fn w,
    void *sink, char *err, size_t errlen)
{
	struct rs *r = calloc(1, sizeof *r);
	int rc;

	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->set = set;
	r->w = w;
	r->sink = sink;
	r->err = err;
	r->errlen = errlen;
	r->compile_left = TMPL_MAX_COMPILE;
	r->stack[r->depth++] = ctx;
	rc = render(r, tp->nodes, tp->n);
	free(r);
	return rc;
}

int
tmpl_render(tmpl_set *set, const char *name, json_object *ctx, tmpl_write_fn w,
    void *sink, char *err, size_t errlen)
{
	struct tmpl *tp;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (!name_ok(name, strlen(name))) {
		snprintf(err, errlen, "bad template name");
		return -1;
	}
	tp = get(set, name, strlen(name), NULL, NULL, err, errlen);
	if (tp == NULL) {
		if (err[0] == '\0')
			snprintf(err, errlen, "template not found: %s", name);
		return -1;
	}
	return run(set, tp, ctx, w, sink, err, errlen);
}

int
tmpl_render_string(tmpl_set *set, const char *text, size_t len, json_object *ctx,
    tmpl_write_fn w, void *sink, char *err, size_t errlen)
{
	struct tmpl *tp;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	tp = tmpl_compile(text, len, err, errlen);
	if (tp == NULL)
		return -1;
	rc = run(set, tp, ctx, w, sink, err, errlen);
	tmpl_free(tp);
	return rc;
}
