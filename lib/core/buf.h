/*
 * buf.h — a growable byte buffer on the heap.
 *
 * Used for response bodies and anything else built piecewise.  A buffer is
 * created once per process and reset between requests, so steady-state
 * rendering reuses the same memory.  Failure is sticky: after an allocation
 * fails, `oom` is set and further appends are ignored, so writers can append
 * freely and check once at the end.
 */
#ifndef ECOM_BUF_H
#define ECOM_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
	char  *data;	/* always NUL-terminated when cap > 0 */
	size_t len;
	size_t cap;
	int    oom;	/* set once an append failed */
} buf;

#define BUF_INIT { NULL, 0, 0, 0 }

int  buf_append(buf *b, const void *p, size_t n);	/* 0 or -1 */
int  buf_puts(buf *b, const char *s);
int  buf_putc(buf *b, char c);
int  buf_printf(buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_reset(buf *b);		/* len = 0, oom = 0; memory kept */
void buf_free(buf *b);

/* A tmpl_write_fn-compatible sink: sink is a buf *. */
int  buf_sink(void *sink, const char *data, size_t len);

#endif
