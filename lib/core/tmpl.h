/*
 * tmpl.h — Mustache templates over json-c values.
 *
 * The full Mustache spec (interpolation, sections, inverted sections,
 * partials with standalone indentation, comments, set delimiters) plus
 * template inheritance ({{<layout}} with {{$block}} overrides) for page
 * layouts; lambdas are not supported.  Output is HTML-escaped by default —
 * the one escaping path for HTML in the code base; {{{x}}} and {{&x}} are the
 * visible, reviewable exceptions.
 *
 * Templates compile once into node trees and stay cached in their set for
 * the life of the process.  Bounds: templates ≤ 1 MiB, sections nested ≤ 64,
 * partial/parent recursion ≤ 32, output ≤ 16 MiB and a million visited
 * nodes per render (so self-including templates cannot run for ever).
 */
#ifndef ECOM_TMPL_H
#define ECOM_TMPL_H

#include <stddef.h>
#include <json-c/json.h>

/* Where rendered bytes go: 0 on success, -1 aborts rendering. */
typedef int (*tmpl_write_fn)(void *sink, const char *data, size_t len);

/* Where template text comes from: a malloc'd NUL-terminated copy (the
 * caller frees it) and its length, or NULL if there is no such template. */
typedef char *(*tmpl_load_fn)(void *ud, const char *name, size_t *len);

typedef struct tmpl_set tmpl_set;

/* Templates from a directory: "store/product" is "<dir>/store/product.mustache".
 * Names with "..", a leading '/', or bytes outside [A-Za-z0-9_/.-] are
 * refused.  A missing partial is an error (not the spec's empty string), so
 * a typo cannot silently drop part of a page.  NULL if out of memory. */
tmpl_set *tmpl_set_new_dir(const char *dir);
/* Templates from a loader; missing partials render nothing, as in the spec. */
tmpl_set *tmpl_set_new_loader(tmpl_load_fn load, void *ud);
void      tmpl_set_free(tmpl_set *set);

/* Render template `name` with ctx (borrowed).  0, or -1 with a message in
 * err: not found, a syntax error with its line, a bound exceeded, or the
 * sink failing.  Output already written before a failure is the caller's
 * to discard. */
int tmpl_render(tmpl_set *set, const char *name, json_object *ctx,
    tmpl_write_fn w, void *sink, char *err, size_t errlen);

/* Compile and render text without caching it (tests, fuzzing); partials
 * and parents come from the set. */
int tmpl_render_string(tmpl_set *set, const char *text, size_t len,
    json_object *ctx, tmpl_write_fn w, void *sink, char *err, size_t errlen);

/* HTML-escape s into the sink: & < > " ' as &amp; &lt; &gt; &quot; &#39;.
 * Safe for text and for double- or single-quoted attribute values. */
int html_escape_to(tmpl_write_fn w, void *sink, const char *s, size_t len);

#endif
