// The convae embedder plugin (issue 14): an autoencoder trained on the screen's own sites, its
// bottleneck as the embedding, trained in the background-task pattern. Checked: the store's
// dimension is the bottleneck; training stopped after some steps and resumed, or cancelled
// mid-way and resumed, ends with exactly the weights (so the vectors) of an uninterrupted run;
// the cancel left a checkpoint; a trained run is reused without training; bad options are named.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "core/data/synthetic_screen.h"
#include "core/pipeline/embed_task.h"
#include "core/pipeline/plugin_loader.h"
#include "core/pipeline/site_embedder.h"
#include "core/store/embedding_store.h"
#include "core/tasks/progress.h"
#include "tests/support/embed_errors.h"

namespace fs = std::filesystem;
using namespace gandl;

class TestConvAePlugin : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  fs::path root_, screen_;

  pipeline::EmbedTaskOptions options(const std::string& out, const fs::path& run, int steps) {
    pipeline::EmbedTaskOptions o;
    o.data = screen_;
    o.out = root_ / (out + ".h5ad");
    o.embedder = "convae";
    o.model = run;
    o.seed = 3;
    o.parameters = {{"bottleneck", "8"},
                    {"input_size", "32"},
                    {"steps", std::to_string(steps)},
                    {"batch", "4"},
                    {"checkpoint_every", "3"}};
    return o;
  }
  Eigen::MatrixXf rowsOf(const fs::path& store) { return store::EmbeddingStore::open(store).readAll().cast<float>(); }
  int lines(const fs::path& file) {
    std::ifstream in(file);
    return static_cast<int>(std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
  }

 private Q_SLOTS:
  void initTestCase() {
    root_ = dir_.path().toStdString();
    pipeline::loadPlugins({fs::path(GANDL_BINARY_DIR) / "plugins"});
    QVERIFY(pipeline::EmbedderRegistry::instance().contains("convae"));
    QCOMPARE(pipeline::EmbedderRegistry::instance().info("convae").needs, pipeline::EmbedderNeeds::Training);
    screen_ = root_ / "screen";
    data::writeSyntheticScreen(screen_, data::SynthPreset::Demo, 6);
  }

  void trainsAndEmbedsItsBottleneck() {
    const auto o = options("straight", {}, 6);  // the run folder defaults to straight.h5ad.convae
    pipeline::runEmbedding(o);
    const auto store = store::EmbeddingStore::open(o.out);
    QCOMPARE(store.dimension(), std::size_t(8));
    QCOMPARE(store.varNames().front(), std::string("convae_0"));
    QVERIFY(store.readAll().allFinite());
    const fs::path run = root_ / "straight.h5ad.convae";
    QVERIFY(fs::exists(run / "convae.pt"));
    QCOMPARE(lines(run / "losses.csv"), 6);
    QVERIFY(store::toString(store.provenance().at("embedding")).find("autoencoder bottleneck (8-d") !=
            std::string::npos);
  }

  void resumedAndCancelledRunsEndWhereAStraightOneDoes() {
    const auto straight = options("ref", root_ / "run-ref", 6);
    pipeline::runEmbedding(straight);
    const Eigen::MatrixXf reference = rowsOf(straight.out);

    // Stopped after 3 steps (a finished shorter run), then trained on to 6 in the same folder.
    pipeline::runEmbedding(options("part", root_ / "run-resume", 3));
    const auto resumed = options("resumed", root_ / "run-resume", 6);
    pipeline::runEmbedding(resumed);
    QVERIFY((rowsOf(resumed.out) - reference).cwiseAbs().maxCoeff() < 1e-5);
    QCOMPARE(lines(root_ / "run-resume" / "losses.csv"), 6);  // steps 1-3, then 4-6: none twice

    // Cancelled during training at step 2: a checkpoint of step 2 is left, and the rerun ends at
    // the same weights.
    tasks::CancelToken token;
    const tasks::TaskContext context(
        [&](const tasks::ProgressUpdate& u) {
          if (u.unit == "steps" && u.done >= 2) token.cancel();
        },
        &token);
    auto cancelled = options("cancelled", root_ / "run-cancel", 6);
    QVERIFY_THROWS_EXCEPTION(tasks::Cancelled, pipeline::runEmbedding(cancelled, context));
    QVERIFY(fs::exists(root_ / "run-cancel" / "convae.pt"));
    QVERIFY(!fs::exists(root_ / "run-cancel" / "convae.pt.tmp"));
    QCOMPARE(lines(root_ / "run-cancel" / "losses.csv"), 2);
    pipeline::runEmbedding(cancelled);
    QVERIFY((rowsOf(cancelled.out) - reference).cwiseAbs().maxCoeff() < 1e-5);

    // A trained run is used as it is: no step is added.
    pipeline::runEmbedding(options("reuse", root_ / "run-ref", 6));
    QCOMPARE(lines(root_ / "run-ref" / "losses.csv"), 6);
    QVERIFY((rowsOf(root_ / "reuse.h5ad") - reference).cwiseAbs().maxCoeff() < 1e-6);
  }

  void badOptionsAreNamed() {
    auto expectError = [&](const pipeline::EmbedTaskOptions& o, const std::string& needle) {
      gandl::test::expectEmbedError(o, root_ / "bad.h5ad", needle);
    };
    auto o = options("x", root_ / "run-bad", 2);
    o.parameters["input_size"] = "40";
    expectError(o, "multiple of 16");
    o = options("x", root_ / "run-bad", 2);
    o.parameters["depth"] = "3";
    expectError(o, "unknown --param 'depth'");
    o = options("x", root_ / "run-ref", 2);
    o.parameters["bottleneck"] = "16";  // run-ref was trained with 8
    expectError(o, "was trained with other settings");
  }
};

QTEST_GUILESS_MAIN(TestConvAePlugin)
#include "test_convae_plugin.moc"
