/*
 * ecomctl.h — what the commands of ecomctl share (ecomctl.c).
 */
#ifndef ECOM_ECOMCTL_H
#define ECOM_ECOMCTL_H

/* Print the usage to stderr; returns 2. */
int ecomctl_usage(void);
/* "--name value" pairs from argv[2]; see ecomctl.c.  0 or -1. */
int ecomctl_opts(int argc, char **argv, const char *const *names, const char **vals);

int cmd_user(int argc, char **argv);	/* ecomctl_user.c */
int cmd_catalog(int argc, char **argv);	/* ecomctl_catalog.c */
int cmd_search(int argc, char **argv);	/* ecomctl_search.c */

#endif
