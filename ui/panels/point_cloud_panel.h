#pragma once
// The embedding as a VTK point cloud (E2 On, E2 Off and a third axis: C2 On when the analysis has
// it, else log10 dose), coloured like the scatter. VTK's Qt module is built for Qt 5 here, so VTK
// renders through vtkGenericOpenGLRenderWindow into this QOpenGLWidget's context; Qt's mouse
// events drive a trackball camera. A click picks the nearest point on screen and selects its site.

#include <QOpenGLWidget>
#include <array>
#include <memory>
#include <vector>

#include "ui/figure_export.h"
#include "ui/site_colouring.h"

namespace gandl::pipeline {
struct AnalysisResult;
}

namespace gandl::ui {

class SelectionModel;

class PointCloudPanel : public QOpenGLWidget, public ExportableFigure {
  Q_OBJECT

 public:
  PointCloudPanel(SelectionModel* selection, QWidget* parent = nullptr);
  ~PointCloudPanel() override;

  // Call before any QOpenGLWidget exists (main(), test main): VTK needs a 3.2 core context.
  static void setDefaultSurfaceFormat();

  void setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis);
  void setColourBy(ColourBy by);
  std::size_t pointCount() const { return x_.size(); }
  QString thirdAxisName() const { return thirdAxis_; }
  // Widget position of a point under the current camera (tests click it); NaN when off screen.
  QPointF widgetPosition(std::size_t row) const;
  int pointAt(const QPointF& position, double radius = 6.0) const;
  int renderedFrames() const { return frames_; }

  QString figureName() const override { return QStringLiteral("point_cloud_3d"); }
  QSize figureSize() const override { return size().isEmpty() ? QSize(800, 600) : size(); }
  void renderFigure(QCPPainter& painter, const QSize& size) override;
  std::string figureCsv() const override;

 protected:
  void initializeGL() override;
  void paintGL() override;
  void resizeGL(int w, int h) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;

 private:
  void rebuild();
  void recolourSelection();
  // The widget's OpenGL context is about to go (floating or re-docking moves the widget to another
  // top-level window, which gives it a new context): VTK's buffers, shaders and framebuffers
  // belong to the old one and are released while it is still current.
  void releaseContext();

  struct Vtk;
  std::unique_ptr<Vtk> vtk_;
  SelectionModel* selection_;
  std::shared_ptr<const pipeline::AnalysisResult> analysis_;
  std::vector<float> x_, y_, z_;
  std::array<double, 3> scale_{1.0, 1.0, 1.0};  // drawn coordinate = raw score * scale (unit sd per axis)
  QString thirdAxis_;
  ColourBy colourBy_ = ColourBy::Condition;
  SiteColouring colouring_;
  QPoint pressPosition_;
  bool dragged_ = false;
  int frames_ = 0;
};

}  // namespace gandl::ui
