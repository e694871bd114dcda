/* password.c — being written. */
