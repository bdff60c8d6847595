"""Writes ada_trainer_reference.{json,bin}: a few training steps of the ada reference
(NVlabs/stylegan2-ada-pytorch: training/networks.py, the StyleGAN2Loss of training/loss.py and
the phase / Adam / EMA logic of training/training_loop.py) from known weights, latents, noise and
batches, for test_trainer_parity, which runs `gandl train` from the same state and expects the
same losses and weights.

How the two runs see identical randomness: both use the same libtorch CPU generator (Debian's
python3-torch and libtorch-dev are the same 1.13 build), seeded with RNG_SEED after the weights
are in place, and both draw in the same order: per step, the latents of a phase just before
it (Gmain, Greg, Dmain; Dreg draws none), then inside ada's run_G the style-mixing cutoff, its
coin and the second latents, then every synthesis layer's noise, then the augmentation draws of
each run_D call. ada's training loop draws all phases' latents at once at the top of a step, so
this harness does not call training_loop(); it replays its phase logic (lazy intervals, Adam with
the mb_ratio scaling, zero_grad(set_to_none), nan_to_num, EMA with ramp-up on the images seen
before the step) around ada's own loss.accumulate_gradients. The augmentation is GAN-DL's
geometric one (flips, quarter turns, integer shifts with reflect padding; core/model/augment.cpp),
written out here as ada's augment_pipe.

Tiny configuration: 32 px, 5 channels, z = w = 32, 3 mapping layers, channel_base 128,
channel_max 32, batch 4 (one minibatch-stddev group), 4 steps with R1 and path length every 2.

Regenerate (CPU is enough) with Debian's python3-torch and a checkout of the ada repository:
    PYTHONPATH=/path/to/stylegan2-ada-pytorch python3 make_trainer_reference.py
Format as ada_reference_32: the .json lists {name, shape, offset}; the .bin holds float32 data.
"""
import torch
import torch.nn.functional as F
from ada_fixture import state_tensors, tiny_generator, tiny_networks, write_reference
from training.loss import StyleGAN2Loss

RES, ZW, BASE, CMAX, BATCH, STEPS = 32, 32, 128, 32, 4, 4
R1_INTERVAL = PL_INTERVAL = 2
PL_WEIGHT, PL_SHRINK = 2.0, 2
LR, BETAS, EPS = 0.0025, (0.0, 0.99), 1e-8
R1_GAMMA = 0.0002 * RES * RES / BATCH
STYLE_MIXING = 0.9
EMA_KIMG, EMA_RAMPUP = 0.02, 0.05
SHIFT = RES // 8
WEIGHT_SEED, RNG_SEED, DATA_SEED = 2022, 4242, 7


def augment(images):
    """GAN-DL's augmentGeometric: one randint draw of [n, 5], then per image shift, flips, turn."""
    n, _, h, w = images.shape
    s = min(SHIFT, min(h, w) - 1)
    d = torch.randint(0, 1 << 30, (n, 5), dtype=torch.long)
    padded = F.pad(images, (s, s, s, s), mode='reflect') if s > 0 else images
    out = []
    for i in range(n):
        x = padded[i]
        if s > 0:
            dy, dx = int(d[i, 3]) % (2 * s + 1), int(d[i, 4]) % (2 * s + 1)
            x = x[:, dy:dy + h, dx:dx + w]
        if int(d[i, 0]) % 2:
            x = x.flip(2)
        if int(d[i, 1]) % 2:
            x = x.flip(1)
        q = int(d[i, 2]) % 4
        if q:
            x = torch.rot90(x, q, (1, 2))
        out.append(x)
    return torch.stack(out)


class Augment(torch.nn.Module):
    def forward(self, images):
        return augment(images)


torch.manual_seed(WEIGHT_SEED)
G, D = tiny_networks(RES, ZW, BASE, CMAX)
G.train().requires_grad_(False)
D.train().requires_grad_(False)
G_ema = tiny_generator(RES, ZW, BASE, CMAX).eval().requires_grad_(False)
G_ema.load_state_dict(G.state_dict())

data_gen = torch.Generator().manual_seed(DATA_SEED)
reals = torch.tanh(torch.randn([STEPS, BATCH, 5, RES, RES], generator=data_gen) * 0.7 +
                   torch.linspace(-0.8, 0.4, 5).view(1, 1, 5, 1, 1))

