/*
 * check_mustache.c — the template engine against the Mustache spec, plus
 * our own guarantees (escaping, bounds, caching, errors).
 *
 * Every test of every spec file in MUSTACHE_SPEC_DIR (t/unit/mustache-spec)
 * runs, except the optional lambdas; "~inheritance.json" is optional in the
 * spec but required here, because page layouts use it.  The program prints
 * `mustache spec: N/M passed` and fails unless N == M.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>

#include "../check_run.h"
#include <json-c/json.h>

#include "core/buf.h"
#include "core/tmpl.h"

static json_object *partials;	/* the current spec test's partials */

static char *
spec_loader(void *ud, const char *name, size_t *len)
{
	json_object *v;

	(void)ud;
	if (partials == NULL || !json_object_object_get_ex(partials, name, &v))
		return NULL;
	*len = (size_t)json_object_get_string_len(v);
	return strdup(json_object_get_string(v));
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run one spec file; returns failures, adds to *total. */
static int
run_file(const char *dir, const char *file, int *total)
{
	char path[1024];
	json_object *root, *tests;
	int failed = 0, n;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	root = json_object_from_file(path);
	if (root == NULL || !json_object_object_get_ex(root, "tests", &tests)) {
		printf("  %s: cannot read\n", file);
		json_object_put(root);
		return 1;
	}
	n = (int)json_object_array_length(tests);
	for (int i = 0; i < n; i++) {
		json_object *t = json_object_array_get_idx(tests, i), *tmpl, *data, *exp, *name;
		buf out = BUF_INIT;
		char err[256];
		tmpl_set *set;
		int rc;

		json_object_object_get_ex(t, "template", &tmpl);
		json_object_object_get_ex(t, "data", &data);
		json_object_object_get_ex(t, "expected", &exp);
		json_object_object_get_ex(t, "name", &name);
		partials = NULL;
		json_object_object_get_ex(t, "partials", &partials);
		set = tmpl_set_new_loader(spec_loader, NULL);
		rc = tmpl_render_string(set, json_object_get_string(tmpl),
		    (size_t)json_object_get_string_len(tmpl), data, buf_sink, &out, err, sizeof err);
		if (rc != 0 || strcmp(out.data != NULL ? out.data : "", json_object_get_string(exp)) != 0) {
			failed++;
			printf("    FAIL %s / %s: %s\n      got:  [%s]\n      want: [%s]\n", file,
			    json_object_get_string(name), rc != 0 ? err : "wrong output",
			    out.data != NULL ? out.data : "", json_object_get_string(exp));
		}
		tmpl_set_free(set);
		buf_free(&out);
	}
	printf("  %s: %d/%d\n", file, n - failed, n);
	*total += n;
	json_object_put(root);
	return failed;
}

static const char *
spec_dir(void)
{
	const char *d = getenv("MUSTACHE_SPEC_DIR");

	return d != NULL ? d : "t/unit/mustache-spec";
}

START_TEST(spec_passes)
{
	DIR *d = opendir(spec_dir());
	struct dirent *de;
	char *names[64] = { NULL };
	int n = 0, total = 0, failed = 0;

	ck_assert_msg(d != NULL, "no spec directory %s", spec_dir());
	while ((de = readdir(d)) != NULL && n < 64) {
		size_t len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		/* optional modules start with '~'; we require inheritance */
		if (de->d_name[0] == '~' && strcmp(de->d_name, "~inheritance.json") != 0)
			continue;
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof names[0], cmp_names);
	for (int i = 0; i < n; i++) {
		failed += run_file(spec_dir(), names[i], &total);
		free(names[i]);
	}
	printf("mustache spec: %d/%d passed\n", total - failed, total);
	ck_assert_int_gt(total, 100);
	ck_assert_int_eq(failed, 0);
}
END_TEST

static int
render(tmpl_set *set, const char *text, const char *json, buf *out, char *err)
{
	json_object *ctx = json_tokener_parse(json);
	int rc;

	buf_reset(out);
	rc = tmpl_render_string(set, text, strlen(text), ctx, buf_sink, out, err, 256);
	json_object_put(ctx);
	return rc;
}

START_TEST(escapes_every_html_special)
{
	tmpl_set *set = tmpl_set_new_loader(spec_loader, NULL);
	buf out = BUF_INIT;
	char err[256];

	ck_assert_int_eq(render(set, "<a title=\"{{t}}\">{{t}}</a>",
	    "{\"t\":\"&<>\\\"'x\"}", &out, err), 0);
	ck_assert_str_eq(out.data, "<a title=\"&amp;&lt;&gt;&quot;&#39;x\">&amp;&lt;&gt;&quot;&#39;x</a>");
	ck_assert_int_eq(render(set, "{{{t}}}|{{&t}}", "{\"t\":\"<b>\"}", &out, err), 0);
	ck_assert_str_eq(out.data, "<b>|<b>");
	tmpl_set_free(set);
	buf_free(&out);
}
END_TEST

START_TEST(syntax_errors_name_the_line)
{
	static const char *bad[] = { "a\n{{#x}}b", "{{/x}}", "{{#a}}{{/b}}", "x {{y", "{{=<%=}}", "{{}}" };
	tmpl_set *set = tmpl_set_new_loader(spec_loader, NULL);
	buf out = BUF_INIT;
	char err[256];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(render(set, bad[i], "{}", &out, err) != 0, "accepted %s", bad[i]);
		ck_assert_msg(strstr(err, "line") != NULL, "%s: %s", bad[i], err);
	}
	tmpl_set_free(set);
	buf_free(&out);
}
END_TEST

