// The torchscript embedder plugin (issue 14): TorchScript models built here (nothing can be
// downloaded) stand in for an ImageNet CNN. Checked: both strategies' dimensions; concatenated
// equals the model run by hand on each stain replicated to RGB; vectors do not depend on the
// batch a site is in; collapsed trains its 5->3 convolution on the controls (deterministic for a
// seed) and records how well its head tells them apart; bad input is named.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/script.h>
#include <torch/torch.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/data/screen_image_source.h"
#include "core/data/synthetic_screen.h"
#include "core/pipeline/embed_task.h"
#include "core/pipeline/plugin_loader.h"
#include "core/pipeline/site_embedder.h"
#include "core/store/embedding_store.h"
#include "tests/support/embed_errors.h"

namespace fs = std::filesystem;
using namespace gandl;

namespace {

// conv 3->4 (1x1) + relu: a feature map the plugin averages over space.
void saveFeatureMapModel(const fs::path& file) {
  torch::jit::Module m("FeatureMap");
  torch::manual_seed(5);
  m.register_parameter("weight", torch::randn({4, 3, 1, 1}), false);
  m.register_parameter("bias", torch::randn({4}), false);
  m.define(R"JIT(
def forward(self, x):
    return torch.relu(torch.conv2d(x, self.weight, self.bias))
)JIT");
  m.save(file.string());
}

// A model that returns vectors: channel means and maxima (6 numbers).
void saveVectorModel(const fs::path& file) {
  torch::jit::Module m("Vector");
  m.define(R"JIT(
def forward(self, x):
    return torch.cat([x.mean([2, 3]), x.amax([2, 3])], 1)
)JIT");
  m.save(file.string());
}

Eigen::MatrixXf rowsOf(const fs::path& store) { return store::EmbeddingStore::open(store).readAll().cast<float>(); }

}  // namespace

