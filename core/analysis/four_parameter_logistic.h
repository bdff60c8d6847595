#pragma once
// The four-parameter logistic dose-response curve (GraphPad's "log(agonist) vs response, variable
// slope"; R drc's LL.4 with b = -Hill), in X = log10(concentration):
//
//   Y = Bottom + (Top - Bottom) / (1 + 10^((logEC50 - X) * Hill))
//
// fitted by least squares on every point (per site, not per-dose means) with Eigen's
// Levenberg-Marquardt (MINPACK). Bounds hold by reparametrisation: each free parameter p in
// [lo, hi] is p = lo + (hi - lo) * sigmoid(t) with t unconstrained, so the solver never leaves
// the box. Hill is positive (responses rise with dose, as on the On axis), in [0.3, 5] by
// default; logEC50 is searched within the tested range widened by two decades on each side.
// Plateaus are anchored to the controls (Top = +1, Bottom = -1 on the On axis) by default, which
// leaves two parameters for six doses; Free fits them within bounds. Starting values come from a
// grid over (logEC50, Hill) with the plateaus solved linearly for each grid point, so the fit does
// not depend on one guess.
//
// The 95% interval of logEC50 is a profile-likelihood interval, as Prism computes it: the set of
// logEC50 values whose profile RSS (the other parameters re-optimized) stays below
//   RSS_min * (1 + F(0.95; 1, n - p) / (n - p)),
// the F-test threshold for one parameter. An end that does not cross the threshold within the
// search range is unbounded (-inf / +inf).

#include <vector>

namespace gandl::analysis {

enum class Plateaus { AnchoredToControls, Free };

struct FourParameterLogisticOptions {
  Plateaus plateaus = Plateaus::AnchoredToControls;
  double top = 1.0;  // anchors (AnchoredToControls); the C- level is also the inactive baseline
  double bottom = -1.0;
  double topMin = 0.0, topMax = 2.0;  // bounds (Free)
  double bottomMin = -2.0, bottomMax = 0.0;
  double hillMin = 0.3, hillMax = 5.0;
  double logEc50Margin = 2.0;  // decades beyond the tested range that logEC50 may take
  double confidenceLevel = 0.95;
};

struct FourParameterLogisticFit {
  double bottom = 0.0, top = 0.0, logEc50 = 0.0, hill = 0.0;
  double rss = 0.0;
  double rSquared = 0.0;  // 1 - RSS / total sum of squares; NaN when every response is equal
  int pointCount = 0;
  int parameterCount = 0;                         // fitted parameters: 2 anchored, 4 free
  double logEc50Lower = 0.0, logEc50Upper = 0.0;  // profile interval, +-inf when unbounded
  double testedLogMin = 0.0, testedLogMax = 0.0;
  bool converged = false;
};

double fourParameterLogistic(double logConcentration, double bottom, double top, double logEc50, double hill);

// logConcentration and response: one entry per point, all finite. Throws std::invalid_argument
// for fewer than 3 distinct concentrations, no more points than parameters, or non-finite input.
FourParameterLogisticFit fitFourParameterLogistic(const std::vector<double>& logConcentration,
                                                  const std::vector<double>& response,
                                                  const FourParameterLogisticOptions& options = {});

}  // namespace gandl::analysis
