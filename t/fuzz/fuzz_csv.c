/*
 * fuzz_csv.c — libFuzzer harness for the CSV reader (lib/core/csv.h).
 *
 * Every record read must respect the bounds, hold valid UTF-8 fields and
 * start on a line at or after the previous one; an error must be
 * E_INVALID_INPUT naming a line.  Each record is then written back with
 * csv_put and must read back to the same fields (the writer's guard and
 * the reader's guard removal undo each other).
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
round_trip(arena *a, const csv_record *rec)
{
	buf b = BUF_INIT;
	csv_reader r;
	csv_record back;
	error e;
	bool all_empty = true;

	for (size_t i = 0; i < rec->n; i++) {
		csv_put(&b, rec->fields[i], i == 0);
		all_empty = all_empty && rec->fields[i][0] == '\0';
	}
	csv_end(&b);
	err_clear(&e);
	csv_reader_init(&r, b.data, b.len);
	if (rec->n == 1 && all_empty) {	/* an empty line is no record */
		buf_free(&b);
		return;
	}
	assert(csv_next(&r, a, &back, &e) == 1);
	assert(back.n == rec->n);
	for (size_t i = 0; i < rec->n; i++) {
		/* a field that itself starts with a guard reads back without it */
		const char *f = rec->fields[i];

		if (f[0] == '\'' && f[1] != '\0' && strchr("=+-@\t\r", f[1]) != NULL)
			continue;
		assert(strcmp(back.fields[i], f) == 0);
	}
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static arena *a;
	csv_reader r;
	csv_record rec;
	error e;
	size_t last = 0;
	int rc;

	if (a == NULL && (a = arena_new(64 * 1024)) == NULL)
		return 0;
	err_clear(&e);
	csv_reader_init(&r, (const char *)data, size);
	while ((rc = csv_next(&r, a, &rec, &e)) == 1) {
		assert(rec.n >= 1 && rec.n <= CSV_COLS_MAX && rec.line >= last);
		last = rec.line;
		for (size_t i = 0; i < rec.n; i++) {
			size_t n = strlen(rec.fields[i]);

			assert(n <= CSV_FIELD_MAX && utf8_valid(rec.fields[i], n));
		}
		round_trip(a, &rec);
	}
	assert(rc == 0 || e.code == E_INVALID_INPUT || e.code == E_INTERNAL);
	assert(rc == 0 || e.code != E_INVALID_INPUT || strncmp(e.message, "line ", 5) == 0);
	arena_reset(a);
	return 0;
}
