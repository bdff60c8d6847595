// Splits by well and plate: nothing leaks across sides, strata keep 75/25 within one well,
// seeds reproduce, row order does not matter.
#include <QtTest>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "core/analysis/well_split.h"

using namespace gandl::analysis;

namespace {

// 150 wells of class 0 and 50 of class 1, 1-4 sites each, rows in random order.
struct Rows {
  std::vector<int> well, label;
};

Rows wellRows(std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  Rows rows;
  for (int w = 0; w < 200; ++w) {
    const int sites = 1 + static_cast<int>(engine() % 4);
    for (int s = 0; s < sites; ++s) {
      rows.well.push_back(1000 + w);
      rows.label.push_back(w < 150 ? 0 : 1);
    }
  }
  std::vector<std::size_t> order(rows.well.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[engine() % i]);
  Rows shuffled;
  for (std::size_t i : order) {
    shuffled.well.push_back(rows.well[i]);
    shuffled.label.push_back(rows.label[i]);
  }
  return shuffled;
}

std::map<int, bool> sideOfWell(const GroupSplit& split) {
  std::map<int, bool> side;
  for (std::size_t g = 0; g < split.groups.size(); ++g) side[split.groups[g]] = split.isTrainGroup[g];
  return side;
}

}  // namespace

class TestWellSplit : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void noWellOnBothSidesAndStrataKeepTheFraction() {
    const Rows rows = wellRows(7);
    const GroupSplit split = splitByWell(rows.well, rows.label, 0.75, 42);
    QCOMPARE(split.groups.size(), std::size_t(200));
    std::map<int, std::set<bool>> sides;
    for (std::size_t r = 0; r < rows.well.size(); ++r) sides[rows.well[r]].insert(split.isTrainRow[r]);
    for (const auto& [well, set] : sides) QVERIFY2(set.size() == 1, qPrintable(QString::number(well)));
    const auto side = sideOfWell(split);
    for (std::size_t r = 0; r < rows.well.size(); ++r) QCOMPARE(split.isTrainRow[r], side.at(rows.well[r]));
    int train0 = 0, train1 = 0;
    for (const auto& [well, train] : side) (well < 1150 ? train0 : train1) += train;
    QVERIFY(std::abs(train0 - 0.75 * 150) <= 1.0);
    QVERIFY(std::abs(train1 - 0.75 * 50) <= 1.0);
  }

  void sameSeedSameSplitWhateverTheRowOrder() {
    const Rows a = wellRows(7);
    const Rows b = wellRows(8);  // same wells, other site counts and order
    const auto first = sideOfWell(splitByWell(a.well, a.label, 0.75, 42));
    QVERIFY(first == sideOfWell(splitByWell(a.well, a.label, 0.75, 42)));
    QVERIFY(first == sideOfWell(splitByWell(b.well, b.label, 0.75, 42)));
    QVERIFY(first != sideOfWell(splitByWell(a.well, a.label, 0.75, 43)));
  }

  void aWellWithTwoClassesIsAnError() {
    try {
      splitByWell({1, 1, 2, 2}, {0, 1, 0, 0});
      QFAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& error) {
      QVERIFY2(QString(error.what()).contains("well 1"), error.what());
    }
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, splitByWell({1, 2}, {0}));
  }

  void plateSplitsHoldOutWholePlates() {
    // 4 cell types x 4 plates, each plate one cell type (RxRx1's layout).
    std::vector<int> plate, cellType;
    for (int p = 0; p < 16; ++p)
      for (int s = 0; s < 30; ++s) {
        plate.push_back(p);
        cellType.push_back(p / 4);
      }
    const GroupSplit split = splitByPlate(plate, cellType, 0.75, 1);
    std::map<int, int> trainPlatesOfType;
    for (std::size_t g = 0; g < split.groups.size(); ++g)
      trainPlatesOfType[split.groups[g] / 4] += split.isTrainGroup[g];
    for (const auto& [type, count] : trainPlatesOfType) QCOMPARE(count, 3);
    for (std::size_t r = 0; r < plate.size(); ++r)
      QCOMPARE(split.isTrainRow[r], bool(split.isTrainGroup[static_cast<std::size_t>(plate[r])]));
    const GroupSplit unstratified = splitByPlate(plate, {}, 0.5, 1);
    QCOMPARE(std::count(unstratified.isTrainGroup.begin(), unstratified.isTrainGroup.end(), true), 8L);

    const GroupSplit held = holdOutPlates(plate, {3, 7});
    for (std::size_t r = 0; r < plate.size(); ++r) QCOMPARE(held.isTrainRow[r], plate[r] != 3 && plate[r] != 7);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, holdOutPlates(plate, {99}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, holdOutPlates({1, 1, 2}, {1, 2}));
  }

  void groupedFoldsKeepWellsWholeAndClassesInEveryFold() {
    const Rows rows = wellRows(9);
    const std::vector<int> fold = groupedFolds(rows.well, rows.label, 5, 3);
    std::map<int, std::set<int>> foldsOfWell;
    std::map<int, std::set<int>> wellsOfFold[2];
    for (std::size_t r = 0; r < fold.size(); ++r) {
      foldsOfWell[rows.well[r]].insert(fold[r]);
      wellsOfFold[rows.label[r]][fold[r]].insert(rows.well[r]);
    }
    for (const auto& [well, folds] : foldsOfWell) QCOMPARE(folds.size(), std::size_t(1));
    for (int label = 0; label < 2; ++label) {
      QCOMPARE(wellsOfFold[label].size(), std::size_t(5));
      for (const auto& [f, wells] : wellsOfFold[label]) QVERIFY(wells.size() == (label == 0 ? 30u : 10u));
    }
    QVERIFY(fold == groupedFolds(rows.well, rows.label, 5, 3));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, groupedFolds({1, 2, 3}, {0, 0, 1}, 2));
  }
};

QTEST_APPLESS_MAIN(TestWellSplit)
#include "test_well_split.moc"
