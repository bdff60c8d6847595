#pragma once
// Where a learning curve points: a straight line fitted by least squares to a readout's accuracy
// against kimg (from some kimg on, past the first rise), its slope with a 95% confidence interval,
// and how many kimg the line would need to reach a target accuracy if the true slope were at the
// upper end of that interval (an optimistic bound: the real curve is no line, and flattens).
// `gandl probe` writes one such row per readout (trend.csv).

#include <vector>

namespace gandl::analysis {

struct LearningCurveTrend {
  int points = 0;  // checkpoints in the fit
  double from_kimg = 0, to_kimg = 0;
  double mean = 0;               // mean accuracy over the fitted checkpoints
  double slope_per_100kimg = 0;  // least-squares slope; NaN for fewer than 3 points or one kimg
  double slope_se = 0;           // its standard error
  double slope_upper = 0;        // upper end of the two-sided 95% interval (t with points - 2 df)
  double fitted_last = 0;        // the line's value at to_kimg
  double target = 0;
  // kimg at which the line through fitted_last with slope slope_upper reaches target: to_kimg
  // when fitted_last is already there, +infinity when slope_upper <= 0, NaN without a fit.
  double kimg_to_target = 0;
};

// kimg and accuracy pair up; points below from_kimg are left out. std::invalid_argument when the
// sizes differ or a value is not finite.
LearningCurveTrend fitLearningCurveTrend(const std::vector<double>& kimg, const std::vector<double>& accuracy,
                                         double from_kimg, double target);

}  // namespace gandl::analysis
