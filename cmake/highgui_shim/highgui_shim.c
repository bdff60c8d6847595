/* Stands in for libopencv_highgui.so.406 so that Debian's LibTorch does not map Qt 5.
 * LibTorch uses no symbol of highgui; this library intentionally defines none but this marker. */
int gandl_highgui_shim_marker = 1;
