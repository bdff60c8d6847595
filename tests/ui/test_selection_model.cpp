// The shared selection: every way of selecting (site, rows, compounds, well, plate) fills the
// same state, emits only on change, and ignores rows that do not exist.
#include <QSignalSpy>
#include <QtTest>

#include "core/pipeline/analyze_task.h"
#include "ui/selection_model.h"

using namespace gandl;

class TestSelectionModel : public QObject {
  Q_OBJECT

  std::shared_ptr<pipeline::AnalysisResult> analysis_;

 private Q_SLOTS:
  void init() {
    analysis_ = std::make_shared<pipeline::AnalysisResult>();
    auto& s = analysis_->sites;
    // Two plates; plate 0 has wells B02 (2 sites) and B03 (1 site); plate 1 has B02 (1 site).
    s.siteId = {"e_1_B02_1", "e_1_B02_2", "e_1_B03_1", "e_2_B02_1"};
    s.wellId = {"e_1_B02", "e_1_B02", "e_1_B03", "e_2_B02"};
    s.well = {"B02", "B02", "B03", "B02"};
    s.plateOfRow = {0, 0, 0, 1};
    s.plateNames = {"e/Plate1", "e/Plate2"};
    analysis_->compounds.resize(2);
    analysis_->compounds[0].rows = {2};
    analysis_->compounds[1].rows = {0, 3};
  }

  void siteSelectsItsWellAndPlate() {
    ui::SelectionModel selection;
    selection.setAnalysis(analysis_);
    QSignalSpy rows(&selection, &ui::SelectionModel::rowsChanged);
    QSignalSpy plate(&selection, &ui::SelectionModel::plateChanged);
    selection.selectSite(3);
    QCOMPARE(selection.currentRow(), 3);
    QCOMPARE(selection.plate(), 1);
    QCOMPARE(selection.well(), QStringLiteral("e_2_B02"));
    QCOMPARE(selection.rows(), (std::vector<std::size_t>{3}));
    QCOMPARE(rows.count(), 1);
    QCOMPARE(plate.count(), 1);
    selection.selectSite(3);  // no change, no signal
    QCOMPARE(rows.count(), 1);
    selection.selectSite(99);  // out of range: ignored
    QCOMPARE(selection.currentRow(), 3);
  }

  void wellSelectsOnlyItsPlatesSites() {
    ui::SelectionModel selection;
    selection.setAnalysis(analysis_);
    selection.selectWell(0, QStringLiteral("e_1_B02"));
    QCOMPARE(selection.rows(), (std::vector<std::size_t>{0, 1}));
    QCOMPARE(selection.currentRow(), 0);
  }

  void compoundsSelectTheirRows() {
    ui::SelectionModel selection;
    selection.setAnalysis(analysis_);
    QSignalSpy compounds(&selection, &ui::SelectionModel::compoundsChanged);
    selection.selectCompounds({1, 0, 7});
    QCOMPARE(selection.compounds(), (std::vector<int>{1, 0}));
    QCOMPARE(selection.rows(), (std::vector<std::size_t>{0, 2, 3}));
    QCOMPARE(compounds.count(), 1);
  }

  void lassoRowsAreSortedUniqueAndKeepTheCurrentSite() {
    ui::SelectionModel selection;
    selection.setAnalysis(analysis_);
    selection.selectSite(2);
    selection.selectRows({3, 2, 3, 42});
    QCOMPARE(selection.rows(), (std::vector<std::size_t>{2, 3}));
    QCOMPARE(selection.currentRow(), 2);
    QVERIFY(selection.isSelected(3));
    QVERIFY(!selection.isSelected(0));
    selection.selectRows({1});
    QCOMPARE(selection.currentRow(), 1);
    selection.clear();
    QVERIFY(selection.rows().empty());
    QCOMPARE(selection.currentRow(), -1);
  }
};

QTEST_APPLESS_MAIN(TestSelectionModel)
#include "test_selection_model.moc"
