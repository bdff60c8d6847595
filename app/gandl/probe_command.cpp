#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "app/gandl/cli_progress.h"
#include "app/gandl/commands.h"
#include "core/model/torch_runtime.h"
#include "core/pipeline/probe_task.h"

namespace gandl::cli {

void addProbeCommand(CLI::App& app) {
  struct Options {
    pipeline::ProbeTaskOptions task;
    std::string layout = "auto";
    bool noRandom = false;
    int threads = 0;
  };
  auto o = std::make_shared<Options>();
  auto* command = app.add_subcommand(
      "probe",
      "Linear probes of a run's discriminator, checkpoint by checkpoint, on the controls of a screen it "
      "did not train on: C+ vs C- and cell-type accuracy of each readout (probe.csv), D's logits on "
      "training vs held-out reals (logits.csv)");
  command->add_option("--run", o->task.run, "run folder (every step-<N>.pt in it), an exported model, or 'demo'")
      ->required();
  command->add_option("--data", o->task.data, "screen whose control wells are probed")->required();
  command->add_option("--layout", o->layout)->check(CLI::IsMember({"auto", "rxrx19a", "rxrx1"}));
  command->add_option("--out", o->task.out, "output folder")->required();
  command->add_option("--train-data", o->task.train_data,
                      "the screen the run trained on: D's logits on its images beside the probed screen's");
  command->add_option("--train-sites", o->task.train_sites, "sites of --train-data whose logits are averaged")
      ->capture_default_str();
  command->add_option("--steps", o->task.steps, "all, latest, or a comma-separated list of checkpoint steps")
      ->capture_default_str();
  command->add_flag("--no-random", o->noRandom, "skip the random-weight discriminator baseline");
  command
      ->add_option("--tta", o->task.tta,
                   "average every readout over test-time copies of each view, as embed --tta: none, dihedral, "
                   "shifts or dihedral+shifts")
      ->check(CLI::IsMember({"none", "dihedral", "shifts", "dihedral+shifts"}))
      ->capture_default_str();
  command->add_flag_callback(
      "--tta-dihedral", [o] { o->task.tta = "dihedral"; }, "the same as --tta dihedral (kept for older scripts)");
  command->add_option("--repeats", o->task.repeats, "well splits averaged per score")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  command->add_option("--seed", o->task.seed, "well split, CV folds and the random weights")->capture_default_str();
  command
      ->add_option("--trend-from", o->task.trend_from_kimg,
                   "fit the trend of each readout (trend.csv) to the checkpoints from this kimg on")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command->add_option("--target", o->task.target, "the accuracy the trend is extrapolated to")
      ->check(CLI::Range(0.5, 1.0))
      ->capture_default_str();
  command->add_option("--device", o->task.device, "auto, cpu, cuda or cuda:<i>");
  command->add_option("--batch", o->task.batch, "views per forward pass")->check(kBatchRange)->capture_default_str();
  command->add_option("--threads", o->threads, "LibTorch threads (0: every core)")->check(kThreadsRange);
  command->add_option("--loader-threads", o->task.loader_threads, "PNG decoding threads")->check(kLoaderThreadsRange);
  command->callback([o] {
    model::configureThreads(o->threads);
    o->task.layout = data::parseLayout(o->layout);
    o->task.random_d = !o->noRandom;
    CliProgress progress("probe");
    const auto result = pipeline::runProbe(o->task, progress.context());
    progress.finish("probed " + std::to_string(result.steps.size()) + " discriminator(s) into " +
                    (o->task.out / "probe.csv").string());
    // The headline: C+ vs C- on all controls, per readout (columns) and checkpoint (rows).
    std::vector<std::string> readouts;
    std::map<std::int64_t, std::map<std::string, double>> table;
    std::map<std::int64_t, double> kimg;
    for (const auto& r : result.rows) {
      if (r.task != "c_pos_vs_c_neg" || r.subset != "all") continue;
      if (std::find(readouts.begin(), readouts.end(), r.readout) == readouts.end()) readouts.push_back(r.readout);
      table[r.step][r.readout] = r.balanced_accuracy;
      kimg[r.step] = r.kimg;
    }
    std::printf("C+ vs C- held-out-well balanced accuracy\n%-10s %7s", "step", "kimg");
    for (const auto& name : readouts) std::printf(" %13s", name.c_str());
    std::printf("\n");
    for (const auto& [step, row] : table) {
      std::printf("%-10s %7.1f", step < 0 ? "random" : std::to_string(step).c_str(), kimg[step]);
      for (const auto& name : readouts) std::printf(" %13.3f", row.count(name) ? row.at(name) : -1.0);
      std::printf("\n");
    }
    // Where the curve points: kimg to the target if the slope were at the upper end of its 95% interval.
    std::printf(
        "\ntrend of C+ vs C- from %g kimg on (trend.csv): slope per 100 kimg, and kimg to %.2f at the "
        "upper end of its 95%% interval\n",
        o->task.trend_from_kimg, o->task.target);
    for (const auto& [name, t] : result.trends) {
      if (std::isnan(t.slope_per_100kimg)) {
        std::printf("%-14s %d checkpoint(s): too few for a trend\n", name.c_str(), t.points);
        continue;
      }
      std::printf("%-14s %+.3f +- %.3f over %g-%g kimg (%d checkpoints, mean %.3f): ", name.c_str(),
                  t.slope_per_100kimg, t.slope_se, t.from_kimg, t.to_kimg, t.points, t.mean);
      if (std::isinf(t.kimg_to_target))
        std::printf("not reached at any kimg\n");
      else
        std::printf("%.2f not before %.0f kimg\n", t.target, t.kimg_to_target);
    }
  });
}

}  // namespace gandl::cli
