"""Writes ada_reference_32.{json,bin}: weights, inputs and outputs of the ada reference networks
(NVlabs/stylegan2-ada-pytorch, training/networks.py) for test_model_networks, which loads the
same weights into GAN-DL's LibTorch networks and expects the same outputs.

A tiny configuration keeps the fixture small: 32 px, 5 channels, z = w = 32, 3 mapping layers,
channel_base 128, channel_max 32, minibatch-stddev group 4. Biases, noise strengths and w_avg are
randomised so that every parameter influences the outputs.

Regenerate (CPU is enough) with Debian's python3-torch and a checkout of the ada repository:
    PYTHONPATH=/path/to/stylegan2-ada-pytorch python3 make_ada_reference.py
Format: the .json lists {name, shape, offset}; the .bin holds the float32 little-endian data.
"""
import json
import os

import torch
from training.networks import Discriminator, Generator

torch.manual_seed(2022)
res, zw, base, cmax = 32, 32, 128, 32
G = Generator(z_dim=zw, c_dim=0, w_dim=zw, img_resolution=res, img_channels=5,
              mapping_kwargs=dict(num_layers=3),
              synthesis_kwargs=dict(channel_base=base, channel_max=cmax))
D = Discriminator(c_dim=0, img_resolution=res, img_channels=5, channel_base=base, channel_max=cmax)
with torch.no_grad():
    for name, p in list(G.named_parameters()) + list(D.named_parameters()):
        if name.endswith('noise_strength') or name.endswith('bias'):
            p.copy_(torch.randn_like(p) * 0.1 + (1 if 'affine' in name else 0))
    G.mapping.w_avg.copy_(torch.randn(zw) * 0.1)

tensors = {'G.' + n: t for n, t in G.state_dict().items() if not n.endswith('resample_filter')}
tensors.update({'D.' + n: t for n, t in D.state_dict().items() if not n.endswith('resample_filter')})
z = torch.randn(4, zw)
images = torch.randn(4, 5, res, res)
G.eval()
D.eval()
features = {}
D.b4.fc.register_forward_hook(lambda module, inputs, output: features.__setitem__('fc', output))
with torch.no_grad():
    ws = G.mapping(z, None, truncation_psi=0.7)
    tensors['io.z'] = z
    tensors['io.ws_psi07'] = ws
    tensors['io.images_const_noise'] = G.synthesis(ws, noise_mode='const')
    G.train()  # the non-fused (scaled activations) path
    tensors['io.images_no_noise'] = G.synthesis(ws, noise_mode='none')
    tensors['io.d_images'] = images
    tensors['io.d_logits'] = D(images, None)
    tensors['io.d_features'] = features['fc']

here = os.path.dirname(os.path.abspath(__file__))
index, offset = [], 0
with open(os.path.join(here, 'ada_reference_32.bin'), 'wb') as blob:
    for name, tensor in tensors.items():
        data = tensor.detach().to(torch.float32).contiguous().numpy()
        blob.write(data.astype('<f4').tobytes())
        index.append(dict(name=name, shape=list(data.shape), offset=offset))
        offset += data.nbytes
with open(os.path.join(here, 'ada_reference_32.json'), 'w') as out:
    out.write('[\n' + ',\n'.join(json.dumps(entry) for entry in index) + '\n]\n')
print(len(index), 'tensors,', offset, 'bytes')
