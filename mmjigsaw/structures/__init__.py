from .boxes import ASPECT_GROUPS, aspect_group, intersection_areas, xywh_to_xyxy
from .jigsaw_data_sample import JigsawDataSample
from .montage_template import MontageTemplate

__all__ = ['ASPECT_GROUPS', 'aspect_group', 'intersection_areas', 'xywh_to_xyxy',
           'MontageTemplate', 'JigsawDataSample']