class TestTorchScriptPlugin : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  fs::path root_, screen_;

  pipeline::EmbedTaskOptions options(const std::string& name, const fs::path& model, const std::string& strategy) {
    pipeline::EmbedTaskOptions o;
    o.data = screen_;
    o.out = root_ / (name + ".h5ad");
    o.embedder = "torchscript";
    o.model = model;
    o.strategy = strategy;
    o.parameters = {{"input_size", "32"}, {"epochs", "3"}};
    return o;
  }

 private Q_SLOTS:
  void initTestCase() {
    root_ = dir_.path().toStdString();
    pipeline::loadPlugins({fs::path(GANDL_BINARY_DIR) / "plugins"});
    QVERIFY(pipeline::EmbedderRegistry::instance().contains("torchscript"));
    QCOMPARE(pipeline::EmbedderRegistry::instance().info("torchscript").needs, pipeline::EmbedderNeeds::Model);
    screen_ = root_ / "screen";
    data::writeSyntheticScreen(screen_, data::SynthPreset::Demo, 4);
    saveFeatureMapModel(root_ / "map.pt");
    saveVectorModel(root_ / "vector.pt");
  }

  void concatenatedIsTheModelOnEachStain() {
    const auto o = options("concat", root_ / "vector.pt", "concatenated");
    pipeline::runEmbedding(o);
    const auto store = store::EmbeddingStore::open(o.out);
    QCOMPARE(store.dimension(), std::size_t(30));  // 5 stains x 6
    QCOMPARE(store.varNames().front(), std::string("w1_cnn_0"));
    QVERIFY(store::toString(store.provenance().at("checkpoint_hash")).find("strategy=concatenated") !=
            std::string::npos);
    // By hand for the first site: stain 2 replicated to RGB, area-resized to 32 px, ImageNet-normalised.
    const auto ids = store.siteIds();
    const auto rows = store.readAll();
    const auto screen = data::loadScreen(screen_);
    const data::Site* site = screen.find(ids[0]);
    QVERIFY(site);
    const cv::Mat raw = cv::imread(site->channel_files[1].string(), cv::IMREAD_UNCHANGED);
    cv::Mat unit, small;
    raw.convertTo(unit, CV_32F, 1.0 / 255.0);
    cv::resize(unit, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
    const double mean = cv::mean(small)[0];
    double maxValue = 0;
    cv::minMaxLoc(small, nullptr, &maxValue);
    const float imagenetMean[3] = {0.485f, 0.456f, 0.406f}, imagenetSd[3] = {0.229f, 0.224f, 0.225f};
    for (int k = 0; k < 3; ++k) {
      QVERIFY(std::abs(rows(0, 6 + k) - (mean - imagenetMean[k]) / imagenetSd[k]) < 1e-4);
      QVERIFY(std::abs(rows(0, 9 + k) - (maxValue - imagenetMean[k]) / imagenetSd[k]) < 1e-4);
    }
  }

  void vectorsDoNotDependOnTheBatch() {
    // The plugin batches 16 sites; a plate's pending sites split differently on a resumed run, so
    // compare the feature-map model's vectors with a one-site-at-a-time reference via the seam.
    auto o = options("map", root_ / "map.pt", "concatenated");
    pipeline::runEmbedding(o);
    const Eigen::MatrixXf all = rowsOf(o.out);
    QCOMPARE(all.cols(), Eigen::Index(20));  // 5 stains x 4 channels
    QVERIFY(all.allFinite());
    const auto screen = data::loadScreen(screen_);
    const auto sites = data::completeSites(screen);
    pipeline::EmbedderSetup setup{screen, sites, o};
    auto embedder = pipeline::EmbedderRegistry::instance().create("torchscript", setup);
    const auto ids = store::EmbeddingStore::open(o.out).siteIds();
    for (std::size_t item : {std::size_t(0), std::size_t(17), sites.size() - 1}) {
      std::vector<float> row;
      embedder->embed({item}, [&](const auto&, const std::vector<float>& r) { row = r; }, {});
      const auto at = std::find(ids.begin(), ids.end(), sites[item].site_id) - ids.begin();
      for (int j = 0; j < 20; ++j) QVERIFY(std::abs(row[j] - all(at, j)) < 1e-5);
    }
  }

  void collapsedTrainsOnTheControls() {
    const auto a = options("collapsed-a", root_ / "map.pt", "collapsed");
    pipeline::runEmbedding(a);
    const auto store = store::EmbeddingStore::open(a.out);
    QCOMPARE(store.dimension(), std::size_t(4));
    const auto p = store.provenance();
    const std::string weights = store::toString(p.at("collapse_weights"));
    QCOMPARE(static_cast<int>(std::count(weights.begin(), weights.end(), ',')), 14);  // 3 x 5 weights
    const double accuracy = std::get<double>(p.at("collapse_training_accuracy"));
    QVERIFY(accuracy >= 0.0 && accuracy <= 1.0);
    // The same seed gives the same vectors; another seed other weights.
    const auto b = options("collapsed-b", root_ / "map.pt", "collapsed");
    pipeline::runEmbedding(b);
    QVERIFY((rowsOf(a.out) - rowsOf(b.out)).cwiseAbs().maxCoeff() < 1e-6);
    auto c = options("collapsed-c", root_ / "map.pt", "collapsed");
    c.seed = 9;
    pipeline::runEmbedding(c);
    QVERIFY(store::toString(store::EmbeddingStore::open(c.out).provenance().at("collapse_weights")) != weights);
  }

  void badInputIsNamed() {
    auto expectError = [&](const pipeline::EmbedTaskOptions& o, const std::string& needle) {
      gandl::test::expectEmbedError(o, root_ / "bad.h5ad", needle);
    };
    expectError(options("x", {}, "concatenated"), "--model FILE.pt is required");
    expectError(options("x", root_ / "missing.pt", "concatenated"), "missing.pt: no such file");
    expectError(options("x", root_ / "vector.pt", "stacked"), "concatenated or collapsed");
    std::ofstream(root_ / "garbage.pt") << "not a model";
    expectError(options("x", root_ / "garbage.pt", "concatenated"), "garbage.pt: not a TorchScript model");
    auto o = options("x", root_ / "vector.pt", "concatenated");
    o.parameters["input_size"] = "big";
    expectError(o, "input_size must be a whole number");
    o.parameters = {{"colour", "1"}};
    expectError(o, "unknown --param 'colour'");
  }
};

QTEST_GUILESS_MAIN(TestTorchScriptPlugin)
#include "test_torchscript_plugin.moc"
