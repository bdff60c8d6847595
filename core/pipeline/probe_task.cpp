#include "core/pipeline/probe_task.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/analysis/metrics.h"
#include "core/analysis/normalization.h"
#include "core/analysis/statistics.h"
#include "core/analysis/svm_model_selection.h"
#include "core/analysis/well_split.h"
#include "core/common/atomic_file.h"
#include "core/data/csv.h"
#include "core/data/screen_image_source.h"
#include "core/model/discriminator_probe.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"

namespace gandl::pipeline {
namespace {

using analysis::FeatureMatrix;

std::string number(double value, int precision = 6) {
  std::ostringstream out;
  out.imbue(std::locale::classic());
  out.precision(precision);
  out << value;
  return out.str();
}

std::vector<std::int64_t> chosenSteps(const model::RunDirectory& run, const std::string& steps) {
  auto available = run.checkpointSteps();
  if (available.empty()) throw std::runtime_error(run.root().string() + ": no step-<N>.pt checkpoint to probe");
  if (steps == "all") return available;
  if (steps == "latest") return {*run.latestStep()};
  std::vector<std::int64_t> chosen;
  std::stringstream list(steps);
  for (std::string item; std::getline(list, item, ',');) {
    std::size_t used = 0;
    std::int64_t step = -1;
    try {
      step = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || std::find(available.begin(), available.end(), step) == available.end())
      throw std::invalid_argument("--steps: '" + item + "' is not a checkpoint step of " + run.root().string());
    chosen.push_back(step);
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

// A linear SVM on 75% of the wells of `rows`, scored on the rest (balanced accuracy).
ProbeRow probeTask(const FeatureMatrix& x, const std::vector<Eigen::Index>& rows, const std::vector<int>& labelOfRow,
                   const std::vector<int>& wellOfRow, std::uint64_t seed, const tasks::TaskContext& context) {
  std::vector<int> wells, labels;
  for (auto r : rows) {
    wells.push_back(wellOfRow[static_cast<std::size_t>(r)]);
    labels.push_back(labelOfRow[static_cast<std::size_t>(r)]);
  }
  const auto split = analysis::splitByWell(wells, labels, 0.75, seed);
  std::vector<Eigen::Index> train, test;
  for (std::size_t i = 0; i < rows.size(); ++i) (split.isTrainRow[i] ? train : test).push_back(rows[i]);
  if (test.empty() || train.empty()) throw std::invalid_argument("too few wells to hold any out");
  analysis::CGridSearchOptions search;
  search.seed = seed;
  // The fits' own progress would drown the checkpoint's: only cancellation goes through.
  const auto model = analysis::fitWithCrossValidatedC(x, labelOfRow, wellOfRow, train, {}, search, context.relay({}));
  FeatureMatrix testX(static_cast<Eigen::Index>(test.size()), x.cols());
  std::vector<int> truth;
  for (std::size_t i = 0; i < test.size(); ++i) {
    testX.row(static_cast<Eigen::Index>(i)) = x.row(test[i]);
    truth.push_back(labelOfRow[static_cast<std::size_t>(test[i])]);
  }
  ProbeRow row;
  row.train_sites = static_cast<int>(train.size());
  row.test_sites = static_cast<int>(test.size());
  row.balanced_accuracy = analysis::balancedAccuracy(truth, model.predict(testX));
  return row;
}

struct ControlSites {
  std::vector<data::Site> sites;
  std::vector<int> label;     // +1 C+, -1 C-
  std::vector<int> well;      // id per distinct experiment/plate/well
  std::vector<int> plate;     // id per distinct experiment/plate
  std::vector<int> cellType;  // id into cellTypes
  std::vector<std::string> cellTypes;
};

ControlSites controlSites(const data::Screen& screen) {
  ControlSites c;
  std::map<std::string, int> wells, plates, types;
  for (const auto& site : data::completeSites(screen)) {
    if (site.role != data::Role::PositiveControl && site.role != data::Role::NegativeControl) continue;
    const std::string plate = site.experiment + "/" + std::to_string(site.plate);
    c.label.push_back(site.role == data::Role::PositiveControl ? 1 : -1);
    c.well.push_back(wells.emplace(plate + "/" + site.well, static_cast<int>(wells.size())).first->second);
    c.plate.push_back(plates.emplace(plate, static_cast<int>(plates.size())).first->second);
    const auto type = types.emplace(site.cell_type, static_cast<int>(types.size()));
    if (type.second) c.cellTypes.push_back(site.cell_type);
    c.cellType.push_back(type.first->second);
    c.sites.push_back(site);
  }
  const auto positives = std::count(c.label.begin(), c.label.end(), 1);
  if (positives < 2 || static_cast<std::size_t>(positives) + 2 > c.label.size())
    throw std::runtime_error(screen.root.string() + ": the probe needs C+ and C- control wells (found " +
                             std::to_string(positives) + " C+ and " + std::to_string(c.label.size() - positives) +
                             " C- sites)");
  return c;
}

// D's mean logit over a screen's sites and r_t, the mean of their signs.
LogitRow logitRow(std::int64_t step, double kimg, const std::string& screen, const std::vector<float>& logits) {
  LogitRow row{step, kimg, screen, static_cast<int>(logits.size()), 0, 0};
  for (float v : logits) {
    row.mean_logit += v / static_cast<double>(logits.size());
    row.r_t += (v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0) / static_cast<double>(logits.size());
  }
  return row;
}

void writeCsvs(const std::filesystem::path& out, const ProbeTaskResult& result) {
  std::string probe = data::csvRow({"step", "kimg", "readout", "dimension", "task", "subset", "train_sites",
                                    "test_sites", "balanced_accuracy", "balanced_accuracy_sd", "repeats"});
  for (const auto& r : result.rows)
    probe +=
        data::csvRow({std::to_string(r.step), number(r.kimg), r.readout, std::to_string(r.dimension), r.task, r.subset,
                      std::to_string(r.train_sites), std::to_string(r.test_sites), number(r.balanced_accuracy, 4),
                      number(r.balanced_accuracy_sd, 3), std::to_string(r.repeats)});
  common::writeFileAtomically(out / "probe.csv", probe);
  std::string logits = data::csvRow({"step", "kimg", "screen", "sites", "mean_logit", "r_t"});
  for (const auto& r : result.logits)
    logits += data::csvRow({std::to_string(r.step), number(r.kimg), r.screen, std::to_string(r.sites),
                            number(r.mean_logit, 5), number(r.r_t, 4)});
  common::writeFileAtomically(out / "logits.csv", logits);
  std::string trend = data::csvRow({"readout", "points", "from_kimg", "to_kimg", "mean", "slope_per_100kimg",
                                    "slope_se", "slope_upper_95", "fitted_last", "target", "kimg_to_target"});
  for (const auto& [readout, t] : result.trends)
    trend += data::csvRow({readout, std::to_string(t.points), number(t.from_kimg), number(t.to_kimg), number(t.mean, 4),
                           number(t.slope_per_100kimg, 4), number(t.slope_se, 3), number(t.slope_upper, 4),
                           number(t.fitted_last, 4), number(t.target, 3), number(t.kimg_to_target, 5)});
  common::writeFileAtomically(out / "trend.csv", trend);
}

// Per readout, the trend of C+ vs C- on all controls over the trained checkpoints.
std::vector<TrendRow> trends(const std::vector<ProbeRow>& rows, double fromKimg, double target) {
  std::vector<std::string> readouts;
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> curves;
  for (const auto& r : rows) {
    if (r.task != "c_pos_vs_c_neg" || r.subset != "all") continue;
    if (std::find(readouts.begin(), readouts.end(), r.readout) == readouts.end()) readouts.push_back(r.readout);
    if (r.step < 0) continue;  // the random-weight baseline is no point of the curve
    curves[r.readout].first.push_back(r.kimg);
    curves[r.readout].second.push_back(r.balanced_accuracy);
  }
  std::vector<TrendRow> out;
  for (const auto& name : readouts)
    out.push_back({name, analysis::fitLearningCurveTrend(curves[name].first, curves[name].second, fromKimg, target)});
  return out;
}

// probe.png: C+ vs C- balanced accuracy (all controls) against kimg, one line per readout, the
// random-weight discriminator's value of each as a dashed line of the same colour.
void writePlot(const std::filesystem::path& file, const std::vector<ProbeRow>& rows) {
  const int width = 960, height = 600, left = 80, right = 230, top = 40, bottom = 60;
  cv::Mat image(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  std::vector<std::string> readouts;
  double maxKimg = 0;
  for (const auto& r : rows) {
    if (r.task != "c_pos_vs_c_neg" || r.subset != "all") continue;
    if (std::find(readouts.begin(), readouts.end(), r.readout) == readouts.end()) readouts.push_back(r.readout);
    maxKimg = std::max(maxKimg, r.kimg);
  }
  if (maxKimg <= 0) maxKimg = 1;
  const double yLow = 0.4, yHigh = 1.0;
  auto px = [&](double kimg, double accuracy) {
    const double fx = kimg / maxKimg, fy = (std::clamp(accuracy, yLow, yHigh) - yLow) / (yHigh - yLow);
    return cv::Point(left + static_cast<int>(fx * (width - left - right)),
                     height - bottom - static_cast<int>(fy * (height - top - bottom)));
  };
  const auto black = cv::Scalar(0, 0, 0), grey = cv::Scalar(200, 200, 200);
  const auto font = cv::FONT_HERSHEY_SIMPLEX;
  for (double y = yLow; y <= yHigh + 1e-9; y += 0.1) {
    cv::line(image, px(0, y), px(maxKimg, y), grey, 1);
    cv::putText(image, number(y, 2), px(0, y) + cv::Point(-45, 5), font, 0.45, black, 1, cv::LINE_AA);
  }
  for (int i = 0; i <= 5; ++i) {
    const double k = maxKimg * i / 5.0;
    cv::putText(image, number(k, 3), px(k, yLow) + cv::Point(-12, 22), font, 0.45, black, 1, cv::LINE_AA);
  }
  cv::rectangle(image, px(0, yHigh), px(maxKimg, yLow), black, 1);
  cv::putText(image, "kimg (thousands of real images shown to D)", cv::Point(left + 150, height - 15), font, 0.5, black,
              1, cv::LINE_AA);
  cv::putText(image, "C+ vs C- balanced accuracy, held-out wells (dashed: random weights)", cv::Point(left, 25), font,
              0.55, black, 1, cv::LINE_AA);
  static const cv::Scalar palette[] = {{180, 119, 31},  {14, 127, 255}, {44, 160, 44},   {40, 39, 214},
                                       {189, 103, 148}, {75, 86, 140},  {194, 119, 227}, {127, 127, 127},
                                       {34, 189, 188},  {207, 190, 23}};
  for (std::size_t k = 0; k < readouts.size(); ++k) {
    const auto colour = palette[k % std::size(palette)];
    std::vector<cv::Point> line;
    for (const auto& r : rows) {
      if (r.task != "c_pos_vs_c_neg" || r.subset != "all" || r.readout != readouts[k]) continue;
      if (r.step < 0) {  // dashed random-weight level
        for (int x = 0; x < 20; ++x)
          if (x % 2 == 0)
            cv::line(image, px(maxKimg * x / 20.0, r.balanced_accuracy),
                     px(maxKimg * (x + 1) / 20.0, r.balanced_accuracy), colour, 1);
        continue;
      }
      line.push_back(px(r.kimg, r.balanced_accuracy));
    }
    const int thickness = readouts[k] == "fc512" ? 3 : 1;
    if (line.size() > 1) cv::polylines(image, line, false, colour, thickness, cv::LINE_AA);
    for (const auto& p : line) cv::circle(image, p, 3, colour, cv::FILLED, cv::LINE_AA);
    const cv::Point legend(width - right + 15, top + 20 + 22 * static_cast<int>(k));
    cv::line(image, legend, legend + cv::Point(25, 0), colour, thickness + 1);
    cv::putText(image, readouts[k] + (readouts[k] == "fc512" ? " (GAN-DL)" : ""), legend + cv::Point(32, 5), font, 0.45,
                black, 1, cv::LINE_AA);
  }
  std::vector<unsigned char> png;
  if (!cv::imencode(".png", image, png)) throw std::runtime_error(file.string() + ": cannot encode the plot");
  common::writeFileAtomically(file, std::string_view(reinterpret_cast<const char*>(png.data()), png.size()));
}

}  // namespace

ProbeTaskResult runProbe(const ProbeTaskOptions& options, const tasks::TaskContext& context) {
  const auto runDir = model::resolveCheckpointDirectory(options.run);
  const model::RunDirectory run(runDir);
  const auto config = run.readConfig();
  const auto steps = chosenSteps(run, options.steps);
  const std::string device = model::resolveDevice(options.device);
  std::filesystem::create_directories(options.out);

  const auto screen = data::loadScreen(options.data, options.layout, context);
  const auto controls = controlSites(screen);
  const auto view = config.view == "tiles" ? data::ViewMode::Tiles : data::ViewMode::Resize;
  data::ScreenImageSource source(controls.sites, config.network.resolution, view, options.loader_threads);
  std::vector<std::size_t> items(controls.sites.size());
  std::iota(items.begin(), items.end(), 0);

  std::unique_ptr<data::ScreenImageSource> trainSource;
  std::vector<std::size_t> trainItems;
  if (!options.train_data.empty()) {
    auto trainSites = data::completeSites(data::loadScreen(options.train_data, data::Layout::Auto, context));
    // An even spread over the screen, the same sites at every checkpoint.
    const std::size_t n =
        std::min<std::size_t>(trainSites.size(), static_cast<std::size_t>(std::max(1, options.train_sites)));
    std::vector<data::Site> chosen;
    for (std::size_t i = 0; i < n; ++i) chosen.push_back(trainSites[i * trainSites.size() / n]);
    trainSource =
        std::make_unique<data::ScreenImageSource>(chosen, config.network.resolution, view, options.loader_threads);
    trainItems.resize(chosen.size());
    std::iota(trainItems.begin(), trainItems.end(), 0);
  }

  std::vector<Eigen::Index> all(controls.sites.size());
  std::iota(all.begin(), all.end(), 0);
  std::vector<std::vector<Eigen::Index>> perType(controls.cellTypes.size());
  for (Eigen::Index r = 0; r < static_cast<Eigen::Index>(all.size()); ++r)
    perType[static_cast<std::size_t>(controls.cellType[static_cast<std::size_t>(r)])].push_back(r);
  const std::vector<bool> isControl(controls.sites.size(), true);

  ProbeTaskResult result;
  std::vector<std::int64_t> probed = steps;
  if (options.random_d) probed.insert(probed.begin(), -1);
  const auto total = static_cast<std::int64_t>(probed.size());
  std::int64_t done = 0;
  for (const auto step : probed) {
    const double kimg = step < 0 ? 0.0 : static_cast<double>(step) * config.batch / 1000.0;
    const std::string label = step < 0 ? "random weights" : "step " + std::to_string(step);
    context.report(done, total, "checkpoints", "probing " + label);
    const auto views = context.relay([&](const tasks::ProgressUpdate& u) {
      context.report(done, total, "checkpoints", "probing " + label + ": " + std::to_string(u.done) + " views");
    });
    model::DiscriminatorProbe probe(config.network, step < 0 ? std::filesystem::path{} : run.checkpointPath(step),
                                    device, options.seed);
    const auto output = probe.run(source, items, options.batch, views,
                                  model::parseTestTimeViews(options.tta, config.network.resolution));
    for (const auto& readout : output.readouts) {
      const auto n = static_cast<Eigen::Index>(controls.sites.size());
      const FeatureMatrix raw = Eigen::Map<const FeatureMatrix>(readout.rows.data(), n, readout.dimension);
      const FeatureMatrix normalized = analysis::normalize(raw, controls.plate, isControl, {}, context);
      auto add = [&](const FeatureMatrix& x, const std::vector<Eigen::Index>& rows, const std::vector<int>& labels,
                     const std::string& task, const std::string& subset) {
        const int repeats = std::max(1, options.repeats);
        std::vector<double> scores;
        ProbeRow row;
        for (int k = 0; k < repeats; ++k) {
          row = probeTask(x, rows, labels, controls.well, options.seed + static_cast<std::uint64_t>(k), context);
          scores.push_back(row.balanced_accuracy);
        }
        row.balanced_accuracy = analysis::mean(scores);
        row.balanced_accuracy_sd = repeats > 1 ? analysis::sampleStandardDeviation(scores) : 0.0;
        row.repeats = repeats;
        row.step = step;
        row.kimg = kimg;
        row.readout = readout.name;
        row.dimension = readout.dimension;
        row.task = task;
        row.subset = subset;
        result.rows.push_back(row);
      };
      add(normalized, all, controls.label, "c_pos_vs_c_neg", "all");
      for (std::size_t t = 0; t < perType.size(); ++t)
        if (controls.cellTypes.size() > 1)
          add(normalized, perType[t], controls.label, "c_pos_vs_c_neg", controls.cellTypes[t]);
      // Plates hold one cell type, so per-plate centring would erase it: the raw readout here.
      if (controls.cellTypes.size() > 1) add(raw, all, controls.cellType, "cell_type", "controls");
      if (readout.name == "logit") result.logits.push_back(logitRow(step, kimg, "probed", readout.rows));
    }
    if (trainSource) {
      const auto trainOutput = probe.run(*trainSource, trainItems, options.batch, views);
      result.logits.push_back(logitRow(step, kimg, "training", trainOutput.readouts.back().rows));
    }
    result.steps.push_back(step);
    result.trends = trends(result.rows, options.trend_from_kimg, options.target);
    writeCsvs(options.out, result);
    writePlot(options.out / "probe.png", result.rows);
    context.report(++done, total, "checkpoints", "probed " + label);
  }
  return result;
}

std::vector<ProbeRow> readProbeCsv(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) return {};
  const auto table = data::readCsv(file);
  const int step = table.requireColumn("step"), kimg = table.requireColumn("kimg"),
            readout = table.requireColumn("readout"), dimension = table.requireColumn("dimension"),
            task = table.requireColumn("task"), subset = table.requireColumn("subset"),
            train = table.requireColumn("train_sites"), test = table.requireColumn("test_sites"),
            accuracy = table.requireColumn("balanced_accuracy"), sd = table.column("balanced_accuracy_sd"),
            repeats = table.column("repeats");
  std::vector<ProbeRow> rows;
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    const auto& f = table.rows[i];
    try {
      ProbeRow r;
      r.step = std::stoll(f[static_cast<std::size_t>(step)]);
      r.kimg = std::stod(f[static_cast<std::size_t>(kimg)]);
      r.readout = f[static_cast<std::size_t>(readout)];
      r.dimension = std::stoi(f[static_cast<std::size_t>(dimension)]);
      r.task = f[static_cast<std::size_t>(task)];
      r.subset = f[static_cast<std::size_t>(subset)];
      r.train_sites = std::stoi(f[static_cast<std::size_t>(train)]);
      r.test_sites = std::stoi(f[static_cast<std::size_t>(test)]);
      r.balanced_accuracy = std::stod(f[static_cast<std::size_t>(accuracy)]);
      if (sd >= 0) r.balanced_accuracy_sd = std::stod(f[static_cast<std::size_t>(sd)]);
      if (repeats >= 0) r.repeats = std::stoi(f[static_cast<std::size_t>(repeats)]);
      rows.push_back(r);
    } catch (const std::exception&) {
      throw std::runtime_error(file.string() + ": line " + std::to_string(table.lines[i]) +
                               ": not a probe row (a number field does not parse)");
    }
  }
  return rows;
}

}  // namespace gandl::pipeline
