#include "ui/plot_style.h"

#include <QApplication>
#include <QPalette>
#include <algorithm>
#include <cmath>
#include <vector>
#include "ui/plots/qcustomplot.h"

namespace gandl::ui {

QColor categoricalColor(int index) {
  static const QRgb colours[] = {0x1f77b4, 0xd62728, 0x2ca02c, 0xff7f0e, 0x9467bd, 0x8c564b,
                                 0xe377c2, 0x17becf, 0xbcbd22, 0x7f7f7f, 0x393b79, 0xad494a};
  return QColor(colours[std::abs(index) % 12]);
}

namespace {
QColor mix(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * t),
                          static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * t),
                          static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * t));
}
}  // namespace

QColor sequentialColor(double t) {
  static const QColor stops[] = {QColor(48, 18, 90), QColor(40, 90, 150), QColor(30, 150, 135), QColor(110, 200, 80),
                                 QColor(245, 225, 40)};
  if (!std::isfinite(t)) return QColor(160, 160, 160);
  t = std::clamp(t, 0.0, 1.0) * 4.0;
  const int i = std::min(3, static_cast<int>(t));
  return mix(stops[i], stops[i + 1], t - i);
}

QColor divergingColor(double on) {
  if (!std::isfinite(on)) return QColor(160, 160, 160);
  const double t = std::clamp(on / 1.5, -1.0, 1.0);
  const QColor middle(225, 225, 225);
  return t < 0 ? mix(middle, QColor(190, 30, 45), -t) : mix(middle, QColor(20, 140, 60), t);
}

void applyPlotPalette(QCustomPlot& plot) {
  const QPalette palette = QApplication::palette();
  const QColor text = palette.color(QPalette::WindowText);
  plot.setBackground(palette.color(QPalette::Base));
  for (QCPAxis* axis : {plot.xAxis, plot.yAxis}) {
    axis->setBasePen(QPen(text));
    axis->setTickPen(QPen(text));
    axis->setSubTickPen(QPen(text));
    axis->setLabelColor(text);
    axis->setTickLabelColor(text);
    QColor grid = text;
    grid.setAlpha(40);
    axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
  }
  plot.legend->setBrush(palette.color(QPalette::Base));
  plot.legend->setTextColor(text);
  plot.legend->setBorderPen(QPen(text));
}

QRect renderPlot(QCustomPlot& plot, QCPPainter& painter, const QSize& size) {
  const QFont font = painter.font();
  struct Saved {
    QCPAxis* axis;
    QFont label, ticks;
  };
  std::vector<Saved> axes;
  for (QCPAxis* axis : plot.axisRect()->axes()) {
    axes.push_back({axis, axis->labelFont(), axis->tickLabelFont()});
    axis->setLabelFont(font);
    axis->setTickLabelFont(font);
  }
  const QFont legendFont = plot.legend->font();
  plot.legend->setFont(font);
  // A legend sized to its text, not to the screen's pixels.
  const QSize legendIcon = plot.legend->iconSize();
  const int legendPadding = plot.legend->iconTextPadding();
  const QMargins legendMargins = plot.legend->margins();
  const double em = font.pointSizeF() > 0 ? font.pointSizeF() : 8.0;  // painter units are points
  plot.legend->setIconSize(QSize(qRound(em * 1.6), qRound(em)));
  plot.legend->setIconTextPadding(qRound(em * 0.5));
  plot.legend->setMargins(QMargins(4, 2, 4, 2));
  std::vector<std::pair<QCPAbstractLegendItem*, QFont>> legendItems;
  for (int i = 0; i < plot.legend->itemCount(); ++i)
    if (auto* item = plot.legend->item(i)) {
      legendItems.emplace_back(item, item->font());
      item->setFont(font);
    }
  std::vector<std::pair<QCPItemText*, QFont>> texts;
  for (int i = 0; i < plot.itemCount(); ++i)
    if (auto* text = qobject_cast<QCPItemText*>(plot.item(i))) {
      texts.emplace_back(text, text->font());
      text->setFont(font);
    }
  plot.toPainter(&painter, size.width(), size.height());
  // toPainter lays the plot out at `size` and restores only the outer viewport: the axis rectangle
  // still holds the drawn geometry until the next replot.
  const QRect drawn = plot.axisRect()->rect();
  for (const auto& s : axes) {
    s.axis->setLabelFont(s.label);
    s.axis->setTickLabelFont(s.ticks);
  }
  plot.legend->setFont(legendFont);
  plot.legend->setIconSize(legendIcon);
  plot.legend->setIconTextPadding(legendPadding);
  plot.legend->setMargins(legendMargins);
  for (const auto& [item, f] : legendItems) item->setFont(f);
  for (const auto& [text, f] : texts) text->setFont(f);
  plot.replot(QCustomPlot::rpQueuedReplot);
  return drawn;
}

std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

}  // namespace gandl::ui
