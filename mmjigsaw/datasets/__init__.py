from .coco import load_coco_detection
from .collate import montage_collate
from .crop_codec import CROP_FORMATS, CropCodec
from .demo import make_demo_dataset
from .montage_dataset import MontageDataset, choose_montage_samples, resolve_group_sources
from .online_montage_dataset import OnlineMontageDataset
from .sample_store import SampleStore
from .store_builder import build_sample_store
from .transforms import *  # noqa: F401,F403
from .voc import voc_to_coco

__all__ = ['load_coco_detection', 'make_demo_dataset', 'voc_to_coco', 'montage_collate', 'CROP_FORMATS', 'CropCodec', 'MontageDataset', 'OnlineMontageDataset', 'SampleStore',
           'build_sample_store', 'choose_montage_samples', 'resolve_group_sources']
