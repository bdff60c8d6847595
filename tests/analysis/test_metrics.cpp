// Accuracy, balanced accuracy and the confusion matrix on hand-counted predictions.
#include <QtTest>

#include "core/analysis/metrics.h"

using namespace gandl::analysis;

class TestMetrics : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void handCountedPredictions() {
    // 8 rows of class 0 (6 right), 2 of class 1 (1 right), predictions also use class 2.
    const std::vector<int> truth = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
    const std::vector<int> predicted = {0, 0, 0, 0, 0, 0, 1, 2, 1, 0};
    QCOMPARE(accuracy(truth, predicted), 0.7);
    QCOMPARE(balancedAccuracy(truth, predicted), (6.0 / 8.0 + 1.0 / 2.0) / 2.0);
    const ConfusionMatrix confusion = confusionMatrix(truth, predicted, {{0, "HRCE"}, {1, "VERO"}});
    QCOMPARE(confusion.labels, (std::vector<int>{0, 1, 2}));
    QCOMPARE(confusion.names, (std::vector<std::string>{"HRCE", "VERO", "2"}));
    Eigen::Matrix3i expected;
    expected << 6, 1, 1,  //
        1, 1, 0,          //
        0, 0, 0;
    QVERIFY(confusion.counts == expected);
    QCOMPARE(confusion.total(), 10);
    const Eigen::MatrixXd fractions = confusion.rowFractions();
    QCOMPARE(fractions(0, 0), 0.75);
    QCOMPARE(fractions(2, 2), 0.0);
  }

  void majorityPredictorIsChanceOnBalancedAccuracy() {
    const std::vector<int> truth = {1, 1, 1, 1, 1, 1, 1, 1, 1, -1};
    const std::vector<int> majority(truth.size(), 1);
    QCOMPARE(accuracy(truth, majority), 0.9);
    QCOMPARE(balancedAccuracy(truth, majority), 0.5);
  }

  void mismatchedOrEmptyInputIsAnError() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, accuracy({1, 2}, {1}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, balancedAccuracy({}, {}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, confusionMatrix({1}, {}));
  }
};

QTEST_APPLESS_MAIN(TestMetrics)
#include "test_metrics.moc"
