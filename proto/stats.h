/* proto/stats.h — the statistics a result carries and a leaderboard reads.
 *
 * Pure arithmetic on doubles; no allocation. Scores are in [0, 1]. */
#ifndef EM_STATS_H
#define EM_STATS_H

#include <stddef.h>
#include <stdint.h>

#define STATS_Z95	1.959963984540054	/* two-sided 95% normal quantile */

typedef struct stats_summary {
	size_t	n;
	double	mean;
	double	std_err;	/* sample standard deviation / sqrt(n); 0 when n < 2 */
	double	lo, hi;		/* Wilson 95% interval for the mean */
} stats_summary;

/* Mean, standard error and the Wilson 95% interval of n scores given in
 * units of 1/scale (units[0..n), each at most scale; score_units). The
 * mean is the whole sum of the units over n * scale, one division,
 * correctly rounded: anyone holding a result's score vector gets the same
 * bits back, whatever order they sum in. The standard error is the sample
 * standard deviation of units[i] / scale over sqrt(n). n = 0 gives a mean
 * and standard error of 0 and the interval [0, 1]. n * scale must be
 * below 2^53 (a result holds at most BODY_ITEMS_MAX items). */
void stats_summarize(const uint16_t *units, size_t n, unsigned scale, stats_summary *out);

/* The Wilson score interval for a proportion p observed over n trials at
 * normal quantile z (E. B. Wilson, "Probable inference, the law of
 * succession, and statistical inference", JASA 22 (1927) 209-212): the
 * interval that stays inside [0, 1] and behaves at p = 0 and p = 1, where
 * mean +/- z*SE collapses to a point. Its ends are exact where the
 * formula is: p = 0 gives lo = 0 and p = 1 gives hi = 1 (computed, they
 * come out a rounding error away: 2.8e-17 for 0 out of 6); a p outside
 * [0, 1] or NaN is taken as the nearest end (NaN as 0); the ends are
 * clamped to [0, 1]. n = 0 gives [0, 1]. */
void stats_wilson(double p, size_t n, double z, double *lo, double *hi);

/* McNemar's exact test on paired binary outcomes: b pairs where only the
 * first was right, c where only the second was. The two-sided p-value,
 * 2 * P(X <= min(b, c)) for X ~ Binomial(b + c, 1/2), capped at 1 (1 when
 * b + c = 0). Its time grows with min(b, c). */
double stats_mcnemar(unsigned long b, unsigned long c);

/* The mean difference of paired scores a[i] - b[i] over i < n, its
 * standard error (0 when n < 2) and the normal 95% interval. */
void stats_paired(const double *a, const double *b, size_t n, double *mean,
    double *std_err, double *lo, double *hi);

/* Two-sided p-value of a standard normal statistic z. */
double stats_normal_p(double z);

#endif
