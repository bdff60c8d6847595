#include "core/analysis/feature_statistics.h"

#include <algorithm>

namespace gandl::analysis {

Eigen::RowVectorXd meanOfRows(const FeatureMatrix& x, const RowIndices& rows) {
  Eigen::RowVectorXd sum = Eigen::RowVectorXd::Zero(x.cols());
  for (Eigen::Index r : rows) sum += x.row(r).cast<double>();
  return sum / static_cast<double>(rows.size());
}

Eigen::RowVectorXd sdOfRows(const FeatureMatrix& x, const RowIndices& rows, const Eigen::RowVectorXd& centre) {
  Eigen::RowVectorXd squares = Eigen::RowVectorXd::Zero(x.cols());
  for (Eigen::Index r : rows) squares += (x.row(r).cast<double>() - centre).array().square().matrix();
  return (squares / static_cast<double>(rows.size() - 1)).array().sqrt().matrix();
}

Eigen::MatrixXd covarianceOfRows(const FeatureMatrix& x, const RowIndices& rows, const Eigen::RowVectorXd& centre,
                                 const tasks::TaskContext& context) {
  constexpr std::size_t block = 2048;
  const Eigen::Index d = x.cols();
  Eigen::MatrixXd covariance = Eigen::MatrixXd::Zero(d, d);
  Eigen::MatrixXd centred(static_cast<Eigen::Index>(std::min(block, rows.size())), d);
  for (std::size_t first = 0; first < rows.size(); first += block) {
    context.checkCancelled();
    const auto count = static_cast<Eigen::Index>(std::min(block, rows.size() - first));
    for (Eigen::Index i = 0; i < count; ++i)
      centred.row(i) = x.row(rows[first + static_cast<std::size_t>(i)]).cast<double>() - centre;
    covariance.selfadjointView<Eigen::Lower>().rankUpdate(centred.topRows(count).transpose());
  }
  covariance = covariance.selfadjointView<Eigen::Lower>();
  return covariance / static_cast<double>(rows.size() - 1);
}

}  // namespace gandl::analysis
