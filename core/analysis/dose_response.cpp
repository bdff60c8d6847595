#include "core/analysis/dose_response.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <thread>

#include "core/analysis/statistics.h"

namespace gandl::analysis {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool sameConcentration(double a, double b) { return std::abs(a - b) <= 1e-6 * std::max(a, b); }

std::invalid_argument compoundError(const std::string& name, const std::string& what) {
  return std::invalid_argument("compound '" + name + "': " + what);
}

// Finite points in ascending concentration, and their per-dose summaries.
std::vector<DosePoint> usablePoints(const CompoundInput& compound, CompoundResponse& response) {
  std::vector<DosePoint> points;
  for (const DosePoint& point : compound.points) {
    if (!std::isfinite(point.concentrationMicromolar) || !std::isfinite(point.score)) {
      ++response.droppedPoints;
      continue;
    }
    if (!(point.concentrationMicromolar > 0.0))
      throw compoundError(compound.name, "concentration " + std::to_string(point.concentrationMicromolar) +
                                             " uM is not positive; a dose-response needs log10 of it");
    points.push_back(point);
  }
  std::stable_sort(points.begin(), points.end(), [](const DosePoint& a, const DosePoint& b) {
    return a.concentrationMicromolar < b.concentrationMicromolar;
  });
  response.pointCount = static_cast<int>(points.size());
  for (std::size_t first = 0; first < points.size();) {
    std::size_t last = first;
    std::vector<double> scores;
    while (last < points.size() &&
           sameConcentration(points[last].concentrationMicromolar, points[first].concentrationMicromolar))
      scores.push_back(points[last++].score);
    DoseSummary summary;
    summary.concentrationMicromolar = points[first].concentrationMicromolar;
    summary.count = static_cast<int>(scores.size());
    summary.mean = mean(scores);
    summary.sem = sampleStandardDeviation(scores) / std::sqrt(static_cast<double>(scores.size()));
    summary.median = median(scores);
    response.doses.push_back(summary);
    first = last;
  }
  return points;
}

std::vector<double> toxicConcentrations(const CompoundInput& compound, const std::vector<DoseSummary>& doses,
                                        const CytotoxicityRule& rule) {
  std::vector<double> toxic;
  for (const DoseToxicity& entry : compound.toxicity) {
    const bool tested = std::any_of(doses.begin(), doses.end(), [&](const DoseSummary& dose) {
      return sameConcentration(dose.concentrationMicromolar, entry.concentrationMicromolar);
    });
    if (!tested)
      throw compoundError(compound.name, "toxicity given at " + std::to_string(entry.concentrationMicromolar) +
                                             " uM, a concentration with no usable point");
    if (entry.offAxisShift > rule.maxOffAxisShift || entry.viability < rule.minViability)
      toxic.push_back(entry.concentrationMicromolar);
  }
  std::sort(toxic.begin(), toxic.end());
  return toxic;
}

// Extra-sum-of-squares F-test of the fit against the flat line Y = level (no parameter).
double flatLinePValue(const std::vector<DosePoint>& points, double level, const FourParameterLogisticFit& fit) {
  double flatRss = 0.0;
  for (const DosePoint& point : points) flatRss += (point.score - level) * (point.score - level);
  if (!(fit.rss > 0.0)) return flatRss > 0.0 ? 0.0 : 1.0;
  const double numeratorDof = fit.parameterCount;
  const double denominatorDof = fit.pointCount - fit.parameterCount;
  const double f = ((flatRss - fit.rss) / numeratorDof) / (fit.rss / denominatorDof);
  return f > 0.0 ? 1.0 - fDistributionCdf(f, numeratorDof, denominatorDof) : 1.0;
}

int statusGroup(DoseResponseStatus status) { return static_cast<int>(status); }

}  // namespace

std::string doseResponseStatusName(DoseResponseStatus status) {
  switch (status) {
    case DoseResponseStatus::Fitted:
      return "fitted";
    case DoseResponseStatus::Ambiguous:
      return "ambiguous";
    case DoseResponseStatus::Cytotoxic:
      return "cytotoxic";
    case DoseResponseStatus::Inactive:
      return "inactive";
    case DoseResponseStatus::Insufficient:
      return "insufficient";
  }
  return "unknown";
}

