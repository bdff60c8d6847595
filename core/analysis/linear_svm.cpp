#include "core/analysis/linear_svm.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>

#include "core/analysis/feature_statistics.h"
#include "core/analysis/svm_backends.h"

namespace gandl::analysis {

namespace {

std::vector<Eigen::Index> allRows(Eigen::Index count) {
  std::vector<Eigen::Index> rows(static_cast<std::size_t>(count));
  for (Eigen::Index r = 0; r < count; ++r) rows[static_cast<std::size_t>(r)] = r;
  return rows;
}

std::vector<int> classesOf(const FeatureMatrix& x, const std::vector<int>& labels,
                           const std::vector<Eigen::Index>& rows) {
  if (labels.size() != static_cast<std::size_t>(x.rows()))
    throw std::invalid_argument("LinearSvm: X has " + std::to_string(x.rows()) + " rows but " +
                                std::to_string(labels.size()) + " labels");
  std::set<int> classes;
  for (Eigen::Index r : rows) {
    if (r < 0 || r >= x.rows())
      throw std::invalid_argument("LinearSvm: row " + std::to_string(r) + " outside X (" + std::to_string(x.rows()) +
                                  " rows)");
    classes.insert(labels[static_cast<std::size_t>(r)]);
  }
  if (classes.size() < 2)
    throw std::invalid_argument("LinearSvm: the " + std::to_string(rows.size()) + " training rows hold " +
                                std::to_string(classes.size()) + " class(es); at least 2 are needed");
  return {classes.begin(), classes.end()};
}

// Training mean and sd (n - 1) per feature; a feature constant on the training rows keeps scale 1
// (it is centred to zero and carries no weight).
void trainingScaling(const FeatureMatrix& x, const std::vector<Eigen::Index>& rows, bool standardize,
                     Eigen::RowVectorXd& centre, Eigen::RowVectorXd& inverseScale) {
  centre = Eigen::RowVectorXd::Zero(x.cols());
  inverseScale = Eigen::RowVectorXd::Ones(x.cols());
  if (!standardize) return;
  centre = meanOfRows(x, rows);
  if (rows.size() < 2) return;
  const Eigen::RowVectorXd sd = sdOfRows(x, rows, centre);
  for (Eigen::Index j = 0; j < x.cols(); ++j)
    if (sd[j] > 0.0) inverseScale[j] = 1.0 / sd[j];
}

}  // namespace

LinearSvm::LinearSvm(LinearSvmOptions options) : options_(options) {}

void LinearSvm::fit(const FeatureMatrix& x, const std::vector<int>& labels, const tasks::TaskContext& context) {
  fit(x, labels, allRows(x.rows()), context);
}

void LinearSvm::fit(const FeatureMatrix& x, const std::vector<int>& labels, const std::vector<Eigen::Index>& rows,
                    const tasks::TaskContext& context) {
  *this = fitPath(x, labels, rows, {options_.c}, options_, context).front();
}

std::vector<LinearSvm> LinearSvm::fitPath(const FeatureMatrix& x, const std::vector<int>& labels,
                                          const std::vector<Eigen::Index>& rows, const std::vector<double>& cValues,
                                          LinearSvmOptions options, const tasks::TaskContext& context) {
  const std::vector<int> classes = classesOf(x, labels, rows);
  Eigen::RowVectorXd centre, inverseScale;
  trainingScaling(x, rows, options.standardize, centre, inverseScale);
  const detail::BackendProblem problem(x, rows, centre, inverseScale, options.backend);

  // One binary problem per weight row: classes[1] vs classes[0], or each class vs the rest.
  const std::size_t binaryCount = classes.size() == 2 ? 1 : classes.size();
  std::vector<std::vector<double>> targets(binaryCount, std::vector<double>(rows.size()));
  std::vector<std::pair<double, double>> classWeights(binaryCount, {1.0, 1.0});
  for (std::size_t k = 0; k < binaryCount; ++k) {
    const int positive = classes[binaryCount == 1 ? 1 : k];
    std::size_t positives = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const bool isPositive = labels[static_cast<std::size_t>(rows[i])] == positive;
      targets[k][i] = isPositive ? 1.0 : -1.0;
      positives += isPositive;
    }
    if (options.balancedClassWeights) {
      const double n = static_cast<double>(rows.size());
      classWeights[k] = {n / (2.0 * static_cast<double>(positives)),
                         n / (2.0 * static_cast<double>(rows.size() - positives))};
    }
  }

