#include <cmath>
#include <iostream>

#include "app/gandl/cli_progress.h"
#include "app/gandl/commands.h"
#include "app/gandl/network_options.h"
#include "core/model/torch_runtime.h"
#include "core/pipeline/train_task.h"

namespace gandl::cli {

void addTrainCommand(CLI::App& app) {
  struct Options {
    pipeline::TrainTaskOptions task;
    std::string layout = "auto";
    double kimg = 0;
    int threads = 0;
  };
  auto o = std::make_shared<Options>();
  auto* command = app.add_subcommand("train",
                                     "Train GAN-DL (StyleGAN2, 5 channels) on a screen's "
                                     "unlabelled images into a run folder");
  command->add_option("--data", o->task.data, "screen folder")->required();
  command->add_option("--layout", o->layout)->check(CLI::IsMember({"auto", "rxrx19a", "rxrx1"}));
  command->add_option("--run", o->task.run, "run folder (config.json, step-<N>.pt, metrics.jsonl, samples/)")
      ->required();
  command->add_option("--device", o->task.device, "auto, cpu, cuda or cuda:<i>");
  command->add_flag("--resume", o->task.resume, "continue the run in --run from its latest checkpoint");
  command->add_option("--threads", o->threads, "LibTorch threads (0: every core)")->check(kThreadsRange);
  command->add_option("--loader-threads", o->task.loader_threads, "PNG decoding threads")->check(kLoaderThreadsRange);
  addTrainingOptions(*command, o->task.config, o->kimg);
  command->callback([o] {
    model::configureThreads(o->threads);
    o->task.layout = data::parseLayout(o->layout);
    if (o->kimg > 0)
      o->task.config.steps = static_cast<std::int64_t>(std::ceil(o->kimg * 1000.0 / o->task.config.batch));
    CliProgress progress("train");
    const auto result = pipeline::runTraining(o->task, progress.context());
    const auto& t = result.training;
    progress.finish("step " + std::to_string(t.step) + " on " + result.device + " (" + std::to_string(result.sites) +
                    " sites, " + std::to_string(result.incomplete_skipped) + " incomplete skipped, " +
                    std::to_string(t.bad_steps) + " non-finite steps skipped, " +
                    std::to_string(static_cast<int>(t.data_wait_seconds)) + " s waiting for data); run in " +
                    o->task.run.string());
  });
}

}  // namespace gandl::cli
