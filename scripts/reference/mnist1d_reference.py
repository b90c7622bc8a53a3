#!/usr/bin/env python3
"""Offline reference fixtures for the TypeScript port of MNIST-1D (src/lib/mnist1d/).

The generation code below is a faithful copy of the Python package `mnist1d`
(https://github.com/greydanus/mnist1d, files mnist1d/data.py @ 01ea44f6fb533de21ecae58a68cf9959a729f61a,
mnist1d/transform.py and mnist1d/utils.py @ abaddd93afd3928c20e1532a8d830ebd3601a8ce, MIT licence,
(c) Sam Greydanus, Peter Steinbach): get_dataset_args, get_templates, make_dataset and the transforms
pad, shear, translate, corr_noise_like, iid_noise_like, interpolate, transform. Only the I/O parts
(requests, pickle, matplotlib) are left out; `args` is an ObjectView of the same dict.

Run with Debian's python3 (numpy 1.24, scipy 1.10), from the project root:

    /usr/bin/python3 scripts/reference/mnist1d_reference.py [--check ../shared/datasets/mnist1d/mnist1d_data.json]

--check first verifies that the copy reproduces the official dataset with the default arguments.
It writes small JSON fixtures (60 samples each) to test/fixtures/mnist1d/.

Platform note: SciPy builds the Gaussian kernel with `np.exp`. NumPy 1.24 on AVX-512 CPUs uses its own
SIMD exp, which differs from the C library's in the last bit for several kernel weights; the official
mnist1d_data.pkl was made with libm's exp (with it 99.94% of the official values are bit-identical,
versus 60% with the SIMD exp). So by default this script computes the kernel weights with `math.exp`
(libm; the package code itself is unchanged); --numpy-exp keeps np.exp.
"""
import argparse
import json
import os
import random

from decimal import Decimal, getcontext
import math

import numpy as np
import scipy.ndimage._filters as _ndi_filters
from scipy.ndimage import gaussian_filter
from scipy.interpolate import interp1d

_numpy_kernel1d = _ndi_filters._gaussian_kernel1d


def _libm_kernel1d(sigma, order, radius):
    """scipy.ndimage._filters._gaussian_kernel1d (SciPy 1.10) for order 0, with libm's exp."""
    assert order == 0
    sigma2 = sigma * sigma
    x = np.arange(-radius, radius + 1)
    phi_x = np.asarray([math.exp(v) for v in (-0.5 / sigma2 * x ** 2)])
    phi_x = phi_x / phi_x.sum()
    return phi_x


def use_libm_exp(on=True):
    _ndi_filters._gaussian_kernel1d = _libm_kernel1d if on else _numpy_kernel1d


class ObjectView(object):
    def __init__(self, d): self.__dict__ = d


def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)


def get_dataset_args(as_dict=False):
    arg_dict = {'num_samples': 5000,
            'train_split': 0.8,
            'template_len': 12,
            'padding': [36,60],
            'scale_coeff': .4,
            'max_translation': 48,
            'corr_noise_scale': 0.25,
            'iid_noise_scale': 2e-2,
            'shear_scale': 0.75,
            'shuffle_seq': False,
            'final_seq_length': 40,
            'seed': 42,
            'url': 'https://github.com/greydanus/mnist1d/raw/master/mnist1d_data.pkl'}
    return arg_dict if as_dict else ObjectView(arg_dict)


