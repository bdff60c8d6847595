// The whole headless path on a synthetic screen: synth -> train (tiny network, a few steps) ->
// embed into .h5ad. Embeddings must not depend on the batch size, an interrupted embedding must
// resume to the same store, and training must leave sample grids. The probe of a run's
// discriminator must read what the embedder stores, and find a signal put into the images.
#include <QtTest>
#include <cmath>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "core/data/csv.h"
#include "core/data/intensity_features.h"
#include "core/data/screen.h"
#include "core/data/screen_image_source.h"
#include "core/data/synthetic_screen.h"
#include "core/model/discriminator_probe.h"
#include "core/model/embedder.h"
#include "core/data/composite.h"
#include "core/pipeline/probe_task.h"
#include "core/model/checkpoint.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"
#include "core/pipeline/embed_task.h"
#include "core/pipeline/analyze_task.h"
#include "core/pipeline/store_embeddings.h"
#include "core/pipeline/demo.h"
#include "core/pipeline/generator_sampling.h"
#include "core/pipeline/site_embedder.h"
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
    // Resuming with another screen (same layout and site ids, other images) is refused by name:
    // the store records the screen's hash beside the model's.
    const fs::path other = fs::path(dir_.path().toStdString()) / "other-screen";
    if (!fs::exists(other)) {
      fs::copy(screen_, other, fs::copy_options::recursive);
      const auto sites = data::loadScreen(other).sites;
      const fs::path image = sites.back().channel_files.front();
      const auto original = fs::file_size(image);
      fs::remove(image);
      fs::copy_file(sites.front().channel_files.back(), image);  // another image in its place
      QVERIFY(fs::file_size(image) != original);
    }
    auto mixed = options;
    mixed.data = other;
    try {
      pipeline::runEmbedding(mixed);
      QFAIL("expected the resume to be refused");
    } catch (const std::exception& e) {
      QVERIFY2(std::string(e.what()).find("another screen") != std::string::npos, e.what());
    }
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

  // The demo's one policy (core/pipeline/demo.h, behind `gandl demo`, scripts/run and the
  // workbench): embed once with the model and import the intensity baseline; reuse on the next
  // call; embed again when the model changed; fall back to random-d, saying so, without a model.
  void demoEmbedsOnceAndAgainOnlyForAnotherModel() {
    const fs::path root = fs::path(dir_.path().toStdString()) / "demo";
    fs::create_directories(root);
    fs::copy(screen_, root / "screen", fs::copy_options::recursive);
    pipeline::DemoOptions options;
    options.root = root;
    options.device = "cpu";
    options.model = run_.string();
    const auto first = pipeline::prepareDemo(options);
    QVERIFY(!first.wroteScreen);
    QVERIFY(first.embedded);
    QVERIFY(first.importedIntensity);
    QCOMPARE(first.store, root / "demo.h5ad");
    QCOMPARE(first.embedder, std::string("gandl"));
    const auto names = pipeline::analysableEmbeddings(first.store);
    QVERIFY(std::find(names.begin(), names.end(), "intensity") != names.end());
    const auto firstTime = fs::last_write_time(first.store);

    const auto again = pipeline::prepareDemo(options);
    QVERIFY(!again.embedded);
    QVERIFY(!again.importedIntensity);
    QVERIFY(again.notes.empty());
    QCOMPARE(fs::last_write_time(again.store), firstTime);

    // Another model (an export in half precision has another content hash): embedded again.
    const auto exported = root / "other-model";
    model::exportInferenceCheckpoint(run_, exported, true);
    options.model = exported.string();
    const auto other = pipeline::prepareDemo(options);
    QVERIFY(other.embedded);
    QVERIFY(other.importedIntensity);
    QVERIFY(std::any_of(other.notes.begin(), other.notes.end(), [](const pipeline::DemoNote& n) {
      return n.text.find("embedding again") != std::string::npos;
    }));
    const auto provenance = store::EmbeddingStore::open(other.store).provenance();
    QCOMPARE(store::toString(provenance.at(store::kCheckpointHashKey)), model::describeCheckpoint(exported).hash);

    // No model installed: the random-d baseline, with a warning.
    options.model = (root / "not-installed").string();
    const auto fallback = pipeline::prepareDemo(options);
    QCOMPARE(fallback.embedder, std::string("random-d"));
    QCOMPARE(fallback.store, root / "demo-random-d.h5ad");
    QVERIFY(fs::exists(fallback.store));
    QVERIFY(std::any_of(fallback.notes.begin(), fallback.notes.end(),
                        [](const pipeline::DemoNote& n) { return n.level == "warning"; }));
  }

  // Every embedder runs through the one seam; the registry knows the built-ins and refuses an
  // unknown name, naming the known ones, before reading the screen.
  void embeddersComeFromTheRegistry() {
    const auto names = pipeline::EmbedderRegistry::instance().names();
    QCOMPARE(names, (std::vector<std::string>{"gandl", "random-d", "intensity"}));
    QCOMPARE(pipeline::EmbedderRegistry::instance().info("intensity").dimension, 70);
    auto options = embedOptions("unknown.h5ad", 16);
    options.embedder = "nope";
    options.data = "/nonexistent/screen";
    try {
      pipeline::runEmbedding(options);
      QFAIL("expected an error");
    } catch (const std::invalid_argument& e) {
      QVERIFY2(std::string(e.what()).find("'nope'") != std::string::npos, e.what());
      QVERIFY2(std::string(e.what()).find("random-d") != std::string::npos, e.what());
    }
    QVERIFY_THROWS_EXCEPTION(
        std::invalid_argument,
        pipeline::EmbedderRegistry::instance().add(
            {"gandl", "1", "a second gandl", pipeline::EmbedderNeeds::Nothing, 0, "test"},
            [](const pipeline::EmbedderSetup&) { return std::unique_ptr<pipeline::SiteEmbedder>(); }));
    // A registered embedder is run by name, with the shared store, provenance and resume.
    struct Constant final : pipeline::SiteEmbedder {
      int dimension() const override { return 2; }
      store::Provenance provenance() const override {
        return {{store::kCheckpointHashKey, std::string("constant:v1")}, {"embedding", std::string("two constants")}};
      }
      std::vector<std::string> featureNames() const override { return {"one", "two"}; }
      double embed(const std::vector<std::size_t>& items, const Sink& sink, const tasks::TaskContext&) override {
        std::vector<float> rows;
        for (std::size_t i = 0; i < items.size(); ++i) rows.insert(rows.end(), {1.0f, 2.0f});
        sink(items, rows);
        return 0.0;
      }
    };
    pipeline::EmbedderRegistry::instance().add(
        {"test-constant", "1", "two constants", pipeline::EmbedderNeeds::Nothing, 2, "test"},
        [](const pipeline::EmbedderSetup&) { return std::make_unique<Constant>(); });
    options = embedOptions("constant.h5ad", 16);
    options.embedder = "test-constant";
    const auto result = pipeline::runEmbedding(options);
    QCOMPARE(result.embedded, std::size_t(768));
    const auto stored = store::EmbeddingStore::open(options.out);
    QCOMPARE(store::toString(stored.provenance().at("embedder")), std::string("test-constant"));
    const auto values = stored.readAll();
    QCOMPARE(values.cols(), Eigen::Index(2));
    QCOMPARE(values(767, 1), 2.0f);
  }

  // Sampling for the generated-images panel reads an inference-only export (as the shipped
  // model is), is a pure function of the seed, and leaves the global generator's stream (the one
  // a running training draws from) exactly where it was.
  void samplingReadsExportsAndLeavesTheGlobalStreamAlone() {
    const fs::path root(dir_.path().toStdString());
    const auto exported = root / "export-sample";
    if (!fs::exists(exported)) model::exportInferenceCheckpoint(run_, exported, true);
    torch::manual_seed(1234);
    const auto expectedNext = torch::randn({4});
    torch::manual_seed(1234);
    const auto a = pipeline::sampleGenerator(exported.string(), 7, 3, 0.7);
    const auto next = torch::randn({4});
    QVERIFY(torch::equal(next, expectedNext));
    QCOMPARE(a.count, 3);
    QCOMPARE(a.channels, 5);
    QCOMPARE(a.height, 32);
    QCOMPARE(a.step, std::int64_t{3});
    QCOMPARE(a.pixels.size(), std::size_t{3 * 5 * 32 * 32});
    const auto b = pipeline::sampleGenerator(exported.string(), 7, 3, 0.7);
    const auto c = pipeline::sampleGenerator(exported.string(), 8, 3, 0.7);
    QVERIFY(a.pixels == b.pixels);
    QVERIFY(a.pixels != c.pixels);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pipeline::sampleGenerator(exported.string(), 7, 0, 0.7));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pipeline::sampleGenerator(exported.string(), 7, 2, 1.5));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, pipeline::sampleGenerator((root / "nowhere").string(), 7, 2, 0.7));
    // A run carries the display ranges of its training samples, so new images look like them.
    QVERIFY(a.display.empty());  // an export has no samples folder
    const auto fromRun = pipeline::sampleGenerator(run_.string(), 7, 2, 0.7);
    QCOMPARE(fromRun.display.size(), std::size_t{5});
    const auto stored = pipeline::readSampleDisplay(run_);
    QCOMPARE(stored.size(), std::size_t{5});
    for (std::size_t channel = 0; channel < 5; ++channel) {
      QCOMPARE(fromRun.display[channel].low, stored[channel].low);
      QVERIFY(stored[channel].high > stored[channel].low);
    }
    QCOMPARE(int(stored[0].blue), int(data::rxrxChannelStyles()[0].blue));  // the colours travel too
    // A damaged file costs only the shared look.
    const auto damaged = root / "damaged-display";
    fs::create_directories(damaged / "samples");
    std::ofstream(damaged / "samples" / "display.json") << "{\"channels\": [{\"rgb\": 3";
    QVERIFY(pipeline::readSampleDisplay(damaged).empty());
  }

  // The probe's fc512 and logit are what `gandl embed` stores and what D outputs: the path from
  // trainer to embedder has one preprocessing.
  void probeReadoutsMatchTheEmbedding() {
    const auto store = fs::path(dir_.path().toStdString()) / "probe-check.h5ad";
    pipeline::runEmbedding(embedOptions("probe-check.h5ad", 16));
    const auto embedded = store::EmbeddingStore::open(store);
    const auto all = embedded.readAll();
    const auto ids = embedded.siteIds();

    const auto screen = data::loadScreen(screen_);
    std::vector<data::Site> controls;
    for (const auto& site : data::completeSites(screen))
      if (site.role == data::Role::PositiveControl || site.role == data::Role::NegativeControl)
        controls.push_back(site);
    QVERIFY(controls.size() > 20);
    const auto config = model::RunDirectory(run_).readConfig();
    data::ScreenImageSource source(controls, config.network.resolution);
    std::vector<std::size_t> items(controls.size());
    for (std::size_t i = 0; i < items.size(); ++i) items[i] = i;
    model::DiscriminatorProbe probe(config.network, model::RunDirectory(run_).checkpointPath(3), "cpu");
    const auto output = probe.run(source, items, 7);
    std::vector<std::string> names;
    for (const auto& r : output.readouts) names.push_back(r.name);
    QCOMPARE(names, (std::vector<std::string>{"pool_b32", "pool_b16", "pool_b8", "pool_epilogue", "multiscale", "fc512",
                                              "fc512_mbstd", "logit"}));
    QVERIFY(output.mbstdReal > 1e-3);  // real groups of 4 differ; a group of one gives 1e-4
    const auto& fc = output.readouts[5];
    QCOMPARE(fc.dimension, 32);
    double worst = 0;
    for (std::size_t i = 0; i < controls.size(); ++i) {
      const auto row = std::find(ids.begin(), ids.end(), controls[i].site_id) - ids.begin();
      QVERIFY(row < static_cast<std::ptrdiff_t>(ids.size()));
      for (int j = 0; j < fc.dimension; ++j)
        worst = std::max(worst, std::abs(double(fc.rows[i * 32 + static_cast<std::size_t>(j)]) - double(all(row, j))));
    }
    QVERIFY2(worst < 1e-5, std::to_string(worst).c_str());
    QCOMPARE(output.readouts.back().rows.size(), controls.size());

    // gandl embed --readout multiscale stores the probe's multiscale readout.
    auto multiscale = embedOptions("probe-multiscale.h5ad", 16);
    multiscale.readout = "multiscale";
    pipeline::runEmbedding(multiscale);
    const auto pooledStore = store::EmbeddingStore::open(multiscale.out);
    const auto& pooled = output.readouts[4];
    QCOMPARE(pooledStore.dimension(), std::size_t(pooled.dimension));
    QCOMPARE(pooled.dimension, 4 * 32);  // outputs of b32, b16, b8 and the epilogue conv: 32 channels each
    const auto pooledRows = pooledStore.readAll();
    const auto pooledIds = pooledStore.siteIds();
    worst = 0;
    for (std::size_t i = 0; i < controls.size(); ++i) {
      const auto row = std::find(pooledIds.begin(), pooledIds.end(), controls[i].site_id) - pooledIds.begin();
      for (int j = 0; j < pooled.dimension; ++j)
        worst = std::max(
            worst,
            std::abs(double(pooled.rows[i * static_cast<std::size_t>(pooled.dimension) + static_cast<std::size_t>(j)]) -
                     double(pooledRows(row, j))));
    }
    QVERIFY2(worst < 1e-5, std::to_string(worst).c_str());
    QVERIFY(store::toString(pooledStore.provenance().at("checkpoint_hash")).find("readout=multiscale") !=
            std::string::npos);

    // gandl embed --tta shifts stores the probe's fc512 over the 9 shifted copies.
    auto symmetric = embedOptions("probe-tta.h5ad", 16);
    symmetric.tta = "shifts";
    pipeline::runEmbedding(symmetric);
    const auto ttaStore = store::EmbeddingStore::open(symmetric.out);
    const auto ttaRows = ttaStore.readAll();
    const auto ttaIds = ttaStore.siteIds();
    const auto ttaOutput = probe.run(source, items, 16, {}, model::parseTestTimeViews("shifts", source.resolution()));
    const auto& ttaFc = ttaOutput.readouts[5];
    QCOMPARE(ttaFc.name, std::string("fc512"));
    worst = 0;
    double moved = 0;
    for (std::size_t i = 0; i < controls.size(); ++i) {
      const auto row = std::find(ttaIds.begin(), ttaIds.end(), controls[i].site_id) - ttaIds.begin();
      for (int j = 0; j < 32; ++j) {
        const std::size_t k = i * 32 + static_cast<std::size_t>(j);
        worst = std::max(worst, std::abs(double(ttaFc.rows[k]) - double(ttaRows(row, j))));
        moved = std::max(moved, std::abs(double(ttaFc.rows[k]) - double(fc.rows[k])));
      }
    }
    QVERIFY2(worst < 1e-5, std::to_string(worst).c_str());
    QVERIFY(moved > 1e-4);  // the symmetries do change the vector
  }

  // A screen whose infected controls are brighter in one stain by construction: every pooled
  // readout, even of random weights, must separate C+ from C- on held-out wells; the CSVs hold
  // one row per checkpoint, readout and task, and read back.
  void probeFindsAConstructedSignal() {
    const auto marked = fs::path(dir_.path().toStdString()) / "marked";
    fs::copy(screen_, marked, fs::copy_options::recursive);
    const auto screen = data::loadScreen(marked);
    int brightened = 0;
    for (const auto& site : screen.sites) {
      if (site.role != data::Role::NegativeControl) continue;
      const auto file = site.channel_files[1].string();
      cv::Mat image = cv::imread(file, cv::IMREAD_UNCHANGED);
      QVERIFY(!image.empty());
      image += cv::Scalar(image.depth() == CV_16U ? 16000 : 60);
      QVERIFY(cv::imwrite(file, image));
      ++brightened;
    }
    QVERIFY(brightened > 20);

    pipeline::ProbeTaskOptions options;
    options.run = run_.string();
    options.data = marked;
    options.train_data = screen_;
    options.train_sites = 32;
    options.out = fs::path(dir_.path().toStdString()) / "probe";
    options.device = "cpu";
    options.trend_from_kimg = 0;
    const auto result = pipeline::runProbe(options);
    QCOMPARE(result.steps, (std::vector<std::int64_t>{-1, 3}));
    // One trend per readout, over the trained checkpoint only (the random weights are no point of
    // it): too few points for a line, said as NaN rather than a made-up slope.
    QCOMPARE(result.trends.size(), std::size_t(8));
    for (const auto& [name, trend] : result.trends) {
      QCOMPARE(trend.points, 1);
      QVERIFY(std::isnan(trend.slope_per_100kimg) && std::isnan(trend.kimg_to_target));
    }
    QCOMPARE(data::readCsv(options.out / "trend.csv").rows.size(), std::size_t(8));
    const auto read = pipeline::readProbeCsv(options.out / "probe.csv");
    QCOMPARE(read.size(), result.rows.size());
    // 8 readouts x (C+/C- all, per cell type x 2, cell type) x 2 discriminators
    QCOMPARE(result.rows.size(), std::size_t(8 * 4 * 2));
    for (const auto& row : read) {
      QVERIFY(row.test_sites > 0 && row.train_sites > row.test_sites);
      QCOMPARE(row.repeats, options.repeats);
      if (row.task == "c_pos_vs_c_neg" && row.readout.rfind("pool_b32", 0) == 0)
        QVERIFY2(row.balanced_accuracy >= 0.9, qPrintable(QString("%1 step %2 %3: %4")
                                                              .arg(QString::fromStdString(row.readout))
                                                              .arg(row.step)
                                                              .arg(QString::fromStdString(row.subset))
                                                              .arg(row.balanced_accuracy)));
    }
    const auto logits = data::readCsv(options.out / "logits.csv");
    QCOMPARE(logits.rows.size(), std::size_t(4));  // (probed, training) x 2 discriminators
    QVERIFY(fs::exists(options.out / "probe.png"));

    options.steps = "7";
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pipeline::runProbe(options));
  }

  // Stored features carry their names: the intensity baseline's say what they measure (so do the
  // columns of an exported CSV), a network's are numbered.
  void featuresAreNamed() {
    auto options = embedOptions("named-intensity.h5ad", 16);
    options.embedder = "intensity";
    pipeline::runEmbedding(options);
    const auto intensity = store::EmbeddingStore::open(options.out);
    QCOMPARE(intensity.varNames(), data::intensityFeatureNames(data::kModelChannels));
    QCOMPARE(intensity.varNames().front(), std::string("mean_w1"));
    const auto network = store::EmbeddingStore::open(fs::path(dir_.path().toStdString()) / "probe-check.h5ad");
    QCOMPARE(network.varNames().front(), std::string("gandl_0"));
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
