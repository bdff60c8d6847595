#pragma once
// `gandl train` as a core task the CLI and the GUI both run: screen -> complete sites ->
// background loading -> model::train, with sample grids written as rxrx-coloured composites.

#include <filesystem>
#include <string>

#include "core/data/screen.h"
#include "core/model/trainer.h"

namespace gandl::pipeline {

struct TrainTaskOptions {
  std::filesystem::path data;
  data::Layout layout = data::Layout::Auto;
  std::filesystem::path run;
  model::TrainingConfig config;
  std::string device = "auto";
  bool resume = false;
  int loader_threads = 2;
  model::World world;  // this process's rank in a data-parallel job (one process by default)
};

struct TrainTaskResult {
  model::TrainingResult training;
  std::size_t sites = 0;               // complete sites trained on
  std::size_t incomplete_skipped = 0;  // counted, not fatal
  std::string device;
};

// `extra` callbacks (e.g. the GUI's live plots) are called beside the task's own.
TrainTaskResult runTraining(const TrainTaskOptions& options, const tasks::TaskContext& context = {},
                            const model::TrainingCallbacks& extra = {});

}  // namespace gandl::pipeline
