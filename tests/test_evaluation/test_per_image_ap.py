"""Full-precision box AP from per-image matches: pycocotools' own number on every image set, and a
paired bootstrap that resamples images with repeats."""
import contextlib
import io
import json

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from mmjigsaw.evaluation import ImageMatches, box_ap, match_detections, paired_bootstrap


def synthetic_run(folder, images, seed, noise=6.0, name='dt'):
    """COCO ground truth for ``images`` (id -> list of (category, crowd)) and noisy detections of them
    plus false positives; returns (annotation file, results file)."""
    rng = np.random.default_rng(seed)
    gt = dict(images=[], annotations=[], categories=[dict(id=c, name=f'c{c}') for c in (1, 2, 3)])
    dets = []
    for image_id, objects in images.items():
        gt['images'].append(dict(id=image_id, width=200, height=200, file_name=f'{image_id}.png'))
        for k, (category, crowd) in enumerate(objects):
            x, y = rng.uniform(0, 120, 2)
            w, h = rng.uniform(10, 70, 2)
            gt['annotations'].append(dict(id=len(gt['annotations']) + 1, image_id=image_id, category_id=category,
                                          bbox=[x, y, w, h], area=w * h, iscrowd=crowd))
            for _ in range(rng.integers(0, 3)):  # 0-2 detections per object, some poor
                jitter = rng.normal(0, noise, 4)
                dets.append(dict(image_id=image_id, category_id=int(rng.choice([category, category, 3])),
                                 bbox=[x + jitter[0], y + jitter[1], max(w + jitter[2], 2), max(h + jitter[3], 2)],
                                 score=float(rng.uniform(0.05, 1))))
        for _ in range(rng.integers(0, 3)):  # background detections
            x, y = rng.uniform(0, 150, 2)
            dets.append(dict(image_id=image_id, category_id=int(rng.integers(1, 4)), bbox=[x, y, 30, 30],
                             score=float(rng.uniform(0, 0.6))))
    ann, res = folder / 'gt.json', folder / f'{name}.json'
    ann.write_text(json.dumps(gt))
    res.write_text(json.dumps(dets))
    return str(ann), str(res)


def pycocotools_ap(ann, res, image_ids=None):
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(ann)
        evaluator = COCOeval(gt, gt.loadRes(res), 'bbox')
        if image_ids is not None:
            evaluator.params.imgIds = list(image_ids)
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return evaluator.stats[0]


#: 20 images of 1-4 objects each (category 1-3); the first object of image 3 is a crowd box
IMAGES = {i: [(int(c), int(i == 3 and k == 0))
              for k, c in enumerate(np.random.default_rng(i).integers(1, 4, 1 + i % 4))] for i in range(1, 21)}


@pytest.fixture
def run(tmp_path):
    return synthetic_run(tmp_path, IMAGES, seed=0)


def test_all_images_give_pycocotools_ap_unrounded(run):
    matches = match_detections(*run)
    expected = pycocotools_ap(*run)
    assert 0.05 < expected < 0.95 and expected != round(expected, 3)
    assert box_ap(matches) == pytest.approx(expected, abs=1e-12)


def test_a_subset_of_images_gives_pycocotools_ap_on_that_subset(run):
    matches = match_detections(*run)
    subset = [2, 5, 6, 11, 17]
    counts = np.isin(matches.image_ids, subset).astype(int)
    assert box_ap(matches, counts) == pytest.approx(pycocotools_ap(*run, image_ids=subset), abs=1e-12)


def test_an_image_counted_twice_is_that_image_twice(tmp_path, run):
    """Image 4 drawn twice equals a data set in which image 4 appears again as image 99."""
    matches = match_detections(*run)
    gt, dets = json.loads(open(run[0]).read()), json.loads(open(run[1]).read())
    gt['images'].append(dict(gt['images'][3], id=99))
    gt['annotations'] += [dict(a, id=1000 + a['id'], image_id=99) for a in gt['annotations'] if a['image_id'] == 4]
    dets += [dict(d, image_id=99) for d in dets if d['image_id'] == 4]
    (tmp_path / 'gt2.json').write_text(json.dumps(gt))
    (tmp_path / 'dt2.json').write_text(json.dumps(dets))
    counts = np.ones(len(matches.image_ids), int)
    counts[list(matches.image_ids).index(4)] = 2
    assert box_ap(matches, counts) == pytest.approx(pycocotools_ap(str(tmp_path / 'gt2.json'),
                                                                   str(tmp_path / 'dt2.json')), abs=1e-12)


def test_matches_save_and_load(run, tmp_path):
    matches = match_detections(*run)
    matches.save(str(tmp_path / 'm.npz'))
    assert box_ap(ImageMatches.load(str(tmp_path / 'm.npz'))) == box_ap(matches)


def test_paired_bootstrap_centres_on_the_difference_and_is_zero_for_a_run_against_itself(tmp_path):
    ann, good = synthetic_run(tmp_path, IMAGES, seed=0, noise=2.0, name='good')
    _, bad = synthetic_run(tmp_path, IMAGES, seed=0, noise=12.0, name='bad')
    a, b = match_detections(ann, good), match_detections(ann, bad)
    diffs = paired_bootstrap(a, b, samples=200, seed=1)
    assert diffs.shape == (200, )
    assert box_ap(a) - box_ap(b) > 0.1 and abs(np.median(diffs) - (box_ap(a) - box_ap(b))) < 0.05
    assert (diffs > 0).mean() > 0.95
    np.testing.assert_array_equal(paired_bootstrap(a, a, samples=20), np.zeros(20))
