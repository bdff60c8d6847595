#include <iostream>

#include "app/gandl/cli_progress.h"
#include "app/gandl/commands.h"
#include "core/model/torch_runtime.h"
#include "core/pipeline/embed_task.h"
#include "core/pipeline/site_embedder.h"

namespace gandl::cli {

void addEmbedCommand(CLI::App& app) {
  struct Options {
    pipeline::EmbedTaskOptions task;
    std::vector<std::string> params;
    std::string shard;
    std::string layout = "auto";
    int threads = 0;
  };
  auto o = std::make_shared<Options>();
  auto* command = app.add_subcommand("embed",
                                     "Embed every complete site of a screen into an .h5ad "
                                     "store (resumes an interrupted run)");
  command->add_option("--data", o->task.data, "screen folder")->required();
  command->add_option("--layout", o->layout)->check(CLI::IsMember({"auto", "rxrx19a", "rxrx1"}));
  command
      ->add_option("--checkpoint", o->task.checkpoint,
                   "run folder, or 'demo' for the shipped model (not used by --embedder intensity)")
      ->capture_default_str();
  command->add_option("--out", o->task.out, "output store (F.h5ad)")->required();
  std::string embedders;
  for (const auto& info : pipeline::EmbedderRegistry::instance().list())
    embedders += (embedders.empty() ? "" : "; ") + info.name + ": " + info.description;
  command->add_option("--embedder", o->task.embedder, embedders)
      ->check(CLI::IsMember(pipeline::EmbedderRegistry::instance().names()))
      ->capture_default_str();
  command
      ->add_option("--readout", o->task.readout,
                   "gandl / random-d features: fc512 (the discriminator's FC-512, GAN-DL's embedding) or multiscale "
                   "(every block's output averaged over space, concatenated)")
      ->check(CLI::IsMember({"fc512", "multiscale"}))
      ->capture_default_str();
  command
      ->add_option("--tta", o->task.tta,
                   "gandl / random-d: the readout averaged over copies of each view: none; dihedral (rotated and "
                   "flipped: the 8 symmetries, 8x the time); shifts (the 3x3 grid of shifts by 1/8 of the view, "
                   "reflect-padded as in training, 9x); dihedral+shifts (72x)")
      ->check(CLI::IsMember({"none", "dihedral", "shifts", "dihedral+shifts"}))
      ->capture_default_str();
  command
      ->add_option("--batch", o->task.batch,
                   "views per forward pass (changes results only by float rounding); 0: 16 on the CPU, 64 on a GPU")
      ->check(CLI::Range(0, 4096));
  command->add_option("--device", o->task.device, "auto, cpu, cuda or cuda:<i>");
  command->add_option("--seed", o->task.seed, "weights of random-d; training seed of torchscript --strategy collapsed");
  command->add_option("--model", o->task.model,
                      "model-file embedders (torchscript): the TorchScript image model (.pt), e.g. an ImageNet "
                      "DenseNet-121 exported with torch.jit.trace (docs/plugins.md)");
  command->add_option("--strategy", o->task.strategy,
                      "torchscript: concatenated (each stain as a grey RGB image, one pass per stain, the five "
                      "pooled vectors concatenated) or collapsed (a 5->3 1x1 convolution in front of the frozen "
                      "network, trained on the controls' C+/C- labels)");
  command->add_option("--param", o->params,
                      "KEY=VALUE option of a plugin embedder, repeatable (torchscript: input_size=224, "
                      "normalize=imagenet|none, epochs=10, control_sites=256)");
  command->add_option("--shard", o->shard,
                      "I/N: embed only plates k with k % N == I (plates in the order the screen names them) into "
                      "this --out; `gandl merge` joins the N stores (docs/scaling.md)");
  command->add_option("--threads", o->threads, "LibTorch threads (0: every core)")->check(kThreadsRange);
  command->add_option("--loader-threads", o->task.loader_threads, "PNG decoding threads")->check(kLoaderThreadsRange);
  command->add_flag("--overwrite", o->task.overwrite,
                    "replace an existing --out store (only once the new one is complete); without it an existing "
                    "store is refused");
  command->callback([o] {
    model::configureThreads(o->threads);
    o->task.layout = data::parseLayout(o->layout);
    for (const auto& p : o->params) {
      const auto equals = p.find('=');
      if (equals == std::string::npos || equals == 0)
        throw CLI::ValidationError("--param", "expected KEY=VALUE, got '" + p + "'");
      o->task.parameters[p.substr(0, equals)] = p.substr(equals + 1);
    }
    if (!o->shard.empty()) {
      const auto slash = o->shard.find('/');
      std::size_t used1 = 0, used2 = 0;
      int index = -1, count = 0;
      try {
        index = std::stoi(o->shard.substr(0, slash), &used1);
        count = std::stoi(o->shard.substr(slash + 1), &used2);
      } catch (const std::exception&) {
        used1 = 0;
      }
      if (slash == std::string::npos || used1 != slash || used2 != o->shard.size() - slash - 1 || count < 2 ||
          index < 0 || index >= count)
        throw CLI::ValidationError("--shard", "expected I/N with N >= 2 and 0 <= I < N, got '" + o->shard + "'");
      o->task.shard_index = index;
      o->task.shard_count = count;
    }
    CliProgress progress("embed");
    const auto r = pipeline::runEmbedding(o->task, progress.context());
    progress.finish("embedded " + std::to_string(r.embedded) + " sites (" + std::to_string(r.already_stored) +
                    " already stored, " + std::to_string(r.incomplete_skipped) + " incomplete skipped) into " +
                    o->task.out.string());
    for (const auto& warning : r.warnings) std::cerr << "gandl: warning: " << warning << '\n';
  });
}

}  // namespace gandl::cli
