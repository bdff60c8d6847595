#include "app/gandl/network_options.h"

#include "app/gandl/commands.h"

namespace gandl::cli {

void addNetworkOptions(CLI::App& c, model::NetworkConfig& n) {
  c.add_option("--resolution", n.resolution, "image side in px (power of two, 32..512)")->capture_default_str();
  c.add_option("--channel-base", n.channel_base, "channels at res r: min(base / r, max)")->capture_default_str();
  c.add_option("--channel-max", n.channel_max, "channel cap (512 keeps a 512-d embedding)")->capture_default_str();
  c.add_option("--mapping-layers", n.mapping_layers, "mapping network depth (GAN-DL: 3)")->capture_default_str();
  c.add_option("--z-dim", n.z_dim)->capture_default_str();
  c.add_option("--w-dim", n.w_dim)->capture_default_str();
  c.add_option("--mbstd-group", n.mbstd_group, "minibatch-stddev group size")->capture_default_str();
}

void addTrainingOptions(CLI::App& c, model::TrainingConfig& t, double& kimg) {
  addNetworkOptions(c, t.network);
  c.add_option("--batch", t.batch, "images per step")->check(kBatchRange)->capture_default_str();
  auto* steps = c.add_option("--steps", t.steps, "optimizer steps")->capture_default_str();
  c.add_option("--kimg", kimg, "thousands of real images to show (sets --steps)")
      ->check(CLI::PositiveNumber)
      ->excludes(steps);
  c.add_option("--g-lr", t.g_lr)->capture_default_str();
  c.add_option("--d-lr", t.d_lr)->capture_default_str();
  c.add_option("--beta1", t.beta1)->capture_default_str();
  c.add_option("--beta2", t.beta2)->capture_default_str();
  c.add_option("--adam-eps", t.adam_eps, "Adam epsilon")->capture_default_str();
  c.add_option(
       "--loss",
       [&t](const CLI::results_t& r) {
         t.loss = r[0] == "wgan-gp" ? model::GanLoss::WassersteinGp : model::GanLoss::Logistic;
         return true;
       },
       "logistic (default, lazy R1) or wgan-gp")
      ->check(CLI::IsMember({"logistic", "wgan-gp"}));
  c.add_option("--r1-gamma", t.r1_gamma, "R1 weight; < 0: 0.0002 res^2 / batch")->capture_default_str();
  c.add_option("--r1-interval", t.r1_interval)->capture_default_str();
  c.add_option("--pl-weight", t.pl_weight, "path-length regularisation (2 enables)")->capture_default_str();
  c.add_option("--pl-interval", t.pl_interval)->capture_default_str();
  c.add_option("--style-mixing", t.style_mixing)->capture_default_str();
  c.add_option("--contrastive", t.contrastive_weight,
               "weight of a contrastive term on D's embedding (two augmented views of each real; 0: off, "
               "the paper's recipe)")
      ->capture_default_str();
  c.add_option("--contrastive-temperature", t.contrastive_temperature)->capture_default_str();
  c.add_option("--contrastive-pairs", t.contrastive_pairs,
               "site (two tiles of one site) or image (two augmentations of one image)")
      ->check(CLI::IsMember({"site", "image"}));
  c.add_option("--ema-kimg", t.ema_kimg, "G EMA half-life; < 0: batch * 10 / 32")->capture_default_str();
  c.add_option("--ema-rampup", t.ema_rampup)->capture_default_str();
  c.add_flag("!--no-augment", t.augment, "no flips / rotations / shifts");
  c.add_option("--augment-shift", t.augment_shift, "max shift px; < 0: res / 8")->capture_default_str();
  c.add_option("--draws", t.draws,
               "stream (one process, ada's draw order) or keyed (per-image draws: the same training on any "
               "number of ranks; chosen for you when WORLD_SIZE > 1)")
      ->check(CLI::IsMember({"stream", "keyed"}));
  c.add_option("--precision", t.precision,
               "fp32, or bf16: G's synthesis and D's passes in bfloat16 under autocast, weights in float32 "
               "(faster on CPUs with AVX-512 BF16 or AMX; docs/benchmarks.md)")
      ->check(CLI::IsMember({"fp32", "bf16"}));
  c.add_option("--view", t.view, "resize (whole site) or tiles (random tile per image)")
      ->check(CLI::IsMember({"resize", "tiles"}));
  c.add_flag("--normalize-input", t.normalize_input,
             "standardise each channel by the training screen's mean and sd (measured before the first step, "
             "stored with the model)");
  c.add_option("--seed", t.seed)->capture_default_str();
  c.add_option("--checkpoint-every", t.checkpoint_every)->capture_default_str();
  c.add_option("--keep", t.keep_checkpoints, "checkpoints kept")->capture_default_str();
  c.add_option("--log-every", t.log_every)->capture_default_str();
  c.add_option("--sample-every", t.sample_every)->capture_default_str();
  c.add_option("--sample-count", t.sample_count)->capture_default_str();
}

}  // namespace gandl::cli
