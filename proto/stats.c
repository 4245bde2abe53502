/* Means, standard errors and Wilson intervals. */
#include "stats.h"

#include <math.h>
#include <stdint.h>

void
stats_wilson(double p, size_t n, double z, double *lo, double *hi)
{
	double nn = (double)n, z2 = z * z, denom, centre, half;

	if (n == 0) {
		*lo = 0;
		*hi = 1;
		return;
	}
	p = !(p > 0) ? 0 : p > 1 ? 1 : p;	/* NaN to 0 */
	denom = 1 + z2 / nn;
	centre = (p + z2 / (2 * nn)) / denom;
	half = z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom;
	/* at p = 0 centre and half are equal, at p = 1 they sum to 1: the
	 * formula's own ends, which the arithmetic misses by an ulp or two */
	*lo = p == 0 || centre - half < 0 ? 0 : centre - half;
	*hi = p == 1 || centre + half > 1 ? 1 : centre + half;
}

void
stats_summarize(const uint16_t *units, size_t n, unsigned scale, stats_summary *out)
{
	uint64_t sum = 0;
	double ss = 0;

	out->n = n;
	for (size_t i = 0; i < n; i++)
		sum += units[i];
	/* both exact as doubles (below 2^53): one rounding, in the division */
	out->mean = n ? (double)sum / ((double)n * (double)scale) : 0;
	for (size_t i = 0; i < n; i++) {
		double d = (double)units[i] / scale - out->mean;

		ss += d * d;
	}
	out->std_err = n > 1 ? sqrt(ss / (double)(n - 1) / (double)n) : 0;
	stats_wilson(out->mean, n, STATS_Z95, &out->lo, &out->hi);
}

double
stats_mcnemar(unsigned long b, unsigned long c)
{
	unsigned long n = b + c, k = b < c ? b : c;
	double sum = 0, lchoose, p;

	if (n == 0)
		return 1;
	/* sum the binomial tail in log space: n may be tens of thousands */
	for (unsigned long i = 0; i <= k; i++) {
		lchoose = lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1);
		sum += exp(lchoose - (double)n * log(2.0));
	}
	p = 2 * sum;
	return p > 1 ? 1 : p;
}

void
stats_paired(const double *a, const double *b, size_t n, double *mean,
    double *std_err, double *lo, double *hi)
{
	double sum = 0, ss = 0, m;

	for (size_t i = 0; i < n; i++)
		sum += a[i] - b[i];
	m = n ? sum / (double)n : 0;
	for (size_t i = 0; i < n; i++)
		ss += (a[i] - b[i] - m) * (a[i] - b[i] - m);
	*mean = m;
	*std_err = n > 1 ? sqrt(ss / (double)(n - 1) / (double)n) : 0;
	*lo = m - STATS_Z95 * *std_err;
	*hi = m + STATS_Z95 * *std_err;
}

double
stats_normal_p(double z)
{
	return erfc(fabs(z) / sqrt(2.0));
}
