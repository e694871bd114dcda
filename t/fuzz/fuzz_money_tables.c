/*
 * fuzz_money_tables.c — libFuzzer harness for the shipping methods and
 * tax rates tables (lib/checkout: ship_table_parse, tax_table_parse),
 * which an admin now types on /admin/settings.
 *
 * The input's first byte picks tax-inclusive prices; the rest is the
 * table text.  A table that parses must quote every destination within
 * bounds (no negative price, a rate of 0..10000 basis points, tax on a
 * price never negative nor above it when inclusive); a refusal must say
 * why.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checkout/checkout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const countries[] = { "DE", "AT", "CH", "US", "ZZ", NULL };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, why[160];
	bool inclusive;
	ship_table st;
	tax_table tt;

	if (size < 1 || size > 4097)
		return 0;
	inclusive = data[0] & 1;
	if (!(s = malloc(size)))
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	why[0] = '\0';
	if (ship_table_parse(s, &st, why, sizeof why) == 0) {
		assert(st.n >= 1 && st.n <= SHIP_METHODS_MAX);
		for (size_t i = 0; i < st.n; i++) {
			assert(ship_method_find(&st, st.m[i].code) == &st.m[i]);
			for (size_t c = 0; c < sizeof countries / sizeof countries[0]; c++) {
				int64_t p = -1;

				if (ship_quote(&st.m[i], countries[c], 2500, &p) == 0)
					assert(p >= 0);
			}
		}
	} else
		assert(why[0] != '\0');
	why[0] = '\0';
	if (tax_table_parse(s, inclusive, &tt, why, sizeof why) == 0) {
		for (size_t c = 0; c < sizeof countries / sizeof countries[0]; c++) {
			int64_t bp = tax_rate_for(&tt, countries[c]), t;

			assert(bp >= 0 && bp <= 10000);
			t = tax_on(123456, bp, inclusive);
			assert(t >= 0 && (!inclusive || t <= 123456));
		}
	} else
		assert(why[0] != '\0');
	free(s);
	return 0;
}
