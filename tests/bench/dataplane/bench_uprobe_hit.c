/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_uprobe_hit.c - the cost of one uprobe hit on this machine: calls
 * SSL_free(NULL) (a libssl function the TLS tap probes, which returns at
 * once) N times and prints the mean time per call.  bench_tlstap.sh runs
 * it without and with the tap attached: the difference is what each
 * probed TLS call costs the web server before any byte is copied.
 *
 * usage: bench_uprobe_hit [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/ssl.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	struct timespec a, b;

	if (n <= 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		SSL_free(NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.3f\n", ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)n / 1000.0);
	return 0;
}
