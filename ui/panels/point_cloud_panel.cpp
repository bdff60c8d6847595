#include "ui/panels/point_cloud_panel.h"

#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QSurfaceFormat>
#include <QWheelEvent>
#include <cmath>
#include <sstream>

#include <vtkActor.h>
#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCoordinate.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkOpenGLState.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkUnsignedCharArray.h>

#include "core/analysis/statistics.h"
#include "core/pipeline/analyze_task.h"
#include "ui/plot_style.h"
#include "ui/plots/qcustomplot.h"
#include "ui/selection_model.h"

namespace gandl::ui {

namespace {
constexpr unsigned kDrawFramebuffer = 0x8CA9;  // GL_DRAW_FRAMEBUFFER (GL 3.0)
}

struct PointCloudPanel::Vtk {
  vtkNew<vtkGenericOpenGLRenderWindow> window;
  vtkNew<vtkRenderer> renderer;
  vtkNew<vtkGenericRenderWindowInteractor> interactor;
  vtkNew<vtkInteractorStyleTrackballCamera> style;
  vtkNew<vtkPolyData> cloud;
  vtkNew<vtkUnsignedCharArray> colours;
  vtkNew<vtkPolyDataMapper> mapper;
  vtkNew<vtkActor> actor;
  bool initialized = false;
};

void PointCloudPanel::setDefaultSurfaceFormat() {
  QSurfaceFormat format = QSurfaceFormat::defaultFormat();
  format.setRenderableType(QSurfaceFormat::OpenGL);
  format.setVersion(3, 2);
  format.setProfile(QSurfaceFormat::CoreProfile);
  format.setDepthBufferSize(24);
  format.setStencilBufferSize(8);
  QSurfaceFormat::setDefaultFormat(format);
}

PointCloudPanel::PointCloudPanel(SelectionModel* selection, QWidget* parent)
    : QOpenGLWidget(parent), vtk_(std::make_unique<Vtk>()), selection_(selection) {
  setObjectName(QStringLiteral("pointCloudPanel"));
  setMinimumSize(240, 200);
  auto& v = *vtk_;
  v.window->SetOwnContext(0);
  v.window->SetFrameBlitModeToNoBlit();
  v.window->AddRenderer(v.renderer);
  v.window->SetInteractor(v.interactor);
  v.interactor->SetRenderWindow(v.window);
  v.interactor->SetInteractorStyle(v.style);
  v.interactor->EnableRenderOff();  // Qt decides when to paint
  // VTK asks for the context to be current; it must be this widget's context and surface.
  vtkNew<vtkCallbackCommand> makeCurrent;
  makeCurrent->SetClientData(this);
  makeCurrent->SetCallback([](vtkObject*, unsigned long, void* self, void*) {
    auto* widget = static_cast<PointCloudPanel*>(self);
    if (widget->context()) widget->context()->makeCurrent(widget->context()->surface());
  });
  v.window->AddObserver(vtkCommand::WindowMakeCurrentEvent, makeCurrent);
  vtkNew<vtkCallbackCommand> isCurrent;
  isCurrent->SetClientData(this);
  isCurrent->SetCallback([](vtkObject*, unsigned long, void* self, void* answer) {
    auto* widget = static_cast<PointCloudPanel*>(self);
    *static_cast<bool*>(answer) = widget->context() && QOpenGLContext::currentContext() == widget->context();
  });
  v.window->AddObserver(vtkCommand::WindowIsCurrentEvent, isCurrent);
  v.colours->SetNumberOfComponents(3);
  v.colours->SetName("colours");
  v.mapper->SetInputData(v.cloud);
  v.mapper->SetScalarModeToUsePointData();
  v.mapper->SetColorModeToDirectScalars();
  v.actor->SetMapper(v.mapper);
  v.actor->GetProperty()->SetPointSize(3);
  v.renderer->AddActor(v.actor);
  connect(selection_, &SelectionModel::rowsChanged, this, &PointCloudPanel::recolourSelection);
}

PointCloudPanel::~PointCloudPanel() { releaseContext(); }

void PointCloudPanel::initializeGL() {
  auto& v = *vtk_;
  // Called again with a new context after the widget changed windows (releaseContext ran for the
  // old one): VTK creates its resources afresh in this one.
  connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &PointCloudPanel::releaseContext, Qt::UniqueConnection);
  v.window->SetReadyForRendering(true);
  v.window->OpenGLInitContext();
  v.renderer->SetBackground(palette().color(QPalette::Base).redF(), palette().color(QPalette::Base).greenF(),
                            palette().color(QPalette::Base).blueF());
  v.initialized = true;
}

