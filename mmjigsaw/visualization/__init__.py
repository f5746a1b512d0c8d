from .erf_map import draw_erf_grid, erf_heatmap
from .montage import draw_montage, image_grid, save_rgb_png

__all__ = ['draw_erf_grid', 'erf_heatmap', 'draw_montage', 'image_grid', 'save_rgb_png']
