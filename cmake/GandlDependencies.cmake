# Every dependency is found by name; no hard-coded paths. Notes on each come from
# ../shared/reference/build-facts.md (measured on Debian 12).

# OpenCV: named components only; a bare find_package(OpenCV) adds highgui, which links Qt 5.
find_package(OpenCV 4 REQUIRED COMPONENTS core imgproc imgcodecs)

set(HDF5_PREFER_PARALLEL OFF)
find_package(HDF5 REQUIRED COMPONENTS C)

find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)

# LibTorch: Debian's (CPU) is found without hints; a CUDA LibTorch is picked with
# -DCMAKE_PREFIX_PATH=/path/to/libtorch.
find_package(Torch REQUIRED)

# Qt 6: core/ never links Widgets; tests use Qt Test.
find_package(Qt6 6.4 REQUIRED COMPONENTS Core Test)

if(GANDL_WITH_GUI)
  # The workbench GUI (ui/, app/workbench). PrintSupport must be found before QCustomPlotQt6, whose
  # config links it without finding it; QCustomPlot's Qt 5 target in the same package is never used.
  find_package(Qt6 6.4 REQUIRED COMPONENTS Widgets OpenGL OpenGLWidgets Svg PrintSupport Concurrent)
  find_package(QCustomPlotQt6 REQUIRED)
  # VTK's Qt module is built for Qt 5 here: non-Qt modules only, rendered into our own QOpenGLWidget.
  find_package(VTK 9.1 REQUIRED COMPONENTS CommonCore CommonDataModel CommonMath CommonTransforms
    FiltersCore RenderingCore RenderingOpenGL2 RenderingUI InteractionStyle)
endif()
