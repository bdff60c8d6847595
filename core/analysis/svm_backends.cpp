#include "core/analysis/svm_backends.h"

#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>

#include <linear.h>
#include <svm.h>

namespace gandl::analysis::detail {

namespace {

void silence(const char*) {}

void silenceLibrariesOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    svm_set_print_string_function(&silence);
    set_print_string_function(&silence);
  });
}

// liblinear's dual solvers shuffle with rand(): one lock makes each fit see the same sequence.
std::mutex& randLock() {
  static std::mutex lock;
  return lock;
}

bool isLiblinear(SvmBackend backend) { return backend != SvmBackend::Libsvm; }

// Appends one row as {index, value} pairs (1-based, zeros skipped), the bias pair when asked, and
// the terminator.
template <typename Node>
void appendRow(std::vector<Node>& nodes, const FeatureMatrix& x, Eigen::Index row, const Eigen::RowVectorXd& centre,
               const Eigen::RowVectorXd& inverseScale, bool withBias) {
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    const double value = (static_cast<double>(x(row, j)) - centre[j]) * inverseScale[j];
    if (value != 0.0) nodes.push_back(Node{static_cast<int>(j + 1), value});
  }
  if (withBias) nodes.push_back(Node{static_cast<int>(x.cols() + 1), 1.0});
  nodes.push_back(Node{-1, 0.0});
}

template <typename Node>
std::vector<Node*> rowPointers(std::vector<Node>& nodes) {
  std::vector<Node*> rows;
  rows.push_back(nodes.data());
  for (std::size_t i = 0; i + 1 < nodes.size(); ++i)
    if (nodes[i].index == -1) rows.push_back(&nodes[i + 1]);
  return rows;
}

}  // namespace

struct BackendProblem::Impl {
  SvmBackend backend;
  int dimension = 0;
  std::vector<svm_node> svmNodes;
  std::vector<svm_node*> svmRows;
  std::vector<feature_node> linearNodes;
  std::vector<feature_node*> linearRows;

  BinaryLinearModel trainLibsvm(std::vector<double>& y, double c, double weights[2], int labels[2],
                                const LinearSvmOptions& options) const;
  BinaryLinearModel trainLiblinear(std::vector<double>& y, double c, double weights[2], int labels[2],
                                   const LinearSvmOptions& options, const BinaryLinearModel* start) const;
};

BackendProblem::BackendProblem(const FeatureMatrix& x, const std::vector<Eigen::Index>& rows,
                               const Eigen::RowVectorXd& centre, const Eigen::RowVectorXd& inverseScale,
                               SvmBackend backend)
    : impl_(std::make_unique<Impl>()) {
  silenceLibrariesOnce();
  impl_->backend = backend;
  impl_->dimension = static_cast<int>(x.cols());
  if (rows.empty()) throw std::invalid_argument("LinearSvm: no rows to fit on");
  const std::size_t reserve = rows.size() * static_cast<std::size_t>(x.cols() + 2);
  if (isLiblinear(backend)) {
    impl_->linearNodes.reserve(reserve);
    for (Eigen::Index r : rows) appendRow(impl_->linearNodes, x, r, centre, inverseScale, true);
    impl_->linearRows = rowPointers(impl_->linearNodes);
  } else {
    impl_->svmNodes.reserve(reserve);
    for (Eigen::Index r : rows) appendRow(impl_->svmNodes, x, r, centre, inverseScale, false);
    impl_->svmRows = rowPointers(impl_->svmNodes);
  }
}

BackendProblem::~BackendProblem() = default;

BinaryLinearModel BackendProblem::train(const std::vector<double>& y, double c, double weightPositive,
                                        double weightNegative, const LinearSvmOptions& options,
                                        const BinaryLinearModel* start) const {
  const std::size_t rows = isLiblinear(impl_->backend) ? impl_->linearRows.size() : impl_->svmRows.size();
  if (y.size() != rows)
    throw std::invalid_argument("LinearSvm: " + std::to_string(y.size()) + " labels for " + std::to_string(rows) +
                                " rows");
  if (!(c > 0.0)) throw std::invalid_argument("LinearSvm: C must be positive, got " + std::to_string(c));
  std::vector<double> labels = y;  // the C interfaces take non-const pointers
  double weights[2] = {weightPositive, weightNegative};
  int weightLabels[2] = {+1, -1};
  return isLiblinear(impl_->backend) ? impl_->trainLiblinear(labels, c, weights, weightLabels, options, start)
                                     : impl_->trainLibsvm(labels, c, weights, weightLabels, options);
}