tensors = {**state_tensors('init.G.', G), **state_tensors('init.D.', D), 'io.reals': reals}

loss = StyleGAN2Loss(device='cpu', G_mapping=G.mapping, G_synthesis=G.synthesis, D=D,
                     augment_pipe=Augment(), style_mixing_prob=STYLE_MIXING, r1_gamma=R1_GAMMA,
                     pl_batch_shrink=1, pl_weight=PL_WEIGHT)


def adam(module, interval):
    ratio = interval / (interval + 1)
    return torch.optim.Adam(module.parameters(), lr=LR * ratio, betas=[b ** ratio for b in BETAS], eps=EPS)


opt_G, opt_D = adam(G, PL_INTERVAL), adam(D, R1_INTERVAL)
phases = [('Gmain', G, opt_G, 1), ('Greg', G, opt_G, PL_INTERVAL),
          ('Dmain', D, opt_D, 1), ('Dreg', D, opt_D, R1_INTERVAL)]

# Capture what each phase reports, as GAN-DL's metrics.jsonl logs it.
captured = {}
real_report = __import__('torch_utils.training_stats', fromlist=['report']).report


def capture(name, value):
    if value is not None:
        captured.setdefault(name, []).append(value.detach().clone())
    return real_report(name, value)


import training.loss as loss_module  # noqa: E402
loss_module.training_stats.report = capture

torch.manual_seed(RNG_SEED)
c = torch.zeros([BATCH, 0])
cur_nimg = 0
metrics = []
for step in range(STEPS):
    captured.clear()
    for name, module, opt, interval in phases:
        if step % interval != 0:
            continue
        if name == 'Dreg':
            z = torch.zeros([BATCH, ZW])  # unused by Dreg; GAN-DL draws none there either
        else:
            n = BATCH // PL_SHRINK if name == 'Greg' else BATCH
            z = torch.randn([n, ZW])
        opt.zero_grad(set_to_none=True)
        module.requires_grad_(True)
        loss.accumulate_gradients(phase=name, real_img=reals[step], real_c=c, gen_z=z, gen_c=c[:z.shape[0]],
                                  sync=True, gain=interval)
        module.requires_grad_(False)
        for param in module.parameters():
            if param.grad is not None:
                torch.nan_to_num(param.grad, nan=0, posinf=1e5, neginf=-1e5, out=param.grad)
        opt.step()
    with torch.no_grad():
        ema_nimg = EMA_KIMG * 1000
        ema_nimg = min(ema_nimg, cur_nimg * EMA_RAMPUP)
        beta = 0.5 ** (BATCH / max(ema_nimg, 1e-8))
        for p_ema, p in zip(G_ema.parameters(), G.parameters()):
            p_ema.copy_(p.lerp(p_ema, beta))
        for b_ema, b in zip(G_ema.buffers(), G.buffers()):
            b_ema.copy_(b)
    cur_nimg += BATCH
    fake_scores = captured['Loss/scores/fake']  # [Gmain, Dmain]
    entry = dict(step=step + 1,
                 loss_g=float(captured['Loss/G/loss'][0].mean()),
                 loss_d=float(captured['Loss/D/loss'][0].mean()),
                 d_real=float(captured['Loss/scores/real'][0].mean()),
                 d_fake=float(fake_scores[1].mean()),
                 r1_penalty=float(captured['Loss/D/reg'][0].mean()) if 'Loss/D/reg' in captured else 0.0,
                 pl_penalty=float(captured['Loss/G/reg'][0].mean()) if 'Loss/G/reg' in captured else 0.0)
    metrics.append(entry)
    print(entry)

tensors.update({**state_tensors('final.G.', G), **state_tensors('final.D.', D),
                **state_tensors('final.G_ema.', G_ema)})

write_reference('ada_trainer_reference', tensors, meta=dict(
    config=dict(resolution=RES, z_dim=ZW, w_dim=ZW, channel_base=BASE, channel_max=CMAX, batch=BATCH,
                steps=STEPS, r1_interval=R1_INTERVAL, pl_interval=PL_INTERVAL, pl_weight=PL_WEIGHT,
                pl_batch_shrink=PL_SHRINK, lr=LR, r1_gamma=R1_GAMMA, style_mixing=STYLE_MIXING,
                ema_kimg=EMA_KIMG, ema_rampup=EMA_RAMPUP, augment_shift=SHIFT, rng_seed=RNG_SEED),
    metrics=metrics))

