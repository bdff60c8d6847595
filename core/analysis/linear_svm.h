#pragma once
// A soft-margin linear SVM with explicit weights, behind one interface for two solvers.
//
// Backends: libsvm (C-SVC with a LINEAR kernel, SMO; the bias is not regularized; w is recovered
// from the support vectors) and liblinear, L2-regularized, with L2 (squared hinge) loss solved in
// the primal (trust-region Newton) or in the dual, or L1 (hinge) loss in the dual; liblinear's
// bias is a constant feature and so is regularized too. The default is liblinear's L2-loss
// primal: with many more rows than features (30,000 x 512) it fits in seconds whatever C, the dual
// solvers slow down by an order of magnitude as C grows on overlapping classes, and libsvm's SMO
// grows about quadratically with rows (bench/bench_analysis, docs in the report). Along a path of
// C values (fitPath) the primal solver is warm-started from the previous C.
//
// Multi-class: one-vs-rest for every backend (k binary problems, one weight vector per class,
// prediction = the class with the largest decision value). One-vs-rest gives one normal per class,
// which is what a projection needs; libsvm's own one-vs-one would give k(k-1)/2 of them.
// Class weights: in each binary problem, positive and negative rows get n / (2 n_pos) and
// n / (2 n_neg) ("balanced"), i.e. inversely proportional to their frequency, scaled so that C
// keeps its meaning whatever the imbalance.
// Standardization (on by default): features are centred and scaled by their training mean and sd
// before solving (dual solvers converge faster on features of one scale), and the scaling is
// folded back, so weights() and biases() apply to raw rows: decision = x . w + b.
// Deterministic: liblinear's solver permutes with rand(); each fit reseeds it under a lock, so
// fits through this class are serialized across threads and repeatable.

#include <vector>

#include "core/analysis/feature_matrix.h"
#include "core/tasks/progress.h"

namespace gandl::analysis {

enum class SvmBackend { Libsvm, LiblinearL2Loss, LiblinearL1Loss, LiblinearL2LossPrimal };

struct LinearSvmOptions {
  SvmBackend backend = SvmBackend::LiblinearL2LossPrimal;
  double c = 1.0;
  bool balancedClassWeights = true;
  bool standardize = true;
  // Stopping tolerance; 0 = the backend's default (libsvm 1e-3, liblinear dual 0.1, primal 0.01).
  double tolerance = 0.0;
  double libsvmCacheMegabytes = 512.0;
};

class LinearSvm {
 public:
  explicit LinearSvm(LinearSvmOptions options = {});

  // labels: one per row of x; at least two classes. The overload with rows fits on those rows
  // of x only (labels still indexed by row of x). Checks cancellation before each binary fit.
  void fit(const FeatureMatrix& x, const std::vector<int>& labels, const tasks::TaskContext& context = {});
  void fit(const FeatureMatrix& x, const std::vector<int>& labels, const std::vector<Eigen::Index>& rows,
           const tasks::TaskContext& context = {});

  // One model per C, all on the same rows (the standardized problem is built once).
  static std::vector<LinearSvm> fitPath(const FeatureMatrix& x, const std::vector<int>& labels,
                                        const std::vector<Eigen::Index>& rows, const std::vector<double>& cValues,
                                        LinearSvmOptions options, const tasks::TaskContext& context = {});

  bool isFitted() const { return !classes_.empty(); }
  const LinearSvmOptions& options() const { return options_; }
  // Ascending. Binary models have one weight row, for classes()[1] against classes()[0].
  const std::vector<int>& classes() const { return classes_; }
  // (1 or k) x d, in the raw feature space; biases() has as many entries.
  const Eigen::MatrixXd& weights() const { return weights_; }
  const Eigen::VectorXd& biases() const { return biases_; }

  // n x (1 or k): x . w + b per weight row.
  Eigen::MatrixXd decisionValues(const FeatureMatrix& x) const;
  std::vector<int> predict(const FeatureMatrix& x) const;
  // Predicted classes from decision values of this model.
  std::vector<int> classify(const Eigen::MatrixXd& decisionValues) const;

 private:
  LinearSvmOptions options_;
  std::vector<int> classes_;
  Eigen::MatrixXd weights_;
  Eigen::VectorXd biases_;
};

}  // namespace gandl::analysis
