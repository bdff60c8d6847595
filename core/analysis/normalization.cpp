#include "core/analysis/normalization.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "core/analysis/feature_statistics.h"
#include "core/analysis/statistics.h"

namespace gandl::analysis {

namespace {

using Rows = RowIndices;

// Centre and inverse scale of one plate: x' = (x - centre) .* inverseScale.
struct Reference {
  Eigen::RowVectorXd centre;
  Eigen::RowVectorXd inverseScale;
};

void checkShapes(const FeatureMatrix& x, const std::vector<int>& plateOfRow, const std::vector<bool>& isControl) {
  const auto n = static_cast<std::size_t>(x.rows());
  if (plateOfRow.size() != n || isControl.size() != n)
    throw std::invalid_argument("normalize: X has " + std::to_string(n) + " rows but " +
                                std::to_string(plateOfRow.size()) + " plate ids and " +
                                std::to_string(isControl.size()) + " control flags");
}

Reference centreScaleReference(const FeatureMatrix& x, const Rows& controls, double epsilon) {
  const Eigen::RowVectorXd centre = meanOfRows(x, controls);
  return {centre, (sdOfRows(x, controls, centre).array() + epsilon).inverse().matrix()};
}

Reference robustReference(const FeatureMatrix& x, const Rows& controls, double epsilon) {
  const Eigen::Index d = x.cols();
  Reference reference{Eigen::RowVectorXd(d), Eigen::RowVectorXd(d)};
  std::vector<double> values(controls.size());
  for (Eigen::Index j = 0; j < d; ++j) {
    for (std::size_t i = 0; i < controls.size(); ++i) values[i] = x(controls[i], j);
    reference.centre[j] = median(values);
    reference.inverseScale[j] = 1.0 / (1.4826 * medianAbsoluteDeviation(values) + epsilon);
  }
  return reference;
}

// Per plate on its own controls; plates in ascending id so the progress is reproducible.
FeatureMatrix normalizePerPlate(const FeatureMatrix& x, const std::vector<int>& plateOfRow,
                                const std::vector<bool>& isControl, NormalizationMethod method, double epsilon,
                                const tasks::TaskContext& context) {
  std::map<int, std::pair<Rows, Rows>> plates;  // plate -> (all rows, control rows)
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    auto& plate = plates[plateOfRow[r]];
    plate.first.push_back(r);
    if (isControl[r]) plate.second.push_back(r);
  }
  for (const auto& [plate, rows] : plates)
    if (rows.second.size() < 2)
      throw std::invalid_argument("normalize (" + normalizationMethodName(method) + "): plate " +
                                  std::to_string(plate) + " has " + std::to_string(rows.second.size()) +
                                  " control row(s); at least 2 are needed");

  FeatureMatrix out(x.rows(), x.cols());
  std::int64_t done = 0;
  for (const auto& [plate, rows] : plates) {
    context.checkCancelled();
    const Reference reference = method == NormalizationMethod::PlateRobust
                                    ? robustReference(x, rows.second, epsilon)
                                    : centreScaleReference(x, rows.second, epsilon);
    // Statistics in double, the map itself in float like the data (vectorized, 40x faster).
    const Eigen::RowVectorXf centre = reference.centre.cast<float>();
    const Eigen::RowVectorXf inverseScale = reference.inverseScale.cast<float>();
    for (Eigen::Index r : rows.first) out.row(r) = (x.row(r) - centre).cwiseProduct(inverseScale);
    context.report(++done, static_cast<std::int64_t>(plates.size()), "plates",
                   "normalized plate " + std::to_string(plate));
  }
  return out;
}

FeatureMatrix typicalVariationNormalize(const FeatureMatrix& x, const std::vector<bool>& isControl,
                                        double eigenvalueEpsilon, const tasks::TaskContext& context) {
  Rows controls;
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    if (isControl[r]) controls.push_back(r);
  if (controls.size() < 2)
    throw std::invalid_argument("normalize (tvn): " + std::to_string(controls.size()) +
                                " control row(s) over all plates; at least 2 are needed");
  const Eigen::Index d = x.cols();
  const Eigen::RowVectorXd centre = meanOfRows(x, controls);
  const Eigen::MatrixXd covariance = covarianceOfRows(x, controls, centre, context);

  // Components in descending variance; W = V L^(-1/2), so x' = (x - mean) W.
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(covariance);
  Eigen::MatrixXd whitening(d, d);
  for (Eigen::Index k = 0; k < d; ++k) {
    const Eigen::Index source = d - 1 - k;
    const double variance = std::max(eigen.eigenvalues()[source], 0.0) + eigenvalueEpsilon;
    whitening.col(k) = eigen.eigenvectors().col(source) / std::sqrt(variance);
  }
  const Eigen::MatrixXf whiteningFloat = whitening.cast<float>();
  const Eigen::RowVectorXf centreFloat = centre.cast<float>();

  constexpr Eigen::Index block = 4096;
  FeatureMatrix out(x.rows(), d);
  for (Eigen::Index first = 0; first < x.rows(); first += block) {
    context.checkCancelled();
    const Eigen::Index count = std::min(block, x.rows() - first);
    out.middleRows(first, count).noalias() = (x.middleRows(first, count).rowwise() - centreFloat) * whiteningFloat;
    context.report(first + count, x.rows(), "rows", "typical variation normalization");
  }
  return out;
}

}  // namespace

NormalizationMethod parseNormalizationMethod(const std::string& name) {
  if (name == "none") return NormalizationMethod::None;
  if (name == "plate") return NormalizationMethod::PlateCentreScale;
  if (name == "robust") return NormalizationMethod::PlateRobust;
  if (name == "tvn") return NormalizationMethod::Tvn;
  throw std::invalid_argument("unknown normalization '" + name + "' (expected none, plate, robust or tvn)");
}

std::string normalizationMethodName(NormalizationMethod method) {
  switch (method) {
    case NormalizationMethod::None:
      return "none";
    case NormalizationMethod::PlateCentreScale:
      return "plate";
    case NormalizationMethod::PlateRobust:
      return "robust";
    case NormalizationMethod::Tvn:
      return "tvn";
  }
  return "unknown";
}

FeatureMatrix normalize(const FeatureMatrix& x, const std::vector<int>& plateOfRow, const std::vector<bool>& isControl,
                        const NormalizationOptions& options, const tasks::TaskContext& context) {
  checkShapes(x, plateOfRow, isControl);
  switch (options.method) {
    case NormalizationMethod::None:
      return x;
    case NormalizationMethod::PlateCentreScale:
    case NormalizationMethod::PlateRobust:
      return normalizePerPlate(x, plateOfRow, isControl, options.method, options.spreadEpsilon, context);
    case NormalizationMethod::Tvn:
      if (!options.tvnAfterPlateCentreScale)
        return typicalVariationNormalize(x, isControl, options.tvnEigenvalueEpsilon, context);
      return typicalVariationNormalize(
          normalizePerPlate(x, plateOfRow, isControl, NormalizationMethod::PlateCentreScale, options.spreadEpsilon,
                            context),
          isControl, options.tvnEigenvalueEpsilon, context);
  }
  throw std::invalid_argument("normalize: unknown method");
}

}  // namespace gandl::analysis
