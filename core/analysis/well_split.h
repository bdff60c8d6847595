#pragma once
// Train/test splits and cross-validation folds that never cut a group of rows: every site of a
// well (or every well of a plate) lands on one side. Sites of one well share the well's
// treatment, cell density and staining, so splitting sites would leak the well into the test set
// and inflate accuracy.
//
// Groups are integer ids per row (wells, plates). Stratified splits shuffle the groups of each
// class separately and send round(trainFraction * groups of that class) to training, so every
// class is within one group of the requested fraction; a group whose rows carry two classes is an
// error. Shuffles draw from std::mt19937_64 with our own bounded draw (std::shuffle and
// std::uniform_int_distribution differ between standard libraries), so a seed gives the same
// split on every platform. Groups are visited in ascending id, so the split does not depend on
// row order either.

#include <cstdint>
#include <vector>

namespace gandl::analysis {

struct GroupSplit {
  std::vector<bool> isTrainRow;    // per row
  std::vector<int> groups;         // distinct group ids, ascending
  std::vector<bool> isTrainGroup;  // per entry of groups
};

// The paper's protocol: 75% of the wells of each class for training, 25% for testing.
GroupSplit splitByWell(const std::vector<int>& wellOfRow, const std::vector<int>& labelOfRow,
                       double trainFraction = 0.75, std::uint64_t seed = 0);

// Zero-shot evaluation on unseen plates. With labels (one per row, constant within a plate) the
// plates are stratified by label; with an empty label vector they are shuffled as one stratum.
GroupSplit splitByPlate(const std::vector<int>& plateOfRow, const std::vector<int>& labelOfRow,
                        double trainFraction = 0.75, std::uint64_t seed = 0);

// Explicit hold-out: the listed plates are the test side. Throws when a listed plate has no row
// or when nothing is left for training.
GroupSplit holdOutPlates(const std::vector<int>& plateOfRow, const std::vector<int>& testPlates);

// Grouped, stratified k-fold assignment: fold index (0..folds-1) per row. The groups of each
// class are shuffled and dealt round-robin, continuing the deal across classes, so fold sizes
// differ by at most one group per class. Throws when a class has fewer groups than folds.
std::vector<int> groupedFolds(const std::vector<int>& groupOfRow, const std::vector<int>& labelOfRow, int folds,
                              std::uint64_t seed = 0);

}  // namespace gandl::analysis
