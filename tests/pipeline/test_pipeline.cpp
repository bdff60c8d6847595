// The whole headless path on a synthetic screen: synth -> train (tiny network, a few steps) ->
// embed into .h5ad. Embeddings must not depend on the batch size, an interrupted embedding must
// resume to the same store, and training must leave sample grids.
#include <QtTest>

#include "core/data/synthetic_screen.h"
#include "core/model/checkpoint.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"
#include "core/pipeline/embed_task.h"
#include "core/pipeline/train_task.h"
#include "core/store/embedding_store.h"
#include "core/store/embedding_writer.h"
#include "tests/support/tiny_network.h"

namespace fs = std::filesystem;
using namespace gandl;

class TestPipeline : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  fs::path screen_, run_;

  pipeline::EmbedTaskOptions embedOptions(const std::string& out, int batch) const {
    pipeline::EmbedTaskOptions o;
    o.data = screen_;
    o.checkpoint = run_.string();
    o.out = fs::path(dir_.path().toStdString()) / out;
    o.batch = batch;
    o.device = "cpu";
    return o;
  }

 private Q_SLOTS:
  void initTestCase() {
    model::configureThreads(2);
    screen_ = fs::path(dir_.path().toStdString()) / "screen";
    run_ = fs::path(dir_.path().toStdString()) / "run";
    data::writeSyntheticScreen(screen_, data::SynthPreset::Demo, 5);
    pipeline::TrainTaskOptions train;
    train.data = screen_;
    train.run = run_;
    train.device = "cpu";
    auto& c = train.config = test::tinyTrainingConfig(4, 3);
    c.sample_every = 3;
    c.sample_count = 4;
    const auto result = pipeline::runTraining(train);
    QVERIFY(result.training.finished);
    QCOMPARE(result.sites, std::size_t(768));
    QVERIFY(fs::exists(model::RunDirectory(run_).samplePath(3)));
  }

  void embeddingDoesNotDependOnTheBatch() {
    const auto a = pipeline::runEmbedding(embedOptions("a.h5ad", 64));
    QCOMPARE(a.embedded, std::size_t(768));
    pipeline::runEmbedding(embedOptions("b.h5ad", 7));
    const auto x = store::EmbeddingStore::open(fs::path(dir_.path().toStdString()) / "a.h5ad");
    const auto y = store::EmbeddingStore::open(fs::path(dir_.path().toStdString()) / "b.h5ad");
    QCOMPARE(x.size(), std::size_t(768));
    QCOMPARE(x.dimension(), std::size_t(32));
    QCOMPARE(x.siteIds(), y.siteIds());
    const float difference = (x.readAll() - y.readAll()).cwiseAbs().maxCoeff();
    QVERIFY2(difference < 1e-5f, std::to_string(difference).c_str());
    const auto provenance = x.provenance();
    QVERIFY(provenance.count("checkpoint_hash"));
    QCOMPARE(store::toString(provenance.at("channel_map")), std::string("w1,w2,w3,w4,w5"));
  }

  void interruptedEmbeddingResumes() {
    tasks::CancelToken token;
    const tasks::TaskContext context(
        [&](const tasks::ProgressUpdate& u) {
          if (u.message.rfind("stored", 0) == 0) token.cancel();  // after the first plate
        },
        &token);
    const auto options = embedOptions("c.h5ad", 32);
    QVERIFY_THROWS_EXCEPTION(tasks::Cancelled, pipeline::runEmbedding(options, context));
    QVERIFY(!fs::exists(options.out));
    QVERIFY(fs::exists(store::EmbeddingWriter::partialPath(options.out)));
    const auto resumed = pipeline::runEmbedding(options);
    QVERIFY(resumed.already_stored > 0);
    QCOMPARE(resumed.already_stored + resumed.embedded, std::size_t(768));
    const auto x = store::EmbeddingStore::open(fs::path(dir_.path().toStdString()) / "a.h5ad");
    const auto y = store::EmbeddingStore::open(options.out);
    QCOMPARE(y.size(), std::size_t(768));
    for (const auto& id : {x.siteIds().front(), x.siteIds().back()})
      QVERIFY((x.row(id) - y.row(id)).cwiseAbs().maxCoeff() < 1e-5f);
  }

  void randomDiscriminatorBaselineIsReproducible() {
    auto options = embedOptions("r1.h5ad", 64);
    options.embedder = "random-d";
    options.seed = 3;
    pipeline::runEmbedding(options);
    options.out = fs::path(dir_.path().toStdString()) / "r2.h5ad";
    pipeline::runEmbedding(options);
    const auto a = store::EmbeddingStore::open(fs::path(dir_.path().toStdString()) / "r1.h5ad");
    const auto b = store::EmbeddingStore::open(options.out);
    QVERIFY(a.readAll() == b.readAll());
    const auto trained = store::EmbeddingStore::open(fs::path(dir_.path().toStdString()) / "a.h5ad");
    QVERIFY((a.readAll() - trained.readAll()).cwiseAbs().maxCoeff() > 1e-3f);
    // The baseline needs the architecture only: a folder with config.json alone gives the same.
    const fs::path architecture = fs::path(dir_.path().toStdString()) / "architecture-only";
    fs::create_directories(architecture);
    fs::copy_file(run_ / "config.json", architecture / "config.json");
    options.checkpoint = architecture.string();
    options.out = fs::path(dir_.path().toStdString()) / "r3.h5ad";
    pipeline::runEmbedding(options);
    QVERIFY(a.readAll() == store::EmbeddingStore::open(options.out).readAll());
    // The trained embedder still insists on weights.
    auto trainedOptions = embedOptions("r4.h5ad", 64);
    trainedOptions.checkpoint = architecture.string();
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, pipeline::runEmbedding(trainedOptions));
  }

  // The shipped-model format: discriminator + generator EMA only. In float32 it embeds exactly
  // like the run; in half precision within rounding; training refuses to resume from it.
  void inferenceExportEmbedsLikeTheRun() {
    const fs::path root(dir_.path().toStdString());
    if (!fs::exists(root / "a.h5ad")) pipeline::runEmbedding(embedOptions("a.h5ad", 64));
    const auto full = store::EmbeddingStore::open(root / "a.h5ad").readAll();
    for (const bool half : {false, true}) {
      const auto exported = root / (half ? "export-half" : "export-float");
      const auto file = model::exportInferenceCheckpoint(run_, exported, half);
      QVERIFY(fs::file_size(file) < fs::file_size(model::RunDirectory(run_).checkpointPath(3)) / 2);
      auto options = embedOptions(half ? "half.h5ad" : "float.h5ad", 64);
      options.checkpoint = exported.string();
      pipeline::runEmbedding(options);
      const auto values = store::EmbeddingStore::open(options.out).readAll();
      const float difference = (values - full).cwiseAbs().maxCoeff();
      const float scale = full.cwiseAbs().maxCoeff();
      if (half)
        QVERIFY2(difference < 2e-2f * scale, std::to_string(difference / scale).c_str());
      else
        QVERIFY2(difference < 1e-6f * scale, std::to_string(difference).c_str());
      model::TrainingState state(model::RunDirectory(exported).readConfig());
      try {
        model::loadCheckpoint(state, file);
        QFAIL("expected an error");
      } catch (const std::exception& e) {
        QVERIFY2(std::string(e.what()).find("inference-only") != std::string::npos, e.what());
      }
    }
    // The generator EMA loads from the export and generates.
    const auto generator = model::loadGeneratorEma(root / "export-half", torch::kCPU);
    QVERIFY(generator->parameters().front().scalar_type() == torch::kFloat32);
  }

  void badInputsAreNamed() {
    auto options = embedOptions("bad.h5ad", 8);
    options.checkpoint = (fs::path(dir_.path().toStdString()) / "nowhere").string();
    try {
      pipeline::runEmbedding(options);
      QFAIL("expected an error");
    } catch (const std::exception& e) {
      QVERIFY2(std::string(e.what()).find("config.json") != std::string::npos, e.what());
    }
  }
};

QTEST_APPLESS_MAIN(TestPipeline)
#include "test_pipeline.moc"
