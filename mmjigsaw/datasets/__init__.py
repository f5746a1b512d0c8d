from .coco import load_coco_detection
from .collate import montage_collate
from .crop_codec import CROP_FORMATS, CropCodec
from .demo import DEMO_CATEGORIES, make_demo_dataset, render_scene
from .montage_dataset import MontageDataset, choose_montage_samples, resolve_group_sources
from .online_montage_dataset import OnlineMontageDataset
from .sample_store import SampleStore, SampleStoreWriter
from .store_builder import build_sample_store
from .transforms import *  # noqa: F401,F403
from .voc import voc_to_coco

__all__ = ['load_coco_detection', 'DEMO_CATEGORIES', 'make_demo_dataset', 'render_scene', 'voc_to_coco',
           'montage_collate', 'CROP_FORMATS', 'CropCodec', 'MontageDataset', 'OnlineMontageDataset', 'SampleStore',
           'SampleStoreWriter', 'build_sample_store', 'choose_montage_samples', 'resolve_group_sources']
