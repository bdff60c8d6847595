#include <iostream>
#include <nlohmann/json.hpp>

#include "app/gandl/cli_progress.h"
#include "app/gandl/commands.h"
#include "core/data/screen_summary.h"

namespace gandl::cli {

void addInspectCommand(CLI::App& app) {
  struct Options {
    std::string data;
    std::string layout = "auto";
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* command = app.add_subcommand("inspect",
                                     "Count a screen's sites by experiment, plate, "
                                     "cell type and role; list incomplete sites");
  command->add_option("--data", options->data, "screen folder (metadata.csv + images/)")->required();
  command->add_option("--layout", options->layout, "auto, rxrx19a or rxrx1")
      ->check(CLI::IsMember({"auto", "rxrx19a", "rxrx1"}));
  command->add_flag("--json", options->json, "machine-readable summary on stdout");
  command->callback([options] {
    CliProgress progress("inspect");
    const auto screen = data::loadScreen(options->data, data::parseLayout(options->layout), progress.context());
    const auto summary = data::summarize(screen);
    progress.finish("read " + std::to_string(summary.sites) + " sites");
    if (options->json)
      std::cout << data::toJson(summary).dump(2) << "\n";
    else
      std::cout << data::toText(summary);
  });
}

}  // namespace gandl::cli