def get_templates():
    d0 = np.asarray([5,6,6.5,6.75,7,7,7,7,6.75,6.5,6,5])
    d1 = np.asarray([5,3,3,3.4,3.8,4.2,4.6,5,5.4,5.8,5,5])
    d2 = np.asarray([5,6,6.5,6.5,6,5.25,4.75,4,3.5,3.5,4,5])
    d3 = np.asarray([5,6,6.5,6.5,6,5,5,6,6.5,6.5,6,5])
    d4 = np.asarray([5,4.4,3.8,3.2,2.6,2.6,5,5,5,5,5,5])
    d5 = np.asarray([5,3,3,3,3,5,6,6.5,6.5,6,4.5,5])
    d6 = np.asarray([5,4,3.5,3.25,3,3,3,3,3.25,3.5,4,5])
    d7 = np.asarray([5,7,7,6.6,6.2,5.8,5.4,5,4.6,4.2,5,5])
    d8 = np.asarray([5,4,3.5,3.5,4,5,5,4,3.5,3.5,4,5])
    d9 = np.asarray([5,4,3.5,3.5,4,5,5,5,5,4.7,4.3,5])

    x = np.stack([d0,d1,d2,d3,d4,d5,d6,d7,d8,d9])
    x -= x.mean(1,keepdims=True) # whiten
    x /= x.std(1,keepdims=True)
    x -= x[:,:1]  # signal starts and ends at 0

    templates = {'x': x/6., 't': np.linspace(-5, 5, len(d0))/6.,
                 'y': np.asarray([0,1,2,3,4,5,6,7,8,9])}
    return templates


# ---- mnist1d/transform.py ----
def pad(x, padding):
    low, high = padding
    p = low + int(np.random.rand()*(high-low+1))
    if len(x.shape) == 1:
        return np.concatenate([x, np.zeros((p))])
    else:
        padding = np.zeros((x.shape[0],p))
        return np.concatenate([x, padding], axis=-1)

def shear(x, scale=10):
    coeff = scale*(np.random.rand() - 0.5)
    return x - coeff*np.linspace(-0.5,.5,len(x))

def translate(x, max_translation):
    k = np.random.choice(max_translation)
    return np.concatenate([x[-k:], x[:-k]])

def corr_noise_like(x, scale):
    noise = scale * np.random.randn(*x.shape)
    return gaussian_filter(noise, 2)

def iid_noise_like(x, scale):
    noise = scale * np.random.randn(*x.shape)
    return noise

def interpolate(x, N):
    scale = np.linspace(0,1,len(x))
    new_scale = np.linspace(0,1,N)
    new_x = interp1d(scale, x, axis=0, kind='linear')(new_scale)
    return new_x

def transform(x, y, args, eps=1e-8):
    new_x = pad(x+eps, args.padding) # pad
    new_x = interpolate(new_x, args.template_len + args.padding[-1])  # dilate
    new_y = interpolate(y, args.template_len + args.padding[-1])
    new_x *= (1 + args.scale_coeff*(np.random.rand() - 0.5))  # scale
    new_x = translate(new_x, args.max_translation)  #translate

    # add noise
    mask = new_x != 0
    new_x = mask*new_x + (1-mask)*corr_noise_like(new_x, args.corr_noise_scale)
    new_x = new_x + iid_noise_like(new_x, args.iid_noise_scale)

    # shear and interpolate
    new_x = shear(new_x, args.shear_scale)
    new_x = interpolate(new_x, args.final_seq_length) # subsample
    new_y = interpolate(new_y, args.final_seq_length)
    return new_x, new_y


# ---- mnist1d/data.py ----
def make_dataset(args=None, template=None, ):
    templates = get_templates() if template is None else template
    args = get_dataset_args() if args is None else args
    set_seed(args.seed) # reproducibility

    xs, ys = [], []
    samples_per_class = args.num_samples // len(templates['y'])
    for label_ix in range(len(templates['y'])):
        for example_ix in range(samples_per_class):
            x = templates['x'][label_ix]
            t = templates['t']
            y = templates['y'][label_ix]
            x, new_t = transform(x, t, args) # new_t transformation is same each time
            xs.append(x) ; ys.append(y)

    batch_shuffle = np.random.permutation(len(ys)) # shuffle batch dimension
    xs = np.stack(xs)[batch_shuffle]
    ys = np.stack(ys)[batch_shuffle]

    if args.shuffle_seq: # maybe shuffle the spatial dimension
        seq_shuffle = np.random.permutation(args.final_seq_length)
        xs = xs[...,seq_shuffle]

    new_t = new_t/xs.std()
    xs = (xs-xs.mean())/xs.std() # center the dataset & set standard deviation to 1

    # train / test split
    split_ix = int(len(ys)*args.train_split)
    dataset = {'x': xs[:split_ix], 'x_test': xs[split_ix:],
               'y': ys[:split_ix], 'y_test': ys[split_ix:],
               't':new_t, 'templates': templates}
    return dataset


