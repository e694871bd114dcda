/*
 * tmpl_parse.c — Mustache templates compiled to node trees (tmpl.h).
 *
 * Compilation runs in three passes over the source:
 *   1. tokenize: text (split so each piece holds at most one newline, at its
 *      end) and tags, following set-delimiter tags as they come;
 *   2. standalone lines: a line holding only whitespace and one tag that
 *      renders nothing (section, close, comment, partial, parent, block,
 *      delimiters) disappears whole, its indentation kept for partials and
 *      parents; a line of several such tags counts too when one of them is a
 *      parent tag, which the inheritance spec requires;
 *   3. build the tree: sections, parents and blocks own their children.
 * Rendering (tmpl_render.c) then walks the tree and never re-parses.
 */
#include <stdlib.h>
#include <string.h>

#include "tmpl_internal.h"

#define MAX_TOKENS (1 << 20)

enum ttype {
	T_TEXT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_PARTIAL,
	T_PARENT, T_BLOCK, T_COMMENT, T_DELIM
};

struct token {
	enum ttype  type;
	const char *s;		/* text, or the tag's name */
	size_t      len;
	int         line;
	int         removed;	/* text swallowed by a standalone line */
	int         standalone;
	int         closes;	/* T_CLOSE: the type it closes */
	const char *indent;	/* standalone partial/parent/block: leading space */
	size_t      indent_len;
};

struct tokens {
	struct token *v;
	size_t        n, cap;
};

static int
push(struct tokens *t, struct token tok)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct token *v;
		if (cap > MAX_TOKENS || (v = realloc(t->v, cap * sizeof *v)) == NULL)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = tok;
	return 0;
}

static int
fail(char *err, size_t errlen, int line, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "line %d: %s", line, msg);
	return -1;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Trim spaces around a tag's content. */
static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*s)[*n - 1]))
		(*n)--;
}

/* Push text, one piece per line. */
static int
push_text(struct tokens *t, const char *s, size_t n, int *line)
{
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t k = nl != NULL ? (size_t)(nl - s) + 1 : n;
		struct token tok = { T_TEXT, s, k, *line, 0, 0, 0, NULL, 0 };
		if (push(t, tok) != 0)
			return -1;
		if (nl != NULL)
			(*line)++;
		s += k;
		n -= k;
	}
	return 0;
}

/* Parse "{{=<% %>=}}" content ("<% %>") into new delimiters. */
static int
set_delims(const char *s, size_t n, char *open, char *close)
{
	size_t i = 0, a, b;

	trim(&s, &n);
	while (i < n && !is_space(s[i]))
		i++;
	a = i;
	while (i < n && is_space(s[i]))
		i++;
	b = n - i;
	if (a == 0 || b == 0 || a >= TMPL_DELIM_MAX || b >= TMPL_DELIM_MAX ||
	    memchr(s, '=', a) != NULL || memchr(s + i, '=', b) != NULL ||
	    memchr(s + i, ' ', b) != NULL)
		return -1;
	memcpy(open, s, a);
	open[a] = '\0';
	memcpy(close, s + i, b);
	close[b] = '\0';
	return 0;
}