void PointCloudPanel::releaseContext() {
  if (!vtk_->initialized) return;
  makeCurrent();
  vtk_->window->Finalize();  // releases every renderer's and mapper's graphics resources
  doneCurrent();
  vtk_->initialized = false;
}

void PointCloudPanel::resizeGL(int w, int h) {
  const double dpr = devicePixelRatioF();
  vtk_->window->SetSize(static_cast<int>(w * dpr), static_cast<int>(h * dpr));
  vtk_->interactor->SetSize(static_cast<int>(w * dpr), static_cast<int>(h * dpr));
}

void PointCloudPanel::paintGL() {
  auto& v = *vtk_;
  const double dpr = devicePixelRatioF();
  v.window->SetSize(static_cast<int>(width() * dpr), static_cast<int>(height() * dpr));
  auto* state = v.window->GetState();
  state->Reset();
  state->Push();
  v.window->Render();
  // VTK drew into its own framebuffer; copy it into the widget's, then make that opaque, or Qt
  // blends the widget with the window behind it.
  const int w = v.window->GetSize()[0], h = v.window->GetSize()[1];
  state->PushDrawFramebufferBinding();
  state->vtkglBindFramebuffer(kDrawFramebuffer, defaultFramebufferObject());
  v.window->BlitDisplayFramebuffer(0, 0, 0, w, h, 0, 0, w, h, GL_COLOR_BUFFER_BIT, GL_NEAREST);
  state->PopDrawFramebufferBinding();
  state->Pop();
  auto* gl = context()->functions();
  gl->glBindFramebuffer(GL_FRAMEBUFFER, defaultFramebufferObject());
  gl->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
  gl->glClearColor(0, 0, 0, 1);
  gl->glClear(GL_COLOR_BUFFER_BIT);
  gl->glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
  ++frames_;
}

void PointCloudPanel::setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis) {
  analysis_ = std::move(analysis);
  rebuild();
}

void PointCloudPanel::setColourBy(ColourBy by) {
  colourBy_ = by;
  recolourSelection();
}

void PointCloudPanel::rebuild() {
  x_.clear();
  y_.clear();
  z_.clear();
  auto& v = *vtk_;
  vtkNew<vtkPoints> points;
  vtkNew<vtkCellArray> vertices;
  if (analysis_ && analysis_->e2) {
    const auto& a = *analysis_;
    const std::size_t n = a.sites.size();
    thirdAxis_ = a.c2 ? QStringLiteral("C2 On") : QStringLiteral("log10 dose (µM)");
    points->SetNumberOfPoints(static_cast<vtkIdType>(n));
    vertices->AllocateExact(static_cast<vtkIdType>(n), static_cast<vtkIdType>(n));
    for (std::size_t r = 0; r < n; ++r) {
      const double conc = a.sites.concentrationMicromolar[r];
      const double third = a.c2 ? a.c2->scores.on[r] : (conc > 0 ? std::log10(conc) : -3.0);
      x_.push_back(static_cast<float>(a.e2->scores.on[r]));
      y_.push_back(static_cast<float>(a.e2->scores.off[r]));
      z_.push_back(static_cast<float>(std::isfinite(third) ? third : 0.0));
      const vtkIdType id = static_cast<vtkIdType>(r);
      vertices->InsertNextCell(1, &id);
    }
    // The axes live on different scales (Off can span ten times On): draw each at unit standard
    // deviation so the cloud is not a line; the exported CSV keeps the raw scores.
    const auto unitScale = [](const std::vector<float>& values) {
      const std::vector<double> d(values.begin(), values.end());
      const double sd = d.size() > 1 ? analysis::sampleStandardDeviation(d) : 0.0;
      return sd > 1e-12 ? 1.0 / sd : 1.0;
    };
    scale_ = {unitScale(x_), unitScale(y_), unitScale(z_)};
    for (std::size_t r = 0; r < n; ++r)
      points->SetPoint(static_cast<vtkIdType>(r), x_[r] * scale_[0], y_[r] * scale_[1], z_[r] * scale_[2]);
  }
  v.cloud->SetPoints(points);
  v.cloud->SetVerts(vertices);
  recolourSelection();
  v.renderer->ResetCamera();
  update();
}

