// The whole CPU pipeline on the demo synthetic screen: embedding sites/s (PNG decode, resize,
// discriminator, store writes) beside the bare discriminator forward on tensors already in memory,
// and training img/s (batch 16) at 64, 128 and 256 px for the reference table's configurations.
// Usage: bench_pipeline [threads=2] [embed|train|all=all] [train steps=4] [train resolution=all]
// Training prints every step's own time: step 0 carries the lazy R1 pass (and first-touch
// allocations); later steps without R1 are the steady state.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "bench/bench_timing.h"
#include "core/data/screen.h"
#include "core/data/screen_image_source.h"
#include "core/data/synthetic_screen.h"
#include "core/model/discriminator.h"
#include "core/model/embedder.h"
#include "core/model/torch_runtime.h"
#include "core/pipeline/embed_task.h"
#include "core/pipeline/train_task.h"

namespace fs = std::filesystem;
using namespace gandl;

namespace {

pipeline::TrainTaskResult trainSteps(const fs::path& screen, const fs::path& run, int resolution, int channelBase,
                                     int steps, const model::TrainingCallbacks& callbacks = {}) {
  fs::remove_all(run);
  pipeline::TrainTaskOptions options;
  options.data = screen;
  options.run = run;
  options.device = "cpu";
  auto& c = options.config;
  c.network.resolution = resolution;
  c.network.channel_base = channelBase;
  c.batch = 16;
  c.steps = steps;
  c.checkpoint_every = 1000000;
  c.sample_every = 1000000;
  c.log_every = callbacks.metrics ? 1 : 1000000;
  return pipeline::runTraining(options, {}, callbacks);
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = model::configureThreads(argc > 1 ? std::atoi(argv[1]) : 2);
  const std::string what = argc > 2 ? argv[2] : "all";
  const int trainSteps_ = argc > 3 ? std::atoi(argv[3]) : 4;
  const int onlyResolution = argc > 4 ? std::atoi(argv[4]) : 0;
  const fs::path root = fs::temp_directory_path() / ("gandl-bench-pipeline-" + std::to_string(::getpid()));
  const fs::path screen = root / "screen";
  data::writeSyntheticScreen(screen, data::SynthPreset::Demo, 1);
  std::printf("demo screen: 768 sites, 64 px PNGs; %d LibTorch threads, BLAS %s\n", threads,
              model::loadedBlas().c_str());

  if (what == "embed" || what == "all") {
    // A 64 px, channel_base 2048 checkpoint (one training step: weights do not change the cost).
    trainSteps(screen, root / "run", 64, 2048, 1);
    model::NetworkConfig config;
    model::Discriminator discriminator(config);
    discriminator->eval();
    torch::NoGradGuard noGrad;
    std::printf("%-44s %8s %10s\n", "what", "seconds", "sites/s");
    {
      // What the loader threads cost on their own (decode + resize, 2 threads, no network): on a
      // machine whose cores the forward already fills, this CPU time cannot be hidden.
      const auto sites = data::completeSites(data::loadScreen(screen));
      std::vector<std::size_t> items(sites.size());
      for (std::size_t i = 0; i < items.size(); ++i) items[i] = i;
      const double decode = bench::medianSeconds(3, [&] {
        data::ScreenImageSource source(sites, 64, data::ViewMode::Resize, 2);
        auto stream = source.embeddingBatches(items, 16);
        while (stream->next()) {}
      });
      std::printf("%-44s %8.2f %10.1f\n", "PNG decode + resize only, 2 loader threads", decode, 768.0 / decode);
    }
    for (const int batch : {16, 64}) {
      const auto images = torch::randn({batch, config.image_channels, config.resolution, config.resolution});
      const double perBatch = bench::medianSeconds(5, [&] { discriminator->embed(images); });
      const double bare = 768.0 / batch * perBatch;
      std::printf("%-44s %8.2f %10.1f\n", ("bare D embed, batch " + std::to_string(batch)).c_str(), bare, 768.0 / bare);
      for (int repeat = 0; repeat < 2; ++repeat) {
        pipeline::EmbedTaskOptions options;
        options.data = screen;
        options.checkpoint = (root / "run").string();
        options.out = root / ("embed-" + std::to_string(batch) + ".h5ad");
        options.batch = batch;
        options.device = "cpu";
        fs::remove(options.out);
        const auto r = pipeline::runEmbedding(options);
        std::printf(
            "%-44s %8.2f %10.1f  (%.0f%% of bare; setup %.2f s, sites %.2f s = %.0f%% of bare, "
            "store close %.2f s, data wait %.2f s)\n",
            ("gandl embed pipeline, batch " + std::to_string(batch)).c_str(), r.seconds, 768.0 / r.seconds,
            100.0 * bare / r.seconds, r.setup_seconds, r.sites_seconds, 100.0 * bare / r.sites_seconds,
            r.finish_seconds, r.data_wait_seconds);
      }
    }
  }
  if (what == "train" || what == "all") {
    std::printf("\ntraining, batch 16, %d steps (step 0 includes the lazy R1 pass)\n", trainSteps_);
    std::printf("%-28s %8s %10s %10s  %s\n", "config", "seconds", "img/s", "data wait", "seconds per step");
    for (const auto& [resolution, base] : {std::pair{64, 2048}, std::pair{128, 4096}, std::pair{256, 32768}}) {
      if (onlyResolution != 0 && resolution != onlyResolution) continue;
      std::string perStep;
      model::TrainingCallbacks callbacks;
      callbacks.metrics = [&](const nlohmann::json& m) {
        char cell[32];
        std::snprintf(cell, sizeof cell, "%s%.1f", perStep.empty() ? "" : " ", 16.0 / m["img_per_s"].get<double>());
        perStep += cell;
      };
      const auto r = trainSteps(screen, root / "train", resolution, base, trainSteps_, callbacks);
      std::printf("%-28s %8.1f %10.2f %10.2f  %s\n",
                  (std::to_string(resolution) + " px, channel_base " + std::to_string(base)).c_str(),
                  r.training.seconds, 16.0 * trainSteps_ / r.training.seconds, r.training.data_wait_seconds,
                  perStep.c_str());
      std::fflush(stdout);
    }
  }
  fs::remove_all(root);
  return 0;
}
