// `gandl-workbench --demo` without a window: the demo screen is written, embedded with the shipped
// model (a store of another model in its place is embedded again), the intensity baseline is
// imported for comparison and cell counts, and the analysis arrives on the GUI thread.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>

#include "core/data/synthetic_screen.h"
#include "core/model/embedder.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"
#include "core/pipeline/analyze_task.h"
#include "core/pipeline/embed_task.h"
#include "core/store/embedding_store.h"
#include "core/store/provenance.h"
#include "ui/demo_setup.h"
#include "ui/task_manager.h"
#include "ui/workspace.h"

namespace fs = std::filesystem;
using namespace gandl;

class TestDemo : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private Q_SLOTS:
  void initTestCase() { model::configureThreads(2); }

  void aStoreOfAnotherModelIsEmbeddedAgainAndTheBaselineImported() {
    const auto paths = ui::demoPaths(dir_.path() + QStringLiteral("/demo"));
    // An earlier run's store made with another model: the random-d baseline.
    data::writeSyntheticScreen(paths.screen, data::SynthPreset::Small, 1);
    pipeline::EmbedTaskOptions stale;
    stale.data = paths.screen;
    stale.checkpoint = "demo";
    stale.embedder = "random-d";
    stale.out = paths.store;
    pipeline::runEmbedding(stale);

    ui::TaskManager tasks;
    ui::Workspace workspace(&tasks);
    QStringList log;
    connect(&workspace, &ui::Workspace::logMessage, this, [&](const QString&, const QString& text) { log << text; });
    QSignalSpy analysed(&workspace, &ui::Workspace::analysisChanged);
    QSignalSpy failed(&workspace, &ui::Workspace::failed);
    ui::runDemo(workspace, paths);
    QVERIFY(analysed.wait(240000));
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.front().at(1).toString()));

    const auto store = store::EmbeddingStore::open(paths.store);
    const auto provenance = store.provenance();
    QCOMPARE(store::toString(provenance.at("embedder")), std::string("gandl"));
    QCOMPARE(store::toString(provenance.at(store::kCheckpointHashKey)),
             model::describeCheckpoint(model::resolveCheckpointDirectory("demo")).hash);
    QVERIFY2(std::any_of(log.begin(), log.end(),
                         [](const QString& l) { return l.contains(QLatin1String("embedding again")); }),
             qPrintable(log.join(QLatin1Char('\n'))));
    QCOMPARE(workspace.analysis()->sites.size(), std::size_t(2544));
    QVERIFY(workspace.embeddingNames().contains(QStringLiteral("intensity")));
    QVERIFY(!workspace.analysis()->sites.cellCountSource.empty());
    // Nuclei per site from the intensity features: finite everywhere, and cells found somewhere.
    const auto& cells = workspace.analysis()->sites.cellCount;
    QVERIFY(std::all_of(cells.begin(), cells.end(), [](double c) { return std::isfinite(c) && c >= 0; }));
    QVERIFY(*std::max_element(cells.begin(), cells.end()) > 0);
  }
};

QTEST_MAIN(TestDemo)
#include "test_demo.moc"
