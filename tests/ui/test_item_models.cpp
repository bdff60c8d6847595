// Every item model of the workbench passes Qt's QAbstractItemModelTester (the consistency of
// rowCount, index, parent, data and the change signals) through its whole life: empty, filled
// from an analysis, refilled, sorted, filtered, emptied.
#include <QAbstractItemModelTester>
#include <QtTest>
#include <memory>

#include "core/data/synthetic_screen.h"
#include "core/pipeline/analyze_task.h"
#include "core/pipeline/embed_task.h"
#include "ui/compound_table_model.h"
#include "ui/screen_tree_model.h"

namespace fs = std::filesystem;
using namespace gandl;

class TestItemModels : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::shared_ptr<const pipeline::AnalysisResult> analysis_;

 private Q_SLOTS:
  void initTestCase() {
    const fs::path root = dir_.path().toStdString();
    data::writeSyntheticScreen(root / "screen", data::SynthPreset::Demo, 6);
    pipeline::EmbedTaskOptions embed;
    embed.data = root / "screen";
    embed.embedder = "intensity";
    embed.out = root / "screen.h5ad";
    pipeline::runEmbedding(embed);
    pipeline::AnalyzeOptions analyze;
    analyze.embeddings = embed.out;
    analyze.writeToStore = false;
    analysis_ = std::make_shared<const pipeline::AnalysisResult>(pipeline::runAnalysis(analyze));
    QVERIFY(!analysis_->compounds.empty());
  }

  void compoundTableAndItsFilter() {
    ui::CompoundTableModel table;
    ui::CompoundFilterModel filter;
    filter.setSourceModel(&table);
    filter.setSortRole(ui::CompoundTableModel::SortRole);
    QAbstractItemModelTester tableTester(&table, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(table.rowCount(), 0);
    table.setAnalysis(analysis_);
    QVERIFY(table.rowCount() > 0);
    QCOMPARE(table.columnCount(), int(ui::CompoundTableModel::ColumnCount));
    for (int c = 0; c < table.columnCount(); ++c) {
      filter.sort(c, Qt::AscendingOrder);
      filter.sort(c, Qt::DescendingOrder);
    }
    const QString status = table.data(table.index(0, ui::CompoundTableModel::Status), Qt::DisplayRole).toString();
    filter.setStatus(status);
    QVERIFY(filter.rowCount() >= 1 && filter.rowCount() <= table.rowCount());
    filter.setStatus(QStringLiteral("no such status"));
    QCOMPARE(filter.rowCount(), 0);
    filter.setStatus({});
    QCOMPARE(filter.rowCount(), table.rowCount());
    table.setAnalysis(analysis_);  // refilled
    table.setAnalysis(nullptr);    // emptied
    QCOMPARE(table.rowCount(), 0);
  }

  void screenTree() {
    ui::ScreenTreeModel tree;
    QAbstractItemModelTester tester(&tree, QAbstractItemModelTester::FailureReportingMode::QtTest);
    tree.setAnalysis(analysis_);
    QVERIFY(tree.rowCount() > 0);
    // Walk to a site and back up.
    const QModelIndex site = tree.siteIndex(0);
    QVERIFY(site.isValid());
    QCOMPARE(tree.data(site, ui::ScreenTreeModel::StoreRowRole).toLongLong(), 0LL);
    QModelIndex up = site;
    int depth = 0;
    while (up.parent().isValid()) {
      up = up.parent();
      ++depth;
    }
    QCOMPARE(depth, 3);  // site -> well -> plate -> experiment
    tree.setAnalysis(analysis_);
    tree.setAnalysis(nullptr);
    QCOMPARE(tree.rowCount(), 0);
  }
};

QTEST_MAIN(TestItemModels)
#include "test_item_models.moc"
