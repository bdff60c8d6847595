#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <stdexcept>
#include <thread>
#include <nlohmann/json.hpp>

#include "app/gandl/cli_progress.h"
#include "app/gandl/commands.h"
#include "app/gandl/local_ranks.h"
#include "app/gandl/network_options.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"
#include "core/pipeline/train_task.h"

namespace gandl::cli {
namespace {

// `train --resume` continues a run with the config.json it started with: an option not given
// takes the stored value (so non-default network flags need not be repeated), and an option given
// replaces it, which the trainer honours for the run-time settings (--steps/--kimg,
// --checkpoint-every, --keep, --log-every, --sample-*) and refuses, by name, for the rest.
model::TrainingConfig resumeRequest(const CLI::App& command, const model::TrainingConfig& given, double kimg,
                                    const std::filesystem::path& run) {
  const model::RunDirectory directory(run);
  nlohmann::json request = directory.readConfig().toJson();
  const nlohmann::json values = given.toJson();
  static const std::map<std::string, std::string> renamed = {{"keep", "keep_checkpoints"}, {"no_augment", "augment"}};
  for (const CLI::Option* option : command.get_options()) {
    if (option->count() == 0) continue;
    std::string key = option->get_name(false, true);
    key.erase(0, key.find_first_not_of('-'));
    for (char& c : key)
      if (c == '-') c = '_';
    if (const auto it = renamed.find(key); it != renamed.end()) key = it->second;
    if (key == "kimg") {
      const auto batch = request.at("batch").get<std::int64_t>();
      request["steps"] = static_cast<std::int64_t>(std::ceil(kimg * 1000.0 / static_cast<double>(batch)));
    } else if (request.contains(key) && values.contains(key)) {
      request[key] = values.at(key);
    } else if (request.at("network").contains(key)) {
      request["network"][key] = values.at("network").at(key);
    }
  }
  const auto latest = directory.latestStep();
  const auto steps = request.at("steps").get<std::int64_t>();
  if (latest && steps <= *latest)
    throw std::invalid_argument("--steps " + std::to_string(steps) + " is not beyond the latest checkpoint of " +
                                run.string() + " (step " + std::to_string(*latest) + "); nothing to resume");
  return model::TrainingConfig::fromJson(request);
}

}  // namespace

void addTrainCommand(CLI::App& app) {
  struct Options {
    pipeline::TrainTaskOptions task;
    std::string layout = "auto";
    double kimg = 0;
    int threads = 0;
    int nproc = 1;
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
  command
      ->add_option("--nproc", o->nproc,
                   "start N local ranks of a data-parallel job (Gloo); a rank started by torchrun or Slurm "
                   "reads RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT from its environment instead "
                   "(docs/scaling.md)")
      ->check(CLI::Range(1, 256));
  addTrainingOptions(*command, o->task.config, o->kimg);
  command->callback([o, command] {
    o->task.world = model::worldFromEnvironment();
    if (o->nproc > 1 && !o->task.world.distributed()) {
      const int status = runLocalRanks(o->nproc);
      if (status == 130) throw tasks::Cancelled();
      if (status != 0) throw std::runtime_error("the data-parallel job failed (see the ranks' messages above)");
      return;
    }
    const auto& world = o->task.world;
    // Ranks on one machine share its cores unless told otherwise.
    int threads = o->threads;
    if (threads == 0 && world.local_size > 1 && !std::getenv("GANDL_THREADS"))
      threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / world.local_size);
    model::configureThreads(threads);
    // Several ranks need per-image draws; a new run gets them without asking.
    if (world.distributed() && !o->task.resume && command->get_option("--draws")->count() == 0)
      o->task.config.draws = "keyed";
    o->task.layout = data::parseLayout(o->layout);
    if (o->kimg > 0)
      o->task.config.steps = static_cast<std::int64_t>(std::ceil(o->kimg * 1000.0 / o->task.config.batch));
    if (o->task.resume && std::filesystem::exists(o->task.run / "config.json"))
      o->task.config = resumeRequest(*command, o->task.config, o->kimg, o->task.run);
    CliProgress progress(world.distributed() ? "train[" + std::to_string(world.rank) + "]" : "train", world.rank != 0);
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
