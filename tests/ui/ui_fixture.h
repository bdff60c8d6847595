#pragma once
// A tiny screen, model and store for the GUI tests: the demo synthetic screen (768 sites, 64 px),
// a 32 px network trained for 3 steps, and its embedding. About ten seconds on 2 cores.

#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>

#include "core/data/synthetic_screen.h"
#include "core/model/torch_runtime.h"
#include "core/pipeline/embed_task.h"
#include "core/pipeline/train_task.h"
#include "tests/support/tiny_network.h"

namespace gandl::test {

struct UiFixture {
  QTemporaryDir dir;
  std::filesystem::path screen, run, store;

  pipeline::EmbedTaskOptions embedOptions(const std::filesystem::path& out) const {
    pipeline::EmbedTaskOptions o;
    o.data = screen;
    o.checkpoint = run.string();
    o.out = out;
    o.batch = 16;
    o.device = "cpu";
    return o;
  }

  // Screen and run only (tests that embed themselves); then the store unless `embed` is false.
  void build(bool embed = true) {
    model::configureThreads(2);
    const std::filesystem::path root = dir.path().toStdString();
    screen = root / "screen";
    run = root / "run";
    store = root / "screen.h5ad";
    data::writeSyntheticScreen(screen, data::SynthPreset::Demo, 5);
    pipeline::TrainTaskOptions train;
    train.data = screen;
    train.run = run;
    train.device = "cpu";
    auto& c = train.config = tinyTrainingConfig(8, 3);
    c.sample_every = 3;
    c.sample_count = 4;
    pipeline::runTraining(train);
    if (embed) pipeline::runEmbedding(embedOptions(store));
  }
};

}  // namespace gandl::test
