#include <iostream>

#include "app/gandl/cli_progress.h"
#include "app/gandl/commands.h"
#include "core/pipeline/store_embeddings.h"

namespace gandl::cli {

void addImportEmbeddingsCommand(CLI::App& app) {
  struct Options {
    std::string store, csv, name;
    bool allowMissing = false;
  };
  auto o = std::make_shared<Options>();
  auto* command = app.add_subcommand(
      "import-embeddings",
      "Import per-site embeddings from a CSV keyed by site_id (e.g. Recursion's published RxRx19a embeddings) "
      "into a store as /obsm/NAME, to analyse beside GAN-DL");
  command->add_option("--store", o->store, "the .h5ad store whose sites the CSV describes")->required();
  command->add_option("--csv", o->csv, "CSV: a site_id column and one column per feature")->required();
  command->add_option("--name", o->name, "the /obsm entry to write (e.g. recursion)")->required();
  command->add_flag("--allow-missing", o->allowMissing,
                    "import even when some store sites are not in the CSV (their rows are left out of analyses)");
  command->callback([o] {
    const auto report = pipeline::importEmbeddingsCsv(o->store, o->csv, o->name, o->allowMissing);
    for (const auto& note : report.notes) std::cerr << "gandl: note: " << note << '\n';
    std::cout << "imported " << report.features << " features of " << report.matched << " sites into /obsm/" << o->name
              << " of " << o->store << " (" << report.unmatched << " CSV rows not in the store, " << report.missing
              << " store sites not in the CSV)\n";
  });
}

}  // namespace gandl::cli
