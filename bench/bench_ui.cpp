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

#include "tests/support/scatter_points.h"
#include "ui/plots/scatter_canvas.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  gandl::ui::ScatterCanvas canvas;
  canvas.resize(1200, 800);
  gandl::test::fillScatter(canvas, 305520);
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
