#pragma once
// Two Gaussian clouds in four categories, seeded: the scatter canvas's load at a chosen size, for
// tests/ui/test_scatter_canvas and bench/bench_ui alike.

#include <random>
#include <vector>

#include "ui/plots/scatter_canvas.h"

namespace gandl::test {

inline void fillScatter(ui::ScatterCanvas& canvas, std::size_t n) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  std::vector<float> x(n), y(n);
  std::vector<quint16> category(n);
  for (std::size_t i = 0; i < n; ++i) {
    category[i] = static_cast<quint16>(i % 4);
    x[i] = normal(rng) + (category[i] % 2 ? 2.0f : -2.0f);
    y[i] = normal(rng) * 0.7f;
  }
  canvas.setPoints(std::move(x), std::move(y));
  canvas.setCategories(category, {{"C+", Qt::green}, {"C-", Qt::red}, {"compound", Qt::blue}, {"other", Qt::gray}});
}

}  // namespace gandl::test
