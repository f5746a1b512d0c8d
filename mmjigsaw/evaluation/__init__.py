"""Detection evaluation beyond mmdet's rounded metric: full-precision AP from per-image matches."""
from .per_image_ap import ImageMatches, box_ap, match_detections, paired_bootstrap

__all__ = ['ImageMatches', 'box_ap', 'match_detections', 'paired_bootstrap']
