/*
 * check_run.h — the end of every Check suite's main(): run the suite in
 * Check's default fork mode (a crash is a failure, not the end of the run)
 * and turn the failure count into the exit status automake expects.
 */
#ifndef ECOM_T_CHECK_RUN_H
#define ECOM_T_CHECK_RUN_H

#include <check.h>

static inline int
check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

#endif
