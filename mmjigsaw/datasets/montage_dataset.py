"""Montage datasets: each item draws 2 S + 1 T + 1 W samples and runs the montage pipeline."""
import warnings
from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope
from torch.utils.data import Dataset

from mmjigsaw.errors import DataError
from mmjigsaw.registry import DATASETS, TRANSFORMS
from mmjigsaw.structures import ASPECT_GROUPS, MontageTemplate
from .sample_store import SampleStore

#: A group smaller than this share of the samples makes its samples repeat often: warn.
SMALL_GROUP_SHARE = 0.01


def build_pipeline(pipeline: Sequence) -> Compose:
    """Compose transforms given as configs (built from mmjigsaw's registry, whatever the current
    default scope) or as callables."""
    with DefaultScope.overwrite_default_scope('mmjigsaw'):
        return Compose([TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline])


def resolve_group_sources(counts: Mapping[str, int]) -> Dict[str, str]:
    """Which group each group draws from: itself, or its first non-empty substitute.

    Raises:
        DataError: all groups are empty.
    """
    if not any(counts.values()):
        raise DataError('no samples in any aspect group: the dataset is empty.')
    sources = {}
    for group in ASPECT_GROUPS:
        if counts.get(group, 0):
            sources[group] = group
        else:
            sources[group] = next(g for g in MontageTemplate.GROUP_SUBSTITUTES[group] if counts.get(g, 0))
    return sources


def warn_about_groups(counts: Mapping[str, int], sources: Mapping[str, str], what: str) -> None:
    """One warning naming the counts when a group is empty (and what replaces it) or very small."""
    total = sum(counts.values())
    notes = [f'{g} is empty, so {sources[g]} samples fill its region' for g in ASPECT_GROUPS if sources[g] != g]
    notes += [f'{g} holds only {counts[g]} samples' for g in ASPECT_GROUPS
              if 0 < counts[g] < SMALL_GROUP_SHARE * total]
    if notes:
        warnings.warn(f'{what}: aspect groups {dict(counts)}: ' + '; '.join(notes) + '.')


def choose_montage_samples(pools: Mapping[str, Sequence], sources: Mapping[str, str],
                           rng: np.random.Generator) -> List:
    """Pick the elements of a montage for the template's ``SAMPLE_GROUPS`` (S, S, T, W; ``sources``
    maps empty groups): the slots that draw from one pool get different elements whenever the
    pool has enough."""
    slots = MontageTemplate.SAMPLE_GROUPS
    picks = [None] * len(slots)
    for source in dict.fromkeys(sources[g] for g in slots):  # ordered: item i stays a function of (seed, i)
        pool = pools[source]
        mine = [i for i, g in enumerate(slots) if sources[g] == source]
        chosen = rng.choice(len(pool), size=len(mine), replace=len(pool) < len(mine))
        for slot, j in zip(mine, chosen):
            picks[slot] = pool[int(j)]
    return picks


@DATASETS.register_module()
class MontageDataset(Dataset):
    """Montages drawn from a sample store.

    Item ``i`` is a pure function of ``(seed, i)``: its samples and every random choice of the
    pipeline come from ``np.random.default_rng([seed, i])``, so the data is the same under any
    number of workers, across processes and after resuming.

    Args:
        store: path of a sample store (tools/extract_samples.py).
        pipeline: transforms applied to ``dict(samples=[S, S, T, W], rng=...)``; usually
            ``JigsawAssemble`` then ``PackJigsawInputs``.
        num_montages: the dataset's length; by default one montage per four samples. A schedule
            that draws more repeats montages pixel for pixel (``MontageRepeatCheckHook`` warns):
            set it to iterations x batch size x processes, as the configs do.
        seed: seed of the montages.
    """

    def __init__(self, store: str, pipeline: Sequence[Dict], num_montages: Optional[int] = None,
                 seed: int = 0):
        self.store = SampleStore(store)
        self.group_pools = self.store.group_indices()
        counts = {g: len(idx) for g, idx in self.group_pools.items()}
        self.group_sources = resolve_group_sources(counts)
        warn_about_groups(counts, self.group_sources, store)
        self.num_montages = num_montages or max(1, len(self.store) // 4)
        self.seed = seed
        self.pipeline = build_pipeline(pipeline)

    @property
    def metainfo(self) -> Dict:
        return dict(classes=self.store.classes)

    def __len__(self) -> int:
        return self.num_montages

    def draw(self, index: int) -> Dict:
        """The pipeline's input for item ``index``: four store samples and the item's generator."""
        rng = np.random.default_rng([self.seed, index])
        picks = choose_montage_samples(self.group_pools, self.group_sources, rng)
        samples = [dict(img=self.store.image(int(i)), label=int(self.store.labels[i])) for i in picks]
        return dict(samples=samples, rng=rng, sample_indices=picks)

    def __getitem__(self, index: int) -> Dict:
        return self.pipeline(self.draw(index))
