#pragma once
// Plate quality from the controls' scores (Zhang et al. 1999): Z' = 1 - 3 (sd+ + sd-) /
// |mean+ - mean-|, with sample sds (n - 1) of the positive (C+) and negative (C-) control scores
// of one plate. Z' >= 0.5 is an excellent assay window; plates below are flagged. A plate with
// fewer than two scores of either control, or with equal control means, gets Z' = NaN and is
// flagged, with the reason in `note`, rather than aborting the QC of every other plate.

#include <string>
#include <vector>

namespace gandl::analysis {

struct PlateQuality {
  int plate = 0;
  int positiveCount = 0;
  int negativeCount = 0;
  double positiveMean = 0.0;
  double positiveSd = 0.0;
  double negativeMean = 0.0;
  double negativeSd = 0.0;
  double zPrime = 0.0;
  bool flagged = false;  // zPrime < threshold or undefined
  std::string note;
};

// controlOfRow: +1 positive control (C+), -1 negative control (C-), anything else is ignored (the
// SVM labels). One entry per plate that has rows, in ascending plate id. Non-finite scores are
// skipped.
std::vector<PlateQuality> plateQuality(const std::vector<double>& scores, const std::vector<int>& plateOfRow,
                                       const std::vector<int>& controlOfRow, double threshold = 0.5);

}  // namespace gandl::analysis
