/*
 * page.h — pagination parameters (page >= 1, per_page 1..100, default 20).
 */
#ifndef ECOM_PAGE_H
#define ECOM_PAGE_H

#include <stdint.h>
#include "error.h"

struct request;

typedef struct page {
	int64_t page;		/* 1-based */
	int64_t per_page;
	int64_t offset;		/* (page-1)*per_page */
} page;

#define PAGE_DEFAULT_SIZE 20
#define PAGE_MAX_SIZE	  100
#define PAGE_MAX_PAGE	  100000

/* Read ?page= and ?per_page=; anything out of range is E_INVALID_PARAMETER
 * naming the parameter. */
ecode page_from_query(const struct request *r, page *out, error *e);
int64_t page_total_pages(const page *p, int64_t total);

#endif
