#pragma once
// Per-compound dose-response on the On-axis score: per-dose summaries, a 4PL fit on every site,
// a status and a hit rank.
//
// Status, decided in this order:
//   Insufficient  fewer than minDoses distinct concentrations, or no more points than fitted
//                 parameters, after non-finite points are dropped (counted in droppedPoints).
//   Cytotoxic     some dose is toxic (a DoseToxicity entry with offAxisShift > maxOffAxisShift
//                 or viability < minViability) and the efficacy cannot be told apart from the
//                 toxicity: the compound is not active, or its lowest toxic concentration is at
//                 or below the EC50. Toxicity only above the EC50 leaves the status alone (a
//                 therapeutic window); toxicConcentrations lists the toxic doses either way.
//   Inactive      no significant dose trend: the extra-sum-of-squares F-test of the 4PL against
//                 a flat line at the C- level (Y = curve.bottom, no parameter) has p >=
//                 significance, or the best dose mean reaches less than minEfficacy of the
//                 control window. Identical responses are Inactive without a fit.
//   Ambiguous     active, but the EC50 lies outside the tested range or its profile interval is
//                 unbounded on a side.
//   Fitted        active, EC50 inside the tested range with a bounded 95% interval.
// maxEfficacy = the highest dose mean as a fraction of the control window,
// (mean - curve.bottom) / (curve.top - curve.bottom): 0 at the C- level, 1 at the C+ level.
//
// Hit rank (1 = best), sort key: status group Fitted < Ambiguous < Cytotoxic < Inactive <
// Insufficient; within Fitted and Ambiguous ascending logEC50 (more potent first); then
// descending maxEfficacy; then input order. Concentrations are in uM and must be positive.

#include <limits>
#include <string>
#include <vector>

#include "core/analysis/four_parameter_logistic.h"
#include "core/tasks/progress.h"

namespace gandl::analysis {

struct DosePoint {  // one site of the compound
  double concentrationMicromolar = 0.0;
  double score = 0.0;  // On-axis score
};

// Signals the On-axis score cannot show: dead or detached cells can land anywhere on it.
struct DoseToxicity {
  double concentrationMicromolar = 0.0;
  // |median off-axis score at this dose - median of the controls| / sd of the controls' off-axis
  // scores (NaN when not measured).
  double offAxisShift = std::numeric_limits<double>::quiet_NaN();
  // Cells (or usable sites) per well at this dose / the same in C- wells; 1 = unchanged.
  double viability = std::numeric_limits<double>::quiet_NaN();
};

struct CytotoxicityRule {
  double maxOffAxisShift = 3.0;
  double minViability = 0.5;
};

enum class DoseResponseStatus { Fitted, Ambiguous, Cytotoxic, Inactive, Insufficient };
std::string doseResponseStatusName(DoseResponseStatus status);  // "fitted", "ambiguous", ...

struct DoseResponseOptions {
  FourParameterLogisticOptions curve;
  double significance = 0.05;
  double minEfficacy = 0.2;
  int minDoses = 3;
  CytotoxicityRule cytotoxicity;
};

struct DoseSummary {
  double concentrationMicromolar = 0.0;
  int count = 0;
  double mean = 0.0;
  double sem = 0.0;  // sd / sqrt(n); NaN for a single point
  double median = 0.0;
};

struct CompoundInput {
  std::string name;
  std::vector<DosePoint> points;
  std::vector<DoseToxicity> toxicity;  // optional, one entry per dose at most
};

struct CompoundResponse {
  std::string name;
  DoseResponseStatus status = DoseResponseStatus::Insufficient;
  std::string note;                // why, in one line, for anything but Fitted
  std::vector<DoseSummary> doses;  // ascending concentration
  int pointCount = 0;              // points used
  int droppedPoints = 0;           // non-finite concentration or score
  bool hasFit = false;
  FourParameterLogisticFit fit;
  double ec50Micromolar = std::numeric_limits<double>::quiet_NaN();
  double ec50LowerMicromolar = std::numeric_limits<double>::quiet_NaN();  // 0 when unbounded
  double ec50UpperMicromolar = std::numeric_limits<double>::quiet_NaN();  // inf when unbounded
  double fTestPValue = std::numeric_limits<double>::quiet_NaN();
  double maxEfficacy = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> toxicConcentrations;  // uM, ascending
  int hitRank = 0;                          // set by rankHits / analyzeCompounds
};

// Throws std::invalid_argument naming the compound for a non-positive concentration or a
// toxicity entry at a concentration the compound was not tested at.
CompoundResponse analyzeCompound(const CompoundInput& compound, const DoseResponseOptions& options = {});

// Every compound, on `threads` threads (0 = all cores); each result depends on its compound only,
// so the output does not depend on the thread count. Ranks the hits. Reports progress per
// compound and checks cancellation before each.
std::vector<CompoundResponse> analyzeCompounds(const std::vector<CompoundInput>& compounds,
                                               const DoseResponseOptions& options = {}, unsigned threads = 0,
                                               const tasks::TaskContext& context = {});

// True when a ranks before b (the sort key above; ties keep input order when sorted stably).
bool ranksBefore(const CompoundResponse& a, const CompoundResponse& b);
// Sets hitRank 1..n by the sort key, input order breaking ties.
void rankHits(std::vector<CompoundResponse>& responses);

}  // namespace gandl::analysis
