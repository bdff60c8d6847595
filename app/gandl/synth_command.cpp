#include <iostream>

#include "app/gandl/cli_progress.h"
#include "app/gandl/commands.h"
#include "core/data/synthetic_screen.h"

namespace gandl::cli {

void addSynthCommand(CLI::App& app) {
  struct Options {
    std::string out;
    std::string preset = "demo";
    std::uint64_t seed = 1;
    int threads = 0;
  };
  auto options = std::make_shared<Options>();
  auto* command =
      app.add_subcommand("synth",
                         "Write a synthetic RxRx19a-layout screen with known answers (ground_truth.csv beside "
                         "metadata.csv)");
  command->add_option("--out", options->out, "output folder (must not exist or be empty)")->required();
  command
      ->add_option("--preset", options->preset,
                   "demo (64 px, seconds), small (128 px), medium (256 px, 1536-well plates)")
      ->check(CLI::IsMember({"demo", "small", "medium"}));
  command->add_option("--seed", options->seed, "random seed; same seed, same bytes");
  command->add_option("--threads", options->threads, "worker threads (0 = every core)")->check(kThreadsRange);
  command->callback([options] {
    CliProgress progress("synth");
    const auto summary = data::writeSyntheticScreen(options->out, data::parseSynthPreset(options->preset),
                                                    options->seed, progress.context(), options->threads);
    progress.finish("wrote " + std::to_string(summary.sites) + " sites (" + std::to_string(summary.wells) + " wells, " +
                    std::to_string(summary.plates) + " plates, " + std::to_string(summary.compounds) + " compounds, " +
                    std::to_string(summary.image_size) + " px) to " + summary.root.string());
  });
}

}  // namespace gandl::cli