# ---- fixtures ----
def to_json(d):
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out[k] = to_json(v)
        elif isinstance(v, np.ndarray):
            out[k] = v.tolist()
        else:
            out[k] = v
    return out


# Non-default argument sets (60 samples each keeps the files small). Keys are the package's names.
CASES = {
    'seed7_n60': dict(num_samples=60, seed=7),
    'seed0_n60_shuffle_seq': dict(num_samples=60, seed=0, shuffle_seq=True),
    'seed42_n60_len60': dict(num_samples=60, final_seq_length=60),
    'seed123_n60_padding_10_20': dict(num_samples=60, seed=123, padding=[10, 20], max_translation=20),
    'seed5_n65_noise': dict(num_samples=65, seed=5, corr_noise_scale=0.5, iid_noise_scale=0.1,
                            shear_scale=1.5, scale_coeff=0.8, train_split=0.7),
    'seed3_n60_template_len_20_max_translation_100': dict(num_samples=60, seed=3, template_len=20,
                            max_translation=100, final_seq_length=32, shuffle_seq=True),
}


def pieces():
    """Values of the individual building blocks beyond ../shared/reference/rng_goldens.json."""
    out = {}
    rs = np.random.RandomState(2024)
    out['rs2024_rand_5'] = rs.rand(5).tolist()
    out['rs2024_then_randn_7'] = rs.randn(7).tolist()
    out['rs2024_then_randint_0_1000_x5'] = [int(rs.randint(0, 1000)) for _ in range(5)]
    out['rs2024_then_randint_m5_5_x5'] = [int(rs.randint(-5, 5)) for _ in range(5)]
    out['rs2024_then_permutation_1000_head_20'] = rs.permutation(1000)[:20].tolist()
    out['rs2024_then_choice_3_x5'] = [int(rs.choice(3)) for _ in range(5)]
    out['rs2024_then_rand_1'] = rs.rand()
    rs = np.random.RandomState(4294967295)
    out['rs4294967295_randn_3'] = rs.randn(3).tolist()
    sig = np.random.RandomState(1).randn(5)
    out['filter_input_5'] = sig.tolist()
    out['filter_sigma2_len5'] = gaussian_filter(sig, 2).tolist()
    out['filter_sigma1p5_len5'] = gaussian_filter(sig, 1.5).tolist()
    out['filter_sigma2_len1'] = gaussian_filter(sig[:1], 2).tolist()
    sig = np.random.RandomState(2).randn(30)
    out['filter_input_30'] = sig.tolist()
    out['filter_sigma0p7_len30'] = gaussian_filter(sig, 0.7).tolist()
    out['filter_sigma3_len30'] = gaussian_filter(sig, 3).tolist()
    out['interp_input_7'] = sig[:7].tolist()
    out['interp_7_to_3'] = interpolate(sig[:7], 3).tolist()
    out['interp_7_to_13'] = interpolate(sig[:7], 13).tolist()
    out['interp_2_to_5'] = interpolate(sig[:2], 5).tolist()
    # correctly rounded natural logarithms (50-digit Decimal), including near-midpoint cases
    getcontext().prec = 50
    xs = [0.8843603632419503, 0.860143500304649, 0.7699221187318909, 0.6844190447515897,
          0.5, 1.0, 0.9999999999999999, 1e-300, 2.5e-17, 0.7071067811865476, 1.4142135623730951, 3.0, 1e300]
    xs += np.random.RandomState(11).rand(200).tolist()
    out['log_inputs'] = xs
    out['log_correctly_rounded'] = [float(Decimal(v).ln()) for v in xs]
    return out


