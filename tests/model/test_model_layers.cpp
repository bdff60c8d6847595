// The building blocks of GAN-DL's StyleGAN2 against independent formulations: equalized-LR
// scaling, modulated convolution (grouped vs scaled activations vs a per-sample loop), weight
// demodulation's unit variance, FIR resampling against explicit loops, the fast upsampling
// convolution against the reference's transposed convolution, and minibatch stddev by hand.
#include <QtTest>

#include <cmath>

#include <torch/torch.h>

#include "core/model/augment.h"
#include "core/model/discriminator.h"
#include "core/model/equalized_layers.h"
#include "core/model/fir_resample.h"
#include "core/model/minibatch_stddev.h"
#include "core/model/modulated_conv.h"
#include "core/model/torch_runtime.h"

using namespace gandl::model;

namespace {

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

// upfirdn2d by its definition (scipy.signal.upfirdn in 2-D), with loops over plain vectors:
// zero insertion, padding (negative = crop), true convolution with f, every down-th sample.
torch::Tensor upfirdnByLoops(const torch::Tensor& x, const torch::Tensor& f, int64_t up, int64_t down,
                             int64_t padBefore, int64_t padAfter, double gain) {
  const auto xa = x.to(torch::kFloat64).contiguous();
  const auto fa = f.to(torch::kFloat64).contiguous();
  const int64_t n = xa.size(0), c = xa.size(1), h = xa.size(2), w = xa.size(3);
  const int64_t k = fa.size(0);
  const int64_t uh = h * up + padBefore + padAfter, uw = w * up + padBefore + padAfter;
  const int64_t oh = (uh - k) / down + 1, ow = (uw - k) / down + 1;
  auto out = torch::zeros({n, c, oh, ow}, torch::kFloat64);
  auto X = xa.accessor<double, 4>();
  auto F = fa.accessor<double, 2>();
  auto O = out.accessor<double, 4>();
  // Sample (row, col) of the padded, zero-stuffed signal.
  auto stuffed = [&](int64_t b, int64_t ch, int64_t row, int64_t col) {
    const int64_t r = row - padBefore, q = col - padBefore;
    if (r < 0 || q < 0 || r % up != 0 || q % up != 0) return 0.0;
    if (r / up >= h || q / up >= w) return 0.0;
    return X[b][ch][r / up][q / up];
  };
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double sum = 0;
          // Convolution: output m sees input m + k-1 - t through tap t.
          for (int64_t a = 0; a < k; ++a)
            for (int64_t bb = 0; bb < k; ++bb)
              sum += F[a][bb] * stuffed(b, ch, i * down + k - 1 - a, j * down + k - 1 - bb);
          O[b][ch][i][j] = sum * gain;
        }
  return out;
}

// ada's conv2d_resample for up = 2 with a k x k kernel, as the reference runs it: a stride-2
// transposed convolution followed by FIR filtering (torch_utils/ops/conv2d_resample.py).
torch::Tensor convUpByTransposedConv(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& f,
                                     int64_t padding, int64_t groups, bool flipWeight) {
  const int64_t out = w.size(0), inPerGroup = w.size(1), k = w.size(2), up = 2, fw = f.size(0);
  auto wt = flipWeight ? w.flip({2, 3}) : w;
  wt = wt.reshape({groups, out / groups, inPerGroup, k, k})
           .transpose(1, 2)
           .reshape({groups * inPerGroup, out / groups, k, k});
  const int64_t p0 = padding + (fw + up - 1) / 2 - (k - 1);
  const int64_t p1 = padding + (fw - up) / 2 - (k - up);
  auto y = torch::conv_transpose2d(x, wt, {}, {up, up}, {0, 0}, {0, 0}, groups);
  return upfirdn2d(y, f, 1, 1, {p0, p1}, 4.0);
}

}  // namespace