START_TEST(bounds)
{
	tmpl_set *set = tmpl_set_new_loader(spec_loader, NULL);
	buf out = BUF_INIT, deep = BUF_INIT;
	char err[256], *big;
	json_object *p;

	/* sections nested beyond the limit */
	for (int i = 0; i < 70; i++)
		buf_printf(&deep, "{{#a%d}}", i);
	for (int i = 69; i >= 0; i--)
		buf_printf(&deep, "{{/a%d}}", i);
	ck_assert_int_ne(render(set, deep.data, "{}", &out, err), 0);
	/* infinitely recursive partial */
	partials = p = json_tokener_parse("{\"loop\":\"x{{>loop}}\"}");
	ck_assert_int_ne(render(set, "{{>loop}}", "{}", &out, err), 0);
	ck_assert_ptr_nonnull(strstr(err, "deeply"));
	json_object_put(p);
	/* nested sections over one list multiply work without any output */
	partials = NULL;
	ck_assert_int_ne(render(set, "{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}"
	    "{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}", "{\"a\":[0,1,2,3,4,5,6,7,8,9]}", &out, err), 0);
	ck_assert_ptr_nonnull(strstr(err, "expensive"));
	/* each indentation of a standalone partial is compiled anew: two at
	 * different indentations in a recursive partial make 2^depth of them
	 * (an indentation over 200 characters ends the recursion: not found) */
	partials = p = json_tokener_parse("{\"fan\":\"x\\n       {{>fan}}\\n"
	    "\\t\\t\\t\\t\\t\\t\\t{{>fan}}\\n\"}");
	ck_assert_int_ne(render(set, "{{>fan}}", "{}", &out, err), 0);
	ck_assert_ptr_nonnull(strstr(err, "indentations"));
	json_object_put(p);
	tmpl_set_free(set);
	/* and the source compiled for them is bounded too */
	set = tmpl_set_new_loader(spec_loader, NULL);
	buf_reset(&deep);
	for (int i = 0; i < 20; i++)
		buf_printf(&deep, "%*s{{>big}}\n", i + 1, "");
	big = calloc(1, 500 * 1024 + 1);
	memset(big, 'b', 500 * 1024);
	partials = p = json_object_new_object();
	json_object_object_add(p, "big", json_object_new_string(big));
	free(big);
	ck_assert_int_ne(render(set, deep.data, "{}", &out, err), 0);
	ck_assert_ptr_nonnull(strstr(err, "compiled"));
	json_object_put(p);
	partials = NULL;
	tmpl_set_free(set);
	buf_free(&out);
	buf_free(&deep);
}
END_TEST

START_TEST(dir_set_caches_and_refuses_bad_names)
{
	char dir[] = "/tmp/tmpl-test-XXXXXX", path[512];
	tmpl_set *set;
	buf out = BUF_INIT;
	char err[256];
	FILE *f;
	json_object *ctx = json_tokener_parse("{\"n\":\"World\"}");

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/hello.mustache", dir);
	f = fopen(path, "w");
	fputs("Hello, {{n}}!{{>missing}}", f);
	fclose(f);
	set = tmpl_set_new_dir(dir);
	/* a directory set is strict: a missing partial is an error */
	ck_assert_int_ne(tmpl_render(set, "hello", ctx, buf_sink, &out, err, sizeof err), 0);
	f = fopen(path, "w");
	fputs("Hello, {{n}}!", f);
	fclose(f);
	tmpl_set_free(set);
	set = tmpl_set_new_dir(dir);
	buf_reset(&out);
	ck_assert_int_eq(tmpl_render(set, "hello", ctx, buf_sink, &out, err, sizeof err), 0);
	ck_assert_str_eq(out.data, "Hello, World!");
	remove(path);	/* compiled once: still renders from the cache */
	buf_reset(&out);
	ck_assert_int_eq(tmpl_render(set, "hello", ctx, buf_sink, &out, err, sizeof err), 0);
	ck_assert_str_eq(out.data, "Hello, World!");
	ck_assert_int_ne(tmpl_render(set, "../etc/passwd", ctx, buf_sink, &out, err, sizeof err), 0);
	ck_assert_int_ne(tmpl_render(set, "/etc/passwd", ctx, buf_sink, &out, err, sizeof err), 0);
	ck_assert_int_ne(tmpl_render(set, "nope", ctx, buf_sink, &out, err, sizeof err), 0);
	rmdir(dir);
	json_object_put(ctx);
	tmpl_set_free(set);
	buf_free(&out);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mustache");
	TCase *tc = tcase_create("engine");

	tcase_add_test(tc, spec_passes);
	tcase_add_test(tc, escapes_every_html_special);
	tcase_add_test(tc, syntax_errors_name_the_line);
	tcase_add_test(tc, bounds);
	tcase_add_test(tc, dir_set_caches_and_refuses_bad_names);
	suite_add_tcase(s, tc);
	return check_run(s);
}