def pickles():
    """Small pickles of plain data and NumPy arrays (hex) with their expected values, for the pickle reader."""
    import pickle
    value = {
        'ints': [0, 1, -1, 255, 256, 65535, 65536, -2**31, 2**31 - 1, 2**40, -2**40, 2**70],
        'floats': [0.5, -1.25, 1e-300, float('inf')],
        'text': 'héllo', 'bytes': b'\x00\x01\xff', 'none': None, 'flags': (True, False),
        'nested': {'a': [1, [2, 3]], 'b': ()},
        'f8': np.arange(6, dtype=np.float64).reshape(2, 3) / 4,
        'i8': np.asarray([-3, 0, 7], dtype=np.int64),
        'u1': np.asarray([[0, 255], [7, 8]], dtype=np.uint8),
        'f4_big': np.asarray([1.5, -2.0], dtype='>f4'),
        'fortran': np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)),
        'i8_scalar': np.int64(5),
    }
    expected = {
        'ints': [0, 1, -1, 255, 256, 65535, 65536, -2**31, 2**31 - 1, 2**40, -2**40, str(2**70)],
        'floats': [0.5, -1.25, 1e-300, 'inf'],
        'text': 'héllo', 'bytes': [0, 1, 255], 'none': None, 'flags': [True, False],
        'nested': {'a': [1, [2, 3]], 'b': []},
        'f8': {'shape': [2, 3], 'values': (np.arange(6) / 4).tolist()},
        'i8': {'shape': [3], 'values': [-3, 0, 7]},
        'u1': {'shape': [2, 2], 'values': [0, 255, 7, 8]},
        'f4_big': {'shape': [2], 'values': [1.5, -2.0]},
        'fortran': {'shape': [2, 3], 'values': [0, 1, 2, 3, 4, 5]},
        'i8_scalar': 5,
    }
    return {'expected': expected,
            'pickles': {f'protocol{p}': pickle.dumps(value, protocol=p).hex() for p in (2, 3, 4, 5)}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--check', help='official mnist1d_data.json to compare the default dataset with')
    ap.add_argument('--numpy-exp', action='store_true', help="keep NumPy's exp for the Gaussian kernel (see the note above)")
    ap.add_argument('--out', default=os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'mnist1d'))
    a = ap.parse_args()
    use_libm_exp(not a.numpy_exp)

    if a.check:
        ref = json.load(open(a.check))
        d = make_dataset(get_dataset_args())
        for k in ('x', 'x_test', 't'):
            diff = np.abs(np.asarray(ref[k]) - d[k]).max()
            print(f'{k}: max abs diff {diff:.3g}, bit-identical {(np.asarray(ref[k]) == d[k]).mean():.4%}')
            assert diff <= 1e-9, k
        for k in ('y', 'y_test'):
            assert np.array_equal(np.asarray(ref[k]), d[k]), k
        for k in ('x', 't', 'y'):
            assert np.array_equal(np.asarray(ref['templates'][k]), d['templates'][k]), 'templates.' + k
        print('the copy reproduces the official dataset')

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, 'pieces.json'), 'w') as f:
        json.dump(pieces(), f)
    with open(os.path.join(a.out, 'pickles.json'), 'w') as f:
        json.dump(pickles(), f)
    for name, overrides in CASES.items():
        args = get_dataset_args(as_dict=True)
        args.update(overrides)
        d = make_dataset(ObjectView(dict(args)))
        fixture = {'args': {k: v for k, v in args.items() if k != 'url'}, 'dataset': to_json(d)}
        del fixture['dataset']['templates']  # identical for every argument set
        path = os.path.join(a.out, name + '.json')
        with open(path, 'w') as f:
            json.dump(fixture, f)
        print('wrote', os.path.relpath(path), f"({len(d['y'])} train, {len(d['y_test'])} test)")


if __name__ == '__main__':
    main()
