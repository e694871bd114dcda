/* totp.c — being written. */
