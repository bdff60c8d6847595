// The scatter canvas at RxRx19a scale: pan/zoom raster time of 305,520 points at 1200x800 (the
// budget for a fluid pan is 50 ms), and with 50,000 of them selected (a second pass). Prints
// median and max of 15 redraws; figures go to docs/benchmarks.md.
//
//   QT_QPA_PLATFORM=offscreen bench_ui
#include <QApplication>
#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

#include "ui/plots/scatter_canvas.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  gandl::ui::ScatterCanvas canvas;
  canvas.resize(1200, 800);
  const std::size_t n = 305520;
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
  const auto redraws = [&canvas] {
    std::vector<double> times;
    for (int i = 0; i < 15; ++i) {
      const QRectF v = canvas.viewRange();
      canvas.setViewRange(i % 2 ? v.translated(v.width() * 0.05, 0)
                                : QRectF(v.center() - QPointF(v.width() * 0.45, v.height() * 0.45), v.size() * 0.9));
      canvas.rasterize();
      times.push_back(canvas.lastRasterMilliseconds());
    }
    std::sort(times.begin(), times.end());
    return std::pair{times[times.size() / 2], times.back()};
  };
  std::printf("%-40s %10s %10s\n", "scatter canvas, 1200x800", "median ms", "max ms");
  const auto [median, worst] = redraws();
  std::printf("%-40s %10.1f %10.1f\n", "305,520 points, pan/zoom", median, worst);
  std::vector<std::size_t> rows(50000);
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i * 6;
  canvas.setSelection(rows);
  const auto [selMedian, selWorst] = redraws();
  std::printf("%-40s %10.1f %10.1f\n", "305,520 points, 50,000 selected", selMedian, selWorst);
  return 0;
}
