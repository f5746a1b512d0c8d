import cv2
import numpy as np
import pytest

from mmjigsaw.datasets.transforms import JigsawAssemble, PackJigsawInputs, place_sample
from mmjigsaw.errors import ConfigError

COLOURS = {0: 10, 1: 60, 2: 120, 3: 200}


def _samples(sizes):
    """Four uniformly coloured samples (label i has colour COLOURS[i]) in the order S, S, T, W."""
    return [dict(img=np.full((h, w, 3), COLOURS[i], np.uint8), label=i) for i, (h, w) in enumerate(sizes)]


def test_layout_smaller_square_r1_wide_r2_tall_r3_larger_square_r4():
    # label 0: large S, 1: small S, 2: T, 3: W
    out = JigsawAssemble()(dict(samples=_samples([(150, 140), (40, 50), (200, 60), (50, 190)]),
                                rng=np.random.default_rng(0)))
    assert out['img'].shape == (224, 224, 3) and out['img'].dtype == np.uint8
    np.testing.assert_array_equal(out['regions'], [[0, 0, 64, 64], [64, 0, 224, 64],
                                                   [0, 64, 64, 224], [64, 64, 224, 224]])
    assert out['region_labels'].tolist() == [1, 3, 2, 0]


@pytest.mark.parametrize('seed', range(20))
def test_each_region_holds_only_its_sample_or_zero_padding(seed):
    rng = np.random.default_rng(100 + seed)
    sizes = [tuple(int(v) for v in rng.integers(20, 260, 2)) for _ in range(4)]
    out = JigsawAssemble()(dict(samples=_samples(sizes), rng=np.random.default_rng(seed)))
    img = out['img']
    for (x1, y1, x2, y2), label, (cx1, cy1, cx2, cy2) in zip(out['regions'], out['region_labels'],
                                                             out['content_boxes']):
        region = img[y1:y2, x1:x2]
        assert set(np.unique(region)) <= {0, COLOURS[int(label)]}
        content = img[cy1:cy2, cx1:cx2]
        assert (content == COLOURS[int(label)]).all()
        padding = region.copy()
        padding[cy1 - y1:cy2 - y1, cx1 - x1:cx2 - x1] = 0
        assert not padding.any()
        assert x1 <= cx1 < cx2 <= x2 and y1 <= cy1 < cy2 <= y2


def test_never_warps_aspect_ratio_is_kept():
    img = np.zeros((30, 60, 3), np.uint8)
    pixels, offset = place_sample(img, (160, 160), scale=1.2, flip=False, offset_fraction=(0.5, 0.5))
    assert pixels.shape[:2] == (36, 72)
    assert offset == (int(0.5 * (160 - 36 + 1)), int(0.5 * (160 - 72 + 1)))
    pixels, _ = place_sample(np.zeros((300, 100, 3), np.uint8), (160, 64), 1.0, False, (0.0, 0.0))
    assert pixels.shape[:2] == (160, 64)


def test_unit_scale_crop_and_flip_copy_pixels_exactly():
    img = np.arange(20 * 30 * 3, dtype=np.uint8).reshape(20, 30, 3)
    pixels, _ = place_sample(img, (10, 12), 1.0, False, (0.0, 0.0))
    np.testing.assert_array_equal(pixels, img[:10, :12])
    pixels, _ = place_sample(img, (20, 30), 1.0, True, (0.0, 0.0))
    np.testing.assert_array_equal(pixels, img[:, ::-1])


def test_same_seed_same_montage():
    sizes = [(80, 70), (40, 50), (200, 60), (50, 190)]
    rand = np.random.default_rng(9)
    samples = [dict(img=rand.integers(0, 255, (h, w, 3), dtype=np.uint8), label=i) for i, (h, w) in enumerate(sizes)]
    a = JigsawAssemble()(dict(samples=samples, rng=np.random.default_rng(1)))['img']
    b = JigsawAssemble()(dict(samples=samples, rng=np.random.default_rng(1)))['img']
    c = JigsawAssemble()(dict(samples=samples, rng=np.random.default_rng(2)))['img']
    np.testing.assert_array_equal(a, b)
    assert (a != c).any()


def test_template_misaligned_with_stride_is_rejected():
    with pytest.raises(ConfigError, match='stride 32'):
        JigsawAssemble(template=dict(canvas=224, cut=48), stride=32)
    JigsawAssemble(template=dict(canvas=128, cut=32), stride=32)


def test_pack_gives_chw_uint8_and_labels():
    out = JigsawAssemble()(dict(samples=_samples([(50, 50), (40, 40), (100, 30), (30, 100)]),
                                rng=np.random.default_rng(0)))
    packed = PackJigsawInputs()(out)
    assert packed['inputs'].shape == (3, 224, 224) and str(packed['inputs'].dtype) == 'torch.uint8'
    assert packed['data_samples'].gt_region_labels.tolist() == [1, 3, 2, 0]


@pytest.mark.parametrize('kwargs, phrase', [(dict(scale=(1.5, 0.8)), 'scale=(1.5, 0.8)'),
                                            (dict(scale=(0, 1)), 'scale=(0, 1)'),
                                            (dict(flip_prob=2), 'flip_prob=2')])
def test_out_of_range_augmentation_is_rejected(kwargs, phrase):
    with pytest.raises(ConfigError, match=phrase.replace('(', r'\(').replace(')', r'\)')):
        JigsawAssemble(**kwargs)


