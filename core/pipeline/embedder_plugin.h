#pragma once
// What an embedder plugin exports (docs/plugins.md). A plugin is a shared library (a CMake MODULE
// library) built with the same compiler and standard library as the application; it links what
// it needs itself (OpenCV, LibTorch...) and uses nothing of the application but the inline and
// header-only types below, so it loads into `gandl`, the workbench and the tests alike:
//
//   extern "C" int gandl_plugin_abi_version();   // must return kEmbedderPluginAbi
//   extern "C" void gandl_plugin_embedders(std::vector<gandl::pipeline::PluginEmbedder>* out);
//
// GANDL_EMBEDDER_PLUGIN(fill) defines both, `fill` being a function that appends the plugin's
// embedders (their info and factories) to the vector it is given.

#include <vector>

#include "core/pipeline/site_embedder.h"

namespace gandl::pipeline {

// Raised whenever anything a plugin sees changes (EmbedderInfo, EmbedderSetup, SiteEmbedder).
// 2: EmbedTaskOptions gained model, strategy and parameters.
inline constexpr int kEmbedderPluginAbi = 2;

struct PluginEmbedder {
  EmbedderInfo info;  // `source` is set by the loader to the plugin's file
  EmbedderFactory factory;
};

}  // namespace gandl::pipeline

#define GANDL_EMBEDDER_PLUGIN(fill)                                                  \
  extern "C" __attribute__((visibility("default"))) int gandl_plugin_abi_version() { \
    return gandl::pipeline::kEmbedderPluginAbi;                                      \
  }                                                                                  \
  extern "C" __attribute__((visibility("default"))) void gandl_plugin_embedders(     \
      std::vector<gandl::pipeline::PluginEmbedder>* out) {                           \
    fill(*out);                                                                      \
  }
