// gandl: the GAN-DL Workbench command line (contract: ../shared/DESIGN.md section 7).
// Exit status 0 on success; otherwise one line on stderr saying why.

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "app/gandl/commands.h"
#include "app/gandl/local_ranks.h"
#include "core/model/torch_runtime.h"
#include "core/pipeline/plugin_loader.h"
#include "core/tasks/progress.h"

int main(int argc, char** argv) {
  gandl::cli::rememberArguments(argc, argv);
  CLI::App app{
      "GAN-DL Workbench: self-supervised embeddings and dose-response from unlabelled "
      "microscopy screens"};
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       [] { return "gandl " + std::string(GANDL_VERSION) + "\n" + gandl::model::runtimeSummary(); });
  // Embedder plugins before the commands are built: `embed --embedder NAME` checks its value
  // against the registry and `plugins` lists it (failures are kept for `gandl plugins`; a broken
  // plugin never stops another command).
  try {
    gandl::pipeline::loadPlugins(gandl::pipeline::pluginFolders());
  } catch (const std::exception& e) {
    std::cerr << "gandl: warning: plugins not loaded: " << e.what() << "\n";
  }
  gandl::cli::addInspectCommand(app);
  gandl::cli::addExportCommand(app);
  gandl::cli::addExportModelCommand(app);
  gandl::cli::addSynthCommand(app);
  gandl::cli::addTrainCommand(app);
  gandl::cli::addInfoCommand(app);
  gandl::cli::addEmbedCommand(app);
  gandl::cli::addAnalyzeCommand(app);
  gandl::cli::addImportEmbeddingsCommand(app);
  gandl::cli::addDemoCommand(app);
  gandl::cli::addZeroShotCommand(app);
  gandl::cli::addProbeCommand(app);
  gandl::cli::addPluginsCommand(app);
  gandl::cli::addMergeCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const gandl::tasks::Cancelled&) {
    std::cerr << "gandl: cancelled; outputs written so far are valid and resumable\n";
    return 130;
  } catch (const std::exception& e) {
    std::cerr << "gandl: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
