// The assembled networks: the same outputs as ada's networks for the same weights, shapes per
// resolution, parameter counts against the ada reference table (shared/reference/stylegan2.md),
// the embedding's independence of the batch, R1's double backward against finite differences,
// w_avg tracking and truncation, noise modes, formulations, cloning (the trainer's EMA copy).
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/model/discriminator.h"
#include "core/model/training_config.h"
#include "core/model/gan_losses.h"
#include "core/model/generator.h"
#include "core/model/network_summary.h"
#include "core/model/torch_runtime.h"
#include "tests/support/ada_reference.h"

using namespace gandl::model;
using gandl::test::loadByName;

namespace {

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

NetworkConfig makeConfig(int resolution, int channelBase, int channelMax = 512) {
  NetworkConfig config;
  config.resolution = resolution;
  config.channel_base = channelBase;
  config.channel_max = channelMax;
  return config;
}

// Copies every parameter and buffer of `from` into `to` (same architecture).
void copyState(torch::nn::Module& to, const torch::nn::Module& from) {
  torch::NoGradGuard noGrad;
  auto target = to.named_parameters();
  for (const auto& item : from.named_parameters()) target[item.key()].copy_(item.value());
  auto targetBuffers = to.named_buffers();
  for (const auto& item : from.named_buffers()) targetBuffers[item.key()].copy_(item.value());
}

}  // namespace

