// Downstream-analysis throughput at RxRx19a scale: linear SVMs on 30,000 x 512 (both backends,
// fit time and held-out accuracy), 4PL fits of 1,672 compounds x 6 doses x 12 sites (1 and 2
// threads), and normalization of 305,520 x 512 float (time and peak memory above the input).
// Prints a table of medians of 3 runs; figures go to docs/benchmarks.md.
//
//   bench_analysis [--part all|svm|dose|normalize] [--libsvm-rows N]
//   libsvm's SMO grows about quadratically with rows: by default it runs on 5,000 training rows
//   (0 skips it, 30000 runs it all); runs over 30 s are not repeated.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/analysis/dose_response.h"
#include "core/analysis/linear_svm.h"
#include "core/analysis/metrics.h"
#include "core/analysis/normalization.h"
#include "core/analysis/svm_model_selection.h"

using namespace gandl::analysis;
using Clock = std::chrono::steady_clock;

namespace {

struct Timing {
  double seconds = 0.0;
  std::vector<double> all;
};

// Runs that take longer than `patience` seconds are not repeated (their row says "1 run").
Timing medianOf(int runs, const std::function<void()>& work, double patience = 1e9) {
  Timing timing;
  for (int i = 0; i < runs; ++i) {
    if (i > 0 && timing.all.front() > patience) break;
    const auto start = Clock::now();
    work();
    timing.all.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::vector<double> sorted = timing.all;
  std::sort(sorted.begin(), sorted.end());
  timing.seconds = sorted[sorted.size() / 2];
  return timing;
}

// Resident-set figures from /proc/self/status in MiB; clearing refs resets the high-water mark.
double statusMiB(const char* key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(std::strlen(key))) / 1024.0;
  return 0.0;
}
void resetPeak() { std::ofstream("/proc/self/clear_refs") << "5"; }

void row(const std::string& what, const std::string& size, const Timing& t, const std::string& rate,
         const std::string& extra) {
  std::printf("%-44s %-26s %9.3f s  %-22s %s\n", what.c_str(), size.c_str(), t.seconds, rate.c_str(), extra.c_str());
  std::fflush(stdout);
}

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

// Two Gaussian classes in d dimensions, means +-1.5 sd apart along a random unit direction:
// Bayes accuracy Phi(1.5) = 93.3%, about the paper's C+ / C- accuracies.
void gaussianClasses(int n, int d, std::uint64_t seed, const Eigen::VectorXf& direction, FeatureMatrix& x,
                     std::vector<int>& y) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  x.resize(n, d);
  y.resize(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r) {
    const int label = r % 2 == 0 ? 1 : -1;
    for (int j = 0; j < d; ++j) x(r, j) = normal(engine) + 1.5f * label * direction[j];
    y[static_cast<std::size_t>(r)] = label;
  }
}