  // Ascending C, each binary problem warm-started from its solution at the previous C.
  std::vector<std::size_t> order(cValues.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return cValues[a] < cValues[b]; });
  std::vector<detail::BinaryLinearModel> previous(binaryCount);
  std::vector<LinearSvm> models(cValues.size(), LinearSvm(options));
  const auto total = static_cast<std::int64_t>(cValues.size() * binaryCount);
  std::int64_t done = 0;
  for (std::size_t index : order) {
    const double c = cValues[index];
    LinearSvm& model = models[index];
    model.options_.c = c;
    model.classes_ = classes;
    model.weights_.resize(static_cast<Eigen::Index>(binaryCount), x.cols());
    model.biases_.resize(static_cast<Eigen::Index>(binaryCount));
    for (std::size_t k = 0; k < binaryCount; ++k) {
      context.checkCancelled();
      const detail::BinaryLinearModel binary =
          problem.train(targets[k], c, classWeights[k].first, classWeights[k].second, options,
                        done >= static_cast<std::int64_t>(binaryCount) ? &previous[k] : nullptr);
      previous[k] = binary;
      // Fold the standardization back: w.((x - centre) .* s) + b = x.(w .* s) + b - centre.(w .* s)
      const Eigen::RowVectorXd w = binary.w.transpose().cwiseProduct(inverseScale);
      model.weights_.row(static_cast<Eigen::Index>(k)) = w;
      model.biases_[static_cast<Eigen::Index>(k)] = binary.b - centre.dot(w);
      context.report(++done, total, "fits", "linear SVM, C = " + std::to_string(c));
    }
  }
  return models;
}

Eigen::MatrixXd LinearSvm::decisionValues(const FeatureMatrix& x) const {
  if (!isFitted()) throw std::logic_error("LinearSvm: decisionValues before fit");
  if (x.cols() != weights_.cols())
    throw std::invalid_argument("LinearSvm: model has " + std::to_string(weights_.cols()) + " features, X has " +
                                std::to_string(x.cols()));
  Eigen::MatrixXd values(x.rows(), weights_.rows());
  constexpr Eigen::Index block = 4096;
  for (Eigen::Index first = 0; first < x.rows(); first += block) {
    const Eigen::Index count = std::min(block, x.rows() - first);
    values.middleRows(first, count).noalias() = x.middleRows(first, count).cast<double>() * weights_.transpose();
  }
  values.rowwise() += biases_.transpose();
  return values;
}

std::vector<int> LinearSvm::classify(const Eigen::MatrixXd& decisionValues) const {
  std::vector<int> predicted(static_cast<std::size_t>(decisionValues.rows()));
  for (Eigen::Index r = 0; r < decisionValues.rows(); ++r) {
    if (decisionValues.cols() == 1) {
      predicted[static_cast<std::size_t>(r)] = decisionValues(r, 0) > 0.0 ? classes_[1] : classes_[0];
    } else {
      Eigen::Index best = 0;
      decisionValues.row(r).maxCoeff(&best);
      predicted[static_cast<std::size_t>(r)] = classes_[static_cast<std::size_t>(best)];
    }
  }
  return predicted;
}

std::vector<int> LinearSvm::predict(const FeatureMatrix& x) const { return classify(decisionValues(x)); }

}  // namespace gandl::analysis
