#include "core/pipeline/train_task.h"

#include "core/data/composite.h"
#include "core/data/data_error.h"
#include "core/data/screen_image_source.h"
#include "core/data/site_loader.h"
#include "core/model/input_statistics.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"
#include "core/pipeline/generator_sampling.h"

namespace gandl::pipeline {
namespace {
constexpr std::int64_t kInputStatisticsImages = 1024;
}

TrainTaskResult runTraining(const TrainTaskOptions& options, const tasks::TaskContext& context,
                            const model::TrainingCallbacks& extra) {
  TrainTaskResult result;
  result.device = model::resolveDevice(options.device);
  model::TrainingConfig config = options.config;
  // The run's stored config decides the architecture and the view; `steps` may be raised.
  if (options.resume) config = model::RunDirectory(options.run).resumeConfig(config);
  config.validate();

  const data::Screen screen = data::loadScreen(options.data, options.layout, context);
  auto sites = data::completeSites(screen, &result.incomplete_skipped);
  if (sites.empty())
    throw data::DataError(options.data.string(), "has no complete site to train on (" +
                                                     std::to_string(result.incomplete_skipped) +
                                                     " incomplete); run `gandl inspect` for the reasons");
  result.sites = sites.size();
  const auto view = config.view == "tiles" ? data::ViewMode::Tiles : data::ViewMode::Resize;

  // Sample grids share one contrast setting, taken from a real site, so they compare across steps.
  auto styles = data::rxrxChannelStyles(screen.channel_map);
  {
    const auto real = data::loadSiteImage(sites.front(), config.network.resolution);
    data::autoContrast(styles, real.pixels.data(), real.height, real.width, 1.0f, 99.8f);
  }
  data::ScreenImageSource source(std::move(sites), config.network.resolution, view, options.loader_threads);
  // A new run that standardises its input measures the screen first (a resumed one has the values).
  if (config.normalize_input && !config.network.normalizesInput()) {
    context.report(0, kInputStatisticsImages, "images", "measuring the screen's channel statistics");
    const auto statistics = model::measureChannelStatistics(source, kInputStatisticsImages, config.seed);
    config.network.input_mean = statistics.mean;
    config.network.input_scale = statistics.sd;
  }

  const model::RunDirectory run(options.run);
  if (options.world.rank == 0)
    pipeline::writeSampleDisplay(options.run, styles);  // new images of this run are shown the same way
  model::TrainingCallbacks callbacks = extra;
  callbacks.samples = [&](std::int64_t step, const common::HostBatch& images) {
    std::filesystem::create_directories(run.samplePath(step).parent_path());
    const int columns = std::max(1, static_cast<int>(std::lround(std::sqrt(images.count))));
    data::writeCompositeGrid(run.samplePath(step), images.pixels.data(), images.count, images.channels, images.height,
                             images.width, columns, styles, 2);
    if (extra.samples) extra.samples(step, images);
  };
  result.training =
      model::train(config, options.run, source, result.device, options.resume, context, callbacks, options.world);
  return result;
}

}  // namespace gandl::pipeline
