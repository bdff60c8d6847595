#include <iostream>

#include "app/gandl/commands.h"
#include "core/pipeline/plugin_loader.h"
#include "core/pipeline/site_embedder.h"

namespace gandl::cli {

void addPluginsCommand(CLI::App& app) {
  auto* command =
      app.add_subcommand("plugins",
                         "List every embedder (built-in and from plugins: name, version, dimension, needs, source) and "
                         "the plugins that could not be loaded, with the reason");
  command->callback([] {
    for (const auto& info : pipeline::EmbedderRegistry::instance().list())
      std::cout << info.name << "\t" << (info.version.empty() ? "-" : info.version) << "\t"
                << (info.dimension > 0 ? std::to_string(info.dimension) : std::string("model")) << "\t"
                << pipeline::embedderNeedsName(info.needs) << "\t" << info.source << "\n";
    for (const auto& failure : pipeline::pluginReport().failed)
      std::cerr << "gandl: warning: plugin " << failure.file.string() << " " << failure.reason << "\n";
  });
}

}  // namespace gandl::cli
