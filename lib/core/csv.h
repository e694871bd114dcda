/*
 * csv.h — RFC 4180 CSV, read and written (catalog import and export).
 *
 * Reading: fields separated by commas, records by CRLF or LF; a field in
 * double quotes may hold commas, quotes (doubled) and line breaks.  A UTF-8
 * byte-order mark before the first record is skipped (spreadsheets write
 * one).  Every field must be valid UTF-8.  Bounds: CSV_FIELD_MAX bytes a
 * field, CSV_COLS_MAX fields a record.  An error names the line and column
 * where it was found, so the merchant can fix the file.
 *
 * Writing: a field is quoted when it holds a comma, a quote, CR or LF, or
 * leading/trailing spaces.  A field that a spreadsheet would run as a
 * formula (first character = + - @, tab or CR) gets a leading apostrophe
 * (OWASP "CSV injection"); the reader takes such an apostrophe off again,
 * so an export re-imports unchanged.
 */
#ifndef ECOM_CSV_H
#define ECOM_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "error.h"

#define CSV_FIELD_MAX	(64 * 1024)
#define CSV_COLS_MAX	64

typedef struct csv_reader {
	const char *p, *end;
	size_t      line;	/* 1-based line of the record last read */
	size_t      next_line;
} csv_reader;

typedef struct csv_record {
	const char **fields;	/* NUL-terminated copies in the arena */
	size_t       n;
	size_t       line;	/* where the record starts */
} csv_record;

void csv_reader_init(csv_reader *r, const char *data, size_t len);
/* The next record: 1, 0 at the end of the data, or -1 with e
 * (E_INVALID_INPUT "line L, column C: ..."). Blank lines are skipped. */
int csv_next(csv_reader *r, arena *a, csv_record *rec, error *e);

/* Append one field (with its separator when not first) / end a record. */
void csv_put(buf *b, const char *field, bool first);
void csv_end(buf *b);

#endif
