from .compute_curve import CurveArm, plot_compute_curve
from .detections import draw_boxes, fit_image, panel_rows, titled
from .erf_map import draw_erf_evolution, draw_erf_grid, erf_heatmap, region_centre_positions
from .local_vis_backend import LocalVisBackend
from .montage import draw_montage, image_grid, save_rgb_png

__all__ = ['draw_erf_evolution', 'draw_erf_grid', 'region_centre_positions', 'erf_heatmap',
           'draw_montage', 'image_grid', 'save_rgb_png', 'LocalVisBackend',
           'CurveArm', 'plot_compute_curve', 'draw_boxes', 'fit_image', 'panel_rows', 'titled']
