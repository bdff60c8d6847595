"""What make_ada_reference.py and make_trainer_reference.py share: the tiny ada networks with
every bias, noise strength and w_avg randomised (so each parameter matters), drawn from the
caller's seeded global generator, and the {json, bin} writer test_model_networks and
test_trainer_parity read (tests/support/ada_reference.h)."""
import json
import os

import torch
from training.networks import Discriminator, Generator


def tiny_generator(res, zw, base, cmax):
    return Generator(z_dim=zw, c_dim=0, w_dim=zw, img_resolution=res, img_channels=5,
                     mapping_kwargs=dict(num_layers=3),
                     synthesis_kwargs=dict(channel_base=base, channel_max=cmax))


def tiny_networks(res, zw, base, cmax):
    """G then D, as GAN-DL's tests build them, with randomised biases, noise strengths and w_avg."""
    G = tiny_generator(res, zw, base, cmax)
    D = Discriminator(c_dim=0, img_resolution=res, img_channels=5, channel_base=base, channel_max=cmax)
    with torch.no_grad():
        for name, p in list(G.named_parameters()) + list(D.named_parameters()):
            if name.endswith('noise_strength') or name.endswith('bias'):
                p.copy_(torch.randn_like(p) * 0.1 + (1 if 'affine' in name else 0))
        G.mapping.w_avg.copy_(torch.randn(zw) * 0.1)
    return G, D


def state_tensors(prefix, module):
    """A module's state by ada name, without the constant resampling filters."""
    return {prefix + n: t.clone() for n, t in module.state_dict().items() if not n.endswith('resample_filter')}


def write_reference(base, tensors, meta=None):
    """<base>.bin: float32 little-endian data; <base>.json: the list of {name, shape, offset}, or,
    with `meta`, an object holding meta's keys and that list as "tensors"."""
    here = os.path.dirname(os.path.abspath(__file__))
    index, offset = [], 0
    with open(os.path.join(here, base + '.bin'), 'wb') as blob:
        for name, tensor in tensors.items():
            data = tensor.detach().to(torch.float32).contiguous().numpy()
            blob.write(data.astype('<f4').tobytes())
            index.append(dict(name=name, shape=list(data.shape), offset=offset))
            offset += data.nbytes
    with open(os.path.join(here, base + '.json'), 'w') as out:
        if meta is None:
            out.write('[\n' + ',\n'.join(json.dumps(entry) for entry in index) + '\n]\n')
        else:
            out.write(json.dumps(dict(meta, tensors=index), indent=1) + '\n')
    print(len(index), 'tensors,', offset, 'bytes')