class TestModelLayers : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    configureThreads(2);
    torch::manual_seed(1);
  }

  void equalizedLinearScalesAtRunTime() {
    EqualizedLinear fc(EqualizedLinearOptions(4, 3).lr_multiplier(0.01).bias_init(0.5));
    // Stored weights are unit Gaussians divided by the multiplier.
    EqualizedLinear big(EqualizedLinearOptions(256, 256).lr_multiplier(0.01));
    QVERIFY(std::abs(big->weight.std().item<double>() - 100.0) < 2.0);
    QCOMPARE(fc->weightGain(), 0.01 / 2.0);
    const auto x = torch::randn({5, 4});
    const auto expected = torch::mm(x, fc->weight.t()) * (0.01 / 2.0) + 0.5 * 0.01;
    QVERIFY(maxAbsDiff(fc->forward(x), expected) < 1e-6);

    EqualizedLinear act(EqualizedLinearOptions(4, 3).activation(Activation::LeakyRelu));
    const auto pre = torch::mm(x, act->weight.t()) * 0.5;
    const auto lrelu = torch::where(pre > 0, pre, 0.2 * pre) * std::sqrt(2.0);
    QVERIFY(maxAbsDiff(act->forward(x), lrelu) < 1e-6);
  }

  void equalizedConvScalesByFanIn() {
    EqualizedConv2d conv(EqualizedConv2dOptions(6, 4, 3));
    QCOMPARE(conv->weightGain(), 1.0 / std::sqrt(6.0 * 9.0));
    const auto x = torch::randn({2, 6, 8, 8});
    const auto expected = torch::conv2d(x, conv->weight / std::sqrt(54.0), conv->bias, 1, 1);
    QVERIFY(maxAbsDiff(conv->forward(x), expected) < 1e-5);
    // The activation output gain multiplies with the caller's gain (the resnet's sqrt(0.5)).
    EqualizedConv2d act(EqualizedConv2dOptions(6, 4, 1).activation(Activation::LeakyRelu));
    const auto y = act->forward(x, 0.5);
    const auto pre = torch::conv2d(x, act->weight / std::sqrt(6.0));
    QVERIFY(maxAbsDiff(y, torch::leaky_relu(pre, 0.2) * std::sqrt(2.0) * 0.5) < 1e-5);
    // Downsampling with a bias: the bias is added before the activation, then both gains.
    EqualizedConv2d down(EqualizedConv2dOptions(6, 4, 3).activation(Activation::LeakyRelu).down(2));
    torch::NoGradGuard noGrad;
    down->bias.uniform_(-1, 1);
    const auto filtered =
        conv2dResample(x, down->weight / std::sqrt(54.0), makeFirFilter(), 1, 2, 1) + down->bias.view({1, -1, 1, 1});
    QCOMPARE(down->forward(x, 0.5).sizes(), torch::IntArrayRef({2, 4, 4, 4}));
    QVERIFY(maxAbsDiff(down->forward(x, 0.5), torch::leaky_relu(filtered, 0.2) * std::sqrt(2.0) * 0.5) < 1e-5);
  }

  void modulatedConvFormulationsAgree() {
    const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    const auto x = torch::randn({3, 4, 6, 6}, opts);
    const auto weight = torch::randn({5, 4, 3, 3}, opts);
    const auto styles = torch::randn({3, 4}, opts) + 1.0;
    const auto noise = torch::randn({3, 1, 6, 6}, opts);
    const auto filter = makeFirFilter();
    for (const bool demodulate : {true, false}) {
      for (const int64_t up : {1, 2}) {
        auto options = ModulatedConvOptions().up(up).padding(1).demodulate(demodulate).flip_weight(up == 1);
        const auto noiseHere = up == 1 ? noise : torch::Tensor();
        const auto scaled = modulatedConv2d(x, weight, styles, options, noiseHere, filter);
        const auto grouped = modulatedConv2d(
            x, weight, styles, ModulatedConvOptions(options).mode(ModulationMode::Grouped), noiseHere, filter);
        QVERIFY2(maxAbsDiff(scaled, grouped) < 1e-10, demodulate ? "demodulated" : "plain");
        // Independent per-sample reference: modulate and demodulate the weight by hand.
        for (int64_t n = 0; n < 3; ++n) {
          auto w = weight * styles[n].view({1, 4, 1, 1});
          if (demodulate) w = w / (w.square().sum({1, 2, 3}, true) + 1e-8).sqrt();
          auto y = conv2dResample(x.narrow(0, n, 1), w, filter, up, 1, 1, 1, up == 1);
          if (noiseHere.defined()) y = y + noiseHere.narrow(0, n, 1);
          QVERIFY(maxAbsDiff(scaled.narrow(0, n, 1), y) < 1e-10);
        }
      }
    }
  }

  void demodulatedOutputHasUnitVariance() {
    // Unit-variance input and weights, arbitrary styles: demodulation makes every output
    // channel a unit-norm combination of independent unit-variance inputs.
    const auto x = torch::randn({8, 64, 16, 16});
    const auto weight = torch::randn({32, 64, 3, 3});
    const auto styles = torch::rand({8, 64}) * 3.0 + 0.1;
    const auto y = modulatedConv2d(x, weight, styles, ModulatedConvOptions().padding(1));
    const auto interior = y.slice(2, 1, 15).slice(3, 1, 15);
    const double variance = interior.var().item<double>();
    QVERIFY2(std::abs(variance - 1.0) < 0.05, std::to_string(variance).c_str());
    // Without demodulation the scale follows the styles instead.
    const auto raw = modulatedConv2d(x, weight, styles, ModulatedConvOptions().padding(1).demodulate(false));
    QVERIFY(raw.var().item<double>() > 10.0);
  }

  void firFilterIsNormalisedOuterProduct() {
    const auto f = makeFirFilter();
    QCOMPARE(f.sizes(), torch::IntArrayRef({4, 4}));
    QVERIFY(std::abs(f.sum().item<double>() - 1.0) < 1e-7);
    QVERIFY(std::abs(f[1][2].item<double>() - 9.0 / 64.0) < 1e-7);
  }

  void upfirdnMatchesExplicitLoops() {
    const auto x = torch::randn({2, 3, 5, 5}, torch::kFloat64);
    // An asymmetric filter, so a flipped or transposed filter would show.
    const auto f = torch::randn({4, 4}, torch::kFloat64);
    struct Case {
      int64_t up, down, before, after;
      double gain;
    };
    for (const auto& c : {Case{2, 1, 2, 1, 4.0}, Case{2, 1, 3, 2, 4.0}, Case{1, 2, 1, 1, 1.0}, Case{1, 2, 2, 2, 1.0},
                          Case{1, 1, -1, 2, 1.0}, Case{2, 2, 1, 0, 2.0}}) {
      const auto fast = upfirdn2d(x, f, c.up, c.down, {c.before, c.after}, c.gain);
      const auto slow = upfirdnByLoops(x, f, c.up, c.down, c.before, c.after, c.gain);
      QCOMPARE(fast.sizes(), slow.sizes());
      QVERIFY(maxAbsDiff(fast, slow) < 1e-12);
    }
  }

  void resamplingKeepsShapeAndLevel() {
    const auto f = makeFirFilter();
    const auto ones = torch::ones({1, 2, 8, 8});
    const auto up = upsample2d(ones, f);
    QCOMPARE(up.sizes(), torch::IntArrayRef({1, 2, 16, 16}));
    QVERIFY(maxAbsDiff(up.slice(2, 2, 14).slice(3, 2, 14), torch::ones({1, 2, 12, 12})) < 1e-6);
    const auto down = downsample2d(ones, f);
    QCOMPARE(down.sizes(), torch::IntArrayRef({1, 2, 4, 4}));
    QVERIFY(maxAbsDiff(down.slice(2, 1, 3).slice(3, 1, 3), torch::ones({1, 2, 2, 2})) < 1e-6);
  }

  void fastConvUpEqualsTransposedConv() {
    const auto f = makeFirFilter().to(torch::kFloat64);
    for (const int64_t groups : {1, 3}) {
      for (const bool flip : {false, true}) {
        for (const int64_t k : {3, 4}) {
          const auto x = torch::randn({2, 4 * groups, 7, 7}, torch::kFloat64);
          const auto w = torch::randn({6 * groups, 4, k, k}, torch::kFloat64);
          const auto fast = conv2dResample(x, w, f, 2, 1, k / 2, groups, flip);
          const auto reference = convUpByTransposedConv(x, w, f, k / 2, groups, flip);
          QCOMPARE(fast.sizes(), reference.sizes());
          QVERIFY(maxAbsDiff(fast, reference) < 1e-12);
        }
        // The synthesis layers' case: 3x3, padding 1, output exactly twice the input.
        const auto x = torch::randn({2, 4 * groups, 7, 7}, torch::kFloat64);
        QCOMPARE(
            conv2dResample(x, torch::randn({6 * groups, 4, 3, 3}, torch::kFloat64), f, 2, 1, 1, groups, flip).sizes(),
            torch::IntArrayRef({2, 6 * groups, 14, 14}));
      }
    }
  }

  void downsamplingConvMatchesLoops() {
    // ada's down path: FIR filter with padding 2, then a stride-2 3x3 correlation.
    const auto f = makeFirFilter().to(torch::kFloat64);
    const auto x = torch::randn({1, 2, 8, 8}, torch::kFloat64);
    const auto w = torch::randn({3, 2, 3, 3}, torch::kFloat64);
    const auto y = conv2dResample(x, w, f, 1, 2, 1);
    const auto filtered = upfirdnByLoops(x, f, 1, 1, 2, 2, 1.0);
    const auto expected = torch::conv2d(filtered, w, {}, 2);
    QCOMPARE(y.sizes(), torch::IntArrayRef({1, 3, 4, 4}));
    QVERIFY(maxAbsDiff(y, expected) < 1e-12);
    // The 1x1 skip: FIR-downsample with padding 1 first, then mix channels.
    const auto skip = torch::randn({3, 2, 1, 1}, torch::kFloat64);
    const auto shortcut = conv2dResample(x, skip, f, 1, 2, 0);
    const auto expectedShortcut = torch::conv2d(upfirdnByLoops(x, f, 1, 2, 1, 1, 1.0), skip);
    QCOMPARE(shortcut.sizes(), torch::IntArrayRef({1, 3, 4, 4}));
    QVERIFY(maxAbsDiff(shortcut, expectedShortcut) < 1e-12);
  }

  // The 8 symmetries of the square: distinct, the identity first, and averaging a network's
  // output over them makes it blind to the input's orientation (embed --tta dihedral).
  void dihedralViewsMakeTheReadoutOrientationFree() {
    const auto x = torch::randn({2, 5, 8, 8});
    QVERIFY(torch::equal(dihedral(x, 0), x));
    for (int a = 0; a < 8; ++a)
      for (int b = a + 1; b < 8; ++b) QVERIFY(!torch::equal(dihedral(x, a), dihedral(x, b)));
    QVERIFY(torch::equal(dihedral(x, 1), torch::rot90(x, 1, {2, 3})));
    QVERIFY(torch::equal(dihedral(x, 4), x.flip({3})));

    NetworkConfig config;
    config.resolution = 32;
    config.channel_base = 256;
    config.channel_max = 16;
    Discriminator d(config);
    d->eval();
    torch::NoGradGuard noGrad;
    const auto images = torch::randn({3, 5, 32, 32});
    auto averaged = [&](const torch::Tensor& input) {
      auto sum = torch::zeros({3, d->embeddingDim()});
      for (int k = 0; k < 8; ++k) sum = sum + d->embed(dihedral(input, k));
      return sum / 8;
    };
    const auto plain = averaged(images);
    for (const auto& turned : {torch::rot90(images, 1, {2, 3}), images.flip({2}), images.transpose(2, 3)}) {
      QVERIFY((averaged(turned) - plain).abs().max().item<double>() < 1e-5);
      QVERIFY((d->embed(turned) - d->embed(images)).abs().max().item<double>() > 1e-3);  // the plain readout is not
    }
  }

  // Test-time shifts: reflect-padded translations (what training augments with); the 72 copies of
  // dihedral+shifts are distinct and the first is the view itself.
  void testTimeViewsShiftAndTurn() {
    const auto x = torch::arange(2 * 3 * 8 * 8, torch::kFloat32).view({2, 3, 8, 8});
    const auto moved = shifted(x, 2, -1);
    QCOMPARE(moved.sizes(), x.sizes());
    // Output (y, x) shows input (y - 2, x + 1) where that is inside the image...
    QVERIFY(torch::equal(moved.narrow(2, 2, 6).narrow(3, 0, 7), x.narrow(2, 0, 6).narrow(3, 1, 7)));
    // ...and the reflection beyond the edge: row 0 shows input row 2, row 1 input row 1.
    QVERIFY(torch::equal(moved.select(2, 0).narrow(2, 0, 7), x.select(2, 2).narrow(2, 1, 7)));
    QVERIFY(torch::equal(moved.select(2, 1).narrow(2, 0, 7), x.select(2, 1).narrow(2, 1, 7)));
    QVERIFY(torch::equal(shifted(x, 0, 0), x));

    const auto none = parseTestTimeViews("none", 64);
    QCOMPARE(none.count(), 1);
    QCOMPARE(parseTestTimeViews("dihedral", 64).count(), 8);
    const auto shifts = parseTestTimeViews("shifts", 64);
    QCOMPARE(shifts.count(), 9);
    QCOMPARE(shifts.shift, 8);  // resolution / 8, as training
    const auto both = parseTestTimeViews("dihedral+shifts", 8);
    QCOMPARE(both.count(), 72);
    QCOMPARE(testTimeViewsName(both), std::string("dihedral+shifts"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseTestTimeViews("rotations", 64));
    QVERIFY(torch::equal(applyTestTimeView(both, x, 0), x));
    for (int a = 0; a < 72; ++a)
      for (int b = a + 1; b < 72; ++b)
        QVERIFY(!torch::equal(applyTestTimeView(both, x, a), applyTestTimeView(both, x, b)));
    QVERIFY(
        torch::equal(applyTestTimeView(both, x, 8 * 3 + 5), dihedral(shifted(x, -1, 1), 5)));  // position 3 = (-1, +1)
  }

  void minibatchStddevByHand() {
    // Four 1x1 images of two channels; group size 2 with STRIDED groups {0, 2} and {1, 3}.
    const auto x = torch::tensor({1.0, 2.0, 3.0, 5.0, 3.0, 6.0, 3.0, 5.0}).view({4, 2, 1, 1});
    const auto y = minibatchStddev(x, 2, 1);
    QCOMPARE(y.sizes(), torch::IntArrayRef({4, 3, 1, 1}));
    // Group {0, 2}: channel stddevs 1 and 2, mean 1.5. Group {1, 3}: identical images, 1e-4.
    const auto extra = y.select(1, 2).flatten();
    const auto expected = torch::tensor({1.5, 1e-4, 1.5, 1e-4});
    QVERIFY(maxAbsDiff(extra, expected) < 1e-6);
    QVERIFY(maxAbsDiff(y.narrow(1, 0, 2), x) == 0.0);
    // Two feature channels: one per channel slice.
    const auto twoFeatures = minibatchStddev(x, 2, 2);
    QVERIFY(maxAbsDiff(twoFeatures[0].narrow(0, 2, 2).flatten(), torch::tensor({1.0, 2.0})) < 1e-6);
    // Replicated over pixels.
    const auto spatial = minibatchStddev(x.expand({4, 2, 3, 3}).contiguous(), 2, 1);
    QVERIFY(maxAbsDiff(spatial.select(1, 2)[0], torch::full({3, 3}, 1.5)) < 1e-6);
    // Group size 1: every image alone, stddev sqrt(1e-8).
    QVERIFY(maxAbsDiff(minibatchStddev(x, 1, 1).select(1, 2).flatten(), torch::full({4}, 1e-4)) < 1e-9);
    // A group larger than the batch shrinks to the batch; a batch that does not divide throws.
    QCOMPARE(minibatchStddev(x, 8, 1).size(1), int64_t(3));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, minibatchStddev(torch::zeros({6, 2, 1, 1}), 4, 1));
  }
};

QTEST_APPLESS_MAIN(TestModelLayers)
#include "test_model_layers.moc"
