// Sharded embedding (issue 15): `embed --shard I/3` three times and `gandl merge` give a store
// whose /X and /obs equal a single-process run's; a shard covers exactly its plates; shards of
// another embedder, a missing or repeated shard, and an unsharded store are refused by name; a
// killed shard resumes like any embedding.
#include <QTemporaryDir>
#include <QtTest>

#include "core/data/synthetic_screen.h"
#include "core/pipeline/embed_task.h"
#include "core/pipeline/shard_merge.h"
#include "core/store/embedding_store.h"
#include "core/tasks/progress.h"

namespace fs = std::filesystem;
using namespace gandl;

class TestShards : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  fs::path root_, screen_;

  pipeline::EmbedTaskOptions options(const std::string& out, int index = 0, int count = 1,
                                     const std::string& embedder = "intensity") {
    pipeline::EmbedTaskOptions o;
    o.data = screen_;
    o.out = root_ / (out + ".h5ad");
    o.embedder = embedder;
    o.shard_index = index;
    o.shard_count = count;
    return o;
  }
  template <typename F>
  void expectError(F&& f, const std::string& needle) {
    try {
      f();
      QFAIL(("no error; expected " + needle).c_str());
    } catch (const std::exception& e) {
      QVERIFY2(std::string(e.what()).find(needle) != std::string::npos, e.what());
    }
  }

 private Q_SLOTS:
  void initTestCase() {
    root_ = dir_.path().toStdString();
    screen_ = root_ / "screen";
    data::writeSyntheticScreen(screen_, data::SynthPreset::Demo, 7);  // 4 plates, 768 sites
  }

  void threeShardsMergedEqualOneRun() {
    pipeline::runEmbedding(options("single"));
    std::vector<fs::path> shards;
    std::size_t total = 0;
    for (int i = 0; i < 3; ++i) {
      const auto o = options("shard" + std::to_string(i), i, 3);
      pipeline::runEmbedding(o);
      const auto s = store::EmbeddingStore::open(o.out);
      QCOMPARE(store::toString(s.provenance().at("shard")), std::to_string(i) + "/3");
      total += s.size();
      shards.push_back(o.out);
    }
    QCOMPARE(total, std::size_t(768));
    // Plates 0 and 3 go to shard 0, plate 1 to shard 1, plate 2 to shard 2: 192 sites each.
    QCOMPARE(store::EmbeddingStore::open(shards[0]).size(), std::size_t(384));
    QCOMPARE(store::EmbeddingStore::open(shards[1]).size(), std::size_t(192));

    const fs::path merged = root_ / "merged.h5ad";
    const auto result = pipeline::mergeShards(merged, {shards[2], shards[0], shards[1]});  // any order
    QCOMPARE(result.sites, std::size_t(768));
    const auto a = store::EmbeddingStore::open(root_ / "single.h5ad");
    const auto b = store::EmbeddingStore::open(merged);
    QCOMPARE(b.siteIds(), a.siteIds());
    QVERIFY(b.readAll() == a.readAll());
    QCOMPARE(b.varNames(), a.varNames());
    QCOMPARE(b.obsColumns(), a.obsColumns());
    for (const auto& column : a.obsColumns()) QCOMPARE(b.obsText(column), a.obsText(column));
    QCOMPARE(store::toString(b.provenance().at("checkpoint_hash")),
             store::toString(a.provenance().at("checkpoint_hash")));
    QVERIFY(!b.provenance().count("shard"));
    // An existing --out is refused without overwrite.
    expectError([&] { pipeline::mergeShards(merged, shards); }, "already exists");
    QCOMPARE(pipeline::mergeShards(merged, shards, true).sites, std::size_t(768));
  }

  void mismatchedShardsAreRefused() {
    const auto s0 = root_ / "shard0.h5ad", s1 = root_ / "shard1.h5ad", s2 = root_ / "shard2.h5ad";
    expectError([&] { pipeline::mergeShards(root_ / "m1.h5ad", {s0, s1}); }, "shard 2/3 is missing");
    expectError([&] { pipeline::mergeShards(root_ / "m2.h5ad", {s0, s1, s1}); }, "is given twice");
    expectError([&] { pipeline::mergeShards(root_ / "m3.h5ad", {root_ / "single.h5ad"}); }, "not a shard store");
    // A shard of another split, then of another embedder.
    pipeline::runEmbedding(options("two0", 0, 2));
    expectError([&] { pipeline::mergeShards(root_ / "m4.h5ad", {s0, s1, root_ / "two0.h5ad"}); }, "is one of 3");
    auto rd = options("rd2", 2, 3, "random-d");
    pipeline::runEmbedding(rd);
    expectError([&] { pipeline::mergeShards(root_ / "m5.h5ad", {s0, s1, rd.out}); }, "was embedded with 'random-d'");
    QVERIFY(!fs::exists(root_ / "m5.h5ad"));
    Q_UNUSED(s2);
  }

  void aCancelledShardResumes() {
    tasks::CancelToken token;
    const tasks::TaskContext context(
        [&](const tasks::ProgressUpdate& u) {
          if (u.message.rfind("stored", 0) == 0) token.cancel();  // after the shard's first plate
        },
        &token);
    const auto o = options("resumable0", 0, 3);
    QVERIFY_THROWS_EXCEPTION(tasks::Cancelled, pipeline::runEmbedding(o, context));
    QVERIFY(!fs::exists(o.out));
    const auto r = pipeline::runEmbedding(o);
    QCOMPARE(r.already_stored + r.embedded, std::size_t(384));
    QVERIFY2(r.already_stored >= 192,
             (std::to_string(r.already_stored) + " stored, " + std::to_string(r.embedded) + " embedded").c_str());
    QVERIFY(store::EmbeddingStore::open(o.out).readAll() ==
            store::EmbeddingStore::open(root_ / "shard0.h5ad").readAll());
    // Resuming a journal as another shard is refused (the shard is part of its identity).
    const auto again = options("resumable-x", 0, 3);
    QVERIFY_THROWS_EXCEPTION(tasks::Cancelled, pipeline::runEmbedding(again, context));
    auto wrong = again;
    wrong.shard_index = 1;
    expectError([&] { pipeline::runEmbedding(wrong); }, "shard=");
  }
};

QTEST_GUILESS_MAIN(TestShards)
#include "test_shards.moc"
