#pragma once
// What every plot panel offers for export: a figure drawn through QPainter at any size (PNG at a
// chosen dpi, SVG through Qt SVG, PDF through QPdfWriter) and the plotted data as CSV. Files are
// written to a temporary sibling and renamed into place, so a failed export never leaves a
// half-written file that looks complete.

#include <QSize>
#include <QString>
#include <QStringList>
#include <string>

class QAbstractItemModel;
class QCPPainter;
class QWidget;

namespace gandl::ui {

class ExportableFigure {
 public:
  virtual ~ExportableFigure() = default;
  // File name stem ("dose_response", "scatter_E2") and the figure's natural size in pixels.
  virtual QString figureName() const = 0;
  virtual QSize figureSize() const = 0;
  // Draws the figure into [0, size) of `painter` (already scaled for the output's dpi).
  virtual void renderFigure(QCPPainter& painter, const QSize& size) = 0;
  // The data behind the figure, UTF-8 CSV with a header row.
  virtual std::string figureCsv() const = 0;
};

enum class FigureFormat { Png, Svg, Pdf, Csv };
FigureFormat figureFormatFromSuffix(const QString& path);  // throws std::invalid_argument

// Writes `figure` as `format`; dpi scales PNG pixels (96 = the on-screen size) and sets the PDF
// resolution. Throws std::runtime_error naming the file when it cannot be written.
void exportFigure(ExportableFigure& figure, const QString& path, FigureFormat format, int dpi = 150);

// The four files of a figure in `folder` (<name>.png/.svg/.pdf/.csv); returns their paths.
QStringList exportFigureSet(ExportableFigure& figure, const QString& folder, int dpi = 150);

// A table model (display role, header row) as CSV.
std::string tableCsv(const QAbstractItemModel& model);
// Writes `text` atomically; throws std::runtime_error naming the file.
void writeTextFile(const QString& path, const std::string& text);

// A figure made by painting a widget as it is on screen (tables, images).
void renderWidget(QWidget& widget, QCPPainter& painter, const QSize& size);

// Adds an "Export" tool button (PNG / SVG / PDF / CSV) to `owner`'s layout-free corner; returns it.
QWidget* makeExportButton(ExportableFigure& figure, QWidget* owner);

}  // namespace gandl::ui
