#pragma once
// Finds and loads embedder plugins (embedder_plugin.h) into EmbedderRegistry::instance(): every
// shared library in the plugin folders, one level deep (plugins/<name>/lib<name>.so). A plugin
// that cannot be loaded (not a shared library, a missing symbol, another ABI version, a name
// already taken, an exception while listing its embedders) is reported by file and reason and
// skipped; the others still load.

#include <filesystem>
#include <string>
#include <vector>

namespace gandl::pipeline {

struct PluginFailure {
  std::filesystem::path file;
  std::string reason;
};

struct PluginLoadReport {
  std::vector<std::filesystem::path> loaded;
  std::vector<PluginFailure> failed;
};

// The folders searched, in order: each folder of GANDL_PLUGIN_PATH (':'-separated), the build
// tree's plugins/ and the installed lib/gandl/plugins next to the folder of `executable` (empty:
// this process's own executable, /proc/self/exe).
std::vector<std::filesystem::path> pluginFolders(const std::filesystem::path& executable = {});

// Loads every plugin of `folders` not loaded yet (each file once per process). Thread-safe.
PluginLoadReport loadPlugins(const std::vector<std::filesystem::path>& folders);

// What the loads of this process found, for `gandl plugins` and the GUI.
PluginLoadReport pluginReport();

}  // namespace gandl::pipeline
