#include <iostream>
#include <nlohmann/json.hpp>

#include "app/gandl/commands.h"
#include "app/gandl/network_options.h"
#include "core/model/network_summary.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"

namespace gandl::cli {

void addInfoCommand(CLI::App& app) {
  struct Options {
    std::string checkpoint;
    model::NetworkConfig network;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* command = app.add_subcommand("info",
                                     "A network configuration's sizes and parameter counts "
                                     "(of a run, or of the flags given)");
  auto* checkpoint = command->add_option("--checkpoint", o->checkpoint, "run folder, or 'demo'");
  addNetworkOptions(*command, o->network);
  for (auto* option : command->get_options())
    if (option != checkpoint && option->get_name() != "--help") option->excludes(checkpoint);
  command->add_flag("--json", o->json, "machine-readable output on stdout");
  command->callback([o] {
    model::configureThreads(0);
    nlohmann::json info;
    if (!o->checkpoint.empty()) {
      const auto run = model::resolveCheckpointDirectory(o->checkpoint);
      const auto config = model::RunDirectory(run).readConfig();
      info = model::describeNetworks(config.network);
      info["training"] = config.toJson();
      info["run"] = run.string();
      if (auto step = model::RunDirectory(run).latestStep()) info["step"] = *step;
    } else {
      info = model::describeNetworks(o->network);
    }
    info["devices"] = model::availableDevices();
    info["blas"] = model::loadedBlas();
    info["threads"] = model::currentThreads();
    if (o->json) {
      std::cout << info.dump(2) << "\n";
      return;
    }
    const auto& p = info["parameters"];
    std::cout << "resolution     " << info["config"]["resolution"] << " px, " << info["num_ws"] << " ws\n"
              << "embedding      " << info["embedding_dim"] << "-d (discriminator epilogue FC)\n"
              << "parameters     mapping " << p["mapping"] << ", synthesis " << p["synthesis"] << ", generator "
              << p["generator"] << ", discriminator " << p["discriminator"] << "\n"
              << "channels       " << info["channels"].dump() << "\n"
              << "devices        " << info["devices"].dump() << " (BLAS: " << info["blas"].get<std::string>() << ", "
              << info["threads"] << " threads)\n";
    if (info.contains("step"))
      std::cout << "checkpoint     step " << info["step"] << " in " << info["run"].get<std::string>() << "\n";
  });
}

}  // namespace gandl::cli