static int
tokenize(const char *src, size_t len, struct tokens *t, char *err, size_t errlen)
{
	char open[TMPL_DELIM_MAX] = "{{", close[TMPL_DELIM_MAX] = "}}";
	const char *p = src, *end = src + len;
	int line = 1;
	/* open sections, so a close can say what it closes */
	enum ttype stack[TMPL_MAX_DEPTH];
	const char *names[TMPL_MAX_DEPTH];
	size_t nlens[TMPL_MAX_DEPTH];
	int depth = 0;

	while (p < end) {
		size_t ol = strlen(open), cl = strlen(close);
		const char *o = memmem(p, (size_t)(end - p), open, ol), *c, *in;
		struct token tok = { T_VAR, NULL, 0, 0, 0, 0, 0, NULL, 0 };

		if (o == NULL) {
			if (push_text(t, p, (size_t)(end - p), &line) != 0)
				return fail(err, errlen, line, "template too large");
			break;
		}
		if (push_text(t, p, (size_t)(o - p), &line) != 0)
			return fail(err, errlen, line, "template too large");
		in = o + ol;
		tok.line = line;
		if (in < end && *in == '{' && strcmp(open, "{{") == 0) {
			c = memmem(in, (size_t)(end - in), "}}}", 3);
			if (c == NULL)
				return fail(err, errlen, line, "unclosed {{{ tag");
			tok.type = T_RAW;
			tok.s = in + 1;
			tok.len = (size_t)(c - in - 1);
			p = c + 3;
		} else {
			c = memmem(in, (size_t)(end - in), close, cl);
			if (c == NULL)
				return fail(err, errlen, line, "unclosed tag");
			tok.s = in;
			tok.len = (size_t)(c - in);
			p = c + cl;
			trim(&tok.s, &tok.len);
			if (tok.len > 0) {
				switch (*tok.s) {
				case '#': tok.type = T_SECTION; break;
				case '^': tok.type = T_INVERTED; break;
				case '/': tok.type = T_CLOSE; break;
				case '>': tok.type = T_PARTIAL; break;
				case '<': tok.type = T_PARENT; break;
				case '$': tok.type = T_BLOCK; break;
				case '!': tok.type = T_COMMENT; break;
				case '&': tok.type = T_RAW; break;
				case '=': tok.type = T_DELIM; break;
				default:  tok.type = T_VAR; break;
				}
				if (tok.type != T_VAR) {
					tok.s++;
					tok.len--;
				}
			}
			if (tok.type == T_DELIM) {
				if (tok.len == 0 || tok.s[tok.len - 1] != '=' ||
				    set_delims(tok.s, tok.len - 1, open, close) != 0)
					return fail(err, errlen, line, "bad set-delimiter tag");
			}
		}
		for (const char *q = o; q < p; q++)
			if (*q == '\n')
				line++;
		if (tok.type != T_COMMENT && tok.type != T_DELIM) {
			trim(&tok.s, &tok.len);
			if (tok.len == 0)
				return fail(err, errlen, tok.line, "empty tag name");
		}
		if (tok.type == T_SECTION || tok.type == T_INVERTED || tok.type == T_PARENT ||
		    tok.type == T_BLOCK) {
			if (depth == TMPL_MAX_DEPTH)
				return fail(err, errlen, tok.line, "sections nested too deeply");
			stack[depth] = tok.type;
			names[depth] = tok.s;
			nlens[depth] = tok.len;
			depth++;
		} else if (tok.type == T_CLOSE) {
			if (depth == 0 || nlens[depth - 1] != tok.len ||
			    memcmp(names[depth - 1], tok.s, tok.len) != 0)
				return fail(err, errlen, tok.line, "closing tag does not match the open section");
			tok.closes = (int)stack[--depth];
		}
		if (push(t, tok) != 0)
			return fail(err, errlen, line, "template too large");
	}
	if (depth > 0)
		return fail(err, errlen, line, "unclosed section at end of template");
	return 0;
}

static int
blank(const struct token *k)
{
	for (size_t i = 0; i < k->len; i++)
		if (!is_space(k->s[i]) && k->s[i] != '\r' && k->s[i] != '\n')
			return 0;
	return 1;
}

static int
silent(const struct token *k)
{
	return k->type != T_TEXT && k->type != T_VAR && k->type != T_RAW;
}

/* Pass 2: mark standalone lines (see the file comment). */
static void
standalone_lines(struct tokens *t)
{
	size_t start = 0;

	while (start < t->n) {
		size_t end = start, tags = 0, i;
		int ok = 1, parent = 0, partial = 0;

		while (end < t->n && !(t->v[end].type == T_TEXT &&
		    t->v[end].s[t->v[end].len - 1] == '\n'))
			end++;
		if (end == t->n)
			end--;
		for (i = start; i <= end; i++) {
			struct token *k = &t->v[i];
			if (k->type == T_TEXT) {
				ok = ok && blank(k);
				continue;
			}
			tags++;
			ok = ok && silent(k);
			parent |= k->type == T_PARENT || (k->type == T_CLOSE && k->closes == T_PARENT);
			partial |= k->type == T_PARTIAL;
		}
		if (ok && (tags == 1 || (tags > 1 && parent && !partial))) {
			const char *indent = NULL;
			size_t ilen = 0;
			int first = 1;
			for (i = start; i <= end; i++) {
				struct token *k = &t->v[i];
				if (k->type == T_TEXT) {
					if (first && indent == NULL) {
						indent = k->s;
						ilen = 0;
					}
					if (first)
						ilen += k->len;
					k->removed = 1;
					continue;
				}
				if (first) {
					k->standalone = 1;
					k->indent = indent != NULL ? indent : "";
					k->indent_len = indent != NULL ? ilen : 0;
				}
				first = 0;
			}
		} else {
			/* a block that is not standalone: the blank text before it on its
			 * line is the indentation its later lines get */
			const char *indent = "";
			size_t ilen = 0;
			int clean = 1;
			for (i = start; i <= end; i++) {
				struct token *k = &t->v[i];
				if (k->type == T_TEXT) {
					if (clean && blank(k)) {
						if (ilen == 0)
							indent = k->s;
						ilen += k->len;
					} else {
						clean = 0;
					}
				} else if (k->type == T_BLOCK) {
					k->indent = clean ? indent : "";
					k->indent_len = clean ? ilen : 0;
				} else {
					clean = 0;
				}
			}
		}
		start = end + 1;
	}
}

