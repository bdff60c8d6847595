#pragma once
// The embedder seam: everything that turns a screen's sites into one vector per site (GAN-DL,
// the random-weight discriminator, the intensity baseline, and the plugins of plugins/) is a
// SiteEmbedder, made by a factory registered under the name `gandl embed --embedder` takes.
// runEmbedding (embed_task.h) owns the rest, the same for every embedder: the screen, the
// store and its resume, provenance, progress and cancel, plate-by-plate writes.
//
// An embedder sees the screen's complete sites once, at creation, and is then asked for the
// vectors of a few of them at a time (one plate's pending sites). Torch-free.

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/data/screen.h"
#include "core/pipeline/embed_task.h"
#include "core/store/provenance.h"
#include "core/tasks/progress.h"

namespace gandl::pipeline {

// What an embedder must be given before it can run.
enum class EmbedderNeeds {
  Nothing,   // computed from the images alone (intensity statistics)
  Model,     // a trained model file or run folder (--checkpoint)
  Training,  // trains itself on the screen first when no trained model is given
};
const char* embedderNeedsName(EmbedderNeeds needs);

struct EmbedderInfo {
  std::string name;         // the --embedder value
  std::string version;      // of the method; part of the store identity where results depend on it
  std::string description;  // one line, for `gandl plugins` and the GUI
  EmbedderNeeds needs = EmbedderNeeds::Nothing;
  int dimension = 0;   // 0: depends on the model or the options
  std::string source;  // where it comes from: "built-in" or a plugin's file
};

// The screen an embedder works on and the options of the run.
struct EmbedderSetup {
  const data::Screen& screen;
  const std::vector<data::Site>& sites;  // the complete sites; embed() takes indices into them
  const EmbedTaskOptions& options;
};

class SiteEmbedder {
 public:
  // Called with complete items in the order asked; rows is items.size() x dimension(), row-major.
  using Sink = std::function<void(const std::vector<std::size_t>& items, const std::vector<float>& rows)>;

  virtual ~SiteEmbedder() = default;
  virtual int dimension() const = 0;
  // What the store records about the vectors. Must hold store::kCheckpointHashKey (the identity a
  // resumed store must match: the same model, options and method version give the same key) and
  // "embedding" (what a vector is, in words). runEmbedding adds the screen, layout, channel map,
  // embedder name and software version.
  virtual store::Provenance provenance() const = 0;
  // One name per column (stored as the store's var names); empty: generic names.
  virtual std::vector<std::string> featureNames() const { return {}; }
  // Embeds `items` (indices into EmbedderSetup::sites). Checks context for cancel at least once
  // per batch and reports progress as items done of items.size(). Returns the seconds spent
  // waiting for image data (I/O not hidden behind compute); 0 when not measured.
  virtual double embed(const std::vector<std::size_t>& items, const Sink& sink, const tasks::TaskContext& context) = 0;
};

using EmbedderFactory = std::function<std::unique_ptr<SiteEmbedder>(const EmbedderSetup&)>;

// Name -> factory. instance() holds the built-in embedders; plugins add theirs when loaded.
class EmbedderRegistry {
 public:
  static EmbedderRegistry& instance();

  // Throws std::invalid_argument when the name is empty or already taken.
  void add(EmbedderInfo info, EmbedderFactory factory);
  std::vector<EmbedderInfo> list() const;  // in registration order
  std::vector<std::string> names() const;
  bool contains(const std::string& name) const;
  EmbedderInfo info(const std::string& name) const;  // throws like create()
  // Throws std::invalid_argument naming the unknown embedder and the known ones.
  std::unique_ptr<SiteEmbedder> create(const std::string& name, const EmbedderSetup& setup) const;

 private:
  struct Entry {
    EmbedderInfo info;
    EmbedderFactory factory;
  };
  const Entry& entry(const std::string& name) const;
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
};

// Registers gandl, random-d and intensity (called once by instance()).
void registerBuiltinEmbedders(EmbedderRegistry& registry);

}  // namespace gandl::pipeline
