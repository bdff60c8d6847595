#pragma once
// `gandl probe`: how much of the biology a discriminator holds, checkpoint by checkpoint. For
// every checkpoint of a run (and the same architecture with random weights, the baseline), the
// control sites of a screen the run did not train on go through the discriminator once; each
// readout (discriminator_probe.h) is normalized per plate on those controls and scored by a
// linear SVM on held-out wells (the analyses' protocol: 75/25 well split, C by well-grouped
// 5-fold cross-validation, balanced accuracy): C+ vs C- (all, and per cell type) and cell type.
// A screen's controls give few test wells (96 sites on `small`), so each score is the mean over
// several well splits, with its spread.
// Beside it, D's logits on real images of the training screen and of the probed screen (ada's
// overfitting signals: the gap between the two, and r_t = E[sign D(real)]).
//
// Where the curve points: per readout, a line fitted to C+ vs C- (all controls) against kimg from
// trend_from_kimg on (analysis/learning_curve.h), and the kimg it would need to reach target.
//
// Writes <out>/probe.csv, <out>/logits.csv and <out>/trend.csv (rewritten atomically after every
// checkpoint, so a cancelled probe leaves the rows done so far), and <out>/probe.png (accuracy
// against kimg).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/analysis/learning_curve.h"
#include "core/data/screen.h"
#include "core/tasks/progress.h"

namespace gandl::pipeline {

struct ProbeTaskOptions {
  std::string run = "demo";    // run folder (every step-<N>.pt in it), an export, or "demo"
  std::filesystem::path data;  // the screen whose controls are probed
  data::Layout layout = data::Layout::Auto;
  std::filesystem::path train_data;  // optional: the screen the run trained on (logits only)
  int train_sites = 256;             // sites of train_data whose logits are averaged
  std::filesystem::path out;
  std::string steps = "all";  // all | latest | comma-separated steps
  bool random_d = true;       // also the random-weight discriminator (step -1)
  std::uint64_t seed = 0;     // split and random weights
  int repeats = 5;            // well splits (seeds seed, seed+1, ...) averaged per score
  std::string tta = "none";   // readouts averaged over test-time copies of each view (embed --tta)
  std::string device = "auto";
  int batch = 16;
  int loader_threads = 2;
  double trend_from_kimg = 24;  // the first rise (the pooled blocks learn within ~8 kimg) left out
  double target = 0.90;         // the accuracy the trend is extrapolated to
};

struct ProbeRow {
  std::int64_t step = 0;  // -1: random weights
  double kimg = 0;
  std::string readout;
  int dimension = 0;
  std::string task;    // c_pos_vs_c_neg | cell_type
  std::string subset;  // all | <cell type> | controls
  int train_sites = 0, test_sites = 0;
  double balanced_accuracy = 0;     // mean over the repeats' held-out wells
  double balanced_accuracy_sd = 0;  // spread over the repeats (0 for one)
  int repeats = 1;
};

struct LogitRow {
  std::int64_t step = 0;
  double kimg = 0;
  std::string screen;  // "training" | "probed"
  int sites = 0;
  double mean_logit = 0;
  double r_t = 0;  // mean sign of the logits
};

struct TrendRow {
  std::string readout;
  analysis::LearningCurveTrend trend;  // C+ vs C-, all controls, trained checkpoints only
};

struct ProbeTaskResult {
  std::vector<ProbeRow> rows;
  std::vector<LogitRow> logits;
  std::vector<TrendRow> trends;     // one per readout, in probe.csv's order
  std::vector<std::int64_t> steps;  // probed, ascending (-1 first when random_d)
};

ProbeTaskResult runProbe(const ProbeTaskOptions& options, const tasks::TaskContext& context = {});

// The files runProbe writes, for a GUI that shows an existing probe: empty when absent.
std::vector<ProbeRow> readProbeCsv(const std::filesystem::path& file);

}  // namespace gandl::pipeline
