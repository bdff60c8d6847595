#pragma once
// Small statistics shared by the analyses: location and spread of samples, and the F distribution
// (for the extra-sum-of-squares test and the profile-likelihood threshold of the dose-response
// fits). The F distribution goes through the regularized incomplete beta function, evaluated by
// its continued fraction; quantiles by bisection on the CDF, which is monotone and cheap here.

#include <vector>

namespace gandl::analysis {

// NaN for an empty sample.
double mean(const std::vector<double>& values);
// Sample standard deviation (n - 1 in the denominator); NaN for fewer than two values.
double sampleStandardDeviation(const std::vector<double>& values);
// The values are taken by copy because selection reorders them. NaN for an empty sample; the
// mean of the two middle values for an even count.
double median(std::vector<double> values);
// Median absolute deviation from the median, unscaled (multiply by 1.4826 for a normal sd).
double medianAbsoluteDeviation(const std::vector<double>& values);

// I_x(a, b) for a, b > 0 and x in [0, 1].
double regularizedIncompleteBeta(double a, double b, double x);
// P(F <= x) for F ~ F(d1, d2).
double fDistributionCdf(double x, double d1, double d2);
// The x with P(F <= x) = probability, probability in (0, 1).
double fDistributionQuantile(double probability, double d1, double d2);

}  // namespace gandl::analysis
