from .boxes import (ASPECT_GROUPS, aspect_group, intersection_areas, xywh_to_xyxy)
from .jigsaw_data_sample import JigsawDataSample
from .montage_template import REGION_GROUPS, MontageTemplate

__all__ = ['ASPECT_GROUPS', 'aspect_group', 'intersection_areas', 'xywh_to_xyxy', 'REGION_GROUPS',
           'MontageTemplate', 'JigsawDataSample']
