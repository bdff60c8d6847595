#pragma once
// Synthetic screens in the RxRx19a layout, with known answers. The real screen (445 GB) is out of
// reach, so every claim the workbench makes (a GAN learns the stains, an SVM separates infected
// from uninfected wells, a dose-response fit recovers an EC50) is proven on screens written here.
//
// A screen has two cell types (HRCE-1 epithelial cobblestone, VERO-1 spindles), plates with
// randomly placed controls (Mock and UV-inactivated virus as C+, active virus as C-) and compounds
// at six half-log doses in replicate wells. Each cell is infected with probability
// p_max * s, where s is 0 for C+, 1 for C- and follows the compound's Hill curve otherwise;
// infection shows as morphology and texture (rounding, lost stress fibres, RNA puncta, syncytia),
// cytotoxicity as fewer cells with condensed nuclei. Plates differ in gain, offset and
// illumination, sites in focus, and every pixel carries shot and read noise, so raw intensities
// are confounded by plate as in a real screen. Each compound's truth (active, EC50, Hill slope,
// toxic) goes to ground_truth.csv beside metadata.csv, never into it.
//
// The same seed writes the same bytes, whatever the number of threads.

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/tasks/progress.h"

namespace gandl::data {

enum class SynthPreset {
  Demo,    // 64 px, 2 plates per cell type, 8 compounds: seconds
  Small,   // 128 px, 4 plates per cell type, 30 compounds: about a minute
  Medium,  // 256 px, 1536-well plates (rows A..AF), 48 compounds: minutes
};

// "demo", "small" or "medium"; anything else throws std::invalid_argument.
SynthPreset parseSynthPreset(std::string_view name);
std::string_view synthPresetName(SynthPreset preset);

struct SynthSummary {
  std::filesystem::path root;
  int experiments = 0;
  int plates = 0;  // over all experiments
  int wells = 0;   // wells in use
  int sites = 0;
  int compounds = 0;
  int image_size = 0;
};

// Writes a screen into `out`, which must not exist or be an empty folder (DataError otherwise).
// The screen is assembled in "<out>.partial-<pid>" and renamed into place when complete, so a
// failed or cancelled run (tasks::Cancelled, checked once per well) leaves nothing behind.
// threads: 0 uses the machine's cores; the output does not depend on it.
SynthSummary writeSyntheticScreen(const std::filesystem::path& out, SynthPreset preset, std::uint64_t seed,
                                  const tasks::TaskContext& context = {}, int threads = 0);

}  // namespace gandl::data
