// Z' per plate on hand-computed control scores.
#include <QtTest>

#include <cmath>

#include "core/analysis/plate_qc.h"

using namespace gandl::analysis;

class TestPlateQc : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void zPrimeOnHandComputedPlates() {
    // Plate 1: C+ {0.8, 1.0, 1.2} mean 1 sd 0.2; C- {-1.1, -1.0, -0.9} mean -1 sd 0.1;
    //          Z' = 1 - 3 (0.3) / 2 = 0.55.
    // Plate 2: C+ {0.0, 1.0, 2.0} sd 1; C- {-1.5, -1.0, -0.5} sd 0.5; Z' = 1 - 3 (1.5) / 2 = -1.25.
    // Plate 3: one C- score: undefined. A compound row (0) and a NaN score are ignored.
    const std::vector<double> scores = {0.8, 1.0,  1.2,  -1.1, -1.0,         -0.9, 0.3, 0.0, 1.0,
                                        2.0, -1.5, -1.0, -0.5, std::nan(""), 1.0,  1.1, -1.0};
    const std::vector<int> plate = {1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3};
    const std::vector<int> role = {1, 1, 1, -1, -1, -1, 0, 1, 1, 1, -1, -1, -1, -1, 1, 1, -1};
    const std::vector<PlateQuality> quality = plateQuality(scores, plate, role);
    QCOMPARE(quality.size(), std::size_t(3));
    QCOMPARE(quality[0].plate, 1);
    QVERIFY(std::abs(quality[0].zPrime - 0.55) < 1e-12);
    QVERIFY(std::abs(quality[0].positiveSd - 0.2) < 1e-12);
    QCOMPARE(quality[0].positiveCount, 3);
    QVERIFY(!quality[0].flagged);
    QVERIFY(std::abs(quality[1].zPrime + 1.25) < 1e-12);
    QCOMPARE(quality[1].negativeCount, 3);
    QVERIFY(quality[1].flagged);
    QVERIFY(std::isnan(quality[2].zPrime));
    QVERIFY(quality[2].flagged);
    QVERIFY(!quality[2].note.empty());
    // The threshold is a parameter: 0.6 flags plate 1 too.
    QVERIFY(plateQuality(scores, plate, role, 0.6)[0].flagged);
  }

  void equalMeansAndBadInput() {
    const std::vector<PlateQuality> quality = plateQuality({1, 2, 1, 2}, {0, 0, 0, 0}, {1, 1, -1, -1});
    QVERIFY(std::isnan(quality[0].zPrime));
    QVERIFY(quality[0].flagged);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, plateQuality({1.0}, {0, 0}, {1}));
  }
};

QTEST_APPLESS_MAIN(TestPlateQc)
#include "test_plate_qc.moc"
