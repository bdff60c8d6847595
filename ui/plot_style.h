#pragma once
// Colours shared by every plot, so a category has the same colour in the scatter, the 3-D view,
// the dose-response overlay and the legends, and plots follow the system palette (dark or light).

#include <QColor>
#include <string>

class QCPPainter;
class QCustomPlot;
class QRect;
class QSize;

namespace gandl::ui {

// Distinguishable colours for categories (cycles after 12).
QColor categoricalColor(int index);
// t in [0, 1] -> a perceptually ordered dark-blue -> green -> yellow ramp (doses, counts).
QColor sequentialColor(double t);
// On score: -1 (C-) red, 0 grey, +1 (C+) green; clamped beyond +-1.5.
QColor divergingColor(double onScore);
// Background, axes and text of a QCustomPlot from the application palette.
void applyPlotPalette(QCustomPlot& plot);
// Draws `plot` at `size` into `painter` (a figure export) with painter.font() for every axis
// title, tick label, legend entry and text item, restoring the on-screen fonts afterwards.
// Returns the main axis rectangle as it was drawn, in the painter's coordinates.
QRect renderPlot(QCustomPlot& plot, QCPPainter& painter, const QSize& size);
// One CSV field, quoted when it needs to be.
std::string csvField(const std::string& text);

}  // namespace gandl::ui
