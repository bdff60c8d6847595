#include "app/gandl/cli_progress.h"
#include "app/gandl/commands.h"
#include "core/common/paths.h"
#include "core/store/csv_export.h"
#include "core/store/embedding_store.h"

namespace gandl::cli {

void addExportCommand(CLI::App& app) {
  struct Options {
    std::string embeddings;
    std::string csv;
    std::string embedding;
  };
  auto options = std::make_shared<Options>();
  auto* command = app.add_subcommand("export",
                                     "Write an embedding store's sites (metadata + "
                                     "features) as one CSV");
  command->add_option("--embeddings", options->embeddings, "the .h5ad store")->required();
  command->add_option("--csv", options->csv, "output CSV file")->required();
  command->add_option("--embedding", options->embedding,
                      "an /obsm entry (e.g. X_plate_norm) instead of the raw features");
  command->callback([options] {
    common::refuseOutputThatIsAnInput(options->csv, "--csv", {{options->embeddings, "the store being exported"}});
    CliProgress progress("export");
    const auto store = store::EmbeddingStore::open(options->embeddings);
    store::exportCsv(store, options->csv, options->embedding, progress.context());
    progress.finish("wrote " + std::to_string(store.size()) + " sites to " + options->csv);
  });
}

}  // namespace gandl::cli
