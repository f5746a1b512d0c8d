"""mmengine's local visualizer backend, taking the hierarchical image names other backends take."""
import os
import os.path as osp

import numpy as np
from mmengine.visualization import LocalVisBackend as MMEngineLocalVisBackend
from mmengine.visualization.vis_backend import force_init_env

from mmjigsaw.registry import VISBACKENDS


@VISBACKENDS.register_module()
class LocalVisBackend(MMEngineLocalVisBackend):
    """mmengine's ``LocalVisBackend`` for image names with folders (``erf/heatmap``, the way
    TensorBoard and W&B group images): it writes ``<save_dir>/vis_image/erf/heatmap_{step}.png``,
    where mmengine's own would fail silently for want of the ``erf`` folder. Configs with
    ``default_scope = 'mmjigsaw'`` get it as ``type='LocalVisBackend'``."""

    @force_init_env
    def add_image(self, name: str, image: np.ndarray, step: int = 0, **kwargs) -> None:
        os.makedirs(osp.dirname(osp.join(self._img_save_dir, f'{name}_{step}.png')), exist_ok=True)
        super().add_image(name, image, step, **kwargs)
