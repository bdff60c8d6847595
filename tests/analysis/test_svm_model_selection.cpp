// C chosen by well-grouped cross-validation: wells never straddle folds (so well identity cannot
// be learnt and scored), the choice is reproducible and lands on the grid.
#include <QtTest>

#include <algorithm>
#include <random>

#include "core/analysis/svm_model_selection.h"

using namespace gandl::analysis;

namespace {

// `wells` wells of `sites` sites; each well has its own random offset shared by its sites and a
// label. With signal = 0 the label is unrelated to the features: only the wells can be recognised.
struct WellData {
  FeatureMatrix x;
  std::vector<int> label, well;
  std::vector<Eigen::Index> rows;
};

WellData wellData(int wells, int sites, int d, double signal, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  WellData data;
  data.x.resize(wells * sites, d);
  for (int w = 0; w < wells; ++w) {
    const int label = w % 2 == 0 ? 1 : -1;
    Eigen::VectorXd offset(d);
    for (int j = 0; j < d; ++j) offset[j] = 3.0 * normal(engine);
    for (int s = 0; s < sites; ++s) {
      const int r = w * sites + s;
      for (int j = 0; j < d; ++j)
        data.x(r, j) = static_cast<float>(offset[j] + 0.3 * normal(engine) + (j == 0 ? label * signal : 0.0));
      data.label.push_back(label);
      data.well.push_back(w);
      data.rows.push_back(r);
    }
  }
  return data;
}

}  // namespace

class TestSvmModelSelection : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void groupedFoldsDoNotScoreWellIdentity() {
    // Sites of a well are near-copies; a site-wise split would put siblings in training and score
    // far above chance. Grouped folds must stay near 0.5 at every C.
    const WellData data = wellData(40, 8, 30, 0.0, 21);
    const CGridSearchResult result = selectC(data.x, data.label, data.well, data.rows, LinearSvmOptions{});
    QCOMPARE(result.folds, 5);
    for (double score : result.meanBalancedAccuracy) QVERIFY2(score < 0.7, qPrintable(QString::number(score)));
    // The same search with every site its own group leaks siblings and scores far above chance,
    // which is what the grouped folds prevent.
    std::vector<int> siteAsWell(data.well.size());
    for (std::size_t r = 0; r < siteAsWell.size(); ++r) siteAsWell[r] = static_cast<int>(r);
    const CGridSearchResult leaky = selectC(data.x, data.label, siteAsWell, data.rows, LinearSvmOptions{});
    QVERIFY(*std::max_element(leaky.meanBalancedAccuracy.begin(), leaky.meanBalancedAccuracy.end()) > 0.9);
  }

  void choosesAReproducibleCFromTheGrid() {
    const WellData data = wellData(30, 4, 5, 6.0, 22);
    std::vector<Eigen::Index> training;
    for (Eigen::Index r : data.rows)
      if (data.well[static_cast<std::size_t>(r)] < 24) training.push_back(r);
    CGridSearchOptions search;
    search.cGrid = {1e-3, 1e-1, 10.0};
    search.folds = 4;
    CGridSearchResult first;
    const LinearSvm model =
        fitWithCrossValidatedC(data.x, data.label, data.well, training, LinearSvmOptions{}, search, {}, &first);
    const CGridSearchResult second = selectC(data.x, data.label, data.well, training, LinearSvmOptions{}, search);
    QCOMPARE(first.meanBalancedAccuracy, second.meanBalancedAccuracy);
    QVERIFY(std::find(search.cGrid.begin(), search.cGrid.end(), first.bestC) != search.cGrid.end());
    QCOMPARE(model.options().c, first.bestC);
    const double best = *std::max_element(first.meanBalancedAccuracy.begin(), first.meanBalancedAccuracy.end());
    QVERIFY2(best > 0.9, qPrintable(QString::number(best)));
  }

  void tooFewWellsIsAnError() {
    const WellData data = wellData(3, 4, 2, 1.0, 23);  // class -1 has one well
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             selectC(data.x, data.label, data.well, data.rows, LinearSvmOptions{}));
  }

  void cancellationStopsTheSearch() {
    const WellData data = wellData(20, 2, 3, 1.0, 24);
    gandl::tasks::CancelToken token;
    int reports = 0;
    const gandl::tasks::TaskContext context(
        [&](const gandl::tasks::ProgressUpdate&) {
          if (++reports == 3) token.cancel();
        },
        &token);
    QVERIFY_THROWS_EXCEPTION(gandl::tasks::Cancelled,
                             selectC(data.x, data.label, data.well, data.rows, LinearSvmOptions{}, {}, context));
    QVERIFY(reports <= 4);
  }
};

QTEST_APPLESS_MAIN(TestSvmModelSelection)
#include "test_svm_model_selection.moc"
