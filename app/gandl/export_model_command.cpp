#include <filesystem>
#include <iostream>

#include "app/gandl/cli_progress.h"
#include "app/gandl/commands.h"
#include "core/common/paths.h"
#include "core/model/checkpoint.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"

namespace gandl::cli {

void addExportModelCommand(CLI::App& app) {
  struct Options {
    std::string checkpoint, out;
    bool fp32 = false;
    bool overwrite = false;
  };
  auto o = std::make_shared<Options>();
  auto* command =
      app.add_subcommand("export-model",
                         "Write an inference-only copy of a run's latest checkpoint (discriminator + generator EMA, "
                         "half precision): what resources/models/demo ships");
  command->add_option("--checkpoint", o->checkpoint, "run folder")->required();
  command->add_option("--out", o->out, "output folder (config.json, step-<N>.pt, latest)")->required();
  command->add_flag("--fp32", o->fp32, "keep float32 weights (twice the size, bit-identical embeddings)");
  command->add_flag("--overwrite", o->overwrite,
                    "replace an earlier export in --out (a folder with a training run is always refused)");
  command->callback([o] {
    model::configureThreads(0);
    const auto run = model::resolveCheckpointDirectory(o->checkpoint);
    common::refuseOutputThatIsAnInput(o->out, "--out", {{run, "the run being exported"}});
    const auto file = model::exportInferenceCheckpoint(run, o->out, !o->fp32, o->overwrite);
    std::cout << "wrote " << file.string() << " (" << std::filesystem::file_size(file) / (1024 * 1024) << " MiB)\n";
  });
}

}  // namespace gandl::cli
