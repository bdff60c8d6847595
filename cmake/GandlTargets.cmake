# Helpers shared by every target of the project.

# Warnings for our own code only (imported targets' headers are SYSTEM includes).
function(gandl_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow)
  target_compile_definitions(${target} PRIVATE QT_NO_KEYWORDS)
  if(GANDL_WARNINGS_AS_ERRORS)
    set_target_properties(${target} PROPERTIES COMPILE_WARNING_AS_ERROR ON)
  endif()
  if(GANDL_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${GANDL_SANITIZE} -fno-omit-frame-pointer
                                             -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=${GANDL_SANITIZE})
  endif()
endfunction()

# Debian's libtorch_cpu lists libopencv_highgui.so.406 as NEEDED without using a symbol of it, and
# highgui maps five Qt 5 libraries into the process. Every executable that links LibTorch gets an
# old-style DT_RPATH (which, unlike DT_RUNPATH, also governs transitive dependencies) pointing at
# an empty library with highgui's SONAME, so a Qt 6 process never maps Qt 5.
# tests/core/test_torch_runtime checks this through /proc/self/maps.
# Installed, the RPATH points at the shim under <prefix>/lib/gandl-workbench/shim, relative to the
# binary ($ORIGIN), so an unpacked or relocated package keeps Qt 5 out too.
function(gandl_keep_qt5_out target)
  add_dependencies(${target} gandl_highgui_shim)
  target_link_options(${target} PRIVATE "LINKER:--disable-new-dtags")
  set_property(TARGET ${target} APPEND PROPERTY BUILD_RPATH "${GANDL_SHIM_DIR}")
  set_property(TARGET ${target} PROPERTY INSTALL_RPATH "$ORIGIN/../lib/gandl-workbench/shim")
endfunction()

# A library's public headers: every .h of its folder (and of SUBDIRS), declared as the target's
# HEADERS file set, so each target states its own interface. Include paths are spelled from the
# source root ("core/data/csv.h"), which is therefore the set's base directory; which layer may
# include which is checked by tests/architecture/test_layers.
function(gandl_public_headers target)
  cmake_parse_arguments(H "" "" "SUBDIRS" ${ARGN})
  set(patterns "${CMAKE_CURRENT_SOURCE_DIR}/*.h")
  foreach(dir ${H_SUBDIRS})
    list(APPEND patterns "${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*.h")
  endforeach()
  file(GLOB headers CONFIGURE_DEPENDS ${patterns})
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    set(scope INTERFACE)
  else()
    set(scope PUBLIC)
  endif()
  target_sources(${target} ${scope} FILE_SET HEADERS BASE_DIRS "${PROJECT_SOURCE_DIR}" FILES ${headers})
endfunction()