void benchSvm(int libsvmRows) {
  const int n = 30000, d = 512;
  std::mt19937_64 engine(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Eigen::VectorXf direction(d);
  for (int j = 0; j < d; ++j) direction[j] = normal(engine);
  direction.normalize();
  FeatureMatrix train, test;
  std::vector<int> trainLabels, testLabels;
  gaussianClasses(n, d, 2, direction, train, trainLabels);
  gaussianClasses(10000, d, 3, direction, test, testLabels);

  struct Case {
    const char* name;
    SvmBackend backend;
    int rows;
  };
  std::vector<Case> cases = {{"liblinear L2-loss primal (default)", SvmBackend::LiblinearL2LossPrimal, n},
                             {"liblinear L2-loss dual", SvmBackend::LiblinearL2Loss, n},
                             {"liblinear L1-loss dual", SvmBackend::LiblinearL1Loss, n}};
  if (libsvmRows > 0) cases.push_back({"libsvm C-SVC linear kernel", SvmBackend::Libsvm, std::min(libsvmRows, n)});
  double liblinearSeconds = 0.0;
  for (const Case& c : cases) {
    LinearSvmOptions options;
    options.backend = c.backend;
    options.c = 1.0;
    std::vector<Eigen::Index> rows(static_cast<std::size_t>(c.rows));
    for (int r = 0; r < c.rows; ++r) rows[static_cast<std::size_t>(r)] = r;
    LinearSvm svm(options);
    const Timing t = medianOf(
        3, [&] { svm.fit(train, trainLabels, rows); }, 30.0);
    const double held = accuracy(testLabels, svm.predict(test));
    if (c.backend == SvmBackend::LiblinearL2LossPrimal) liblinearSeconds = t.seconds;
    row(std::string("SVM fit, ") + c.name, std::to_string(c.rows) + " x 512, C=1", t,
        format("%.0f rows/s", c.rows / t.seconds),
        format("held-out acc %.4f", held) + format(", x%.1f primal", t.seconds / liblinearSeconds) +
            (t.all.size() == 1 ? ", 1 run" : ""));
  }
  // The whole protocol step: 5-fold well-grouped search over 6 C values, then the final fit.
  std::vector<int> wells(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r) wells[static_cast<std::size_t>(r)] = r / 8 * 2 + r % 2;  // 4 sites per well
  std::vector<Eigen::Index> rows(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r) rows[static_cast<std::size_t>(r)] = r;
  double chosen = 0.0, held = 0.0;
  const Timing search = medianOf(1, [&] {
    CGridSearchResult result;
    const LinearSvm svm =
        fitWithCrossValidatedC(train, trainLabels, wells, rows, LinearSvmOptions{}, CGridSearchOptions{}, {}, &result);
    chosen = result.bestC;
    held = accuracy(testLabels, svm.predict(test));
  });
  row("C search 5 folds x 6 C + fit, primal", "30000 x 512", search, "31 fits",
      format("C=%g", chosen) + format(", held-out acc %.4f (1 run)", held));
}

void benchDoseResponse() {
  const int compounds = 1672;
  const double doses[6] = {0.0316, 0.1, 0.316, 1.0, 3.16, 10.0};
  std::mt19937_64 engine(4);
  std::uniform_real_distribution<double> logEc50(-2.0, 2.0), hill(0.5, 3.0), unit(0.0, 1.0);
  std::normal_distribution<double> noise(0.0, 0.3);
  std::vector<CompoundInput> inputs(compounds);
  for (int c = 0; c < compounds; ++c) {
    const bool active = unit(engine) < 0.2;
    const double l = active ? logEc50(engine) : 10.0, h = hill(engine);
    inputs[c].name = "compound-" + std::to_string(c);
    for (double dose : doses)
      for (int i = 0; i < 12; ++i)
        inputs[c].points.push_back({dose, fourParameterLogistic(std::log10(dose), -1.0, 1.0, l, h) + noise(engine)});
  }
  std::vector<CompoundResponse> one, two;
  const Timing single = medianOf(3, [&] { one = analyzeCompounds(inputs, {}, 1); });
  const Timing dual = medianOf(3, [&] { two = analyzeCompounds(inputs, {}, 2); });
  bool same = true;
  int fitted = 0;
  for (int c = 0; c < compounds; ++c) {
    same = same && one[c].fit.logEc50 == two[c].fit.logEc50 && one[c].hitRank == two[c].hitRank;
    fitted += one[c].status == DoseResponseStatus::Fitted;
  }
  row("4PL + profile CI, 1 thread", "1672 x 6 doses x 12", single,
      format("%.0f compounds/s", compounds / single.seconds),
      std::to_string(fitted) + " of " + std::to_string(compounds) + " fitted");
  row("4PL + profile CI, 2 threads", "1672 x 6 doses x 12", dual, format("%.0f compounds/s", compounds / dual.seconds),
      format("x%.2f speed-up, ", single.seconds / dual.seconds) + (same ? "identical results" : "RESULTS DIFFER"));
}

void benchNormalization() {
  const int n = 305520, d = 512, plates = 52;
  std::mt19937_64 engine(5);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  FeatureMatrix x(n, d);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = normal(engine);
  std::vector<int> plate(static_cast<std::size_t>(n));
  std::vector<bool> control(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r) {
    plate[static_cast<std::size_t>(r)] = r * plates / n;
    control[static_cast<std::size_t>(r)] = r % 10 == 0;  // 10% controls
  }
  const double inputMiB = static_cast<double>(x.size()) * sizeof(float) / (1 << 20);
  FeatureMatrix copy;
  resetPeak();
  const double before = statusMiB("VmRSS:");
  // Fresh memory each run, like a normalized copy: first touch of 600 MiB costs seconds on this VM.
  const Timing reference = medianOf(3, [&] {
    copy.resize(0, 0);
    copy = x;
  });
  row("reference: copy into fresh memory", "305520 x 512 float", reference,
      format("%.0f MB/s", inputMiB / reference.seconds), format("peak +%.0f MiB", statusMiB("VmHWM:") - before));
  copy.resize(0, 0);
  for (auto method :
       {NormalizationMethod::PlateCentreScale, NormalizationMethod::PlateRobust, NormalizationMethod::Tvn}) {
    NormalizationOptions options;
    options.method = method;
    resetPeak();
    const double start = statusMiB("VmRSS:");
    FeatureMatrix out;
    const Timing t = medianOf(3, [&] {
      out.resize(0, 0);
      out = normalize(x, plate, control, options);
    });
    row("normalize " + normalizationMethodName(method), "305520 x 512 float, 52 plates", t,
        format("%.0f rows/s", n / t.seconds),
        format("peak +%.0f MiB", statusMiB("VmHWM:") - start) + format(" (input %.0f MiB)", inputMiB) +
            format(", x%.1f copy", t.seconds / reference.seconds));
  }
}

}  // namespace

int main(int argc, char** argv) {
  int libsvmRows = 5000;
  std::string part = "all";
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--libsvm-rows") libsvmRows = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--part") part = argv[i + 1];
  }
  std::printf("%-44s %-26s %11s  %-22s %s\n", "what", "size", "median of 3", "throughput", "notes");
  if (part == "all" || part == "svm") benchSvm(libsvmRows);
  if (part == "all" || part == "dose") benchDoseResponse();
  if (part == "all" || part == "normalize") benchNormalization();
  return 0;
}
