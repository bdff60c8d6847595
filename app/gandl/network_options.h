#pragma once
// Command-line flags for every network and training hyperparameter, shared by `train` and `info`.

#include <CLI/CLI.hpp>

#include "core/model/training_config.h"

namespace gandl::cli {

void addNetworkOptions(CLI::App& command, model::NetworkConfig& network);
void addTrainingOptions(CLI::App& command, model::TrainingConfig& config, double& kimg);

}  // namespace gandl::cli
