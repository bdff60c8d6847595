#include "core/analysis/metrics.h"

#include <set>
#include <stdexcept>

namespace gandl::analysis {

namespace {
void checkLengths(const char* what, const std::vector<int>& truth, const std::vector<int>& predicted) {
  if (truth.size() != predicted.size())
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(truth.size()) + " true labels but " +
                                std::to_string(predicted.size()) + " predictions");
  if (truth.empty()) throw std::invalid_argument(std::string(what) + ": no rows");
}
}  // namespace

double accuracy(const std::vector<int>& truth, const std::vector<int>& predicted) {
  checkLengths("accuracy", truth, predicted);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) correct += truth[i] == predicted[i];
  return static_cast<double>(correct) / static_cast<double>(truth.size());
}

double balancedAccuracy(const std::vector<int>& truth, const std::vector<int>& predicted) {
  checkLengths("balancedAccuracy", truth, predicted);
  const ConfusionMatrix confusion = confusionMatrix(truth, predicted);
  double sum = 0.0;
  int present = 0;
  for (Eigen::Index i = 0; i < confusion.counts.rows(); ++i) {
    const int rowTotal = confusion.counts.row(i).sum();
    if (rowTotal == 0) continue;  // predicted but never true: no recall to average
    sum += static_cast<double>(confusion.counts(i, i)) / rowTotal;
    ++present;
  }
  return sum / present;
}

Eigen::MatrixXd ConfusionMatrix::rowFractions() const {
  Eigen::MatrixXd fractions = counts.cast<double>();
  for (Eigen::Index i = 0; i < fractions.rows(); ++i) {
    const double rowTotal = fractions.row(i).sum();
    if (rowTotal > 0) fractions.row(i) /= rowTotal;
  }
  return fractions;
}

ConfusionMatrix confusionMatrix(const std::vector<int>& truth, const std::vector<int>& predicted,
                                const std::map<int, std::string>& names) {
  checkLengths("confusionMatrix", truth, predicted);
  std::set<int> labels(truth.begin(), truth.end());
  labels.insert(predicted.begin(), predicted.end());
  ConfusionMatrix confusion;
  confusion.labels.assign(labels.begin(), labels.end());
  std::map<int, Eigen::Index> indexOf;
  for (std::size_t i = 0; i < confusion.labels.size(); ++i) {
    const int label = confusion.labels[i];
    indexOf[label] = static_cast<Eigen::Index>(i);
    const auto name = names.find(label);
    confusion.names.push_back(name != names.end() ? name->second : std::to_string(label));
  }
  const auto k = static_cast<Eigen::Index>(labels.size());
  confusion.counts = Eigen::MatrixXi::Zero(k, k);
  for (std::size_t i = 0; i < truth.size(); ++i) ++confusion.counts(indexOf[truth[i]], indexOf[predicted[i]]);
  return confusion;
}

}  // namespace gandl::analysis
