#pragma once
// The layout of a training run directory (../shared/DESIGN.md section 3), torch-free:
// config.json, step-<N>.pt, latest (the name of the newest checkpoint), metrics.jsonl,
// samples/step-<N>.png.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/model/training_config.h"

namespace gandl::model {

class RunDirectory {
 public:
  explicit RunDirectory(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path configPath() const { return root_ / "config.json"; }
  std::filesystem::path metricsPath() const { return root_ / "metrics.jsonl"; }
  std::filesystem::path checkpointPath(std::int64_t step) const;
  std::filesystem::path samplePath(std::int64_t step) const;

  // Steps that have a checkpoint file, ascending.
  std::vector<std::int64_t> checkpointSteps() const;
  // The step `latest` names (falling back to the newest file), if any.
  std::optional<std::int64_t> latestStep() const;

  // Throws std::runtime_error naming the file when config.json is missing or invalid.
  TrainingConfig readConfig() const;
  void writeConfig(const TrainingConfig& config) const;  // atomic
  // The config a resumed run uses: the stored one with the requested run-time settings (steps,
  // checkpoint_every, keep_checkpoints, log_every, sample_every, sample_count). Throws
  // std::runtime_error naming config.json and every other setting that differs, with both values.
  TrainingConfig resumeConfig(const TrainingConfig& requested) const;
  void setLatest(std::int64_t step) const;  // atomic
  // Removes all but the newest `keep` checkpoints.
  void pruneCheckpoints(int keep) const;
  // Drops metrics lines with a step beyond `step` (left by a run that died after its last
  // checkpoint), so a resumed run does not log those steps twice.
  void truncateMetrics(std::int64_t step) const;
  void appendMetrics(const std::string& jsonLine) const;

 private:
  std::filesystem::path root_;
};

// Where the shipped resources are: $GANDL_RESOURCES_DIR if set; else <prefix>/share/gandl when
// this executable is installed as <prefix>/bin/X and that folder holds models/; else the source
// tree's resources/ (a build tree).
std::filesystem::path resourcesDirectory();

// A checkpoint reference as the CLI accepts it: a run directory, or "demo" for the model shipped
// in resourcesDirectory()/models/demo.
std::filesystem::path resolveCheckpointDirectory(const std::string& reference);

}  // namespace gandl::model
