#include "core/analysis/plate_qc.h"

#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include "core/analysis/statistics.h"

namespace gandl::analysis {

std::vector<PlateQuality> plateQuality(const std::vector<double>& scores, const std::vector<int>& plateOfRow,
                                       const std::vector<int>& controlOfRow, double threshold) {
  if (plateOfRow.size() != scores.size() || controlOfRow.size() != scores.size())
    throw std::invalid_argument("plateQuality: " + std::to_string(scores.size()) + " scores, " +
                                std::to_string(plateOfRow.size()) + " plate ids, " +
                                std::to_string(controlOfRow.size()) + " control labels");
  std::map<int, std::pair<std::vector<double>, std::vector<double>>> plates;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    auto& plate = plates[plateOfRow[i]];
    if (!std::isfinite(scores[i])) continue;
    if (controlOfRow[i] == +1) plate.first.push_back(scores[i]);
    if (controlOfRow[i] == -1) plate.second.push_back(scores[i]);
  }
  std::vector<PlateQuality> result;
  for (const auto& [plate, controls] : plates) {
    PlateQuality quality;
    quality.plate = plate;
    quality.positiveCount = static_cast<int>(controls.first.size());
    quality.negativeCount = static_cast<int>(controls.second.size());
    quality.positiveMean = mean(controls.first);
    quality.negativeMean = mean(controls.second);
    quality.positiveSd = sampleStandardDeviation(controls.first);
    quality.negativeSd = sampleStandardDeviation(controls.second);
    const double window = std::abs(quality.positiveMean - quality.negativeMean);
    if (quality.positiveCount < 2 || quality.negativeCount < 2) {
      quality.zPrime = std::numeric_limits<double>::quiet_NaN();
      quality.note = "needs at least 2 scores of each control (has " + std::to_string(quality.positiveCount) +
                     " positive, " + std::to_string(quality.negativeCount) + " negative)";
    } else if (!(window > 0.0)) {
      quality.zPrime = std::numeric_limits<double>::quiet_NaN();
      quality.note = "positive and negative controls have the same mean";
    } else {
      quality.zPrime = 1.0 - 3.0 * (quality.positiveSd + quality.negativeSd) / window;
    }
    quality.flagged = !(quality.zPrime >= threshold);
    result.push_back(quality);
  }
  return result;
}

}  // namespace gandl::analysis
