#include "core/analysis/well_split.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>

namespace gandl::analysis {

namespace {

// Uniform integer in [0, bound) from the raw 64-bit engine output, by rejection: the mt19937_64
// sequence is fixed by the standard, this mapping by us.
std::uint64_t boundedDraw(std::mt19937_64& engine, std::uint64_t bound) {
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
  std::uint64_t value;
  do value = engine();
  while (value >= limit);
  return value % bound;
}

// Fisher-Yates.
void deterministicShuffle(std::vector<int>& values, std::mt19937_64& engine) {
  for (std::size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[boundedDraw(engine, i)]);
}

// The classes of the groups, ascending: class -> its groups (ascending).
std::map<int, std::vector<int>> groupsByClass(const std::vector<int>& groupOfRow, const std::vector<int>& labelOfRow,
                                              const char* what) {
  std::map<int, int> classOfGroup;
  for (std::size_t r = 0; r < groupOfRow.size(); ++r) {
    const int label = labelOfRow.empty() ? 0 : labelOfRow[r];
    const auto [it, inserted] = classOfGroup.emplace(groupOfRow[r], label);
    if (!inserted && it->second != label)
      throw std::invalid_argument(std::string(what) + " " + std::to_string(groupOfRow[r]) + " has rows of class " +
                                  std::to_string(it->second) + " and " + std::to_string(label) + " (row " +
                                  std::to_string(r) + "); a stratified split needs one class per " + what);
  }
  std::map<int, std::vector<int>> result;
  for (const auto& [group, label] : classOfGroup) result[label].push_back(group);
  return result;
}

void checkLabels(const std::vector<int>& groupOfRow, const std::vector<int>& labelOfRow, bool labelsOptional) {
  if (labelOfRow.size() == groupOfRow.size()) return;
  if (labelsOptional && labelOfRow.empty()) return;
  throw std::invalid_argument("split: " + std::to_string(groupOfRow.size()) + " group ids but " +
                              std::to_string(labelOfRow.size()) + " labels");
}

GroupSplit fromTrainGroups(const std::vector<int>& groupOfRow, const std::set<int>& trainGroups) {
  GroupSplit split;
  std::set<int> all(groupOfRow.begin(), groupOfRow.end());
  split.groups.assign(all.begin(), all.end());
  for (int group : split.groups) split.isTrainGroup.push_back(trainGroups.count(group) > 0);
  split.isTrainRow.reserve(groupOfRow.size());
  for (int group : groupOfRow) split.isTrainRow.push_back(trainGroups.count(group) > 0);
  return split;
}

GroupSplit stratifiedGroupSplit(const std::vector<int>& groupOfRow, const std::vector<int>& labelOfRow,
                                double trainFraction, std::uint64_t seed, const char* what) {
  if (!(trainFraction > 0.0 && trainFraction < 1.0))
    throw std::invalid_argument("split: train fraction must be in (0, 1), got " + std::to_string(trainFraction));
  std::mt19937_64 engine(seed);
  std::set<int> trainGroups;
  for (auto& [label, groups] : groupsByClass(groupOfRow, labelOfRow, what)) {
    deterministicShuffle(groups, engine);
    const auto trainCount = static_cast<std::size_t>(std::llround(trainFraction * static_cast<double>(groups.size())));
    trainGroups.insert(groups.begin(), groups.begin() + static_cast<std::ptrdiff_t>(trainCount));
  }
  return fromTrainGroups(groupOfRow, trainGroups);
}

}  // namespace

GroupSplit splitByWell(const std::vector<int>& wellOfRow, const std::vector<int>& labelOfRow, double trainFraction,
                       std::uint64_t seed) {
  checkLabels(wellOfRow, labelOfRow, false);
  return stratifiedGroupSplit(wellOfRow, labelOfRow, trainFraction, seed, "well");
}

GroupSplit splitByPlate(const std::vector<int>& plateOfRow, const std::vector<int>& labelOfRow, double trainFraction,
                        std::uint64_t seed) {
  checkLabels(plateOfRow, labelOfRow, true);
  return stratifiedGroupSplit(plateOfRow, labelOfRow, trainFraction, seed, "plate");
}

GroupSplit holdOutPlates(const std::vector<int>& plateOfRow, const std::vector<int>& testPlates) {
  const std::set<int> present(plateOfRow.begin(), plateOfRow.end());
  const std::set<int> test(testPlates.begin(), testPlates.end());
  for (int plate : test)
    if (!present.count(plate))
      throw std::invalid_argument("holdOutPlates: plate " + std::to_string(plate) + " has no row to hold out");
  std::set<int> train;
  std::set_difference(present.begin(), present.end(), test.begin(), test.end(), std::inserter(train, train.end()));
  if (train.empty()) throw std::invalid_argument("holdOutPlates: every plate is held out; nothing left to train on");
  return fromTrainGroups(plateOfRow, train);
}

std::vector<int> groupedFolds(const std::vector<int>& groupOfRow, const std::vector<int>& labelOfRow, int folds,
                              std::uint64_t seed) {
  checkLabels(groupOfRow, labelOfRow, false);
  if (folds < 2) throw std::invalid_argument("groupedFolds: needs at least 2 folds, got " + std::to_string(folds));
  std::mt19937_64 engine(seed);
  std::map<int, int> foldOfGroup;
  std::size_t dealt = 0;
  for (auto& [label, groups] : groupsByClass(groupOfRow, labelOfRow, "well")) {
    if (groups.size() < static_cast<std::size_t>(folds))
      throw std::invalid_argument("groupedFolds: class " + std::to_string(label) + " has " +
                                  std::to_string(groups.size()) + " group(s), fewer than the " + std::to_string(folds) +
                                  " folds");
    deterministicShuffle(groups, engine);
    for (int group : groups) foldOfGroup[group] = static_cast<int>(dealt++ % folds);
  }
  std::vector<int> foldOfRow;
  foldOfRow.reserve(groupOfRow.size());
  for (int group : groupOfRow) foldOfRow.push_back(foldOfGroup.at(group));
  return foldOfRow;
}

}  // namespace gandl::analysis