static char *
dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Pass 3: tokens [*i, ...) up to the matching close into a node list. */
static int
build(const struct tokens *t, size_t *i, int in_parent, struct tmpl_node **out,
    size_t *nout)
{
	struct tmpl_node *v = NULL;
	size_t n = 0, cap = 0;

	while (*i < t->n) {
		const struct token *k = &t->v[(*i)++];
		struct tmpl_node node;

		if (k->type == T_CLOSE)
			break;
		if (k->type == T_COMMENT || k->type == T_DELIM || (k->type == T_TEXT && k->removed))
			continue;
		/* inside {{<parent}} only blocks matter */
		if (in_parent && k->type != T_BLOCK) {
			if (k->type == T_SECTION || k->type == T_INVERTED || k->type == T_PARENT) {
				struct tmpl_node *skip = NULL;
				size_t ns = 0;
				if (build(t, i, 0, &skip, &ns) != 0)
					goto fail;
				tmpl_nodes_free(skip, ns);
			}
			continue;
		}
		memset(&node, 0, sizeof node);
		node.s = k->s;
		node.len = k->len;
		node.standalone = k->standalone;
		switch (k->type) {
		case T_TEXT:     node.type = N_TEXT; break;
		case T_VAR:      node.type = N_VAR; break;
		case T_RAW:      node.type = N_RAW; break;
		case T_SECTION:  node.type = N_SECTION; break;
		case T_INVERTED: node.type = N_INVERTED; break;
		case T_PARTIAL:  node.type = N_PARTIAL; break;
		case T_PARENT:   node.type = N_PARENT; break;
		default:         node.type = N_BLOCK; break;
		}
		if (k->indent != NULL && (node.indent = dup_n(k->indent, k->indent_len)) == NULL)
			goto fail;
		if (node.type == N_SECTION || node.type == N_INVERTED || node.type == N_PARENT ||
		    node.type == N_BLOCK) {
			if (build(t, i, node.type == N_PARENT, &node.kids, &node.nkids) != 0) {
				free(node.indent);
				goto fail;
			}
		}
		if (n == cap) {
			struct tmpl_node *nv;
			cap = cap ? cap * 2 : 8;
			if ((nv = realloc(v, cap * sizeof *nv)) == NULL) {
				tmpl_nodes_free(node.kids, node.nkids);
				free(node.indent);
				goto fail;
			}
			v = nv;
		}
		v[n++] = node;
	}
	*out = v;
	*nout = n;
	return 0;
fail:
	tmpl_nodes_free(v, n);
	return -1;
}

void
tmpl_nodes_free(struct tmpl_node *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		tmpl_nodes_free(v[i].kids, v[i].nkids);
		free(v[i].indent);
	}
	free(v);
}

struct tmpl *
tmpl_compile(const char *src, size_t len, char *err, size_t errlen)
{
	struct tokens t = { NULL, 0, 0 };
	struct tmpl *tp;
	size_t i = 0;

	if (len > TMPL_MAX_SIZE) {
		fail(err, errlen, 0, "template larger than 1 MiB");
		return NULL;
	}
	tp = calloc(1, sizeof *tp);
	if (tp == NULL || (tp->src = dup_n(src, len)) == NULL) {
		free(tp);
		fail(err, errlen, 0, "out of memory");
		return NULL;
	}
	tp->len = len;
	if (tokenize(tp->src, len, &t, err, errlen) != 0)
		goto fail;
	standalone_lines(&t);
	if (build(&t, &i, 0, &tp->nodes, &tp->n) != 0) {
		fail(err, errlen, 0, "out of memory");
		goto fail;
	}
	free(t.v);
	return tp;
fail:
	free(t.v);
	free(tp->src);
	free(tp);
	return NULL;
}

void
tmpl_free(struct tmpl *tp)
{
	if (tp == NULL)
		return;
	tmpl_nodes_free(tp->nodes, tp->n);
	free(tp->src);
	free(tp->name);
	free(tp);
}