class TestModelNetworks : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    configureThreads(2);
    torch::manual_seed(7);
  }

  // Every real-valued training setting must be finite (an inf learning rate would be stored as
  // null and break every later command), named in the error.
  void trainingConfigRefusesNonFiniteSettings() {
    TrainingConfig fine;
    fine.validate();
    const auto refused = [](TrainingConfig c, const char* field) {
      try {
        c.validate();
      } catch (const std::invalid_argument& e) {
        return std::string(e.what()).find(field) != std::string::npos;
      }
      return false;
    };
    auto c = fine;
    c.g_lr = std::numeric_limits<double>::infinity();
    QVERIFY(refused(c, "g_lr"));
    c = fine;
    c.r1_gamma = std::nan("");
    QVERIFY(refused(c, "r1_gamma"));
    c = fine;
    c.ema_kimg = -std::numeric_limits<double>::infinity();
    QVERIFY(refused(c, "ema_kimg"));
    c = fine;
    c.pl_decay = 2;
    QVERIFY(refused(c, "pl_decay"));
    c = fine;
    c.adam_eps = 0;
    QVERIFY(refused(c, "adam_eps"));
    c = fine;
    c.precision = "fp16";
    QVERIFY(refused(c, "precision"));
    // config.json integers are read whole or refused by name, never cut to 32 bits or rounded.
    const auto parsedRefused = [&](const char* key, const nlohmann::json& value) {
      auto json = fine.toJson();
      if (json.contains(key))
        json[key] = value;
      else
        json["network"][key] = value;
      try {
        TrainingConfig::fromJson(json);
      } catch (const std::invalid_argument& e) {
        return std::string(e.what()).find(key) != std::string::npos;
      }
      return false;
    };
    QVERIFY(parsedRefused("batch", 4294967296LL + 32));
    QVERIFY(parsedRefused("checkpoint_every", 2.5));
    QVERIFY(parsedRefused("seed", -1));
    QVERIFY(parsedRefused("resolution", 4294967296LL + 64));
    auto json = fine.toJson();
    json["steps"] = 4294967296LL + 32;
    QCOMPARE(TrainingConfig::fromJson(json).steps, std::int64_t(4294967296LL + 32));
  }

  void configValidatesAndRoundTrips() {
    NetworkConfig config;
    config.validate();
    QCOMPARE(config.embeddingDim(), 512);
    QCOMPARE(config.channelsAt(64), 32);
    QCOMPARE(NetworkConfig::fromJson(config.toJson()), config);
    // ada's num_ws: one per modulated conv plus the last ToRGB.
    for (const auto& [res, numWs] :
         std::initializer_list<std::pair<int, int>>{{32, 8}, {64, 10}, {128, 12}, {256, 14}, {512, 16}})
      QCOMPARE(makeConfig(res, 32768).numWs(), numWs);

    auto message = [](nlohmann::json json) -> std::string {
      try {
        NetworkConfig::fromJson(json);
      } catch (const std::invalid_argument& error) {
        return error.what();
      }
      return "";
    };
    const auto bad = message({{"resolution", 48}});
    QVERIFY2(bad.find("resolution") != std::string::npos && bad.find("48") != std::string::npos, bad.c_str());
    QVERIFY(message({{"resolution", 1024}}).find("resolution") != std::string::npos);
    QVERIFY(message({{"channel_base", 16}}).find("channel_base") != std::string::npos);
    QVERIFY(message({{"resolutoin", 64}}).find("resolutoin") != std::string::npos);
    QVERIFY(message({{"z_dim", "512"}}).find("z_dim") != std::string::npos);
    QVERIFY(message({{"w_avg_beta", 1.0}}).find("w_avg_beta") != std::string::npos);
    QVERIFY(message({{"mbstd_channels", 3}}).find("mbstd_channels") != std::string::npos);
    QCOMPARE(NetworkConfig::fromJson({{"resolution", 128}}).resolution, 128);
  }

  void matchesAdaReferenceOutputs() {
    // Same weights in, same images, logits and embeddings out as NVlabs' implementation.
    const auto reference = gandl::test::loadAdaReference("ada_reference_32").tensors;
    QVERIFY2(!reference.empty(), "tests/model/data/ada_reference_32.{json,bin} missing or short");
    NetworkConfig config = makeConfig(32, 128, 32);
    config.z_dim = config.w_dim = 32;
    for (const auto mode : {ModulationMode::ScaledActivations, ModulationMode::Grouped}) {
      Generator generator(config, mode);
      Discriminator discriminator(config);
      QCOMPARE(loadByName(*generator, reference, "G."), 0);
      QCOMPARE(loadByName(*discriminator, reference, "D."), 0);
      generator->eval();
      discriminator->eval();
      torch::NoGradGuard noGrad;
      MappingCall truncated;
      truncated.truncation_psi = 0.7;
      const auto ws = generator->mapping->forward(reference.at("io.z"), truncated);
      QVERIFY(maxAbsDiff(ws, reference.at("io.ws_psi07")) < 1e-5);
      const auto& referenceWs = reference.at("io.ws_psi07");
      QVERIFY(maxAbsDiff(generator->synthesis->forward(referenceWs, NoiseMode::Const),
                         reference.at("io.images_const_noise")) < 1e-4);
      QVERIFY(maxAbsDiff(generator->synthesis->forward(referenceWs, NoiseMode::None),
                         reference.at("io.images_no_noise")) < 1e-4);
      const auto& images = reference.at("io.d_images");
      QVERIFY(maxAbsDiff(discriminator->forward(images), reference.at("io.d_logits")) < 1e-5);
      QVERIFY(maxAbsDiff(discriminator->features(images), reference.at("io.d_features")) < 1e-5);
    }
  }

  void initialisesLikeAdaForTheSameSeed() {
    // make_ada_reference.py seeds 2022 and builds G, then D; the same seed and order here draw
    // the same random numbers into the same tensors (it later overwrote biases, noise strengths
    // and w_avg, which start as constants anyway).
    const auto reference = gandl::test::loadAdaReference("ada_reference_32").tensors;
    QVERIFY(!reference.empty());
    NetworkConfig config = makeConfig(32, 128, 32);
    config.z_dim = config.w_dim = 32;
    torch::manual_seed(2022);
    Generator generator(config);
    Discriminator discriminator(config);
    int compared = 0;
    const auto check = [&](torch::nn::Module& module, const std::string& prefix) {
      for (const auto& item : module.named_parameters()) {
        const auto& name = item.key();
        if (name.find("bias") != std::string::npos || name.find("noise_strength") != std::string::npos) continue;
        QVERIFY2(item.value().equal(reference.at(prefix + name)), name.c_str());
        ++compared;
      }
      for (const auto& item : module.named_buffers())
        if (item.key().find("noise_const") != std::string::npos) {
          QVERIFY2(item.value().equal(reference.at(prefix + item.key())), item.key().c_str());
          ++compared;
        }
    };
    check(*generator, "G.");
    check(*discriminator, "D.");
    QCOMPARE(compared, 46);
  }

  void outputShapesPerResolution() {
    torch::NoGradGuard noGrad;
    for (const int res : {32, 64, 128}) {
      const auto config = makeConfig(res, 2048);
      Generator generator(config);
      Discriminator discriminator(config);
      const auto z = torch::randn({4, 512});
      const auto ws = generator->mapping->forward(z);
      QCOMPARE(ws.sizes(), torch::IntArrayRef({4, config.numWs(), 512}));
      const auto images = generator->synthesis->forward(ws);
      QCOMPARE(images.sizes(), torch::IntArrayRef({4, 5, res, res}));
      QVERIFY(torch::isfinite(images).all().item<bool>());
      QCOMPARE(discriminator->forward(images).sizes(), torch::IntArrayRef({4, 1}));
      QCOMPARE(discriminator->features(images).sizes(), torch::IntArrayRef({4, 512}));
      QCOMPARE(discriminator->embed(images.narrow(0, 0, 3)).sizes(), torch::IntArrayRef({3, 512}));
      QCOMPARE(discriminator->trunk(images).sizes(), torch::IntArrayRef({4, 512, 4, 4}));
    }
  }

  void parameterCountsMatchReference() {
    struct Row {
      int res, base;
      int64_t synthesis, generator, discriminator;
    };
    for (const auto& row :
         {Row{64, 2048, 6234306, 7022274, 9085537}, Row{128, 4096, 11744457, 12532425, 14067297},
          Row{64, 16384, 21722914, 22510882, 23407873}, Row{256, 32768, 27938992, 28726960, 28864385}}) {
      const auto counts = countParameters(makeConfig(row.res, row.base));
      QCOMPARE(counts.mapping, int64_t(787968));
      QCOMPARE(counts.synthesis, row.synthesis);
      QCOMPARE(counts.generator, row.generator);
      QCOMPARE(counts.discriminator, row.discriminator);
    }
    const auto summary = describeNetworks(makeConfig(64, 2048));
    QCOMPARE(summary["parameters"]["discriminator"].get<int64_t>(), int64_t(9085537));
    QCOMPARE(summary["embedding_dim"].get<int>(), 512);
    QCOMPARE(summary["num_ws"].get<int>(), 10);
    QCOMPARE(summary["channels"]["64"].get<int>(), 32);
    QCOMPARE(summary["config"]["channel_base"].get<int>(), 2048);
  }

  // Input standardisation: D with (mean, scale) on x is D without them on (x - mean) / scale, for
  // every readout; G's image is the unstandardised one mapped back; R1 with the channel scale is
  // the penalty in the standardised space; the config round-trips it and refuses bad values.
  void inputStandardisationIsPartOfBothNetworks() {
    const std::vector<double> mean{-0.87, -0.81, -0.83, -0.84, -0.91}, scale{0.125, 0.14, 0.11, 0.08, 0.085};
    auto plain = makeConfig(32, 256, 64);
    auto standardised = plain;
    standardised.input_mean = mean;
    standardised.input_scale = scale;
    QVERIFY(standardised.normalizesInput() && !plain.normalizesInput());
    QCOMPARE(NetworkConfig::fromJson(standardised.toJson()), standardised);
    QVERIFY(!plain.toJson().contains("input_mean"));  // a model without it reads as before
    QVERIFY(NetworkConfig::fromJson(plain.toJson()) != standardised);
    auto message = [&](std::vector<double> m, std::vector<double> s) -> std::string {
      auto json = standardised.toJson();
      json["input_mean"] = m;
      json["input_scale"] = s;
      try {
        NetworkConfig::fromJson(json);
      } catch (const std::invalid_argument& error) {
        return error.what();
      }
      return "";
    };
    QVERIFY(message(mean, scale).empty());
    QVERIFY(message({0, 0}, {1, 1}).find("input_mean") != std::string::npos);
    QVERIFY(message(mean, {1, 1, 0, 1, 1}).find("input_scale") != std::string::npos);
    QVERIFY(message(mean, {1, 1, -1, 1, 1}).find("[2]") != std::string::npos);

    torch::manual_seed(3);
    Discriminator withIt(standardised), without(plain);
    copyState(*without, *withIt);
    const auto m = torch::tensor(mean, torch::kDouble).to(torch::kFloat).view({1, 5, 1, 1});
    const auto s = torch::tensor(scale, torch::kDouble).to(torch::kFloat).view({1, 5, 1, 1});
    const auto images = m + s * torch::randn({4, 5, 32, 32});
    const auto inside = (images - m) / s;
    {
      torch::NoGradGuard noGrad;
      QVERIFY(maxAbsDiff(withIt->forward(images), without->forward(inside)) < 1e-5);
      QVERIFY(maxAbsDiff(withIt->embed(images), without->embed(inside)) < 1e-5);
      QVERIFY(maxAbsDiff(withIt->multiscale(images), without->multiscale(inside)) < 1e-5);
      // Without the standardisation the same weights answer differently: the check can fail.
      QVERIFY(maxAbsDiff(without->embed(images), without->embed(inside)) > 1e-3);
    }
    torch::manual_seed(4);
    Generator generatorWith(standardised);
    Generator generatorWithout(plain);
    copyState(*generatorWithout, *generatorWith);
    const auto z = torch::randn({2, plain.z_dim});
    const auto raw = generatorWithout->sample(z, 1.0, NoiseMode::Const);
    QVERIFY(maxAbsDiff(generatorWith->sample(z, 1.0, NoiseMode::Const), raw * s + m) < 1e-5);

    // R1 with the channel scale = R1 of the plain D with respect to the standardised images.
    const auto realIn = images.clone().requires_grad_(true);
    const auto scaled = r1Penalty(withIt->forward(realIn), realIn, 2.0, torch::tensor(scale, torch::kDouble));
    const auto insideIn = inside.detach().clone().requires_grad_(true);
    const auto reference = r1Penalty(without->forward(insideIn), insideIn, 2.0);
    QVERIFY(reference.item<double>() > 0);
    QVERIFY(std::abs(scaled.item<double>() - reference.item<double>()) < 1e-4 * reference.item<double>());
    const auto unscaled = r1Penalty(withIt->forward(realIn), realIn, 2.0);
    QVERIFY(unscaled.item<double>() > 10 * reference.item<double>());
  }

  // NT-Xent against its closed form: with every row orthogonal to all but its partner (an equal
  // copy), each row's loss is log(1 + (2N - 2) exp(-1 / T)); swapped partners cost more.
  void contrastiveLossHasItsClosedForm() {
    const auto a = torch::eye(6).narrow(0, 0, 3) * 2.5;  // 3 orthogonal rows, not unit length
    const double t = 0.5;
    const double expected = std::log(1 + 4 * std::exp(-1 / t));
    QVERIFY(std::abs(contrastiveLoss(a, a.clone(), t).item<double>() - expected) < 1e-6);
    const auto swapped = a.index_select(0, torch::tensor({1, 0, 2}, torch::kLong));
    QVERIFY(contrastiveLoss(a, swapped, t).item<double>() > expected + 1.0);
    auto x = torch::randn({8, 16}, torch::kDouble).requires_grad_(true);
    const auto y = x.detach() + 0.1 * torch::randn({8, 16}, torch::kDouble);
    const auto loss = contrastiveLoss(x, y, 0.1);
    QVERIFY(std::isfinite(loss.item<double>()));
    const auto gradient = torch::autograd::grad({loss}, {x})[0];
    QVERIFY(gradient.abs().max().item<double>() > 0);
  }

  void embeddingIsIndependentOfTheBatch() {
    torch::NoGradGuard noGrad;
    Discriminator discriminator(makeConfig(32, 2048));
    discriminator->eval();
    const auto images = torch::randn({8, 5, 32, 32});
    const auto alone = torch::cat([&] {
      std::vector<torch::Tensor> rows;
      for (int64_t i = 0; i < 8; ++i) rows.push_back(discriminator->embed(images.narrow(0, i, 1)));
      return rows;
    }());
    const auto inFours =
        torch::cat({discriminator->embed(images.narrow(0, 0, 4)), discriminator->embed(images.narrow(0, 4, 4))});
    const auto order = torch::tensor({5, 2, 7, 0, 3, 6, 1, 4}, torch::kLong);
    const auto shuffled = discriminator->embed(images.index_select(0, order));
    const auto unshuffled = torch::empty_like(shuffled).index_copy_(0, order, shuffled);
    // Another four, in reverse, around image 0.
    const auto mixed = discriminator->embed(
        torch::cat({images.narrow(0, 6, 1), images.narrow(0, 0, 1), torch::randn({2, 5, 32, 32})}));
    QVERIFY(alone.abs().max().item<double>() > 1e-3);
    QVERIFY(maxAbsDiff(alone, inFours) < 1e-5);
    QVERIFY(maxAbsDiff(alone, unshuffled) < 1e-5);
    QVERIFY(maxAbsDiff(alone[0], mixed[1]) < 1e-5);
    QVERIFY(maxAbsDiff(alone[6], mixed[0]) < 1e-5);
    // The training-time features do mix images: the test above could fail.
    const auto mixing = discriminator->features(images.narrow(0, 0, 4));
    const auto otherCompany =
        discriminator->features(torch::cat({images.narrow(0, 0, 1), 10.0 * torch::randn({3, 5, 32, 32})}));
    QVERIFY(maxAbsDiff(mixing[0], otherCompany[0]) > 1e-4);
  }

  void r1DoubleBackwardMatchesFiniteDifferences() {
    Discriminator discriminator(makeConfig(32, 256, 64));
    discriminator->to(torch::kFloat64);
    const auto penalty = [&](const torch::Tensor& images, bool createGraph) {
      const auto logits = discriminator->forward(images);
      const auto gradient = torch::autograd::grad({logits.sum()}, {images}, {},
                                                  /*retain_graph=*/true, /*create_graph=*/createGraph)[0];
      return gradient.square().sum();
    };
    auto images = torch::randn({2, 5, 32, 32}, torch::kFloat64).requires_grad_(true);
    const auto r1 = penalty(images, true);
    const auto analytic = torch::autograd::grad({r1}, {images})[0];
    QVERIFY(analytic.abs().max().item<double>() > 0.0);
    const double step = 1e-6;
    for (const int64_t flat : {0L, 517L, 2048L + 33L, 5L * 32 * 32 + 700L, 10239L}) {
      auto plus = images.detach().clone();
      auto minus = images.detach().clone();
      plus.view({-1})[flat] += step;
      minus.view({-1})[flat] -= step;
      const double numeric = (penalty(plus.requires_grad_(true), false).item<double>() -
                              penalty(minus.requires_grad_(true), false).item<double>()) /
                             (2 * step);
      const double exact = analytic.view({-1})[flat].item<double>();
      QVERIFY2(std::abs(numeric - exact) <= 1e-6 * std::max(1.0, std::abs(exact)),
               (std::to_string(numeric) + " vs " + std::to_string(exact)).c_str());
    }
  }

  void mappingTracksWAvgAndTruncates() {
    const auto config = makeConfig(32, 256, 64);
    Generator generator(config);
    auto& mapping = *generator->mapping;
    const auto z = torch::randn({16, 512});
    mapping.eval();
    mapping.forward(z);
    QCOMPARE(mapping.w_avg.abs().sum().item<double>(), 0.0);  // eval mode does not track
    mapping.train();
    const auto ws = mapping.forward(z);
    const auto mean = ws.select(1, 0).mean(0).detach();
    QVERIFY(maxAbsDiff(mapping.w_avg, mean * (1 - 0.995)) < 1e-6);
    QVERIFY(maxAbsDiff(ws, ws.select(1, 0).unsqueeze(1).expand_as(ws)) == 0.0);  // broadcast
    MappingCall noUpdate;
    noUpdate.update_w_avg = false;
    const auto before = mapping.w_avg.clone();
    mapping.forward(z, noUpdate);
    QVERIFY(maxAbsDiff(mapping.w_avg, before) == 0.0);

    mapping.eval();
    MappingCall collapse;
    collapse.truncation_psi = 0.0;
    const auto centre = mapping.forward(z, collapse);
    QVERIFY(maxAbsDiff(centre, mapping.w_avg.expand_as(centre)) < 1e-6);
    MappingCall half;
    half.truncation_psi = 0.5;
    half.truncation_cutoff = 3;
    const auto plain = mapping.forward(z).detach();
    const auto truncated = mapping.forward(z, half).detach();
    QVERIFY(maxAbsDiff(truncated.narrow(1, 0, 3), mapping.w_avg + 0.5 * (plain.narrow(1, 0, 3) - mapping.w_avg)) <
            1e-5);
    QVERIFY(maxAbsDiff(truncated.narrow(1, 3, config.numWs() - 3), plain.narrow(1, 3, config.numWs() - 3)) == 0.0);
  }

  void noiseModesAndFormulations() {
    torch::NoGradGuard noGrad;
    const auto config = makeConfig(32, 256, 64);
    Generator scaled(config);
    Generator grouped(config, ModulationMode::Grouped);
    for (auto& item : scaled->named_parameters())
      if (item.key().find("noise_strength") != std::string::npos) item.value().fill_(0.3);
    copyState(*grouped, *scaled);
    const auto ws = scaled->mapping->forward(torch::randn({3, 512}));
    const auto constA = scaled->synthesis->forward(ws, NoiseMode::Const);
    const auto constB = scaled->synthesis->forward(ws, NoiseMode::Const);
    const auto none = scaled->synthesis->forward(ws, NoiseMode::None);
    const auto randomA = scaled->synthesis->forward(ws, NoiseMode::Random);
    const auto randomB = scaled->synthesis->forward(ws, NoiseMode::Random);
    QVERIFY(maxAbsDiff(constA, constB) == 0.0);
    QVERIFY(maxAbsDiff(constA, none) > 1e-3);
    QVERIFY(maxAbsDiff(randomA, randomB) > 1e-3);
    QVERIFY(maxAbsDiff(grouped->synthesis->forward(ws, NoiseMode::Const), constA) < 1e-4);

    const auto z = torch::randn({2, 512});
    const auto sample = scaled->sample(z, 0.7);
    QCOMPARE(sample.sizes(), torch::IntArrayRef({2, 5, 32, 32}));
    QVERIFY(!sample.requires_grad());
    QVERIFY(maxAbsDiff(sample, scaled->sample(z, 0.7)) == 0.0);
  }

  void cloneIsADeepCopy() {
    torch::NoGradGuard noGrad;
    const auto config = makeConfig(32, 256, 64);
    Generator generator(config);
    auto copy = std::dynamic_pointer_cast<GeneratorImpl>(generator->clone());
    QVERIFY(copy);
    const auto z = torch::randn({2, 512});
    QVERIFY(maxAbsDiff(copy->sample(z), generator->sample(z)) == 0.0);
    copy->synthesis->blocks.back()->torgb->bias.add_(1.0);
    QVERIFY(maxAbsDiff(copy->sample(z), generator->sample(z)) > 0.5);
    Discriminator discriminator(config);
    auto dCopy = std::dynamic_pointer_cast<DiscriminatorImpl>(discriminator->clone());
    const auto images = torch::randn({4, 5, 32, 32});
    QVERIFY(maxAbsDiff(dCopy->forward(images), discriminator->forward(images)) == 0.0);
  }
};

QTEST_APPLESS_MAIN(TestModelNetworks)
#include "test_model_networks.moc"