void PointCloudPanel::recolourSelection() {
  auto& v = *vtk_;
  v.colours->SetNumberOfTuples(static_cast<vtkIdType>(x_.size()));
  if (analysis_) colouring_ = colourSites(analysis_->sites, colourBy_);
  const bool anySelected = !selection_->rows().empty();
  const QColor background = palette().color(QPalette::Base);
  for (std::size_t r = 0; r < x_.size(); ++r) {
    QColor c = colouring_.colours.value(colouring_.categoryOfRow[r]);
    if (anySelected && !selection_->isSelected(r))
      c = QColor::fromRgbF(0.2f * c.redF() + 0.8f * background.redF(), 0.2f * c.greenF() + 0.8f * background.greenF(),
                           0.2f * c.blueF() + 0.8f * background.blueF());
    const unsigned char rgb[3] = {static_cast<unsigned char>(c.red()), static_cast<unsigned char>(c.green()),
                                  static_cast<unsigned char>(c.blue())};
    v.colours->SetTypedTuple(static_cast<vtkIdType>(r), rgb);
  }
  v.colours->Modified();
  v.cloud->GetPointData()->SetScalars(v.colours);
  v.cloud->Modified();
  update();
}

QPointF PointCloudPanel::widgetPosition(std::size_t row) const {
  if (row >= x_.size()) return {NAN, NAN};
  auto* renderer = vtk_->renderer.Get();
  renderer->SetWorldPoint(x_[row] * scale_[0], y_[row] * scale_[1], z_[row] * scale_[2], 1.0);
  renderer->WorldToDisplay();
  double display[3];
  renderer->GetDisplayPoint(display);
  const double dpr = devicePixelRatioF();
  // VTK's display origin is bottom-left.
  return QPointF(display[0] / dpr, height() - display[1] / dpr);
}

int PointCloudPanel::pointAt(const QPointF& position, double radius) const {
  if (x_.empty()) return -1;
  // Projecting every point once is fast enough for a click (no GPU picking pass needed).
  vtkCamera* camera = vtk_->renderer->GetActiveCamera();
  const double aspect = width() > 0 && height() > 0 ? double(width()) / height() : 1.0;
  vtkMatrix4x4* m = camera->GetCompositeProjectionTransformMatrix(aspect, -1, 1);
  double e[16];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) e[i * 4 + j] = m->GetElement(i, j);
  int best = -1;
  double bestDistance = radius;
  double bestDepth = INFINITY;
  for (std::size_t r = 0; r < x_.size(); ++r) {
    const double X = x_[r] * scale_[0], Y = y_[r] * scale_[1], Z = z_[r] * scale_[2];
    const double w = e[12] * X + e[13] * Y + e[14] * Z + e[15];
    if (w <= 0) continue;
    const double nx = (e[0] * X + e[1] * Y + e[2] * Z + e[3]) / w;
    const double ny = (e[4] * X + e[5] * Y + e[6] * Z + e[7]) / w;
    const double nz = (e[8] * X + e[9] * Y + e[10] * Z + e[11]) / w;
    const double px = (nx + 1) / 2 * width(), py = (1 - ny) / 2 * height();
    const double d = std::hypot(px - position.x(), py - position.y());
    if (d < bestDistance || (d <= radius && std::abs(d - bestDistance) < 1e-9 && nz < bestDepth)) {
      bestDistance = d;
      bestDepth = nz;
      best = static_cast<int>(r);
    }
  }
  return best;
}

