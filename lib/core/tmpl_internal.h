/*
 * tmpl_internal.h — private to the template engine: compiled node trees
 * shared by tmpl_parse.c (compilation) and tmpl_render.c (rendering).
 */
#ifndef ECOM_TMPL_INTERNAL_H
#define ECOM_TMPL_INTERNAL_H

#include <stdio.h>
#include "tmpl.h"

#define TMPL_MAX_SIZE    (1024 * 1024)
#define TMPL_MAX_DEPTH   64		/* nested sections in one template */
#define TMPL_MAX_CALLS   32		/* partial/parent recursion */
#define TMPL_MAX_OUTPUT  (16u * 1024 * 1024)
#define TMPL_DELIM_MAX   16
/* Nodes visited per render: recursion and nested sections can multiply
 * work without producing output, so the output cap alone is no bound. */
#define TMPL_MAX_STEPS   (1000u * 1000)
#define TMPL_MAX_INCLUDES 20000u	/* partial/parent expansions per render */
/* Compiled templates a set keeps: every indentation a standalone partial is
 * included with is a variant of its own, and nested partials can reach an
 * exponential number of distinct indentations; past the cap a render fails. */
#define TMPL_MAX_CACHED  1024u
/* Source bytes one render may compile (variants not cached yet). */
#define TMPL_MAX_COMPILE (8u * 1024 * 1024)

enum tmpl_ntype {
	N_TEXT, N_VAR, N_RAW, N_SECTION, N_INVERTED, N_PARTIAL, N_PARENT, N_BLOCK
};

struct tmpl_node {
	enum tmpl_ntype   type;
	const char       *s;		/* text, or the name (points into tmpl.src) */
	size_t            len;
	char             *indent;	/* standalone partial/parent/block indentation */
	int               standalone;
	struct tmpl_node *kids;		/* section, inverted, parent, block */
	size_t            nkids;
};

struct tmpl {
	char             *name;		/* cache key, NULL for uncached */
	char             *src;		/* owned copy the nodes point into */
	size_t            len;
	struct tmpl_node *nodes;
	size_t            n;
	struct tmpl      *next;		/* cache chain */
};

struct tmpl *tmpl_compile(const char *src, size_t len, char *err, size_t errlen);
void         tmpl_free(struct tmpl *tp);
void         tmpl_nodes_free(struct tmpl_node *v, size_t n);

#endif
