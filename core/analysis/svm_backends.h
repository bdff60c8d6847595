#pragma once
// Internal to gandl_analysis: the glue between LinearSvm and libsvm / liblinear, so their C
// headers reach one translation unit only.

#include <memory>
#include <vector>

#include "core/analysis/linear_svm.h"

namespace gandl::analysis::detail {

struct BinaryLinearModel {
  Eigen::VectorXd w;  // in the space of the rows the problem was built from
  double b = 0.0;
};

// Rows of x (centred by `centre`, multiplied by `inverseScale`) in the backend's sparse node
// layout, built once and shared by every binary problem and C value trained on them.
class BackendProblem {
 public:
  BackendProblem(const FeatureMatrix& x, const std::vector<Eigen::Index>& rows, const Eigen::RowVectorXd& centre,
                 const Eigen::RowVectorXd& inverseScale, SvmBackend backend);
  ~BackendProblem();
  BackendProblem(const BackendProblem&) = delete;
  BackendProblem& operator=(const BackendProblem&) = delete;

  // y: +1 / -1 per row of the problem; decision > 0 means +1. `start` (optional) warm-starts the
  // solvers that accept an initial solution (liblinear's primal), e.g. along a path of C values.
  BinaryLinearModel train(const std::vector<double>& y, double c, double weightPositive, double weightNegative,
                          const LinearSvmOptions& options, const BinaryLinearModel* start = nullptr) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gandl::analysis::detail