def test_warp_fills_each_region_with_its_whole_sample_resized():
    """fit='warp' (the paper's ablation): no padding, no cropping: the whole sample, aspect ignored."""
    gradient = np.tile(np.arange(0, 200, 2, dtype=np.uint8)[None, :, None], (30, 1, 3))  # 30 x 100
    samples = [dict(img=gradient, label=i) for i in range(4)]
    out = JigsawAssemble(fit='warp', flip_prob=0.0)(dict(samples=samples, rng=np.random.default_rng(0)))
    np.testing.assert_array_equal(out['content_boxes'], out['regions'])
    r2 = out['img'][0:64, 64:224]  # 160 wide: the 100-px ramp stretched over it, left to right
    assert r2[:, 0].max() <= 2 and r2[:, -1].min() >= 195
    assert (np.diff(r2[32, :, 0].astype(int)) >= 0).all()
    with pytest.raises(ConfigError):
        JigsawAssemble(fit='squash')


def _ramp(h, w):
    """A textured sample: grey level rises left to right (so a flip shows) and varies down the rows."""
    x = np.linspace(0, 250, w)[None, :] + 4 * np.sin(np.arange(h))[:, None]
    return np.repeat(np.clip(x, 0, 255).astype(np.uint8)[:, :, None], 3, axis=2)


@pytest.mark.parametrize('scale, flip_prob', [((0.8, 1.5), 0.5), ((1.0, 1.2), 0.2)])
def test_drawn_scales_and_flips_follow_the_configured_range_and_rate(scale, flip_prob):
    """Each region's sample is small enough to be padded, never cropped: its content box is its
    rescaled size, so the drawn scale can be read back; the ramp's direction tells a flip."""
    assemble = JigsawAssemble(scale=scale, flip_prob=flip_prob)
    sizes = [(40, 40), (48, 48), (40, 16), (20, 60)]  # S, S, T, W: all fit their regions at 1.5
    samples = [dict(img=_ramp(h, w), label=i) for i, (h, w) in enumerate(sizes)]
    scales, flips = [], []
    for seed in range(400):
        out = assemble(dict(samples=samples, rng=np.random.default_rng(seed)))
        x1, y1, x2, y2 = out['content_boxes'][3]  # R4: the larger S, 48 x 48
        scales.append((x2 - x1) / 48)
        content = out['img'][y1:y2, x1:x2, 0].astype(int)
        flips.append(content[:, 0].mean() > content[:, -1].mean())
    scales = np.array(scales)
    half_px = 0.5 / 48  # rounding to whole pixels
    assert scales.min() >= scale[0] - half_px and scales.max() <= scale[1] + half_px
    width = scale[1] - scale[0]
    assert scales.min() < scale[0] + 0.05 * width and scales.max() > scale[1] - 0.05 * width
    assert abs(scales.mean() - (scale[0] + scale[1]) / 2) < 0.05 * width + half_px
    assert abs(np.mean(flips) - flip_prob) < 0.075  # about 3 standard errors at 400 draws


@pytest.mark.parametrize('scale, flip, offsets', [(1.37, False, (0.3, 0.8)), (0.83, True, (0.9, 0.1)),
                                                  (2.2, True, (0.5, 0.5))])
def test_place_sample_equals_resizing_the_whole_sample_then_cutting(scale, flip, offsets):
    """place_sample resizes only the pixels behind its window: that must give the window of the
    whole sample resized, up to the sub-pixel rounding of the window (about one grey level)."""
    rng = np.random.default_rng(3)
    img = cv2.GaussianBlur(rng.integers(0, 256, (90, 130, 3), dtype=np.uint8), (5, 5), 1.5)
    region = (64, 96)
    pixels, _ = place_sample(img, region, scale, flip, offsets)
    sh, sw = round(90 * scale), round(130 * scale)
    whole = cv2.resize(img, (sw, sh), interpolation=cv2.INTER_LINEAR)
    if flip:
        whole = whole[:, ::-1]
    out_h, out_w = min(sh, region[0]), min(sw, region[1])
    y = int(offsets[0] * (sh - out_h + 1))
    x = int(offsets[1] * (sw - out_w + 1))
    expected = whole[y:y + out_h, x:x + out_w]
    assert pixels.shape == expected.shape
    diff = np.abs(pixels.astype(int) - expected.astype(int))
    assert diff.mean() < 2.0 and np.percentile(diff, 99) <= 7  # a window one pixel off: mean 5 to 7


@pytest.mark.parametrize('flip_prob', [0.5, 0.2])
def test_warp_flips_at_the_configured_rate(flip_prob):
    """fit='warp' keeps the flip augmentation: R2's stretched ramp runs right to left when flipped."""
    assemble = JigsawAssemble(fit='warp', flip_prob=flip_prob)
    samples = [dict(img=_ramp(h, w), label=i) for i, (h, w) in enumerate([(40, 40), (48, 48), (40, 16), (20, 60)])]
    flips = []
    for seed in range(400):
        r2 = assemble(dict(samples=samples, rng=np.random.default_rng(seed)))['img'][0:64, 64:224, 0].astype(int)
        flips.append(r2[:, 0].mean() > r2[:, -1].mean())
    assert abs(np.mean(flips) - flip_prob) < 0.075  # about 3 standard errors at 400 draws
