#include "core/pipeline/plugin_loader.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <set>

#include "core/pipeline/embedder_plugin.h"

namespace gandl::pipeline {
namespace {

namespace fs = std::filesystem;

std::mutex& mutex() {
  static std::mutex m;
  return m;
}

PluginLoadReport& history() {
  static PluginLoadReport report;
  return report;
}

std::set<fs::path>& seen() {
  static std::set<fs::path> files;
  return files;
}

bool isSharedLibrary(const fs::path& file) { return file.extension() == ".so"; }

// Loads one file; returns the reason it failed, or "" when its embedders are registered.
std::string loadOne(const fs::path& file) {
  // RTLD_LOCAL: plugins do not see each other's symbols. Never closed: the registry keeps their
  // factories for the life of the process.
  void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* error = ::dlerror();
    return std::string("cannot be loaded: ") + (error ? error : "unknown dlopen error");
  }
  using AbiFunction = int (*)();
  using ListFunction = void (*)(std::vector<PluginEmbedder>*);
  const auto abi = reinterpret_cast<AbiFunction>(::dlsym(handle, "gandl_plugin_abi_version"));
  const auto list = reinterpret_cast<ListFunction>(::dlsym(handle, "gandl_plugin_embedders"));
  if (!abi || !list) return "is not a GAN-DL embedder plugin (no gandl_plugin_abi_version / gandl_plugin_embedders)";
  if (const int version = abi(); version != kEmbedderPluginAbi)
    return "was built for plugin interface " + std::to_string(version) + ", this program has " +
           std::to_string(kEmbedderPluginAbi) + "; rebuild it against this version";
  std::vector<PluginEmbedder> embedders;
  try {
    list(&embedders);
  } catch (const std::exception& error) {
    return std::string("failed while listing its embedders: ") + error.what();
  } catch (...) {
    return "failed while listing its embedders (an unknown exception)";
  }
  if (embedders.empty()) return "offers no embedder";
  auto& registry = EmbedderRegistry::instance();
  for (const auto& e : embedders)
    if (e.info.name.empty() || registry.contains(e.info.name) || !e.factory)
      return "offers embedder '" + e.info.name + "', which is unnamed, has no factory or is already taken";
  for (auto& e : embedders) {
    e.info.source = file.string();
    registry.add(std::move(e.info), std::move(e.factory));
  }
  return {};
}

}  // namespace

std::vector<fs::path> pluginFolders(const fs::path& executable) {
  std::vector<fs::path> folders;
  if (const char* path = std::getenv("GANDL_PLUGIN_PATH")) {
    std::string list(path);
    std::size_t start = 0;
    while (start <= list.size()) {
      const auto end = std::min(list.find(':', start), list.size());
      if (end > start) folders.emplace_back(list.substr(start, end - start));
      start = end + 1;
    }
  }
  std::error_code error;
  const fs::path self = executable.empty() ? fs::read_symlink("/proc/self/exe", error) : executable;
  const fs::path bin = fs::weakly_canonical(self, error).parent_path();
  if (!bin.empty()) {
    folders.push_back(bin.parent_path().parent_path() / "plugins");      // build/app/gandl -> build/plugins
    folders.push_back(bin.parent_path() / "lib" / "gandl" / "plugins");  // <prefix>/bin -> <prefix>/lib/...
  }
  return folders;
}

PluginLoadReport loadPlugins(const std::vector<fs::path>& folders) {
  const std::lock_guard<std::mutex> lock(mutex());
  PluginLoadReport report;
  for (const auto& folder : folders) {
    std::error_code error;
    if (!fs::is_directory(folder, error)) continue;
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
      if (it.depth() > 1) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(error) && isSharedLibrary(it->path())) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      const fs::path canonical = fs::weakly_canonical(file, error);
      if (!seen().insert(canonical).second) continue;
      const std::string reason = loadOne(canonical);
      if (reason.empty()) {
        report.loaded.push_back(canonical);
        history().loaded.push_back(canonical);
      } else {
        report.failed.push_back({canonical, reason});
        history().failed.push_back({canonical, reason});
      }
    }
  }
  return report;
}

PluginLoadReport pluginReport() {
  const std::lock_guard<std::mutex> lock(mutex());
  return history();
}

}  // namespace gandl::pipeline
