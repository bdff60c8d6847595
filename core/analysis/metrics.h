#pragma once
// Classification metrics for held-out predictions: accuracy, balanced accuracy (the mean of the
// per-class recalls, so a majority-class predictor scores 1 / k, not the majority share) and the
// confusion matrix with label names, as the GUI's confusion panel and the accuracy table show.

#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace gandl::analysis {

// Fraction of rows with predicted == truth. Throws on a length mismatch or no rows.
double accuracy(const std::vector<int>& truth, const std::vector<int>& predicted);
// Mean over the classes present in truth of (correct rows of the class / rows of the class).
double balancedAccuracy(const std::vector<int>& truth, const std::vector<int>& predicted);

struct ConfusionMatrix {
  std::vector<int> labels;         // ascending union of the true and predicted labels
  std::vector<std::string> names;  // one per label
  Eigen::MatrixXi counts;          // rows: true label, columns: predicted label

  int total() const { return counts.sum(); }
  // Row-normalized: per true class, the fraction predicted as each label (0 for an empty row).
  Eigen::MatrixXd rowFractions() const;
};

// names maps a label to its display name; a label without one is shown as its number.
ConfusionMatrix confusionMatrix(const std::vector<int>& truth, const std::vector<int>& predicted,
                                const std::map<int, std::string>& names = {});

}  // namespace gandl::analysis
