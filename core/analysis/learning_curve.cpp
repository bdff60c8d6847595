#include "core/analysis/learning_curve.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/analysis/statistics.h"

namespace gandl::analysis {

LearningCurveTrend fitLearningCurveTrend(const std::vector<double>& kimg, const std::vector<double>& accuracy,
                                         double from_kimg, double target) {
  if (kimg.size() != accuracy.size())
    throw std::invalid_argument("learning curve: " + std::to_string(kimg.size()) + " kimg values for " +
                                std::to_string(accuracy.size()) + " accuracies");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  LearningCurveTrend trend;
  trend.target = target;
  std::vector<double> x, y;
  for (std::size_t i = 0; i < kimg.size(); ++i) {
    if (!std::isfinite(kimg[i]) || !std::isfinite(accuracy[i]))
      throw std::invalid_argument("learning curve: point " + std::to_string(i) + " is not finite");
    if (kimg[i] < from_kimg) continue;
    x.push_back(kimg[i] / 100.0);  // the slope comes out per 100 kimg
    y.push_back(accuracy[i]);
  }
  trend.points = static_cast<int>(x.size());
  trend.mean = y.empty() ? nan : mean(y);
  trend.from_kimg = x.empty() ? nan : 100.0 * *std::min_element(x.begin(), x.end());
  trend.to_kimg = x.empty() ? nan : 100.0 * *std::max_element(x.begin(), x.end());
  trend.slope_per_100kimg = trend.slope_se = trend.slope_upper = trend.fitted_last = trend.kimg_to_target = nan;
  const double xMean = x.empty() ? 0 : mean(x);
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - xMean) * (x[i] - xMean);
    sxy += (x[i] - xMean) * (y[i] - trend.mean);
  }
  if (trend.points < 3 || sxx <= 0) return trend;

  const double slope = sxy / sxx;
  double rss = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double r = y[i] - (trend.mean + slope * (x[i] - xMean));
    rss += r * r;
  }
  const double df = trend.points - 2;
  trend.slope_per_100kimg = slope;
  trend.slope_se = std::sqrt(rss / df / sxx);
  // t_{0.975, df} as the square root of F_{0.95}(1, df).
  trend.slope_upper = slope + std::sqrt(fDistributionQuantile(0.95, 1, df)) * trend.slope_se;
  trend.fitted_last = trend.mean + slope * (trend.to_kimg / 100.0 - xMean);
  if (trend.fitted_last >= target)
    trend.kimg_to_target = trend.to_kimg;
  else if (trend.slope_upper <= 0)
    trend.kimg_to_target = std::numeric_limits<double>::infinity();
  else
    trend.kimg_to_target = trend.to_kimg + 100.0 * (target - trend.fitted_last) / trend.slope_upper;
  return trend;
}

}  // namespace gandl::analysis
