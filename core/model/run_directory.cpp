#include "core/model/run_directory.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "core/common/atomic_file.h"

namespace gandl::model {

namespace fs = std::filesystem;

fs::path RunDirectory::checkpointPath(std::int64_t step) const {
  return root_ / ("step-" + std::to_string(step) + ".pt");
}

fs::path RunDirectory::samplePath(std::int64_t step) const {
  return root_ / "samples" / ("step-" + std::to_string(step) + ".png");
}

std::vector<std::int64_t> RunDirectory::checkpointSteps() const {
  std::vector<std::int64_t> steps;
  std::error_code error;
  static const std::regex pattern(R"(step-(\d+)\.pt)");
  for (fs::directory_iterator it(root_, error), end; !error && it != end; it.increment(error)) {
    std::smatch match;
    const std::string name = it->path().filename().string();
    if (std::regex_match(name, match, pattern)) steps.push_back(std::stoll(match[1].str()));
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

std::optional<std::int64_t> RunDirectory::latestStep() const {
  std::ifstream latest(root_ / "latest");
  std::string name;
  if (latest >> name) {
    static const std::regex pattern(R"(step-(\d+)\.pt)");
    std::smatch match;
    if (std::regex_match(name, match, pattern) && fs::exists(root_ / name)) return std::stoll(match[1].str());
  }
  const auto steps = checkpointSteps();
  if (steps.empty()) return std::nullopt;
  return steps.back();
}

TrainingConfig RunDirectory::readConfig() const {
  std::ifstream in(configPath());
  if (!in)
    throw std::runtime_error(configPath().string() +
                             ": not found; a run directory holds config.json and step-<N>.pt files");
  nlohmann::json json;
  try {
    in >> json;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(configPath().string() + ": not valid JSON (" + e.what() + ")");
  }
  try {
    return TrainingConfig::fromJson(json);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(configPath().string() + ": " + e.what());
  }
}

void RunDirectory::writeConfig(const TrainingConfig& config) const {
  fs::create_directories(root_);
  common::writeFileAtomically(configPath(), config.toJson().dump(2) + "\n");
}

TrainingConfig RunDirectory::resumeConfig(const TrainingConfig& requested) const {
  TrainingConfig config = readConfig();
  // Run-time settings follow the request; everything that shapes the training must not change.
  config.steps = requested.steps;
  config.checkpoint_every = requested.checkpoint_every;
  config.keep_checkpoints = requested.keep_checkpoints;
  config.log_every = requested.log_every;
  config.sample_every = requested.sample_every;
  config.sample_count = requested.sample_count;
  const nlohmann::json stored = config.toJson();
  const nlohmann::json wanted = requested.toJson();
  std::string differing;
  const auto compare = [&](const nlohmann::json& a, const nlohmann::json& b, const std::string& prefix) {
    for (const auto& [key, value] : a.items()) {
      if (key == "network" || !b.contains(key) || b.at(key) == value) continue;
      differing +=
          (differing.empty() ? "" : ", ") + prefix + key + " " + b.at(key).dump() + " (the run's " + value.dump() + ")";
    }
  };
  compare(stored, wanted, "");
  compare(stored.at("network"), wanted.at("network"), "network.");
  if (!differing.empty())
    throw std::runtime_error((root_ / "config.json").string() +
                             ": a resumed run keeps the settings it started with; requested: " + differing +
                             "; drop them, or start a new run in another folder");
  return config;
}

void RunDirectory::setLatest(std::int64_t step) const {
  common::writeFileAtomically(root_ / "latest", checkpointPath(step).filename().string() + "\n");
}

void RunDirectory::pruneCheckpoints(int keep) const {
  const auto steps = checkpointSteps();
  for (std::size_t i = 0; i + static_cast<std::size_t>(keep) < steps.size(); ++i) {
    std::error_code ignored;
    fs::remove(checkpointPath(steps[i]), ignored);
  }
}

void RunDirectory::truncateMetrics(std::int64_t step) const {
  std::ifstream in(metricsPath());
  if (!in) return;
  std::ostringstream kept;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    try {
      if (nlohmann::json::parse(line).value("step", std::int64_t{0}) > step) continue;
    } catch (const nlohmann::json::exception&) {
      continue;  // a line cut short by a crash
    }
    kept << line << "\n";
  }
  in.close();
  common::writeFileAtomically(metricsPath(), kept.str());
}

void RunDirectory::appendMetrics(const std::string& jsonLine) const {
  std::ofstream out(metricsPath(), std::ios::app);
  out << jsonLine << "\n";
  if (!out) throw std::runtime_error(metricsPath().string() + ": write failed (disk full?)");
}

fs::path resourcesDirectory() {
  if (const char* fromEnv = std::getenv("GANDL_RESOURCES_DIR")) return fromEnv;
  // Installed: <prefix>/bin/gandl beside <prefix>/share/gandl.
  std::error_code error;
  const fs::path executable = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    const fs::path installed = executable.parent_path().parent_path() / "share" / "gandl";
    if (fs::is_directory(installed / "models", error)) return installed;
  }
  return GANDL_DEFAULT_RESOURCES_DIR;  // the source tree's resources/ (a build tree)
}

fs::path resolveCheckpointDirectory(const std::string& reference) {
  if (reference != "demo") return reference;
  return resourcesDirectory() / "models" / "demo";
}

}  // namespace gandl::model
