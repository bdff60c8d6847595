#include "core/pipeline/site_embedder.h"

#include <stdexcept>

namespace gandl::pipeline {

const char* embedderNeedsName(EmbedderNeeds needs) {
  switch (needs) {
    case EmbedderNeeds::Nothing:
      return "nothing";
    case EmbedderNeeds::Model:
      return "a model";
    case EmbedderNeeds::Training:
      return "training";
  }
  return "?";
}

EmbedderRegistry& EmbedderRegistry::instance() {
  static EmbedderRegistry* registry = [] {
    auto* r = new EmbedderRegistry;  // never destroyed: plugins may hold factories past exit
    registerBuiltinEmbedders(*r);
    return r;
  }();
  return *registry;
}

void EmbedderRegistry::add(EmbedderInfo info, EmbedderFactory factory) {
  if (info.name.empty()) throw std::invalid_argument("an embedder needs a name");
  if (!factory) throw std::invalid_argument("embedder '" + info.name + "' has no factory");
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& e : entries_)
    if (e.info.name == info.name)
      throw std::invalid_argument("embedder '" + info.name + "' is already registered (by " + e.info.source + ")");
  entries_.push_back({std::move(info), std::move(factory)});
}

std::vector<EmbedderInfo> EmbedderRegistry::list() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<EmbedderInfo> out;
  for (const auto& e : entries_) out.push_back(e.info);
  return out;
}

std::vector<std::string> EmbedderRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& info : list()) out.push_back(info.name);
  return out;
}

bool EmbedderRegistry::contains(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& e : entries_)
    if (e.info.name == name) return true;
  return false;
}

const EmbedderRegistry::Entry& EmbedderRegistry::entry(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.info.name == name) return e;
  std::string known;
  for (const auto& e : entries_) known += (known.empty() ? "" : ", ") + e.info.name;
  throw std::invalid_argument("unknown embedder '" + name + "'; expected one of: " + known);
}

EmbedderInfo EmbedderRegistry::info(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entry(name).info;
}

std::unique_ptr<SiteEmbedder> EmbedderRegistry::create(const std::string& name, const EmbedderSetup& setup) const {
  EmbedderFactory factory;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    factory = entry(name).factory;
  }
  auto embedder = factory(setup);
  if (!embedder) throw std::runtime_error("embedder '" + name + "' could not be created");
  return embedder;
}

}  // namespace gandl::pipeline
