#pragma once
// What every plot panel offers for export: a figure drawn through QPainter at a size on the page
// (PNG at a chosen dpi, SVG through Qt SVG, PDF through QPdfWriter) and the plotted data as CSV.
// Every format is drawn in the same coordinates, one unit per typographic point (1/72 inch), with
// the text at a chosen point size, so a figure looks the same in PNG, SVG and PDF and its text is
// the size a journal asks for. Files are written to a temporary sibling and renamed into place, so
// a failed export never leaves a half-written file that looks complete.

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
  // Draws the figure into [0, size) of `painter` (already scaled for the output's dpi), with
  // painter.font() as the text font (axis titles, tick labels, legends).
  virtual void renderFigure(QCPPainter& painter, const QSize& size) = 0;
  // The data behind the figure, UTF-8 CSV with a header row.
  virtual std::string figureCsv() const = 0;
};

enum class FigureFormat { Png, Svg, Pdf, Csv };
FigureFormat figureFormatFromSuffix(const QString& path);  // throws std::invalid_argument

// How a figure is exported (Prism's export dialog is the model).
struct FigureExportSettings {
  double width_mm = 0, height_mm = 0;  // on the page; 0: the figure's natural size at 96 px per inch
  int dpi = 300;                       // PNG pixels per inch (SVG and PDF are vector)
  double font_pt = 8;                  // axis titles, tick labels and legends
};

// The figure's size in points (1/72 inch) under `settings`.
QSizeF figurePageSize(const ExportableFigure& figure, const FigureExportSettings& settings);

// Writes `figure` as `format`. Throws std::runtime_error naming the file when it cannot be written.
void exportFigure(ExportableFigure& figure, const QString& path, FigureFormat format,
                  const FigureExportSettings& settings = {});

// The four files of a figure in `folder` (<name>.png/.svg/.pdf/.csv); returns their paths.
QStringList exportFigureSet(ExportableFigure& figure, const QString& folder, const FigureExportSettings& settings = {});

// A table model (display role, header row) as CSV.
std::string tableCsv(const QAbstractItemModel& model);
// Writes `text` atomically; throws std::runtime_error naming the file.
void writeTextFile(const QString& path, const std::string& text);

// A figure made by painting a widget as it is on screen (tables, images).
void renderWidget(QWidget& widget, QCPPainter& painter, const QSize& size);

// Adds an "Export" tool button (Figure... opens the export dialog; Data as CSV...) for `owner`'s
// tool bar; returns it.
QWidget* makeExportButton(ExportableFigure& figure, QWidget* owner);

}  // namespace gandl::ui
