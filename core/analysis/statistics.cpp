#include "core/analysis/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <math.h>
#include <stdexcept>
#include <string>

namespace gandl::analysis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The continued fraction of I_x(a, b) (DLMF 8.17.22), evaluated by the modified Lentz method.
// It converges fast for x < (a + 1) / (a + b + 2); the caller uses the symmetry otherwise.
double betaContinuedFraction(double a, double b, double x) {
  constexpr double tiny = 1e-300;
  constexpr double tolerance = 1e-15;
  double value = 1.0;  // b0 = 1
  double c = value;
  double d = 0.0;
  for (int j = 1; j <= 10000; ++j) {
    const int m = j / 2;
    const double coefficient = (j % 2 == 1) ? -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                                            : m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1.0 + coefficient * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1.0 + coefficient / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double delta = c * d;
    value *= delta;
    if (std::abs(delta - 1.0) < tolerance) break;
  }
  return value;
}
// std::lgamma writes the global signgam, a data race when fits run on several threads; glibc's
// reentrant variant does not.
double logGamma(double x) {
#if defined(__GLIBC__)
  int sign = 0;
  return ::lgamma_r(x, &sign);
#else
  return std::lgamma(x);
#endif
}

}  // namespace

double mean(const std::vector<double>& values) {
  if (values.empty()) return kNaN;
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double sampleStandardDeviation(const std::vector<double>& values) {
  if (values.size() < 2) return kNaN;
  const double centre = mean(values);
  double sum = 0.0;
  for (double v : values) sum += (v - centre) * (v - centre);
  return std::sqrt(sum / static_cast<double>(values.size() - 1));
}

double median(std::vector<double> values) {
  if (values.empty()) return kNaN;
  const std::size_t half = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + half, values.end());
  const double upper = values[half];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + half);
  return 0.5 * (lower + upper);
}

double medianAbsoluteDeviation(const std::vector<double>& values) {
  const double centre = median(values);
  std::vector<double> deviations(values.size());
  std::transform(values.begin(), values.end(), deviations.begin(), [centre](double v) { return std::abs(v - centre); });
  return median(std::move(deviations));
}

double regularizedIncompleteBeta(double a, double b, double x) {
  if (!(a > 0.0) || !(b > 0.0) || !(x >= 0.0 && x <= 1.0))
    throw std::invalid_argument("regularizedIncompleteBeta: needs a, b > 0 and x in [0, 1], got a=" +
                                std::to_string(a) + " b=" + std::to_string(b) + " x=" + std::to_string(x));
  if (x == 0.0 || x == 1.0) return x;
  if (x > (a + 1.0) / (a + b + 2.0)) return 1.0 - regularizedIncompleteBeta(b, a, 1.0 - x);
  const double logBeta = logGamma(a) + logGamma(b) - logGamma(a + b);
  const double logFront = a * std::log(x) + b * std::log1p(-x) - std::log(a) - logBeta;
  return std::exp(logFront) / betaContinuedFraction(a, b, x);
}

double fDistributionCdf(double x, double d1, double d2) {
  if (std::isnan(x)) return kNaN;
  if (x <= 0.0) return 0.0;
  if (std::isinf(x)) return 1.0;
  return regularizedIncompleteBeta(0.5 * d1, 0.5 * d2, d1 * x / (d1 * x + d2));
}

double fDistributionQuantile(double probability, double d1, double d2) {
  if (!(probability > 0.0 && probability < 1.0))
    throw std::invalid_argument("fDistributionQuantile: probability must be in (0, 1), got " +
                                std::to_string(probability));
  double low = 0.0;
  double high = 1.0;
  while (fDistributionCdf(high, d1, d2) < probability) {
    low = high;
    high *= 2.0;
    if (high > 1e300) return std::numeric_limits<double>::infinity();
  }
  for (int i = 0; i < 200 && high - low > 1e-13 * high; ++i) {
    const double middle = 0.5 * (low + high);
    if (fDistributionCdf(middle, d1, d2) < probability)
      low = middle;
    else
      high = middle;
  }
  return 0.5 * (low + high);
}

}  // namespace gandl::analysis
