#include "core/analysis/four_parameter_logistic.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>

#include <Eigen/Core>
#include <Eigen/LU>
#include <unsupported/Eigen/NonLinearOptimization>

#include "core/analysis/statistics.h"

namespace gandl::analysis {

namespace {

constexpr double kLn10 = 2.302585092994046;
constexpr double kInfinity = std::numeric_limits<double>::infinity();
enum { kBottom = 0, kTop = 1, kLogEc50 = 2, kHill = 3 };
using Parameters = std::array<double, 4>;
using FreeMask = std::array<bool, 4>;

double sigmoid(double z) {
  if (z >= 0.0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

// The fraction of the way up the curve at x: 1 / (1 + 10^((logEC50 - x) * Hill)), written as a
// logistic in natural units so that it neither overflows nor loses its derivative far out.
double curveFraction(double x, const Parameters& p) { return sigmoid(kLn10 * p[kHill] * (x - p[kLogEc50])); }

double curveValue(double x, const Parameters& p) { return p[kBottom] + (p[kTop] - p[kBottom]) * curveFraction(x, p); }

// dY / d(Bottom, Top, logEC50, Hill) at x.
Parameters curvePartials(double x, const Parameters& p) {
  const double s = curveFraction(x, p);
  const double slope = (p[kTop] - p[kBottom]) * s * (1.0 - s) * kLn10;
  return {1.0 - s, s, -slope * p[kHill], slope * (x - p[kLogEc50])};
}

struct Data {
  const std::vector<double>& x;
  const std::vector<double>& y;
};

double residualSumOfSquares(const Data& data, const Parameters& p) {
  double rss = 0.0;
  for (std::size_t i = 0; i < data.x.size(); ++i) {
    const double residual = curveValue(data.x[i], p) - data.y[i];
    rss += residual * residual;
  }
  return rss;
}

// The free parameters as unconstrained variables t: p = lower + (upper - lower) * sigmoid(t).
class ParameterMap {
 public:
  ParameterMap(const Parameters& lower, const Parameters& upper, const FreeMask& isFree)
      : lower_(lower), upper_(upper) {
    for (int k = 0; k < 4; ++k)
      if (isFree[k]) free_.push_back(k);
  }
  int freeCount() const { return static_cast<int>(free_.size()); }
  int parameterOf(int index) const { return free_[static_cast<std::size_t>(index)]; }

  Parameters toFull(const Eigen::VectorXd& t, Parameters fixed) const {
    for (int i = 0; i < freeCount(); ++i) {
      const int k = parameterOf(i);
      fixed[k] = lower_[k] + (upper_[k] - lower_[k]) * sigmoid(t[i]);
    }
    return fixed;
  }
  Eigen::VectorXd toInternal(const Parameters& p) const {
    Eigen::VectorXd t(freeCount());
    for (int i = 0; i < freeCount(); ++i) {
      const int k = parameterOf(i);
      const double fraction = std::clamp((p[k] - lower_[k]) / (upper_[k] - lower_[k]), 1e-6, 1.0 - 1e-6);
      t[i] = std::log(fraction / (1.0 - fraction));
    }
    return t;
  }
  double derivative(int index, double t) const {
    const int k = parameterOf(index);
    const double s = sigmoid(t);
    return (upper_[k] - lower_[k]) * s * (1.0 - s);
  }

 private:
  Parameters lower_, upper_;
  std::vector<int> free_;
};

// Residuals and Jacobian in the shape Eigen's MINPACK port expects.
struct CurveResiduals {
  using Scalar = double;
  enum { InputsAtCompileTime = Eigen::Dynamic, ValuesAtCompileTime = Eigen::Dynamic };
  using InputType = Eigen::VectorXd;
  using ValueType = Eigen::VectorXd;
  using JacobianType = Eigen::MatrixXd;

  const Data& data;
  const ParameterMap& map;
  Parameters fixed;

  int inputs() const { return map.freeCount(); }
  int values() const { return static_cast<int>(data.x.size()); }

  int operator()(const Eigen::VectorXd& t, Eigen::VectorXd& residuals) const {
    const Parameters p = map.toFull(t, fixed);
    for (int i = 0; i < values(); ++i) residuals[i] = curveValue(data.x[i], p) - data.y[i];
    return 0;
  }
  int df(const Eigen::VectorXd& t, Eigen::MatrixXd& jacobian) const {
    const Parameters p = map.toFull(t, fixed);
    for (int i = 0; i < values(); ++i) {
      const Parameters partial = curvePartials(data.x[i], p);
      for (int j = 0; j < map.freeCount(); ++j) jacobian(i, j) = partial[map.parameterOf(j)] * map.derivative(j, t[j]);
    }
    return 0;
  }
};

struct Solution {
  Parameters p{};
  double rss = kInfinity;
  bool converged = false;
};

class Fitter {
 public:
  Fitter(const Data& data, const FourParameterLogisticOptions& options) : data_(data), options_(options) {
    const auto [lowest, highest] = std::minmax_element(data.x.begin(), data.x.end());
    testedMin_ = *lowest;
    testedMax_ = *highest;
    const bool anchored = options.plateaus == Plateaus::AnchoredToControls;
    lower_ = {anchored ? options.bottom : options.bottomMin, anchored ? options.top : options.topMin,
              testedMin_ - options.logEc50Margin, options.hillMin};
    upper_ = {anchored ? options.bottom : options.bottomMax, anchored ? options.top : options.topMax,
              testedMax_ + options.logEc50Margin, options.hillMax};
  }

  double testedMin() const { return testedMin_; }
  double testedMax() const { return testedMax_; }
  double logEc50Lower() const { return lower_[kLogEc50]; }
  double logEc50Upper() const { return upper_[kLogEc50]; }
  bool anchored() const { return options_.plateaus == Plateaus::AnchoredToControls; }

  // The best fit with every parameter free: Levenberg-Marquardt from the two best grid points.
  Solution fitAll() const {
    const std::vector<Solution> grid = gridStarts(nullptr);
    Solution best;
    for (std::size_t s = 0; s < std::min<std::size_t>(2, grid.size()); ++s) {
      const Solution solution = solve(grid[s].p, true);
      if (solution.rss < best.rss) best = solution;
    }
    return best;
  }

  // The profile at a fixed logEC50: the other parameters re-optimized from the better of the grid
  // and `hint` (the neighbouring profile point).
  Solution fitAt(double logEc50, const Parameters& hint) const {
    std::vector<Solution> grid = gridStarts(&logEc50);
    Solution start = grid.front();
    Parameters moved = hint;
    moved[kLogEc50] = logEc50;
    const double hintRss = residualSumOfSquares(data_, moved);
    if (hintRss < start.rss) start = {moved, hintRss, false};
    return solve(start.p, false);
  }

  // Asymptotic (Wald) standard error of logEC50 at a fit, from the Jacobian in the natural
  // parameters; NaN where the Jacobian is singular. Only used to place the first profile probe.
  double logEc50StandardError(const Solution& fit) const {
    const int p = anchored() ? 2 : 4;
    const int n = static_cast<int>(data_.x.size());
    Eigen::MatrixXd jacobian(n, p);
    for (int i = 0; i < n; ++i) {  // columns logEC50, Hill, then Bottom, Top when free
      const Parameters partial = curvePartials(data_.x[i], fit.p);
      for (int j = 0; j < p; ++j) jacobian(i, j) = partial[(kLogEc50 + j) % 4];
    }
    const Eigen::MatrixXd information = jacobian.transpose() * jacobian;
    const Eigen::FullPivLU<Eigen::MatrixXd> lu(information);
    if (!lu.isInvertible()) return std::numeric_limits<double>::quiet_NaN();
    const double variance = fit.rss / (n - p) * lu.inverse()(0, 0);
    return variance > 0.0 ? std::sqrt(variance) : std::numeric_limits<double>::quiet_NaN();
  }

 private:
  Solution solve(const Parameters& start, bool logEc50Free) const {
    const FreeMask isFree = {!anchored(), !anchored(), logEc50Free, true};
    const ParameterMap map(lower_, upper_, isFree);
    CurveResiduals residuals{data_, map, start};
    Eigen::LevenbergMarquardt<CurveResiduals> solver(residuals);
    solver.parameters.ftol = 1e-10;
    solver.parameters.xtol = 1e-10;
    solver.parameters.maxfev = 400;
    Eigen::VectorXd t = map.toInternal(start);
    const auto status = solver.minimize(t);
    Solution solution;
    solution.p = map.toFull(t, start);
    solution.rss = residualSumOfSquares(data_, solution.p);
    solution.converged = status != Eigen::LevenbergMarquardtSpace::TooManyFunctionEvaluation &&
                         status != Eigen::LevenbergMarquardtSpace::ImproperInputParameters;
    return solution;
  }

  // Grid points sorted by RSS, best first: logEC50 over the search range in half decades (or the
  // fixed value), Hill over its range, plateaus (Free) by linear least squares in their bounds.
  std::vector<Solution> gridStarts(const double* fixedLogEc50) const {
    std::vector<double> logEc50s;
    if (fixedLogEc50) {
      logEc50s.push_back(*fixedLogEc50);
    } else {
      for (double l = lower_[kLogEc50]; l <= upper_[kLogEc50] + 1e-9; l += 0.5) logEc50s.push_back(l);
    }
    std::vector<Solution> grid;
    for (double logEc50 : logEc50s)
      for (double hill : {0.5, 1.0, 2.0, 4.0}) {
        Solution point;
        point.p = {lower_[kBottom], lower_[kTop], logEc50, std::clamp(hill, options_.hillMin, options_.hillMax)};
        if (!anchored()) solvePlateaus(point.p);
        point.rss = residualSumOfSquares(data_, point.p);
        grid.push_back(point);
      }
    std::sort(grid.begin(), grid.end(), [](const Solution& a, const Solution& b) { return a.rss < b.rss; });
    return grid;
  }

  // Y is linear in (Bottom, Top) once logEC50 and Hill are fixed: Y = Bottom (1 - s) + Top s.
  void solvePlateaus(Parameters& p) const {
    double a11 = 0, a12 = 0, a22 = 0, b1 = 0, b2 = 0;
    for (std::size_t i = 0; i < data_.x.size(); ++i) {
      const double s = curveFraction(data_.x[i], p);
      a11 += (1 - s) * (1 - s);
      a12 += (1 - s) * s;
      a22 += s * s;
      b1 += (1 - s) * data_.y[i];
      b2 += s * data_.y[i];
    }
    const double determinant = a11 * a22 - a12 * a12;
    if (std::abs(determinant) > 1e-12 * (a11 * a22 + 1e-300)) {
      p[kBottom] = (a22 * b1 - a12 * b2) / determinant;
      p[kTop] = (a11 * b2 - a12 * b1) / determinant;
    } else {
      p[kBottom] = p[kTop] = (b1 + b2) / static_cast<double>(data_.x.size());
    }
    p[kBottom] = std::clamp(p[kBottom], options_.bottomMin, options_.bottomMax);
    p[kTop] = std::clamp(p[kTop], options_.topMin, options_.topMax);
  }

  const Data& data_;
  const FourParameterLogisticOptions& options_;
  double testedMin_ = 0.0, testedMax_ = 0.0;
  Parameters lower_{}, upper_{};
};

// Where the profile RSS crosses the threshold on one side of the best fit. The first probe sits
// at the Wald interval's end (usually close), the bracket then widens by doubling steps, and the
// crossing is found by regula falsi with the Illinois modification to 1e-4 decades. A side whose
// search bound stays under the threshold is unbounded: +-inf.
double profileEnd(const Fitter& fitter, const Solution& best, double threshold, double firstStep, int direction) {
  const double bound = direction > 0 ? fitter.logEc50Upper() : fitter.logEc50Lower();
  Parameters hint = best.p;
  auto excess = [&](double logEc50) {
    const Solution profile = fitter.fitAt(logEc50, hint);
    hint = profile.p;
    return profile.rss - threshold;
  };
  double inside = best.p[kLogEc50];
  double insideExcess = best.rss - threshold;
  if (!(insideExcess < 0.0)) return inside;  // a perfect fit: the interval is the point
  double outside = 0.0, outsideExcess = 0.0;
  double step = std::clamp(firstStep, 0.01, 1.0);
  while (true) {
    double candidate = inside + direction * step;
    if (direction * (candidate - bound) >= 0.0) candidate = bound;
    const double value = excess(candidate);
    if (value > 0.0) {
      outside = candidate;
      outsideExcess = value;
      break;
    }
    if (candidate == bound) return direction * kInfinity;
    inside = candidate;
    insideExcess = value;
    step *= 2.0;
  }
  int lastMoved = 0;  // which end moved last: -1 inside, +1 outside
  for (int i = 0; i < 60 && std::abs(outside - inside) > 1e-4; ++i) {
    double next = (inside * outsideExcess - outside * insideExcess) / (outsideExcess - insideExcess);
    if (!(direction * (next - inside) > 0.0 && direction * (outside - next) > 0.0)) next = 0.5 * (inside + outside);
    const double value = excess(next);
    if (std::abs(value) <= 1e-9 * threshold) return next;
    if (value > 0.0) {
      outside = next;
      outsideExcess = value;
      if (lastMoved == +1) insideExcess *= 0.5;
      lastMoved = +1;
    } else {
      inside = next;
      insideExcess = value;
      if (lastMoved == -1) outsideExcess *= 0.5;
      lastMoved = -1;
    }
  }
  return 0.5 * (inside + outside);
}

}  // namespace

double fourParameterLogistic(double logConcentration, double bottom, double top, double logEc50, double hill) {
  return curveValue(logConcentration, {bottom, top, logEc50, hill});
}

FourParameterLogisticFit fitFourParameterLogistic(const std::vector<double>& logConcentration,
                                                  const std::vector<double>& response,
                                                  const FourParameterLogisticOptions& options) {
  if (logConcentration.size() != response.size())
    throw std::invalid_argument("4PL fit: " + std::to_string(logConcentration.size()) + " concentrations but " +
                                std::to_string(response.size()) + " responses");
  for (std::size_t i = 0; i < response.size(); ++i)
    if (!std::isfinite(logConcentration[i]) || !std::isfinite(response[i]))
      throw std::invalid_argument("4PL fit: point " + std::to_string(i) +
                                  " is not finite (drop NaN points before fitting)");
  const std::set<double> doses(logConcentration.begin(), logConcentration.end());
  const int parameterCount = options.plateaus == Plateaus::AnchoredToControls ? 2 : 4;
  if (doses.size() < 3)
    throw std::invalid_argument("4PL fit: " + std::to_string(doses.size()) +
                                " distinct concentration(s); at least 3 are needed");
  if (response.size() <= static_cast<std::size_t>(parameterCount))
    throw std::invalid_argument("4PL fit: " + std::to_string(response.size()) + " points for " +
                                std::to_string(parameterCount) + " parameters; more points than parameters are needed");

  const Data data{logConcentration, response};
  const Fitter fitter(data, options);
  const Solution best = fitter.fitAll();

  FourParameterLogisticFit result;
  result.bottom = best.p[kBottom];
  result.top = best.p[kTop];
  result.logEc50 = best.p[kLogEc50];
  result.hill = best.p[kHill];
  result.rss = best.rss;
  result.converged = best.converged;
  result.pointCount = static_cast<int>(response.size());
  result.parameterCount = parameterCount;
  result.testedLogMin = fitter.testedMin();
  result.testedLogMax = fitter.testedMax();
  const double centre = mean(response);
  double total = 0.0;
  for (double y : response) total += (y - centre) * (y - centre);
  result.rSquared = total > 0.0 ? 1.0 - best.rss / total : std::numeric_limits<double>::quiet_NaN();

  const double residualDof = static_cast<double>(result.pointCount - parameterCount);
  const double critical = fDistributionQuantile(options.confidenceLevel, 1.0, residualDof);
  const double threshold = best.rss * (1.0 + critical / residualDof);
  const double standardError = fitter.logEc50StandardError(best);
  const double firstStep = std::isfinite(standardError) ? std::sqrt(critical) * standardError : 0.1;
  result.logEc50Lower = profileEnd(fitter, best, threshold, firstStep, -1);
  result.logEc50Upper = profileEnd(fitter, best, threshold, firstStep, +1);
  return result;
}

}  // namespace gandl::analysis
