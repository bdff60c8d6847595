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
import torch
from ada_fixture import state_tensors, tiny_networks, write_reference

torch.manual_seed(2022)
res, zw, base, cmax = 32, 32, 128, 32
G, D = tiny_networks(res, zw, base, cmax)

tensors = {**state_tensors('G.', G), **state_tensors('D.', D)}
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

write_reference('ada_reference_32', tensors)
