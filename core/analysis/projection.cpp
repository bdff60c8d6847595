#include "core/analysis/projection.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/analysis/feature_statistics.h"
#include "core/analysis/statistics.h"

namespace gandl::analysis {

namespace {

// x . direction per row, in double over blocks of rows.
Eigen::VectorXd rowDots(const FeatureMatrix& x, const Eigen::VectorXd& direction) {
  Eigen::VectorXd dots(x.rows());
  constexpr Eigen::Index block = 4096;
  for (Eigen::Index first = 0; first < x.rows(); first += block) {
    const Eigen::Index count = std::min(block, x.rows() - first);
    dots.segment(first, count).noalias() = x.middleRows(first, count).cast<double>() * direction;
  }
  return dots;
}

}  // namespace

ProjectionAxes fitProjection(const FeatureMatrix& x, const Eigen::VectorXd& w, double b,
                             const std::vector<int>& classOfRow, OffAxisFit offAxisFit,
                             const tasks::TaskContext& context) {
  if (classOfRow.size() != static_cast<std::size_t>(x.rows()) || w.size() != x.cols())
    throw std::invalid_argument("fitProjection: X is " + std::to_string(x.rows()) + " x " + std::to_string(x.cols()) +
                                ", w has " + std::to_string(w.size()) + " entries, classes " +
                                std::to_string(classOfRow.size()));
  const double norm = w.norm();
  if (!(norm > 0.0)) throw std::invalid_argument("fitProjection: the SVM weight vector is zero");

  ProjectionAxes axes;
  axes.onAxis = w / norm;
  axes.onOffset = b / norm;
  const Eigen::VectorXd distance = rowDots(x, axes.onAxis).array() + axes.onOffset;
  std::vector<double> positive, negative;
  RowIndices controls, all;
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    const int label = classOfRow[static_cast<std::size_t>(r)];
    if (label == 1) positive.push_back(distance[r]);
    if (label == -1) negative.push_back(distance[r]);
    if (label == 1 || label == -1) controls.push_back(r);
    all.push_back(r);
  }
  if (positive.empty() || negative.empty())
    throw std::invalid_argument("fitProjection: " + std::to_string(positive.size()) + " rows of class +1 and " +
                                std::to_string(negative.size()) + " of class -1; both are needed");
  const double positiveMedian = median(positive);
  const double negativeMedian = median(negative);
  if (!(positiveMedian != negativeMedian))
    throw std::invalid_argument(
        "fitProjection: classes +1 and -1 have the same median distance "
        "to the hyperplane (" +
        std::to_string(positiveMedian) + ")");
  axes.onScale = 2.0 / (positiveMedian - negativeMedian);
  axes.onShift = 1.0 - axes.onScale * positiveMedian;

  const RowIndices& fitRows = offAxisFit == OffAxisFit::Controls ? controls : all;
  if (fitRows.size() < 2) throw std::invalid_argument("fitProjection: the off axis needs at least 2 rows to fit on");
  const Eigen::RowVectorXd centre = meanOfRows(x, fitRows);
  // The residual's covariance is P C P with P = I - u u^T, the projector onto u's complement.
  const Eigen::MatrixXd covariance = covarianceOfRows(x, fitRows, centre, context);
  const Eigen::VectorXd cu = covariance * axes.onAxis;
  const double ucu = axes.onAxis.dot(cu);
  const Eigen::MatrixXd residual = covariance - cu * axes.onAxis.transpose() - axes.onAxis * cu.transpose() +
                                   ucu * axes.onAxis * axes.onAxis.transpose();
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(residual);
  Eigen::VectorXd v = eigen.eigenvectors().col(x.cols() - 1);
  v -= v.dot(axes.onAxis) * axes.onAxis;  // exact orthogonality despite rounding
  v.normalize();
  Eigen::Index largest = 0;
  v.cwiseAbs().maxCoeff(&largest);
  if (v[largest] < 0.0) v = -v;  // a fixed sign, so reruns give the same picture
  axes.offAxis = v;
  axes.offShift = -centre.dot(v);
  const double trace = residual.trace();
  axes.offExplainedVariance = trace > 0.0 ? eigen.eigenvalues()[x.cols() - 1] / trace : 0.0;
  return axes;
}

ProjectedScores project(const ProjectionAxes& axes, const FeatureMatrix& x) {
  if (axes.onAxis.size() != x.cols())
    throw std::invalid_argument("project: axes of dimension " + std::to_string(axes.onAxis.size()) + ", X has " +
                                std::to_string(x.cols()) + " columns");
  ProjectedScores scores;
  scores.on = (axes.onScale * (rowDots(x, axes.onAxis).array() + axes.onOffset) + axes.onShift).matrix();
  scores.off = (rowDots(x, axes.offAxis).array() + axes.offShift).matrix();
  return scores;
}

}  // namespace gandl::analysis

namespace gandl::analysis {

ProjectionAxes fitPrincipalAxes(const FeatureMatrix& x) {
  if (x.rows() < 2 || x.cols() < 2)
    throw std::invalid_argument("principal axes need at least 2 rows and 2 columns, got " + std::to_string(x.rows()) +
                                " x " + std::to_string(x.cols()));
  const Eigen::MatrixXd data = x.cast<double>();
  const Eigen::RowVectorXd centre = data.colwise().mean();
  const Eigen::MatrixXd centred = data.rowwise() - centre;
  const Eigen::MatrixXd covariance = centred.transpose() * centred / static_cast<double>(x.rows() - 1);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(covariance);
  if (solver.info() != Eigen::Success) throw std::runtime_error("principal axes: the eigen decomposition failed");
  const auto n = covariance.rows();
  const auto oriented = [](Eigen::VectorXd v) {
    Eigen::Index largest = 0;
    v.cwiseAbs().maxCoeff(&largest);
    return v(largest) < 0 ? Eigen::VectorXd(-v) : v;
  };
  ProjectionAxes axes;
  axes.onAxis = oriented(solver.eigenvectors().col(n - 1));  // ascending eigenvalues
  axes.offAxis = oriented(solver.eigenvectors().col(n - 2));
  axes.onOffset = -axes.onAxis.dot(centre.transpose());
  axes.offShift = -axes.offAxis.dot(centre.transpose());
  const double total = solver.eigenvalues().sum();
  axes.offExplainedVariance = total > 0 ? solver.eigenvalues()(n - 2) / total : 0.0;
  return axes;
}

}  // namespace gandl::analysis