BinaryLinearModel BackendProblem::Impl::trainLibsvm(std::vector<double>& y, double c, double weights[2], int labels[2],
                                                    const LinearSvmOptions& options) const {
  svm_problem problem{};
  problem.l = static_cast<int>(y.size());
  problem.y = y.data();
  problem.x = const_cast<svm_node**>(svmRows.data());
  svm_parameter parameter{};
  parameter.svm_type = C_SVC;
  parameter.kernel_type = LINEAR;
  parameter.cache_size = options.libsvmCacheMegabytes;
  parameter.eps = options.tolerance > 0.0 ? options.tolerance : 1e-3;
  parameter.C = c;
  parameter.nr_weight = 2;
  parameter.weight_label = labels;
  parameter.weight = weights;
  parameter.shrinking = 1;
  parameter.probability = 0;
  if (const char* error = svm_check_parameter(&problem, &parameter))
    throw std::invalid_argument(std::string("libsvm: ") + error);
  svm_model* model = svm_train(&problem, &parameter);
  // decision = sum_i coef_i <sv_i, x> - rho, positive for model->label[0].
  BinaryLinearModel result{Eigen::VectorXd::Zero(dimension), -model->rho[0]};
  for (int i = 0; i < model->l; ++i) {
    const double coefficient = model->sv_coef[0][i];
    for (const svm_node* node = model->SV[i]; node->index != -1; ++node)
      result.w[node->index - 1] += coefficient * node->value;
  }
  if (model->label[0] != +1) {
    result.w = -result.w;
    result.b = -result.b;
  }
  svm_free_and_destroy_model(&model);
  return result;
}

BinaryLinearModel BackendProblem::Impl::trainLiblinear(std::vector<double>& y, double c, double weights[2],
                                                       int labels[2], const LinearSvmOptions& options,
                                                       const BinaryLinearModel* start) const {
  problem prob{};
  prob.l = static_cast<int>(y.size());
  prob.n = dimension + 1;  // the bias feature is the last one
  prob.y = y.data();
  prob.x = const_cast<feature_node**>(linearRows.data());
  prob.bias = 1.0;
  parameter param{};
  const bool primal = backend == SvmBackend::LiblinearL2LossPrimal;
  param.solver_type = primal                                   ? L2R_L2LOSS_SVC
                      : backend == SvmBackend::LiblinearL1Loss ? L2R_L1LOSS_SVC_DUAL
                                                               : L2R_L2LOSS_SVC_DUAL;
  param.eps = options.tolerance > 0.0 ? options.tolerance : primal ? 0.01 : 0.1;
  param.C = c;
  param.nr_weight = 2;
  param.weight_label = labels;
  param.weight = weights;
  param.p = 0.1;
  // liblinear's w for y = +1 first; our rows' first label decides its sign convention, so a start
  // is given in that convention (the bias weight last).
  std::vector<double> initial;
  if (primal && start) {
    const double sign = y.front() > 0 ? 1.0 : -1.0;
    initial.assign(start->w.data(), start->w.data() + start->w.size());
    initial.push_back(start->b);
    for (double& value : initial) value *= sign;
    param.init_sol = initial.data();
  } else {
    param.init_sol = nullptr;
  }
  if (const char* error = check_parameter(&prob, &param))
    throw std::invalid_argument(std::string("liblinear: ") + error);
  model* trained = nullptr;
  {
    std::lock_guard<std::mutex> guard(randLock());
    std::srand(1);
    trained = ::train(&prob, &param);
  }
  BinaryLinearModel result{Eigen::Map<const Eigen::VectorXd>(trained->w, dimension),
                           trained->w[dimension] * trained->bias};
  if (trained->label[0] != +1) {
    result.w = -result.w;
    result.b = -result.b;
  }
  free_and_destroy_model(&trained);
  return result;
}

}  // namespace gandl::analysis::detail