CompoundResponse analyzeCompound(const CompoundInput& compound, const DoseResponseOptions& options) {
  CompoundResponse response;
  response.name = compound.name;
  const std::vector<DosePoint> points = usablePoints(compound, response);
  response.toxicConcentrations = toxicConcentrations(compound, response.doses, options.cytotoxicity);
  const FourParameterLogisticOptions& curve = options.curve;
  const int parameterCount = curve.plateaus == Plateaus::AnchoredToControls ? 2 : 4;

  if (response.doses.size() < static_cast<std::size_t>(std::max(options.minDoses, 3)) ||
      response.pointCount <= parameterCount) {
    response.status = DoseResponseStatus::Insufficient;
    response.note = std::to_string(response.doses.size()) + " dose(s) and " + std::to_string(response.pointCount) +
                    " usable point(s) (" + std::to_string(response.droppedPoints) + " dropped as NaN); a curve needs " +
                    std::to_string(std::max(options.minDoses, 3)) + " doses and more than " +
                    std::to_string(parameterCount) + " points";
    return response;
  }
  const double window = curve.top - curve.bottom;
  double bestMean = -std::numeric_limits<double>::infinity();
  for (const DoseSummary& dose : response.doses) bestMean = std::max(bestMean, dose.mean);
  response.maxEfficacy = (bestMean - curve.bottom) / window;

  const auto [lowest, highest] = std::minmax_element(
      points.begin(), points.end(), [](const DosePoint& a, const DosePoint& b) { return a.score < b.score; });
  const bool identical = highest->score - lowest->score <= 1e-12 * std::max(1.0, std::abs(highest->score));
  bool active = false;
  if (identical) {
    response.fTestPValue = 1.0;
    response.note = "every response is " + std::to_string(lowest->score) + ": no dose trend";
  } else {
    std::vector<double> logConcentration, scores;
    for (const DosePoint& point : points) {
      logConcentration.push_back(std::log10(point.concentrationMicromolar));
      scores.push_back(point.score);
    }
    response.fit = fitFourParameterLogistic(logConcentration, scores, curve);
    response.hasFit = true;
    response.ec50Micromolar = std::pow(10.0, response.fit.logEc50);
    response.ec50LowerMicromolar = std::pow(10.0, response.fit.logEc50Lower);
    response.ec50UpperMicromolar = std::pow(10.0, response.fit.logEc50Upper);
    response.fTestPValue = flatLinePValue(points, curve.bottom, response.fit);
    active = response.fTestPValue < options.significance && response.maxEfficacy >= options.minEfficacy;
    if (!active)
      response.note = response.fTestPValue >= options.significance
                          ? "no significant dose trend (F-test p = " + std::to_string(response.fTestPValue) + ")"
                          : "max efficacy " + std::to_string(response.maxEfficacy) + " below " +
                                std::to_string(options.minEfficacy);
  }

  const bool toxicBelowEc50 = !response.toxicConcentrations.empty() &&
                              (!active || std::log10(response.toxicConcentrations.front()) <= response.fit.logEc50);
  if (toxicBelowEc50) {
    response.status = DoseResponseStatus::Cytotoxic;
    response.note = "toxic from " + std::to_string(response.toxicConcentrations.front()) + " uM" +
                    (active ? ", at or below the EC50" : ", without efficacy");
  } else if (!active) {
    response.status = DoseResponseStatus::Inactive;
  } else {
    const FourParameterLogisticFit& fit = response.fit;
    const bool outside = fit.logEc50 < fit.testedLogMin || fit.logEc50 > fit.testedLogMax;
    const bool unbounded = std::isinf(fit.logEc50Lower) || std::isinf(fit.logEc50Upper);
    response.status = outside || unbounded ? DoseResponseStatus::Ambiguous : DoseResponseStatus::Fitted;
    if (outside)
      response.note = "EC50 outside the tested range";
    else if (unbounded)
      response.note = "EC50 interval unbounded";
  }
  return response;
}

bool ranksBefore(const CompoundResponse& a, const CompoundResponse& b) {
  if (statusGroup(a.status) != statusGroup(b.status)) return statusGroup(a.status) < statusGroup(b.status);
  const bool potencyOrdered = a.status == DoseResponseStatus::Fitted || a.status == DoseResponseStatus::Ambiguous;
  if (potencyOrdered && a.fit.logEc50 != b.fit.logEc50) return a.fit.logEc50 < b.fit.logEc50;
  const double efficacyA = std::isnan(a.maxEfficacy) ? -std::numeric_limits<double>::infinity() : a.maxEfficacy;
  const double efficacyB = std::isnan(b.maxEfficacy) ? -std::numeric_limits<double>::infinity() : b.maxEfficacy;
  return efficacyA > efficacyB;
}

void rankHits(std::vector<CompoundResponse>& responses) {
  std::vector<std::size_t> order(responses.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return ranksBefore(responses[a], responses[b]); });
  for (std::size_t rank = 0; rank < order.size(); ++rank) responses[order[rank]].hitRank = static_cast<int>(rank + 1);
}

std::vector<CompoundResponse> analyzeCompounds(const std::vector<CompoundInput>& compounds,
                                               const DoseResponseOptions& options, unsigned threads,
                                               const tasks::TaskContext& context) {
  std::vector<CompoundResponse> responses(compounds.size());
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(1, compounds.size())));
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex lock;  // guards error, done and the progress callback
  std::int64_t done = 0;
  auto work = [&] {
    for (std::size_t i = next++; i < compounds.size(); i = next++) {
      if (failed || context.isCancelled()) return;
      try {
        responses[i] = analyzeCompound(compounds[i], options);
        std::lock_guard<std::mutex> guard(lock);
        context.report(++done, static_cast<std::int64_t>(compounds.size()), "compounds",
                       "dose-response of " + compounds[i].name);
      } catch (...) {
        std::lock_guard<std::mutex> guard(lock);
        if (!error) error = std::current_exception();
        failed = true;
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
  if (error) std::rethrow_exception(error);
  context.checkCancelled();
  rankHits(responses);
  return responses;
}

}  // namespace gandl::analysis