void PointCloudPanel::mousePressEvent(QMouseEvent* event) {
  pressPosition_ = event->position().toPoint();
  dragged_ = false;
  const double dpr = devicePixelRatioF();
  vtk_->interactor->SetEventInformationFlipY(static_cast<int>(event->position().x() * dpr),
                                             static_cast<int>(event->position().y() * dpr));
  if (event->button() == Qt::LeftButton) vtk_->interactor->LeftButtonPressEvent();
  if (event->button() == Qt::RightButton) vtk_->interactor->RightButtonPressEvent();
  if (event->button() == Qt::MiddleButton) vtk_->interactor->MiddleButtonPressEvent();
}

void PointCloudPanel::mouseMoveEvent(QMouseEvent* event) {
  if ((event->position().toPoint() - pressPosition_).manhattanLength() > 3) dragged_ = true;
  const double dpr = devicePixelRatioF();
  vtk_->interactor->SetEventInformationFlipY(static_cast<int>(event->position().x() * dpr),
                                             static_cast<int>(event->position().y() * dpr));
  vtk_->interactor->MouseMoveEvent();
  if (event->buttons()) update();
}

void PointCloudPanel::mouseReleaseEvent(QMouseEvent* event) {
  const double dpr = devicePixelRatioF();
  vtk_->interactor->SetEventInformationFlipY(static_cast<int>(event->position().x() * dpr),
                                             static_cast<int>(event->position().y() * dpr));
  if (event->button() == Qt::LeftButton) vtk_->interactor->LeftButtonReleaseEvent();
  if (event->button() == Qt::RightButton) vtk_->interactor->RightButtonReleaseEvent();
  if (event->button() == Qt::MiddleButton) vtk_->interactor->MiddleButtonReleaseEvent();
  if (event->button() == Qt::LeftButton && !dragged_) {
    const int row = pointAt(event->position());
    if (row >= 0) selection_->selectSite(row);
  }
  update();
}

void PointCloudPanel::wheelEvent(QWheelEvent* event) {
  if (event->angleDelta().y() > 0)
    vtk_->interactor->MouseWheelForwardEvent();
  else
    vtk_->interactor->MouseWheelBackwardEvent();
  update();
}

void PointCloudPanel::renderFigure(QCPPainter& painter, const QSize& size) {
  const QImage frame = grabFramebuffer();
  // A view that has never been drawn (its panel never shown) gives an empty or one-colour frame:
  // say so in the figure rather than export a black picture.
  bool blank = frame.isNull();
  if (!blank) {
    blank = true;
    const QRgb first = frame.pixel(0, 0);
    for (int y = 0; y < frame.height() && blank; y += 3)
      for (int x = 0; x < frame.width(); x += 3)
        if (frame.pixel(x, y) != first) {
          blank = false;
          break;
        }
  }
  if (blank) {
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    painter.setPen(Qt::black);
    painter.drawText(QRect(QPoint(0, 0), size), Qt::AlignCenter | Qt::TextWordWrap,
                     tr("The 3-D view has not been drawn: show its panel, then export again."));
    return;
  }
  painter.drawImage(QRect(QPoint(0, 0), size), frame);
}

std::string PointCloudPanel::figureCsv() const {
  std::ostringstream out;
  out << "site_id,e2_on,e2_off," << csvField(thirdAxis_.toStdString()) << '\n';
  out.precision(7);
  for (std::size_t r = 0; r < x_.size(); ++r)
    out << analysis_->sites.siteId[r] << ',' << x_[r] << ',' << y_[r] << ',' << z_[r] << '\n';
  return out.str();
}

}  // namespace gandl::ui
